#!/usr/bin/python3
# report.py -- bench/run's arithmetic: medians of the repeats, the table, the target ratios
"""usage: report.py --runs runs.csv [--context FILE] [--out DIR]
       report.py --count-ok CRAWL.csv

The first form reads every run bench/run recorded, prints one row per tool, setting and
kind with the medians of its repeats, then the ratios issue 4 sets as targets, and writes
summary.csv and table.txt to DIR. The second prints how many rows of a crawlpool CSV are
a status 200 without error."""

import argparse
import csv
import os
import statistics
import sys

MIB = 1024.0

# Targets of issue 4: (label, minimum ratio).
FETCH_VS_TOOLS = 1.20
FETCH_VS_WRK = 0.70
PARSE_VS_MULTI = 1.15
FOLLOW_VS_WGET2 = 1.5
STATE_VS_MEMORY = 0.85
PARSE_VS_CEILING = 0.85
PROCESS_VS_THREAD = 0.85
THREAD32_MEMORY_MIB = 32.0
# Targets of issue 14, on CPU per page (maximum ratios) and on the isolated modes' speed.
CPU_VS_WGET2 = 0.85
CPU_VS_MULTI = 1.0
PARSE_CPU_OVER_PARTS = 1.1
ISOLATED_VS_THREAD = 0.9
FLAT_GROWTH = 1.10
CLIMB_LIMIT = 1.05


def count_ok(path):
    n = 0
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        for row in csv.DictReader(f):
            if row.get("status") == "200" and not row.get("error"):
                n += 1
    return n


