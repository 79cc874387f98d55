-- Flash-sale admission, atomic (DESIGN.md section 5 step 3).
-- KEYS: meta, stock, users, requests, stream
-- ARGV: request_id, user_id, quantity
-- Returns {answer} or {"duplicate", first_answer}. Answers: admitted, sold_out, over_limit,
-- not_started, ended, not_loaded.
local loaded = redis.call('HMGET', KEYS[1], 'loaded', 'start_ms', 'end_ms', 'limit', 'frozen')
if not loaded[1] or loaded[5] == '1' then
  return {'not_loaded'}
end
local first = redis.call('HGET', KEYS[4], ARGV[1])
if first then
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
local bought = tonumber(redis.call('HGET', KEYS[3], ARGV[2]) or '0')
if bought + qty > tonumber(loaded[4]) then
  redis.call('HSET', KEYS[4], ARGV[1], 'over_limit')
  return {'over_limit'}
end
local left = tonumber(redis.call('GET', KEYS[2]) or '0')
if left < qty then
  return {'sold_out'}
end
redis.call('DECRBY', KEYS[2], qty)
redis.call('HINCRBY', KEYS[3], ARGV[2], qty)
redis.call('HSET', KEYS[4], ARGV[1], 'admitted')
redis.call('XADD', KEYS[5], '*', 'rid', ARGV[1], 'uid', ARGV[2], 'qty', ARGV[3])
return {'admitted'}
