-- Give an order's units back to a running sale (the order expired or was cancelled), once per order.
-- KEYS: meta, stock, users, returned
-- ARGV: limit field (keys.limit_field: the user id, or the identity in a cross-border sale), quantity, order id
-- The returned hash remembers which orders' units Redis holds again, so a second call (a retried task, or a
-- rebuild that already counted the unit) changes nothing, and the books (figures.lua) can tell a unit on
-- its way back from one already back (docs/architecture.md, "The invariant").
if redis.call('HGET', KEYS[1], 'loaded') ~= '1' then
  return 0
end
if redis.call('HSETNX', KEYS[4], ARGV[3], ARGV[2] .. '|' .. ARGV[1]) == 0 then
  return 2
end
redis.call('INCRBY', KEYS[2], ARGV[2])
local left = redis.call('HINCRBY', KEYS[3], ARGV[1], -tonumber(ARGV[2]))
if left <= 0 then
  redis.call('HDEL', KEYS[3], ARGV[1])
end
return 1
