-- Load (or rebuild) a sale's state in one step. Existing admissions waiting in the stream are kept.
-- KEYS: meta, stock, users, stream
-- ARGV: start_ms, end_ms, limit, stock, frozen, cross_border, then pairs limit field (keys.limit_field), units
redis.call('DEL', KEYS[3])
for i = 7, #ARGV, 2 do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
end
redis.call('SET', KEYS[2], ARGV[4])
redis.call('HSET', KEYS[1], 'start_ms', ARGV[1], 'end_ms', ARGV[2], 'limit', ARGV[3], 'frozen', ARGV[5],
  'cross_border', ARGV[6], 'loaded', '1')
return 1
