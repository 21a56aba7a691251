/**
 * The pacer's buckets in Redis, so that every replica spends one budget per installation (REDIS_URL).
 *
 * The same GCRA as `gcra()` in pacing.ts, run atomically by one Lua script per request (sent by its
 * SHA1 once Redis has it), on Redis's clock (so replicas' clocks need not agree). One hash per
 * installation: a field per budget holds its bucket's "theoretical arrival time"; `@hold` holds
 * GitHub's "retry after".
 *
 * While Redis is unreachable each replica paces from its own buckets in memory, so it can still tell
 * GitHub why it fails closed (`coordination.ts`).
 */
import type { Redis } from "ioredis";
import { MemoryBuckets, type Buckets, type Charge } from "./pacing.js";

const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local start = now + tonumber(ARGV[1])
local hold = tonumber(redis.call('HGET', KEYS[1], '@hold') or '0')
if hold > start then start = hold end
local n = (#ARGV - 1) / 4
local tats = {}
for i = 0, n - 1 do
  local tat = tonumber(redis.call('HGET', KEYS[1], ARGV[2 + i * 4]) or now)
  tats[i] = tat
  local points, burst, mpp = tonumber(ARGV[3 + i * 4]), tonumber(ARGV[4 + i * 4]), tonumber(ARGV[5 + i * 4])
  local fit = tat + (math.min(points, burst) - burst) * mpp
  if fit > start then start = fit end
end
local last = now
for i = 0, n - 1 do
  local tat = math.max(tats[i], start) + tonumber(ARGV[3 + i * 4]) * tonumber(ARGV[5 + i * 4])
  redis.call('HSET', KEYS[1], ARGV[2 + i * 4], tostring(tat))
  if tat > last then last = tat end
end
redis.call('PEXPIRE', KEYS[1], math.floor(math.max(last, hold) - now) + 3600000)
return math.floor(start - now)
`;

const HOLD = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local hold = tonumber(redis.call('HGET', KEYS[1], '@hold') or '0')
if untilMs > hold then redis.call('HSET', KEYS[1], '@hold', tostring(untilMs)) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < tonumber(ARGV[1]) + 3600000 then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) + 3600000) end
return 0
`;

/** The scripts, as commands of the Redis client (`defineCommand`). */
interface Scripts {
  countersignReserve(key: string, ...args: string[]): Promise<unknown>;
  countersignHold(key: string, afterMs: string): Promise<unknown>;
}

export class RedisBuckets implements Buckets {
  private readonly fallback = new MemoryBuckets();
  private readonly scripts: Scripts;

  constructor(
    private readonly redis: Redis,
    /** Resolves once connected (commands fail at once otherwise: the request then fails closed). */
    private readonly connected: () => Promise<void> = () => Promise.resolve(),
    private readonly prefix = "countersign:pace:",
  ) {
    // A script's text goes to Redis once per connection; after that, every request sends its SHA1
    // (EVALSHA). When Redis has lost it (a restart, SCRIPT FLUSH), ioredis sends the text again.
    redis.defineCommand("countersignReserve", { numberOfKeys: 1, lua: RESERVE });
    redis.defineCommand("countersignHold", { numberOfKeys: 1, lua: HOLD });
    this.scripts = redis as unknown as Scripts;
  }

  async reserve(key: string, charges: readonly Charge[], notBefore: number): Promise<number> {
    try {
      await this.connected();
      const args = [String(Math.max(0, notBefore - Date.now())), ...charges.flatMap((c) => [c.budget, String(c.points), String(c.burst), String(c.msPerPoint)])];
      return Number(await this.scripts.countersignReserve(`${this.prefix}${key}`, ...args));
    } catch {
      return this.fallback.reserve(key, charges, notBefore);
    }
  }

  async held(key: string): Promise<number> {
    try {
      await this.connected();
      const [hold, t] = await Promise.all([this.redis.hget(`${this.prefix}${key}`, "@hold"), this.redis.time()]);
      const now = Number(t[0]) * 1000 + Math.floor(Number(t[1]) / 1000);
      return Math.max(0, Number(hold ?? 0) - now, await this.fallback.held(key));
    } catch {
      return this.fallback.held(key);
    }
  }

  async hold(key: string, until: number): Promise<void> {
    await this.fallback.hold(key, until);
    try {
      await this.connected();
      await this.scripts.countersignHold(`${this.prefix}${key}`, String(Math.max(0, until - Date.now())));
    } catch {
      // kept in memory above
    }
  }
}
