-- PUT an event: one of 1,000 keys, with a title that changes, so most
-- requests replace an event (participants and sources resolved, links
-- rewritten, document rendered).
local n = 0
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. (os.getenv("TOKEN") or "")}
request = function()
  n = n + 1
  local key = "put-" .. math.random(1, 1000)
  local body = '{"kind":"meeting","title":"Put ' .. n .. '","start":"2025-10-27",' ..
    '"participants":[{"kind":"country","code":"RU","role":"host"},{"kind":"person","name":"Bench Person ' .. math.random(1, 50) .. '","country":"KP","role":"guest"}],' ..
    '"sources":[{"url":"https://example.org/put/' .. math.random(1, 200) .. '","language":"en"}],"tags":["bench"]}'
  return wrk.format("PUT", "/api/v1/events/" .. key, headers, body)
end
