-- URLs from a file (bench/run writes one per scenario and names it in
-- URLS), requested in random order: deep pages found by following
-- next_cursor, searches with words drawn from the data, facets.
local urls = {}

function setup(thread)
  thread:set("seed", math.random(1, 1e9))
end

function init(args)
  math.randomseed(seed)
  for line in io.lines(os.getenv("URLS")) do
    urls[#urls + 1] = line
  end
end

function request()
  return wrk.format("GET", urls[math.random(#urls)])
end
