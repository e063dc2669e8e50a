-- wrk script: POST a Cloud API text message to the sandbox's send endpoint, keep-alive, one
-- request in flight per connection. Recipients rotate over 10,000 numbers so the pair and window
-- bookkeeping see many keys; the requests are formatted once, in init, so wrk's own CPU goes to
-- the socket rather than to Lua.
local requests = {}
local count = 10000
local index = 0

init = function(args)
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer bench-token"}
  for i = 1, count do
    local to = string.format("+55119%08d", i)
    local body = '{"messaging_product":"whatsapp","recipient_type":"individual","to":"' .. to ..
        '","type":"text","text":{"body":"Olá, sua fatura vence amanhã"}}'
    requests[i] = wrk.format("POST", "/v24.0/106540352242922/messages", headers, body)
  end
end

request = function()
  index = index % count + 1
  return requests[index]
end

done = function(summary, latency, requests_done)
  io.write(string.format("sends/s: %.0f  non-2xx: %d  p50: %.2f ms  p99: %.2f ms\n",
    summary.requests / (summary.duration / 1e6), summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
