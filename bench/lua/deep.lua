-- Deep pages: URLs of pages 1..20 of random country timelines, found by
-- following next_cursor beforehand (bench/run writes them to DEEP_URLS),
-- requested in random order.
local urls = {}

function setup(thread)
  thread:set("seed", math.random(1, 1e9))
end

function init(args)
  math.randomseed(seed)
  for line in io.lines(os.getenv("DEEP_URLS")) do
    urls[#urls + 1] = line
  end
end

function request()
  return wrk.format("GET", urls[math.random(#urls)])
end
