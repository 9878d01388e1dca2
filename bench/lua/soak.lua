-- The soak's mix: 70 % country timeline pages, 20 % events by key, 10 %
-- PUTs of one of 2,000 keys (created, then replaced with a new title).
local n = tonumber(os.getenv("EVENTS") or "20000")
local countries = {"US", "RU", "CN", "IN", "GB", "FR", "DE", "JP", "KP", "KR"}
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. (os.getenv("TOKEN") or "")}
local put = 0

function setup(thread)
  thread:set("seed", math.random(1, 1e9))
end

function init(args)
  math.randomseed(seed)
end

function request()
  local roll = math.random(100)
  if roll <= 70 then
    return wrk.format("GET", "/api/v1/timeline?limit=50&country=" .. countries[math.random(#countries)])
  elseif roll <= 90 then
    return wrk.format("GET", string.format("/api/v1/events/evt-%07d", math.random(1, n)))
  end
  put = put + 1
  local body = '{"kind":"meeting","title":"Soak ' .. put .. '","date":"2025-10-27",' ..
    '"participants":[{"kind":"country","code":"RU","role":"host"},{"kind":"person","name":"Soak Person ' .. math.random(1, 50) .. '","country":"KP","role":"guest"}],' ..
    '"sources":[{"url":"https://example.org/soak/' .. math.random(1, 200) .. '","language":"en"}],"tags":["soak"]}'
  return wrk.format("PUT", "/api/v1/events/soak-" .. math.random(1, 2000), headers, body)
end
