/**
 * Atomic check-and-reserve of one sign-in attempt against two counters (the account and the client
 * address). Each counter is a hash {count, lockUntil} that expires one window after its first attempt.
 *
 * KEYS[1] account counter, KEYS[2] address counter
 * ARGV[1] window ms
 * ARGV[2..5] account: soft limit, hard limit, base delay ms, max delay ms
 * ARGV[6..9] address: soft limit, hard limit, base delay ms, max delay ms
 *
 * Returns {1, accountCount, addressCount} when the attempt may proceed (and has been counted),
 * or {0, retryAfterMs, which} when it is refused (which: 1 account, 2 address). A refused attempt is
 * not counted: it never reaches the password check.
 */
export const RESERVE_ATTEMPT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local wait = 0
local which = 0
for i = 1, 2 do
  local base = 2 + (i - 1) * 4
  local hard = tonumber(ARGV[base + 1])
  local state = redis.call('HMGET', KEYS[i], 'count', 'lockUntil')
  local count = tonumber(state[1] or '0')
  local lockUntil = tonumber(state[2] or '0')
  local w = 0
  if count >= hard then
    w = redis.call('PTTL', KEYS[i])
    if w < 1 then w = 1 end
  elseif lockUntil > now then
    w = lockUntil - now
  end
  if w > wait then
    wait = w
    which = i
  end
end
if wait > 0 then
  return {0, wait, which}
end
local counts = {}
for i = 1, 2 do
  local base = 2 + (i - 1) * 4
  local soft = tonumber(ARGV[base])
  local delay = tonumber(ARGV[base + 2])
  local maxDelay = tonumber(ARGV[base + 3])
  local count = redis.call('HINCRBY', KEYS[i], 'count', 1)
  -- The window starts with the first attempt and is never extended (a count given back to 0 and
  -- raised again must not restart it).
  if redis.call('PTTL', KEYS[i]) < 0 then
    redis.call('PEXPIRE', KEYS[i], window)
  end
  if count >= soft and delay > 0 then
    local d = delay * (2 ^ math.min(count - soft, 30))
    if d > maxDelay then d = maxDelay end
    redis.call('HSET', KEYS[i], 'lockUntil', now + d)
  end
  counts[i] = count
end
return {1, counts[1], counts[2]}
`;

/**
 * After a successful sign-in: forget the account's failures and give back the address's reservation
 * (lifting the address delay when it falls back under its soft limit) — at most ARGV[2] times per
 * window. Unbounded give-backs let one address guess for ever by interleaving sign-ins to an account
 * it owns with guesses at other accounts (each success erasing one guess).
 * KEYS[1] account counter, KEYS[2] address counter; ARGV[1] address soft limit, ARGV[2] give-backs.
 */
export const RELEASE_ATTEMPT_SCRIPT = `
redis.call('DEL', KEYS[1])
local count = tonumber(redis.call('HGET', KEYS[2], 'count') or '0')
local released = tonumber(redis.call('HGET', KEYS[2], 'released') or '0')
if count > 0 and released < tonumber(ARGV[2]) then
  redis.call('HINCRBY', KEYS[2], 'released', 1)
  count = redis.call('HINCRBY', KEYS[2], 'count', -1)
end
if count < tonumber(ARGV[1]) then
  redis.call('HDEL', KEYS[2], 'lockUntil')
end
return count
`;

/**
 * One sign-up from a client address in a fixed window: KEYS[1] counter; ARGV[1] window ms, ARGV[2]
 * limit. Returns {1, count} when allowed, {0, retryAfterMs} when not.
 */
export const RESERVE_SIGN_UP_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
if count > tonumber(ARGV[2]) then
  local wait = redis.call('PTTL', KEYS[1])
  if wait < 1 then wait = 1 end
  return {0, wait}
end
return {1, count}
`;
