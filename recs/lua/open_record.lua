-- A reader opened a note (its page loaded "more like this"), maybe by tapping its card on a surface.
-- One call, atomic per reader: an open of the same note within the dedupe window is nothing at all (no
-- second interest, no second credit, no tap), so a script reloading a note cannot grow a profile or a count.
-- KEYS[1] the reader's opens (zset note -> epoch s), KEYS[2] the reader's shown-by-source hash,
-- KEYS[3] the pending counts hash, KEYS[4] the reader's taps counted today,
-- KEYS[5] the address's anonymous-tap budget for this note ('' for a signed-in reader).
-- ARGV: note id, now (epoch s), opens kept, opens ttl s, dedupe s, surface ('' = an open, not a tap),
--       taps counted per reader per day, anonymous readers counted per address and note,
--       the engagement field prefix, the surface whose taps carry the source that showed the note.
-- Returns 0 for a repeat, 1 for an open (or a tap past a cap: not counted), 2 for a counted tap.
local now = tonumber(ARGV[2])
local last = redis.call('ZSCORE', KEYS[1], ARGV[1])
if last and now - tonumber(last) < tonumber(ARGV[5]) then
  return 0
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -tonumber(ARGV[3]) - 1)
redis.call('EXPIRE', KEYS[1], ARGV[4])
local source = redis.call('HGET', KEYS[2], ARGV[1])
if source then
  redis.call('HINCRBY', KEYS[3], ARGV[9] .. ':' .. source, 1)
end
if ARGV[6] == '' then
  return 1
end
local taps = redis.call('INCR', KEYS[4])
if taps == 1 then
  redis.call('EXPIRE', KEYS[4], 86400)
end
if taps > tonumber(ARGV[7]) then
  return 1
end
if KEYS[5] ~= '' then
  local n = redis.call('INCR', KEYS[5])
  if n == 1 then
    redis.call('EXPIRE', KEYS[5], ARGV[5])
  end
  if n > tonumber(ARGV[8]) then
    return 1
  end
end
local tap_source = '-'
if ARGV[6] == ARGV[10] and source then
  tap_source = source
end
redis.call('HINCRBY', KEYS[3], 't:' .. ARGV[6] .. ':' .. tap_source, 1)
return 2
