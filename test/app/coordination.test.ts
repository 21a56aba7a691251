/**
 * Replicas sharing pull requests through a real Redis (coordination.ts): one evaluation at a time per
 * pull request across replicas, no event lost, a dead holder taken over, a lost lock publishes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Redis } from "ioredis";
import { RedisCoordinator, type Fence } from "../../src/app/coordination.js";
import { startRedis, type RedisServer } from "../support/redis-server.js";

let server: RedisServer;
const open: RedisCoordinator[] = [];
const replica = (lockTtlMs?: number) => {
  const c = RedisCoordinator.connect(server.url, lockTtlMs === undefined ? {} : { lockTtlMs });
  open.push(c);
  return c;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let n = 0;
const freshKey = () => `acme/infra#${++n}`;

beforeAll(async () => {
  server = await startRedis();
  await replica().ping();
}, 20_000);
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await server.stop();
});

describe("two replicas, one pull request", () => {
  it("never evaluate it at once; events that arrive meanwhile get one more evaluation, by the holder", async () => {
    const [a, b] = [replica(), replica()];
    const key = freshKey();
    let active = 0;
    let peak = 0;
    let evaluations = 0;
    // A's first evaluation lasts until B's three events have arrived, however long they take.
    let evaluating!: () => void;
    const aEvaluates = new Promise<void>((resolve) => (evaluating = resolve));
    let turnedAway!: () => void;
    const bDone = new Promise<void>((resolve) => (turnedAway = resolve));
    const evaluate = async () => {
      active++;
      peak = Math.max(peak, active);
      evaluations++;
      if (evaluations === 1) {
        evaluating();
        await bDone;
      }
      active--;
    };
    await a.noteEvent(key);
    const first = a.run(key, evaluate);
    // A has read the event counter and evaluates.
    await aEvaluates;
    // Three events reach replica B while A evaluates: B is turned away, A covers them.
    const rechecks: number[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        await b.noteEvent(key);
        expect(await b.run(key, evaluate, (ms) => rechecks.push(ms))).toEqual({ outcome: "elsewhere" });
      }
    } finally {
      turnedAway();
    }
    expect(await first).toEqual({ outcome: "ran", times: 2 });
    expect(peak).toBe(1);
    expect(evaluations).toBe(2);
    expect(rechecks).toHaveLength(3);
  });

  it("an event already covered by the other replica's evaluation costs nothing", async () => {
    const [a, b] = [replica(), replica()];
    const key = freshKey();
    await b.noteEvent(key);
    await a.noteEvent(key);
    let evaluations = 0;
    expect(await a.run(key, async () => void evaluations++)).toEqual({ outcome: "ran", times: 1 });
    // B's event was counted before A read the counter: A's evaluation covered it.
    expect(await b.run(key, async () => void evaluations++)).toEqual({ outcome: "covered" });
    expect(evaluations).toBe(1);
  });

  it("different pull requests are evaluated in parallel", async () => {
    const [a, b] = [replica(), replica()];
    const [k1, k2] = [freshKey(), freshKey()];
    await a.noteEvent(k1);
    await b.noteEvent(k2);
    let active = 0;
    let peak = 0;
    // Each evaluation lasts until the other has started (evaluations one after the other end after 2 s and fail the test).
    let bothStarted!: () => void;
    const both = new Promise<void>((resolve) => (bothStarted = resolve));
    const giveUp = setTimeout(() => bothStarted(), 2000);
    const evaluate = async () => {
      active++;
      peak = Math.max(peak, active);
      if (peak === 2) bothStarted();
      await both;
      active--;
    };
    await Promise.all([a.run(k1, evaluate), b.run(k2, evaluate)]);
    clearTimeout(giveUp);
    expect(peak).toBe(2);
  });

  it("a holder that dies mid-evaluation: its lock expires and the replica it turned away takes over", async () => {
    const key = freshKey();
    const dying = new Redis(server.url);
    const b = replica(300);
    // A replica that took the lock and died: the lock stays until its TTL (300 ms here).
    await dying.set(b.lockKey(key), "dead-replica", "PX", 300);
    await dying.quit();
    await b.noteEvent(key);
    let afterMs = 0;
    expect(await b.run(key, async () => undefined, (ms) => (afterMs = ms))).toEqual({ outcome: "elsewhere" });
    expect(afterMs).toBe(1300);
    await sleep(350);
    let evaluated = false;
    expect(await b.run(key, async () => void (evaluated = true))).toEqual({ outcome: "ran", times: 1 });
    expect(evaluated).toBe(true);
  });

  it("an evaluation that outlives its lease is told so before it publishes, and the pull request is evaluated again", async () => {
    const a = replica(300);
    const key = freshKey();
    await a.noteEvent(key);
    let fenceAtEnd: boolean | undefined;
    const rechecks: number[] = [];
    await a.run(
      key,
      async (fence: Fence) => {
        expect(fence.holds()).toBe(true);
        await sleep(300);
        fenceAtEnd = fence.holds();
      },
      (ms) => rechecks.push(ms),
    );
    expect(fenceAtEnd).toBe(false);
    expect(rechecks).toEqual([1000]);
    // Its events were not marked covered: the next run evaluates.
    let again = false;
    expect(await a.run(key, async () => void (again = true))).toEqual({ outcome: "ran", times: 1 });
    expect(again).toBe(true);
  });

  it("counters lost (Redis emptied): the next event is evaluated, not taken as covered", async () => {
    const a = replica();
    const key = freshKey();
    for (let i = 0; i < 3; i++) await a.noteEvent(key);
    await a.run(key, async () => undefined);
    await a.redis.flushall();
    await a.noteEvent(key);
    let evaluated = false;
    expect(await a.run(key, async () => void (evaluated = true))).toEqual({ outcome: "ran", times: 1 });
    expect(evaluated).toBe(true);
  });
});

describe("an unreachable Redis", () => {
  it("fails at once rather than queueing (the app then fails closed)", async () => {
    const c = RedisCoordinator.connect("redis://127.0.0.1:1");
    open.push(c);
    const started = Date.now();
    await expect(c.noteEvent(freshKey())).rejects.toThrow();
    await expect(c.run(freshKey(), async () => undefined)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
