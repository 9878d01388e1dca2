-- One event by key, uniform over all N keys (N from the environment).
local n = tonumber(os.getenv("EVENTS") or "100000")

function setup(thread)
  thread:set("seed", math.random(1, 1e9))
end

function init(args)
  math.randomseed(seed)
end

function request()
  return wrk.format("GET", string.format("/api/v1/events/evt-%07d", math.random(1, n)))
end
