-- Move the pending view counts aside for a flush, atomically with respect to HINCRBY: a view recorded
-- after this runs lands in a fresh pending hash. If an earlier flush died and left its batch behind,
-- that batch is handed back instead (pending then waits for the next run).
-- KEYS[1] pending hash, KEYS[2] flushing hash. Returns how many notes the flushing hash holds.
if redis.call('EXISTS', KEYS[2]) == 1 then
  return redis.call('HLEN', KEYS[2])
end
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('RENAME', KEYS[1], KEYS[2])
return redis.call('HLEN', KEYS[2])
