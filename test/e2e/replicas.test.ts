/**
 * Two app processes behind one "load balancer" (events of the same pull requests sprayed across
 * both), sharing a real Redis (REDIS_URL): final verdicts right, no duplicate writes, one evaluation
 * at a time per pull request across replicas, and failing closed when Redis is gone.
 */
import { afterAll, describe, expect, it } from "@jest/globals";
import { Redis } from "ioredis";
import { APP_ID, OWNER, REPO } from "../support/github-world.js";
import { requireDist } from "../support/app-process.js";
import { startRedis, type RedisServer } from "../support/redis-server.js";
import { aiCommit, Env, envsForFile, isAiPull, mainQueries, mayPass, pull, scenarioKind, scenarioPulls, scenarioWaves, sendAll, shuffle, writesOf } from "./kit.js";

requireDist();

const env = envsForFile();
const redises = new Set<RedisServer>();
afterAll(async () => {
  await Promise.allSettled([...redises].map((r) => r.stop()));
});

async function redis(port?: number): Promise<RedisServer> {
  const r = await startRedis(port);
  redises.add(r);
  return r;
}

describe("two replicas sharing Redis", () => {
  it.concurrent("events of the same pull requests sprayed across both: every verdict right, nothing written twice", async () => {
    const r = await redis();
    const pulls = scenarioPulls(12);
    const e = await env({ pulls, replicas: 2, env: { REDIS_URL: r.url }, repo: { permissions: { carol: "write", erin: "write", dave: "read" }, labelExists: true } });
    const prs = pulls.map((p) => e.pr(p.number));
    // Each PR opened and redelivered; reviews, pushes with stale redeliveries, labels; comments — sprayed across both replicas.
    for (const [i, wave] of scenarioWaves(prs).entries()) await sendAll(e, shuffle(wave, 11 + i), 16);
    for (const pr of prs) await e.settle(pr.number, { timeoutMs: 30_000 });
    await e.quiet();

    // Both replicas took part.
    expect(e.apps.map((a) => a.decisions().length).every((n) => n > 0)).toBe(true);
    for (const pr of prs) {
      const kind = scenarioKind(pr.number);
      const what = `#${pr.number} (${kind})`;
      const evaluations = e.decisions(pr.number).length;
      expect({ what, reads: mainQueries(e, pr.number) }).toEqual({ what, reads: evaluations });
      const expected = !isAiPull(pr.p) ? "success" : mayPass(pr.p, e.world.repo) ? "success" : "action_required";
      expect({ what, conclusion: pr.check?.conclusion }).toEqual({ what, conclusion: expected });
      expect({ what, statusComments: pr.statusComments.length }).toEqual({ what, statusComments: kind === "human" ? 0 : 1 });
      expect({ what, labelAdds: Math.max(0, ...e.labelAdds(pr.number).values()) <= 1 }).toEqual({ what, labelAdds: true });
    }
    // One evaluation at a time per pull request, across replicas: no two decisions of one PR overlap.
    for (const pr of prs) {
      const spans = e
        .decisions(pr.number)
        .map((d) => [Env.started(d), Number(d.time)] as const)
        .sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < spans.length; i++) expect({ pr: pr.number, overlap: (spans[i]?.[0] ?? 0) < (spans[i - 1]?.[1] ?? 0) - 1 }).toEqual({ pr: pr.number, overlap: false });
    }
    expect(e.decisions().length).toBeLessThan(e.sent.length);
    expect(e.invariants()).toEqual([]);

    // A fresh evaluation of every PR, each Re-run sent to the other replica, changes nothing and writes nothing.
    const writes = writesOf(e).length;
    await sendAll(e, prs.map((pr) => ({ event: pr.rerun(), pr: pr.number })), 20);
    for (const pr of prs) await e.settle(pr.number, { timeoutMs: 30_000 });
    await e.quiet();
    expect(writesOf(e).length).toBe(writes);
    expect(e.invariants()).toEqual([]);
  });

  it.concurrent("Redis gone: the check fails closed and says why, /readyz too; Redis back: the next event decides", async () => {
    const r = await redis();
    const e = await env({ pulls: [pull(1, { commits: [aiCommit()] })], replicas: 2, env: { REDIS_URL: r.url } });
    const pr = e.pr(1);
    await e.step(pr.opened(), 1);
    expect(pr.check?.conclusion).toBe("action_required");

    await r.stop();
    // A second human approves while Redis is down.
    e.world.repo.permissions = { ...e.world.repo.permissions, carol: "write" };
    pr.p.reviews.push({ id: 77, login: "carol", state: "APPROVED", commit: pr.head, submittedAt: new Date().toISOString() });
    await e.send(pr.noop("review"), 1, { replica: 1 });
    const replica = e.apps[1];
    if (!replica) throw new Error("no second replica");
    await replica.waitFor(() => replica.lines.some((l) => l.event === "coordination_failed") || undefined, 15_000, "the replica to fail closed");
    // Fail closed, saying why: the replica cannot know what the other one is doing.
    await e.waitFor(() => pr.check?.title === "Cannot coordinate with the other countersign replicas", 10_000, "the check to say why it fails");
    expect(pr.check?.conclusion).toBe("failure");
    expect(pr.check?.summary).toContain("Redis");
    const ready = await fetch(`${replica.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { redis?: string }).redis).toMatch(/./);

    // Redis back on the same address (empty: its counters are gone too); the next event decides.
    await redis(r.port);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const states = await Promise.all(e.apps.map(async (a) => fetch(`${a.url}/readyz`).then(async (res) => `${res.status} ${await res.text()}`)));
      if (states.every((st) => st.startsWith("200"))) break;
      if (Date.now() > deadline) throw new Error(`replicas not ready again: ${states.join(", ")}`);
      await new Promise((res) => setTimeout(res, 250));
    }
    await e.step(pr.noop("comment"), 1, { timeoutMs: 20_000 });
    expect(pr.check?.conclusion).toBe("success");
  });

  it.concurrent("a replica that crashed before evaluating what it had answered: the next replica to start evaluates it, without a webhook", async () => {
    const r = await redis();
    // What the crashed replica left in Redis: three events counted for #3, none covered.
    const seed = new Redis(r.url);
    await seed.hset(`countersign:${APP_ID}:pr:${OWNER}/${REPO}#3`.toLowerCase(), { events: "3", about: JSON.stringify({ owner: OWNER, repo: REPO, number: 3, installation: 77 }) });
    // …and #4, whose last evaluation finished: nothing to do.
    await seed.hset(`countersign:${APP_ID}:pr:${OWNER}/${REPO}#4`.toLowerCase(), { events: "2", done: "2", about: JSON.stringify({ owner: OWNER, repo: REPO, number: 4, installation: 77 }) });
    await seed.quit();
    const e = await env({ pulls: [pull(3, { commits: [aiCommit()] }), pull(4, { commits: [aiCommit()] })], env: { REDIS_URL: r.url } });
    await e.waitFor(() => e.pr(3).check !== undefined, 15_000, "the unfinished pull request to be evaluated");
    expect(e.pr(3).check?.conclusion).toBe("action_required");
    await e.app.waitFor(() => e.app.lines.find((l) => l.event === "sweep"), 10_000, "the sweep's log line");
    expect(e.app.lines.find((l) => l.event === "sweep")?.unfinished).toBe(1);
    expect(e.pr(4).check).toBeUndefined();
    expect(e.sent).toEqual([]);
  });
});
