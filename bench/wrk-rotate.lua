-- wrk-rotate.lua -- wrk script for bench/run: each request takes the next path of $BENCH_PATHS
-- so wrk fetches the same pages as the crawlers, not one page from cache over and over.
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
	paths[#paths + 1] = line
end
local n = 0

-- Threads start at different offsets so they do not fetch in lockstep.
function setup(thread)
	thread:set("offset", math.random(#paths))
end

function request()
	n = n + 1
	return wrk.format("GET", paths[(n + (offset or 0)) % #paths + 1])
end
