-- Flash-sale admission, atomic (docs/architecture.md, "Admission: buy.lua").
-- KEYS: meta, stock, users, requests, stream [, rate_user, rate_ip, readiness]
-- ARGV: request_id, user_id, quantity, readiness ('' = read KEYS[8]), per-user rate, per-IP rate
-- On one Redis the three optional keys come too, so the rate limits (atomic counters, first) and the
-- buyer's readiness are checked here and buying is one round trip. On a Redis Cluster they live outside
-- the sale's slot: the caller checks them first and passes the readiness flags.
-- A remembered answer keeps its buyer beside it (field 'u:<request id>': no request id holds a colon), so
-- a poll of the request by anyone else learns nothing (flashsale/selectors/buy_requests.py).
-- Returns {answer} or {"duplicate", first_answer}. Answers: admitted, sold_out, over_limit,
-- not_started, ended, not_loaded, rate_limited, inactive, needs_address, needs_identity, unknown_readiness,
-- request_taken (another buyer's request id: its answer is theirs).
local flags = ARGV[4] or ''
if #KEYS >= 8 then
  -- The buyer's own budget first: a request it refuses does not spend the address's budget, so one
  -- flooding account behind a shared address (an office, a campus NAT) cannot use up its neighbours'.
  local per_user = redis.call('INCR', KEYS[6])
  if per_user == 1 then
    redis.call('EXPIRE', KEYS[6], 2)
  end
  if per_user > tonumber(ARGV[5]) then
    return {'rate_limited'}
  end
  local per_ip = redis.call('INCR', KEYS[7])
  if per_ip == 1 then
    redis.call('EXPIRE', KEYS[7], 2)
  end
  if per_ip > tonumber(ARGV[6]) then
    return {'rate_limited'}
  end
  if flags == '' then
    flags = redis.call('GET', KEYS[8])
    if not flags then
      return {'unknown_readiness'}
    end
  end
end
-- Readiness is "<flags>" or "<flags>|<limit field>": the field the buyer's units count under in a
-- cross-border sale (their verified identity, keys.limit_field), so new accounts of one person share it.
local limit_field = ARGV[2]
local bar = string.find(flags, '|', 1, true)
local identity_field = nil
if bar then
  identity_field = string.sub(flags, bar + 1)
  flags = string.sub(flags, 1, bar - 1)
end
if string.find(flags, '!', 1, true) then
  return {'inactive'}
end
if not string.find(flags, 'a', 1, true) then
  return {'needs_address'}
end
local loaded = redis.call('HMGET', KEYS[1], 'loaded', 'start_ms', 'end_ms', 'limit', 'frozen', 'cross_border')
if not loaded[1] or loaded[5] == '1' then
  return {'not_loaded'}
end
if loaded[6] == '1' then
  if not string.find(flags, 'i', 1, true) then
    return {'needs_identity'}
  end
  if identity_field then
    limit_field = identity_field
  end
end
local first = redis.call('HGET', KEYS[4], ARGV[1])
if first then
  local owner = redis.call('HGET', KEYS[4], 'u:' .. ARGV[1])
  if owner and owner ~= ARGV[2] then
    return {'request_taken'}
  end
  return {'duplicate', first}
end
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if now_ms < tonumber(loaded[2]) then
  return {'not_started'}
end
if now_ms >= tonumber(loaded[3]) then
  return {'ended'}
end
local qty = tonumber(ARGV[3])
local bought = tonumber(redis.call('HGET', KEYS[3], limit_field) or '0')
if bought + qty > tonumber(loaded[4]) then
  redis.call('HSET', KEYS[4], ARGV[1], 'over_limit', 'u:' .. ARGV[1], ARGV[2])
  return {'over_limit'}
end
local left = tonumber(redis.call('GET', KEYS[2]) or '0')
if left < qty then
  return {'sold_out'}
end
redis.call('DECRBY', KEYS[2], qty)
redis.call('HINCRBY', KEYS[3], limit_field, qty)
redis.call('HSET', KEYS[4], ARGV[1], 'admitted', 'u:' .. ARGV[1], ARGV[2])
redis.call('XADD', KEYS[5], '*', 'rid', ARGV[1], 'uid', ARGV[2], 'qty', ARGV[3], 'lf', limit_field)
return {'admitted'}
