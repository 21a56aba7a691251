/**
 * src/app/retries.ts: the app's own re-evaluations. A publish that did not complete is tried again,
 * backing off; events meanwhile do not use up the tries; a clean evaluation cancels what is pending.
 */
import { describe, expect, it } from "@jest/globals";
import { setTimeout as sleep } from "node:timers/promises";
import { Retries } from "../../src/app/retries.js";

describe("re-evaluations after a publish that did not complete", () => {
  it("backs off, and events meanwhile do not use up the tries", async () => {
    const retries = new Retries((n) => (n < 2 ? 20 * (n + 1) : undefined));
    const runs: number[] = [];
    const run = async () => void runs.push(Date.now());
    expect(retries.unpublished("pr", run)).toBe(20);
    // Three more unpublished evaluations (new events) while the first retry is pending: no new tries.
    for (let i = 0; i < 3; i++) expect(retries.unpublished("pr", run)).toBe("pending");
    await sleep(60);
    expect(runs).toHaveLength(1);
    expect(retries.unpublished("pr", run)).toBe(40);
    await sleep(80);
    expect(runs).toHaveLength(2);
    // The tries are used up: the next event starts afresh.
    expect(retries.unpublished("pr", run)).toBe("exhausted");
    expect(retries.unpublished("pr", run)).toBe(20);
    await retries.close();
  });

  it("a clean evaluation cancels a pending retry and resets the backoff", async () => {
    const retries = new Retries((n) => (n < 5 ? 30 : undefined));
    let runs = 0;
    retries.unpublished("pr", async () => void runs++);
    retries.settled("pr");
    await sleep(60);
    expect(runs).toBe(0);
    expect(retries.size).toBe(0);
  });

  it("keeps the earliest of several waits, and stops everything on close", async () => {
    const retries = new Retries(() => undefined);
    const ran: string[] = [];
    retries.later("pr", 50, false, async () => void ran.push("late"));
    retries.later("pr", 10, true, async (isEvent) => void ran.push(`early ${isEvent}`));
    retries.later("other", 10, false, async () => void ran.push("other"));
    await sleep(30);
    expect(ran.sort()).toEqual(["early true", "other"]);
    retries.later("pr", 10, false, async () => void ran.push("after close"));
    await retries.close();
    await sleep(30);
    expect(ran).not.toContain("after close");
  });
});
