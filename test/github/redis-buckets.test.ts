/**
 * The pacer's budgets kept in Redis (REDIS_URL): the same GCRA as in memory, one budget per
 * installation shared by every replica.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Redis } from "ioredis";
import { chargesOf, costOf } from "../../src/github/pacing.js";
import { RedisBuckets } from "../../src/github/redis-buckets.js";
import { startRedis, type RedisServer } from "../support/redis-server.js";

let server: RedisServer;
const clients: Redis[] = [];
const replica = () => {
  const redis = new Redis(server.url);
  clients.push(redis);
  return new RedisBuckets(redis);
};
const comment = chargesOf(costOf("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments"));
let n = 0;

beforeAll(async () => {
  server = await startRedis();
}, 20_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
  await server.stop();
});

describe("budgets in Redis", () => {
  it("while Redis is unreachable, paces from memory (the request is not refused)", async () => {
    const down = new Redis("redis://127.0.0.1:1", { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    down.on("error", () => undefined);
    const buckets = new RedisBuckets(down);
    expect(await buckets.reserve("inst-down", comment, 0)).toBe(0);
    down.disconnect();
  });

  it("a burst of half the budget goes at once, then one every 1.5 s (80 comments a minute)", async () => {
    const buckets = replica();
    const key = `inst-${++n}`;
    const waits: number[] = [];
    const started = Date.now();
    const at: number[] = [];
    for (let i = 0; i < 42; i++) {
      waits.push(await buckets.reserve(key, comment, 0));
      at.push(Date.now() - started);
    }
    expect(waits.slice(0, 40).every((w) => w === 0)).toBe(true);
    // 1,500 and 3,000 ms after the burst began, less what has passed since (on a loaded machine the
    // reservations themselves take a while).
    expect(waits[40]).toBeLessThanOrEqual(1500);
    expect(waits[40]).toBeGreaterThanOrEqual(1500 - (at[40] ?? 0) - 5);
    expect(waits[41]).toBeLessThanOrEqual(3000);
    expect(waits[41]).toBeGreaterThanOrEqual(3000 - (at[41] ?? 0) - 5);
  });

  it("two replicas spend one budget per installation", async () => {
    const [a, b] = [replica(), replica()];
    const key = `inst-${++n}`;
    const started = Date.now();
    for (let i = 0; i < 20; i++) {
      expect(await a.reserve(key, comment, 0)).toBe(0);
      expect(await b.reserve(key, comment, 0)).toBe(0);
    }
    // The 41st comment of the installation waits for its slot, whichever replica sends it.
    expect(await b.reserve(key, comment, 0)).toBeGreaterThanOrEqual(1500 - (Date.now() - started) - 5);
    // Another installation is untouched.
    expect(await a.reserve(`inst-${++n}`, comment, 0)).toBe(0);
  });

  it("sends each script's text once, then its SHA; after Redis forgets it (a restart), budgets stay in Redis", async () => {
    const buckets = replica();
    const admin = new Redis(server.url);
    clients.push(admin);
    const key = `inst-${++n}`;
    const calls = async (command: string) => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(await admin.info("commandstats"))?.[1] ?? 0);
    const tat = async () => Number(await admin.hget(`countersign:pace:${key}`, comment[0]?.budget ?? ""));
    await buckets.reserve(key, comment, 0);
    const [eval0, evalsha0] = [await calls("eval"), await calls("evalsha")];
    for (let i = 0; i < 10; i++) await buckets.reserve(key, comment, 0);
    expect([(await calls("eval")) - eval0, (await calls("evalsha")) - evalsha0]).toEqual([0, 10]);
    // Redis loses its scripts: the next reservation is still made in Redis, not in this replica's memory.
    await admin.script("FLUSH");
    const before = await tat();
    expect(await buckets.reserve(key, comment, 0)).toBe(0);
    expect(await tat()).toBeGreaterThan(before);
  });

  it("GitHub's 'retry after' holds every replica", async () => {
    const [a, b] = [replica(), replica()];
    const key = `inst-${++n}`;
    const started = Date.now();
    await a.hold(key, started + 2000);
    const wait = await b.reserve(key, chargesOf(costOf("GET", "/repos/{owner}/{repo}")), 0);
    expect(wait).toBeGreaterThanOrEqual(2000 - (Date.now() - started) - 5);
    expect(wait).toBeLessThanOrEqual(2000 + 5);
  });
});
