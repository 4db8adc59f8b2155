/**
 * The Redis fast gate in front of general-admission holds. KEYS[1] is the gate counter of a ticket type
 * (approximate units left). One round trip admits or refuses:
 *   -2  the counter is missing (Redis lost it or it expired): rebuild it from MongoDB and ask again
 *   -1  fewer than ARGV[1] units left: SOLD_OUT without touching MongoDB
 *  >=0  admitted; the value is what is left
 * Admission only lets a request try MongoDB's guarded update, which remains the truth.
 */
export const GATE_TAKE_SCRIPT = `
local left = redis.call('GET', KEYS[1])
if not left then return -2 end
left = tonumber(left)
local want = tonumber(ARGV[1])
if left < want then return -1 end
return redis.call('DECRBY', KEYS[1], want)
`;

/** Puts units back (a compensation or a returned hold) when the counter exists; -2 when it does not. */
export const GATE_GIVE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end
return -2
`;

/**
 * Reserved seats: KEYS are the gate keys of the wanted seats, ARGV[1] the marker lifetime in ms. If any
 * seat is marked taken, answers its 1-based position and marks nothing; else marks them all and answers 0.
 */
export const SEATS_TAKE_SCRIPT = `
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then return i end
end
for _, key in ipairs(KEYS) do
  redis.call('SET', key, '1', 'PX', ARGV[1])
end
return 0
`;
