/* redis_scripts.h -- the shared frontier's atomic steps, as Lua scripts Redis runs whole (key space: redis_frontier.h) */
#ifndef CRAWLPOOL_REDIS_SCRIPTS_H
#define CRAWLPOOL_REDIS_SCRIPTS_H

/*
 * Every script takes the crawl's key prefix ("NAME:") as ARGV[1] and reads
 * the time from Redis (TIME), so the instances' clocks never have to agree.
 *
 * open:   ARGV prefix, version, "LEASE_MS NAME", then KEY VALUE pairs.
 *         -> {"ok", instance id} or {"differs", key, stored, ours}
 * sync:   ARGV prefix, instance, lease_ms, per_host, delay_ms, robots (1/0),
 *         max_pages, n_lease, n_add, n_ack, n_renew, then n_add groups
 *         {url, origin, depth, referrer, given, scope}, n_ack groups
 *         {kind, member, x, y}, n_renew members.
 *         -> {now, wait_ms, leased, queued, scope count, renewals lost,
 *             n_add, add results..., then {kind, member, record} per lease}
 *         or {-1} when the crawl is gone from Redis.
 * status: ARGV prefix -> {exists, now, started, taken, queued, leased, done,
 *         errors, expired, then {id, "LEASE_MS NAME", heartbeat, leases} per instance}
 */
extern const char redis_script_open[];
extern const char redis_script_sync[];
extern const char redis_script_status[];

#endif
