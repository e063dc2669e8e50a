-- wrk script: POST the Cloud API text message the dispatcher sends, to the sandbox's send
-- endpoint, for the loopback HTTP ceiling. The token comes from the environment
-- (BENCH_SANDBOX_TOKEN); each request carries a different recipient and callback id.
local token = os.getenv("BENCH_SANDBOX_TOKEN") or "bench-access-token"
local counter = 0

request = function()
  counter = counter + 1
  local body = string.format(
    '{"messaging_product":"whatsapp","recipient_type":"individual","to":"+55119%08d",' ..
    '"biz_opaque_callback_data":"%d","type":"text","text":{"preview_url":false,' ..
    '"body":"Olá! Sua fatura de R$ 49,90 do plano Premium vence em 05/12. Pague pelo PIX e ' ..
    'evite a suspensão do acesso. Ref. %08d"}}', 10000000 + counter % 89999999, counter, counter)
  return wrk.format("POST", "/v24.0/100000000000009/messages",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end
