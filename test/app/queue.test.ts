import { describe, expect, it } from "@jest/globals";
import { BURST_GAP_MS, IntakeFirst, KeyedQueue, MAX_HOLD_OFF_MS } from "../../src/app/queue.js";

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("KeyedQueue", () => {
  it("never runs two tasks of one key at once, and coalesces a burst into one trailing run", async () => {
    const q = new KeyedQueue();
    const log: string[] = [];
    let active = 0;
    const task = (name: string) => async () => {
      active++;
      expect(active).toBe(1);
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      active--;
    };
    await Promise.all([q.run("pr", task("a")), q.run("pr", task("b")), q.run("pr", task("c")), q.run("pr", task("d"))]);
    expect(log).toEqual(["start a", "end a", "start d", "end d"]);
    expect(q.size).toBe(0);
  });

  it("runs different keys concurrently", async () => {
    const q = new KeyedQueue();
    let active = 0;
    let peak = 0;
    const task = async () => {
      active++;
      peak = Math.max(peak, active);
      await tick();
      active--;
    };
    await Promise.all([q.run("a", task), q.run("b", task), q.run("c", task)]);
    expect(peak).toBe(3);
  });

  it("a failing run rejects its callers but does not stop the next", async () => {
    const q = new KeyedQueue();
    const first = q.run("pr", async () => {
      await tick();
      throw new Error("boom");
    });
    const second = q.run("pr", async () => undefined);
    await expect(first).rejects.toThrow("boom");
    await expect(second).resolves.toBeUndefined();
    expect(q.size).toBe(0);
  });

  /** Runs `body`, then gives Node a moment to report unhandled rejections: resolves to those it reported. */
  const unhandledDuring = async (body: () => Promise<void>): Promise<unknown[]> => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", listener);
    try {
      await body();
      await new Promise((r) => setTimeout(r, 20));
      return unhandled;
    } finally {
      process.off("unhandledRejection", listener);
    }
  };
  const boom = async () => {
    throw new Error("boom");
  };

  it("a task that throws while no one waits for it is reported, not left to crash the process as an unhandled rejection", async () => {
    const reported: [string, unknown][] = [];
    const q = new KeyedQueue(1, () => 0, (key, error) => reported.push([key, error]));
    const unhandled = await unhandledDuring(async () => {
      // As the app queues a webhook's evaluation: answered at once, no one awaits the result.
      void q.run("acme/infra#1", boom);
      await q.idle();
    });
    expect(reported).toEqual([["acme/infra#1", expect.objectContaining({ message: "boom" })]]);
    expect(unhandled).toEqual([]);
  });

  it("a reporter that throws neither stalls the pull request's queue nor becomes an unhandled rejection", async () => {
    const q = new KeyedQueue(1, () => 0, () => {
      throw new Error("the reporter broke");
    });
    let ran = false;
    const unhandled = await unhandledDuring(async () => {
      void q.run("acme/infra#1", boom);
      const idle = await Promise.race([q.idle().then(() => "idle"), new Promise((r) => setTimeout(() => r("stalled"), 2000))]);
      expect(idle).toBe("idle");
      await q.run("acme/infra#1", async () => {
        ran = true;
      });
    });
    expect(ran).toBe(true);
    expect(unhandled).toEqual([]);
  });

  it("idle() waits for running and queued evaluations", async () => {
    const q = new KeyedQueue();
    const log: string[] = [];
    void q.run("a", async () => {
      await tick();
      log.push("a1");
    });
    void q.run("a", async () => {
      await tick();
      log.push("a2");
    });
    void q.run("b", async () => {
      await tick();
      log.push("b");
    });
    await q.idle();
    expect(log.sort()).toEqual(["a1", "a2", "b"]);
    expect(q.size).toBe(0);
  });

  it("a call made during the trailing run gets a run of its own", async () => {
    const q = new KeyedQueue();
    const log: string[] = [];
    const first = q.run("pr", async () => {
      await tick();
      log.push("1");
    });
    const second = q.run("pr", async () => {
      log.push("2");
      void q.run("pr", async () => {
        log.push("3");
      });
      await tick();
    });
    await Promise.all([first, second]);
    await tick();
    await tick();
    expect(log).toEqual(["1", "2", "3"]);
  });
});

