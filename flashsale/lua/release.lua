-- Give units back to a running sale (an order expired or was cancelled).
-- KEYS: meta, stock, users   ARGV: limit field (keys.limit_field: the user id, or the identity in a
-- cross-border sale), quantity
if redis.call('HGET', KEYS[1], 'loaded') ~= '1' then
  return 0
end
redis.call('INCRBY', KEYS[2], ARGV[2])
local left = redis.call('HINCRBY', KEYS[3], ARGV[1], -tonumber(ARGV[2]))
if left <= 0 then
  redis.call('HDEL', KEYS[3], ARGV[1])
end
return 1
