-- Load (or rebuild) a sale's state in one step. Existing admissions waiting in the stream are kept.
-- KEYS: meta, stock, users, stream, returned
-- ARGV: start_ms, end_ms, limit, stock, frozen, cross_border, n (pairs of buyers that follow),
--       then n pairs limit field (keys.limit_field), units,
--       then pairs order id, "units|limit field" for the released orders whose units the stock includes.
-- A unit release.lua gave back after the caller read the database (an order in the old returned hash but
-- not in the new list) is not in the caller's stock: it is kept, stock and buyer count included.
local n = tonumber(ARGV[7])
local given = {}
for i = 8 + 2 * n, #ARGV, 2 do
  given[ARGV[i]] = ARGV[i + 1]
end
local stock = tonumber(ARGV[4])
local late = {}
local old = redis.call('HGETALL', KEYS[5])
for i = 1, #old, 2 do
  if given[old[i]] == nil then
    local bar = string.find(old[i + 1], '|', 1, true)
    local units = tonumber(string.sub(old[i + 1], 1, bar - 1))
    late[#late + 1] = {old[i], old[i + 1], string.sub(old[i + 1], bar + 1), units}
    stock = stock + units
  end
end
redis.call('DEL', KEYS[3])
for i = 8, 7 + 2 * n, 2 do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
end
redis.call('DEL', KEYS[5])
for order_id, value in pairs(given) do
  redis.call('HSET', KEYS[5], order_id, value)
end
for _, l in ipairs(late) do
  redis.call('HSET', KEYS[5], l[1], l[2])
  if redis.call('HINCRBY', KEYS[3], l[3], -l[4]) <= 0 then
    redis.call('HDEL', KEYS[3], l[3])
  end
end
redis.call('SET', KEYS[2], stock)
redis.call('HSET', KEYS[1], 'start_ms', ARGV[1], 'end_ms', ARGV[2], 'limit', ARGV[3], 'frozen', ARGV[5],
  'cross_border', ARGV[6], 'loaded', '1')
return 1
