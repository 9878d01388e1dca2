-- Timeline pages: a country drawn uniformly from the 20 most frequent, a
-- window of 30 days, 90 days, 1 year, 5 years or everything, ending on a
-- uniform day in 1991-01-01..2026-11-01, limit=50.
local countries = {"US", "RU", "CN", "IN", "GB", "FR", "DE", "JP", "TR", "IR",
                   "KP", "KR", "UA", "BR", "SA", "IL", "PK", "ID", "EG", "ZA"}
local windows = {30, 90, 365, 5 * 365, 0}
local first = os.time({year = 1991, month = 1, day = 1, hour = 12})
local last = os.time({year = 2026, month = 11, day = 1, hour = 12})
local days = math.floor((last - first) / 86400)

function setup(thread)
  thread:set("seed", math.random(1, 1e9))
end

function init(args)
  math.randomseed(seed)
end

function request()
  local country = countries[math.random(#countries)]
  local window = windows[math.random(#windows)]
  local path = "/api/v1/timeline?country=" .. country .. "&limit=50"
  if window > 0 then
    local to = first + math.random(0, days) * 86400
    local from = to - (window - 1) * 86400
    path = path .. "&from=" .. os.date("!%Y-%m-%d", from) .. "&to=" .. os.date("!%Y-%m-%d", to)
  end
  return wrk.format("GET", path)
end
