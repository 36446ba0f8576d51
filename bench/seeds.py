#!/usr/bin/python3
# seeds.py -- the seeds' approach as a baseline: multiprocessing.Pool(N) calling requests.get per URL
"""usage: seeds.py [-n N] [-o FILE] URLS_FILE

The crawler the project started from: a pool of N processes, each URL fetched with a plain
requests.get (a new connection per URL, as the seeds did), and a callback in the parent that
appends "url : len(text)" to FILE (default /dev/null). Exit 0 when every URL answered 200."""

import argparse
import multiprocessing
import sys

import requests


def fetch(url):
    try:
        r = requests.get(url, timeout=30)
        return url, r.status_code, len(r.text)
    except requests.RequestException as e:
        return url, 0, str(e)


def main():
    ap = argparse.ArgumentParser(usage=__doc__.splitlines()[0][7:])
    ap.add_argument("-n", type=int, default=8, help="processes in the pool (default 8)")
    ap.add_argument("-o", default="/dev/null", help="file the callback appends to")
    ap.add_argument("urls")
    args = ap.parse_args()
    if args.n < 1:
        ap.error("-n wants at least 1")

    failed = 0
    with open(args.urls, encoding="utf-8") as f:
        urls = [u.strip() for u in f if u.strip() and not u.startswith("#")]
    with open(args.o, "a", encoding="utf-8") as out:

        def save(result):
            nonlocal failed
            url, status, size = result
            if status != 200:
                failed += 1
            out.write(f"{url} : {size}\n")

        with multiprocessing.Pool(args.n) as pool:
            for url in urls:
                pool.apply_async(fetch, (url,), callback=save)
            pool.close()
            pool.join()
    if failed:
        print(f"seeds.py: {failed} of {len(urls)} urls failed", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
