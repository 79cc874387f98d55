-- One atomic read of a sale's Redis side for its books (flashsale/selectors/figures.py).
-- KEYS: meta, stock, stream, returned   ARGV: consumer group
-- Returns: loaded, stock, the group's last delivered id, its pending ids, the stream's entries
-- (id, rid, uid, qty, lf, flattened by five) and the returned hash (flattened pairs).
local loaded = redis.call('HGET', KEYS[1], 'loaded') or ''
local stock = redis.call('GET', KEYS[2]) or ''
local last = '0-0'
local pending = {}
local entries = {}
if redis.call('EXISTS', KEYS[3]) == 1 then
  for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[3])) do
    local info = {}
    for i = 1, #g, 2 do
      info[g[i]] = g[i + 1]
    end
    if info['name'] == ARGV[1] then
      last = info['last-delivered-id']
      for _, p in ipairs(redis.call('XPENDING', KEYS[3], ARGV[1], '-', '+', 1000000)) do
        pending[#pending + 1] = p[1]
      end
    end
  end
  for _, e in ipairs(redis.call('XRANGE', KEYS[3], '-', '+')) do
    local f = {}
    for i = 1, #e[2], 2 do
      f[e[2][i]] = e[2][i + 1]
    end
    entries[#entries + 1] = e[1]
    entries[#entries + 1] = f['rid'] or ''
    entries[#entries + 1] = f['uid'] or ''
    entries[#entries + 1] = f['qty'] or '0'
    entries[#entries + 1] = f['lf'] or ''
  end
end
return {loaded, stock, last, pending, entries, redis.call('HGETALL', KEYS[4])}