def num(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return float("nan")


def load(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def cpu_us_page(rs):
    """Client CPU (user+sys of the tool's whole process tree) per page in µs: per run, then the
    median, so each run's CPU goes with its own page count (wrk's differ from run to run). A
    parse ceiling's pages are the µs/page it measured itself (the `ok` field)."""
    if rs[0]["kind"] == "ceiling":
        return statistics.median([num(r["ok"]) for r in rs])
    vals = [1e6 * (num(r["user_s"]) + num(r["sys_s"])) / num(r["urls"]) for r in rs if num(r["urls"]) > 0]
    vals = [v for v in vals if v == v]
    return statistics.median(vals) if vals else float("nan")


def summarize(runs):
    """One entry per (tool, workers, kind) in first-seen order, with medians of its runs."""
    groups = {}
    for r in runs:
        groups.setdefault((r["tool"], r["workers"], r["kind"]), []).append(r)
    rows = []
    for (tool, workers, kind), rs in groups.items():
        def med(key):
            vals = [num(r[key]) for r in rs]
            vals = [v for v in vals if v == v]
            return statistics.median(vals) if vals else float("nan")

        rows.append({
            "tool": tool, "workers": int(workers), "kind": kind,
            "urls": int(med("urls")), "runs": len(rs),
            "wall_s": med("wall_s"), "pages_s": med("rate"),
            "cpu_s": statistics.median([num(r["user_s"]) + num(r["sys_s"]) for r in rs]),
            "cpu_us_page": cpu_us_page(rs),
            "pss_mib": med("pss_kib") / MIB, "maxrss_mib": med("maxrss_kib") / MIB,
            "server_cpu_s": med("server_cpu_s"),
            "ok": min(num(r["ok"]) for r in rs),
            "all_ok": all(num(r["ok"]) >= num(r["urls"]) for r in rs),
            "errors": sum(max(0.0, num(r["urls"]) - num(r["ok"])) for r in rs),
            "failed_runs": sum(1 for r in rs if r["rc"] != "0"),
            "spread": (max(num(r["rate"]) for r in rs) - min(num(r["rate"]) for r in rs))
            / med("rate") if med("rate") > 0 else 0.0,
        })
    return rows


KIND_ORDER = {"fetch": 0, "parse": 1, "follow": 2, "ceiling": 3}


def table(rows):
    head = ("tool", "workers", "kind", "urls", "wall s", "pages/s", "±", "CPU s", "CPU µs/page",
            "nginx CPU s", "PSS MiB", "max RSS MiB", "ok")
    lines = []
    ordered = sorted(rows, key=lambda r: (KIND_ORDER.get(r["kind"], 3), r["kind"], -r["pages_s"]))
    cells = []
    for r in ordered:
        ceiling = r["kind"] == "ceiling"
        if ceiling:
            ok = "-"
        elif r["tool"].startswith("wrk"):
            ok = "all 2xx" if r["all_ok"] else f"{r['errors']:.0f} errors"
        else:
            ok = "all" if r["all_ok"] and not r["failed_runs"] else f"{r['ok']:.0f} !"
        cells.append((
            r["tool"], str(r["workers"]), r["kind"], str(r["urls"]),
            "-" if ceiling else f"{r['wall_s']:.2f}",
            f"{r['pages_s']:.0f}", f"{100 * r['spread']:.0f}%",
            f"{r['cpu_s']:.2f}", f"{r['cpu_us_page']:.1f}",
            "-" if ceiling else f"{r['server_cpu_s']:.2f}",
            f"{r['pss_mib']:.1f}", f"{r['maxrss_mib']:.1f}", ok))
    widths = [max(len(head[i]), *(len(c[i]) for c in cells)) for i in range(len(head))]
    right = {1, 3, 4, 5, 6, 7, 8, 9, 10, 11}

    def fmt(c):
        return "  ".join(c[i].rjust(widths[i]) if i in right else c[i].ljust(widths[i])
                         for i in range(len(c)))

    lines.append(fmt(head))
    lines.append("  ".join("-" * w for w in widths))
    kind = None
    for c in cells:
        if kind is not None and c[2] != kind:
            lines.append("")
        kind = c[2]
        lines.append(fmt(c))
    return lines


def best(rows, pred):
    cands = [r for r in rows if pred(r) and r["pages_s"] == r["pages_s"]]
    return max(cands, key=lambda r: r["pages_s"]) if cands else None


def find(rows, tool, workers, kind):
    for r in rows:
        if r["tool"] == tool and r["workers"] == workers and r["kind"] == kind:
            return r
    return None


def name(r):
    return f"{r['tool']} w{r['workers']} {r['kind']}"


def ratio_line(label, num_row, den_row, target, checks):
    if not num_row or not den_row or not den_row["pages_s"]:
        return f"  {label}: not measured"
    ratio = num_row["pages_s"] / den_row["pages_s"]
    verdict = "MET" if ratio >= target else f"MISSED by {100 * (target - ratio) / target:.0f}%"
    checks.append((label, ratio >= target))
    return (f"  {label}: {ratio:.2f}  (target >= {target:.2f}: {verdict})\n"
            f"      {name(num_row)} {num_row['pages_s']:.0f}/s  vs  {name(den_row)} {den_row['pages_s']:.0f}/s")


def cpu_line(label, row, budget_us, what, target, checks):
    """A CPU-per-page check: row's µs/page over a budget must stay at or under target."""
    if not row or not budget_us or budget_us != budget_us:
        return f"  {label}: not measured"
    ratio = row["cpu_us_page"] / budget_us
    verdict = "MET" if ratio <= target else f"MISSED by {100 * (ratio - target) / target:.0f}%"
    checks.append((label, ratio <= target))
    return (f"  {label}: {ratio:.2f}  (target <= {target:.2f}: {verdict})\n"
            f"      {name(row)} {row['cpu_us_page']:.1f} µs/page  vs  {what} {budget_us:.1f} µs/page")


def cheapest(rows, pred):
    cands = [r for r in rows if pred(r) and r["cpu_us_page"] == r["cpu_us_page"]]
    return min(cands, key=lambda r: r["cpu_us_page"]) if cands else None


def cpu_ratios(rows, checks):
    """Issue 14: what a page costs the client, against wget2, the bare libcurl-multi loop and
    the sum of its parts; and the process-isolated modes' pages/s against thread mode's."""
    cp = lambda r: r["tool"].startswith("crawlpool") and "--state" not in r["tool"]
    out = ["CPU per page (medians; issue 14 targets):"]
    cp_fetch = cheapest(rows, lambda r: cp(r) and r["kind"] == "fetch")
    cp_parse = cheapest(rows, lambda r: cp(r) and r["kind"] == "parse")
    wget2 = cheapest(rows, lambda r: r["tool"].startswith("wget2 --max") and r["kind"] == "fetch")
    multi = cheapest(rows, lambda r: r["tool"].startswith("multi_crawler") and r["kind"] == "fetch")
    sax = best(rows, lambda r: r["tool"].startswith("libxml2 SAX"))
    out.append(cpu_line("fetch only: crawlpool cheapest / wget2 cheapest", cp_fetch,
                        wget2 and wget2["cpu_us_page"], wget2 and name(wget2), CPU_VS_WGET2, checks))
    out.append(cpu_line("fetch only: crawlpool cheapest / multi_crawler cheapest", cp_fetch,
                        multi and multi["cpu_us_page"], multi and name(multi), CPU_VS_MULTI, checks))
    parts = sax and cp_fetch and sax["cpu_us_page"] + cp_fetch["cpu_us_page"]
    out.append(cpu_line("fetch+parse: crawlpool cheapest / (SAX parse + crawlpool fetch)", cp_parse,
                        parts, "SAX + fetch", PARSE_CPU_OVER_PARTS, checks))
    for mode in ("process", "hybrid"):
        for w in (8, 32):
            out.append(ratio_line(f"{mode} / thread, fetch, {w} workers",
                                  find(rows, f"crawlpool {mode}", w, "fetch"),
                                  find(rows, "crawlpool thread", w, "fetch"), ISOLATED_VS_THREAD, checks))
    return out


def practical_ceiling(rows, cp_parse, other_fetch):
    """The parse ceiling leaves out that fetching and serving a page also take CPU on these
    cores: cores / (SAX µs + the cheapest measured fetch, client and nginx, per page)."""
    sax = best(rows, lambda r: r["tool"].startswith("libxml2 SAX"))
    fetchers = [r for r in rows if other_fetch(r) and r["urls"] and r["cpu_s"] == r["cpu_s"]]
    if not sax or not fetchers or not cp_parse:
        return []
    cheapest = min(fetchers, key=lambda r: (r["cpu_s"] + r["server_cpu_s"]) / r["urls"])
    fetch_us = 1e6 * (cheapest["cpu_s"] + cheapest["server_cpu_s"]) / cheapest["urls"]
    rate = sax["workers"] * 1e6 / (sax["ok"] + fetch_us)
    return [f"  (for reading the above) fetch+parse ceiling with fetching counted: {sax['workers']} cores / "
            f"({sax['ok']:.0f} µs SAX + {fetch_us:.0f} µs fetch incl. nginx, {name(cheapest)}) = {rate:.0f} pages/s;"
            f" crawlpool best is {cp_parse['pages_s'] / rate:.2f} of it"]


def ratios(rows):
    checks = []
    cp = lambda r: r["tool"].startswith("crawlpool")
    other_fetch = lambda r: (r["kind"] == "fetch" and not cp(r) and not r["tool"].startswith("wrk"))
    out = ["Ratios (medians; issue 4 targets):"]
    cp_fetch = best(rows, lambda r: cp(r) and r["kind"] == "fetch")
    cp_parse = best(rows, lambda r: cp(r) and r["kind"] == "parse")
    out.append(ratio_line("fetch only: crawlpool best / fastest other tool", cp_fetch,
                          best(rows, other_fetch), FETCH_VS_TOOLS, checks))
    out.append(ratio_line("fetch only: crawlpool best / wrk ceiling", cp_fetch,
                          best(rows, lambda r: r["tool"].startswith("wrk")), FETCH_VS_WRK, checks))
    out.append(ratio_line("fetch+parse: crawlpool best / multi_crawler (libcurl multi + libxml2)",
                          cp_parse, best(rows, lambda r: r["tool"].startswith("multi_crawler")
                                         and r["kind"] == "parse"), PARSE_VS_MULTI, checks))
    out.append(ratio_line("fetch+parse: crawlpool best / parse ceiling (cores / SAX CPU per page)",
                          cp_parse, best(rows, lambda r: r["tool"].startswith("libxml2 SAX")),
                          PARSE_VS_CEILING, checks))
    out += practical_ceiling(rows, cp_parse, other_fetch)
    out.append(ratio_line("follow links, whole site: crawlpool best / wget2 -r best",
                          best(rows, lambda r: cp(r) and r["kind"] == "follow"),
                          best(rows, lambda r: r["tool"].startswith("wget2 -r")), FOLLOW_VS_WGET2, checks))
    for mode in ("thread", "process", "event", "hybrid"):
        for w in (8, 32):
            out.append(ratio_line(f"follow links, --state / in memory, {mode} {w}",
                                  find(rows, f"crawlpool {mode} --state", w, "follow"),
                                  find(rows, f"crawlpool {mode}", w, "follow"), STATE_VS_MEMORY, checks))
    for kind in ("fetch", "parse"):
        for w in (8, 32):
            out.append(ratio_line(f"process / thread, {kind}, {w} workers",
                                  find(rows, "crawlpool process", w, kind),
                                  find(rows, "crawlpool thread", w, kind), PROCESS_VS_THREAD, checks))
    for kind in ("parse", "fetch"):
        r = find(rows, "crawlpool thread", 32, kind)
        if r:
            ok = r["pss_mib"] <= THREAD32_MEMORY_MIB
            checks.append((f"memory thread 32 {kind}", ok))
            out.append(f"  peak memory, crawlpool thread 32 workers {kind}: {r['pss_mib']:.1f} MiB PSS of the "
                       f"whole crawl (target <= {THREAD32_MEMORY_MIB:.0f} MiB: "
                       f"{'MET' if ok else 'MISSED'}); largest process {r['maxrss_mib']:.1f} MiB RSS")
    return out, checks


def flatness(rows, checks, out_dir):
    """Peak PSS at the short and the long list, as issue 4 asks. Peaks are extremes, and a run
    ten times longer meets a higher one by chance, so a ratio over FLAT_GROWTH is also judged
    by the long run's own trace: growth lifts the typical level from early tenths to late ones."""
    out = []
    for mode in ("thread", "process", "event"):
        flat = sorted((r for r in rows if r["tool"] == f"crawlpool {mode}" and r["kind"].startswith("parse-")),
                      key=lambda r: r["urls"])
        if len(flat) < 2:
            continue
        small, big = flat[0], flat[-1]
        growth = big["pss_mib"] / small["pss_mib"] if small["pss_mib"] else float("inf")
        tenths = trace_tenths(os.path.join(out_dir or ".", f"memtrace-{mode}-{big['urls']}.txt"))
        early = statistics.median(tenths[1:4]) if tenths else 0.0
        climb = statistics.median(tenths[7:]) / early if early else None
        ok = growth <= FLAT_GROWTH or (climb is not None and climb <= CLIMB_LIMIT)
        checks.append((f"flat memory {mode}", ok))
        why = (f"peak ratio <= {FLAT_GROWTH:.2f}" if growth <= FLAT_GROWTH else
               f"peak ratio over {FLAT_GROWTH:.2f}, " + ("but no climb within the long run" if ok else
                                                         "and the long run climbs"))
        out.append(f"  memory flatness, crawlpool {mode} 32 workers: {small['urls']} URLs {small['pss_mib']:.1f} MiB"
                   f" -> {big['urls']} URLs {big['pss_mib']:.1f} MiB ({growth:.2f}x): {'MET' if ok else 'MISSED'}"
                   f" ({why}); {big['pages_s']:.0f} pages/s at {big['urls']}")
        if tenths:
            out.append(f"      median PSS per tenth of the {big['urls']}-URL crawl (MiB): "
                       + " ".join(f"{t:.1f}" for t in tenths)
                       + (f"; last 3 tenths / tenths 2-4: {climb:.2f}x (growth if > {CLIMB_LIMIT:.2f}x)"
                          if climb is not None else ""))
    return out


def trace_tenths(path):
    """Median PSS in each tenth of a treemem -t trace: a leak lifts the level, a spike does not."""
    try:
        with open(path, encoding="utf-8") as f:
            samples = [(float(t), int(p)) for t, p, *_ in (l.split() for l in f) if int(p) > 0]
    except (OSError, ValueError):
        return []
    if len(samples) < 20:
        return []
    end = samples[-1][0] or 1.0
    tenths = [[] for _ in range(10)]
    for t, p in samples:
        tenths[min(9, int(10 * t / end))].append(p / MIB)
    return [statistics.median(t) if t else 0.0 for t in tenths]


def report(args):
    runs = load(args.runs)
    rows = summarize(runs)
    lines = []
    if args.context and os.path.exists(args.context):
        with open(args.context, encoding="utf-8") as f:
            lines += [l.rstrip("\n") for l in f]
        lines.append("")
    main_rows = [r for r in rows if r["kind"] in KIND_ORDER]
    lines += table(main_rows)
    lines.append("")
    lines.append("pages/s = URLs / wall (wrk: its requests/s; ceilings: cores x 1e6 / CPU µs per page). "
                 "± = spread (max-min)/median of the repeats.")
    lines.append("CPU s = user+sys of the tool (all its processes); CPU µs/page = that over the URLs "
                 "of the run (wrk: its requests; ceilings: libxml2's parse alone), median of the runs: "
                 "what a page costs, steadier than pages/s when the machine is busy; nginx CPU s = "
                 "the server's share in the same run. PSS = peak of the sum over the tool's process "
                 "tree (shared pages counted once); max RSS = largest single process (/usr/bin/time).")
    # a followed crawl takes the whole site, whatever the list's length: no subset
    listed = [r for r in main_rows
              if r["kind"] not in ("ceiling", "follow") and not r["tool"].startswith("wrk")]
    full = max((r["urls"] for r in listed), default=0)
    subsets = {(r["tool"], r["urls"]) for r in listed if r["urls"] < full}
    for tool, urls in sorted(subsets):
        lines.append(f"{tool} ran on the first {urls} of the {full} URLs (it is slow): "
                     "compare its pages/s and CPU µs/page, not its wall time or CPU s.")
    stalled = [r for r in runs if num(r.get("syn_retrans", 0)) > 0 and r["kind"] in KIND_ORDER]
    if stalled:
        lines.append(f"{len(stalled)} of {len(runs)} runs saw SYN retransmits (a dropped connect stalls "
                     "1 s or more; the medians absorb single outliers): "
                     + ", ".join(f"{r['tool']} w{r['workers']} {r['kind']} #{r['repeat']}" for r in stalled))
    lines.append("")
    ratio_lines, checks = ratios(main_rows)
    lines += ratio_lines
    lines += cpu_ratios(main_rows, checks)
    flat_rows = [r for r in rows if r["kind"].startswith("parse-")]
    if flat_rows:
        lines += flatness(flat_rows, checks, args.out)
    met = sum(1 for _, ok in checks if ok)
    lines.append("")
    lines.append(f"targets met: {met} of {len(checks)}")
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "table.txt"), "w", encoding="utf-8") as f:
            f.write(text)
        # cpu_us_page last, so readers of the older columns by position still work
        keys = ["tool", "workers", "kind", "urls", "runs", "wall_s", "pages_s", "spread", "cpu_s",
                "server_cpu_s", "pss_mib", "maxrss_mib", "ok", "failed_runs", "cpu_us_page"]
        with open(os.path.join(args.out, "summary.csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=keys, extrasaction="ignore")
            w.writeheader()
            for r in rows:
                w.writerow({k: (f"{r[k]:.4g}" if isinstance(r[k], float) else r[k]) for k in keys})


def main():
    ap = argparse.ArgumentParser(usage=__doc__.splitlines()[0][7:])
    ap.add_argument("--runs")
    ap.add_argument("--context")
    ap.add_argument("--out")
    ap.add_argument("--count-ok", metavar="CRAWL_CSV")
    args = ap.parse_args()
    if args.count_ok:
        print(count_ok(args.count_ok))
        return 0
    if not args.runs:
        ap.error("--runs or --count-ok is required")
    report(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