describe("KeyedQueue: evaluations at once", () => {
  it("runs at most `concurrency` pull requests at once; the others wait in arrival order", async () => {
    const q = new KeyedQueue(2);
    const started: string[] = [];
    let active = 0;
    let peak = 0;
    const task = (name: string) => async () => {
      started.push(name);
      active++;
      peak = Math.max(peak, active);
      await tick();
      active--;
    };
    await Promise.all(["a", "b", "c", "d", "e"].map((k) => q.run(k, task(k))));
    expect(peak).toBe(2);
    expect(started).toEqual(["a", "b", "c", "d", "e"]);
    expect(q.size).toBe(0);
  });

  it("events for a pull request that waits for a slot share its one pending evaluation", async () => {
    const q = new KeyedQueue(1);
    const ran: string[] = [];
    const task = (name: string) => async () => {
      ran.push(name);
      await tick();
    };
    const calls = [q.run("busy", task("busy")), q.run("pr", task("pr-1")), q.run("pr", task("pr-2")), q.run("pr", task("pr-3"))];
    await Promise.all(calls);
    expect(ran).toEqual(["busy", "pr-3"]);
  });

  it("refuses a concurrency below one", () => {
    expect(() => new KeyedQueue(0)).toThrow("at least 1");
  });
});

describe("IntakeFirst: webhooks before evaluations", () => {
  const clock = () => {
    const c = { t: 1_000_000, now: () => c.t };
    return c;
  };
  /** Webhooks every `everyMs` for `forMs`, the queue asking right after each: when evaluations were last held. */
  const stream = (intake: IntakeFirst, c: { t: number }, everyMs: number, forMs: number): number => {
    let lastHeld = -1;
    for (let ms = 0; ms < forMs; ms += everyMs) {
      intake.webhook();
      if (intake.holdOff() > 0) lastHeld = ms;
      c.t += everyMs;
    }
    return lastHeld;
  };

  it("holds nothing when no webhook came in the last 10 ms (at 20 webhooks a second, only the 10 ms after each)", () => {
    const c = clock();
    const intake = new IntakeFirst(c.now);
    expect(intake.holdOff()).toBe(0);
    intake.webhook();
    c.t += 10;
    expect(intake.holdOff()).toBe(0);
  });

  it("while webhooks pour in, holds evaluations until a 10 ms pause", () => {
    const c = clock();
    const intake = new IntakeFirst(c.now);
    intake.webhook();
    c.t += 4;
    expect(intake.holdOff()).toBe(6);
    for (let i = 0; i < 100; i++) {
      c.t += 5;
      intake.webhook();
      expect(intake.holdOff()).toBe(10);
    }
    c.t += 10;
    expect(intake.holdOff()).toBe(0);
  });

  it("holds for at most 5 s of an unbroken stream, then not again until webhooks pause", () => {
    const c = clock();
    const intake = new IntakeFirst(c.now);
    expect(stream(intake, c, 5, 8000)).toBe(MAX_HOLD_OFF_MS - 5);
    // A pause, then a new burst: held again.
    c.t += BURST_GAP_MS;
    intake.webhook();
    expect(intake.holdOff()).toBeGreaterThan(0);
  });

  it("a stream exactly 10 ms apart, with the queue asking only right after each webhook, is held at most 5 s", () => {
    const c = clock();
    const intake = new IntakeFirst(c.now);
    const lastHeld = stream(intake, c, 10, 60_000);
    expect(lastHeld).toBeGreaterThan(0);
    expect(lastHeld).toBeLessThan(MAX_HOLD_OFF_MS);
  });

  it("never asks to wait longer than the quiet period or past the cap", () => {
    const c = clock();
    const intake = new IntakeFirst(c.now);
    intake.webhook();
    expect(intake.holdOff()).toBe(10);
    for (let ms = 0; ms < MAX_HOLD_OFF_MS - 3; ms += 1) {
      c.t += 1;
      intake.webhook();
    }
    expect(intake.holdOff()).toBe(3);
  });

  it("KeyedQueue starts nothing while held, and starts as soon as the hold ends", async () => {
    let hold = true;
    const q = new KeyedQueue(4, () => (hold ? 5 : 0));
    let ran = false;
    const done = q.run("pr", async () => {
      ran = true;
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(ran).toBe(false);
    hold = false;
    await done;
    expect(ran).toBe(true);
  });
});
