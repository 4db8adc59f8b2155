/**
 * Redis scripts of the waiting room. Keys of one room share the hash tag `{<eventId>}`. Every script first
 * checks the room's state hash (`st`): when it is missing (Redis flushed or restarted, or the room was just
 * switched on) the script answers -1 and changes nothing, and the caller rebuilds the room from MongoDB
 * before trying again, so a half-lost room never admits anyone.
 */

/**
 * KEYS st, q, seq; ARGV userId → {-1} | {0, seq, rank, waiting} (already queued: same place) | {1, seq} (a new
 * sequence; the caller records it in MongoDB first and only then queues it with PLACE_SCRIPT, so the admitter
 * never admits a buyer MongoDB does not know yet).
 */
export const JOIN_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
if score then
  return {0, tonumber(score), redis.call('ZRANK', KEYS[2], ARGV[1]), redis.call('ZCARD', KEYS[2])}
end
return {1, redis.call('INCR', KEYS[3])}
`;

/**
 * KEYS st, q, adm; ARGV userId, seq, mode, now(ms) → {-1} | {-2} (not queued) | {-3} (being admitted) |
 * {rank, waiting}. mode 'read' only looks; mode 'place' (re)inserts the user at their recorded sequence first
 * (a place MongoDB knows of that Redis lost), unless they hold an unexpired admission (\`adm\`): then MongoDB
 * was read just before their admission was written, and queueing them again would be wrong.
 */
export const PLACE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
if ARGV[3] == 'place' then
  local admitted = redis.call('ZSCORE', KEYS[3], ARGV[1])
  if admitted and tonumber(admitted) > tonumber(ARGV[4]) then return {-3} end
  redis.call('ZADD', KEYS[2], tonumber(ARGV[2]), ARGV[1])
end
local rank = redis.call('ZRANK', KEYS[2], ARGV[1])
if not rank then return {-2} end
return {rank, redis.call('ZCARD', KEYS[2])}
`;

/**
 * KEYS st, q, live, minuteCounter, adm, seen; ARGV now(ms), limit, passTtl(ms), maxBatch, passIdBase,
 * slotHold(ms), presentSince(ms).
 * Drops lapsed slots from \`live\` (the outstanding passes, scored by when their slot lapses: the pass's
 * expiry, or slotHold after admission if sooner, so a buyer who walked away blocks nobody for long), then
 * admits the head of the queue while fewer than \`limit\` passes are outstanding: each admitted buyer leaves
 * the queue and a pass id enters \`live\`, in one atomic step, so however many processes run this,
 * outstanding passes never exceed the limit and admission follows arrival order. \`adm\` records who holds an
 * unexpired pass (user → pass expiry). A buyer at the head who has not been seen since presentSince (\`seen\`:
 * user → last sign of life: a join, a status read, an open subscription) has left: they leave the queue
 * without a pass or a slot (their entry stays WAITING in MongoDB, so if they come back they are put back at
 * their place); a buyer with no mark at all (Redis lost it) counts as present.
 * → {-1} | {waiting, earliestLiveExpiry, skipped, user1, seq1, pass1, user2, ...}
 */
export const ADMIT_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local present = tonumber(ARGV[7])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
redis.call('HSET', KEYS[1], 'limit', limit)
local out = {0, '0', 0}
local free = limit - redis.call('ZCARD', KEYS[3])
if free > tonumber(ARGV[4]) then free = tonumber(ARGV[4]) end
local expiry = now + tonumber(ARGV[3])
local lapse = now + math.min(tonumber(ARGV[3]), tonumber(ARGV[6]))
local n = 0
local skipped = 0
local scanned = 0
while free > 0 and scanned < 4 * tonumber(ARGV[4]) do
  local head = redis.call('ZRANGE', KEYS[2], 0, free - 1, 'WITHSCORES')
  if #head == 0 then break end
  for i = 1, #head, 2 do
    scanned = scanned + 1
    redis.call('ZREM', KEYS[2], head[i])
    local seen = redis.call('ZSCORE', KEYS[6], head[i])
    if seen and tonumber(seen) < present then
      skipped = skipped + 1
    else
      n = n + 1
      free = free - 1
      local pass = ARGV[5] .. '.' .. n
      redis.call('ZADD', KEYS[3], lapse, pass)
      redis.call('ZADD', KEYS[5], expiry, head[i])
      out[#out + 1] = head[i]
      out[#out + 1] = head[i + 1]
      out[#out + 1] = pass
    end
  end
end
if n > 0 then
  redis.call('INCRBY', KEYS[4], n)
  redis.call('EXPIRE', KEYS[4], 180)
end
out[1] = redis.call('ZCARD', KEYS[2])
out[3] = skipped
local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
if first[2] then out[2] = first[2] end
return out
`;

/**
 * KEYS st, q; ARGV userId... → {-1} | {rank or -2 (not queued), ...} in ARGV's order: the places of many
 * buyers in one call (every subscriber of a room after one change).
 */
export const RANKS_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local out = {}
for i = 1, #ARGV do
  local rank = redis.call('ZRANK', KEYS[2], ARGV[i])
  if rank then out[i] = rank else out[i] = -2 end
end
return out
`;
