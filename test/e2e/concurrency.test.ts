/**
 * Many events at once: bursts on one pull request, duplicate and out-of-order deliveries, events
 * interleaved across 20 pull requests. The app serializes evaluations per pull request and coalesces
 * what arrives while one runs into a single trailing evaluation, and every evaluation reads GitHub
 * fresh and writes only what changed. So, asserted here:
 *
 * - a burst of events on one pull request that arrives while an evaluation runs costs one trailing
 *   evaluation, and events spread out cost at most one evaluation each (never more evaluations than events);
 * - writes are bounded by what changed: a pull request that went through S distinct states (its state
 *   before the first event, and after each wave of changes) gets at most S check run writes and S
 *   status comment writes, and the label is added at most once;
 * - the final check of every pull request is what a fresh evaluation gives (one more event after
 *   quiescence changes nothing and writes nothing) and what the oracle says;
 * - nothing ever passes that should not, one status comment at most, the label at most once.
 *
 * Every case runs the app exactly as in production (`npm start`).
 */
import { describe, expect, it } from "@jest/globals";
import { requireDist } from "../support/app-process.js";
import type { WebhookEvent } from "../support/webhooks.js";
import { aiCommit, envsForFile, isAiPull, mainQueries, mayPass, pull, scenarioKind, scenarioPulls, scenarioWaves, sendAll, shuffle, writesOf, type PullHandle } from "./kit.js";

requireDist();

const env = envsForFile();

const NOOPS = ["opened", "synchronize", "labeled", "review", "comment", "rerun", "check_suite"] as const;
/** Events for a pull request that change nothing in the world (as redeliveries and no-op actions do). */
const noise = (pr: PullHandle, i: number): WebhookEvent => pr.noop(NOOPS[i % NOOPS.length] ?? "opened");

describe("bursts and ordering", () => {
  it.concurrent("a burst of 50 events on one pull request is coalesced (far fewer evaluations than events) and ends right", async () => {
    const e = await env({ pulls: [pull(1, { commits: [aiCommit()] })], repo: { labelExists: true } });
    const pr = e.pr(1);
    pr.p.reviews.push({ id: 1, login: "carol", state: "APPROVED", commit: pr.head, submittedAt: new Date().toISOString() });
    const events = Array.from({ length: 50 }, (_, i) => ({ event: noise(pr, i), pr: 1 }));
    await Promise.all(events.map((x) => e.send(x.event, x.pr)));
    await e.settle(1);

    expect(e.sent.every((s) => s.status === 200)).toBe(true);
    expect(e.app.decisions(1).length).toBeGreaterThanOrEqual(1);
    // Events that arrive while an evaluation runs share one trailing evaluation; 50 concurrent
    // deliveries arrive over a span of several (fast) evaluations.
    expect(e.app.decisions(1).length).toBeLessThan(events.length / 2);
    expect(mainQueries(e, 1)).toBe(e.app.decisions(1).length);
    // One evaluation's writes — the check run, the status comment, each label — never repeated.
    const writes = writesOf(e, 1).flatMap((r) => r.fields ?? [`${r.method} ${r.path}`]);
    expect(writes.filter((w) => w === "createCheckRun")).toHaveLength(1);
    expect(writes.filter((w) => w === "addComment")).toHaveLength(1);
    expect([...e.labelAdds(1).values()].every((n) => n === 1)).toBe(true);
    expect(e.labelAdds(1).get("ai-authored")).toBe(1);
    expect(pr.check).toEqual(expect.objectContaining({ conclusion: "success", title: "Countersigned by @carol" }));
    expect(e.invariants()).toEqual([]);
  });

  it.concurrent("duplicate deliveries (the same delivery id 10 times) write nothing after the first", async () => {
    const e = await env({ pulls: [pull(2, { commits: [aiCommit()] })] });
    const pr = e.pr(2);
    const opened = pr.opened();
    await e.step(opened, 2);
    const writes = writesOf(e).length;
    const decisions = e.app.decisions(2).length;
    await Promise.all(Array.from({ length: 10 }, () => e.send(opened, 2)));
    await e.settle(2);
    expect(writesOf(e).length).toBe(writes);
    // Coalesced while an evaluation runs; an evaluation (some 20 ms) can finish before the last copy arrives.
    expect(e.app.decisions(2).length - decisions).toBeLessThanOrEqual(10);
    expect(e.app.decisions(2).slice(decisions).every((d) => d.check === "unchanged")).toBe(true);
    expect(pr.check?.conclusion).toBe("action_required");
    expect(e.invariants()).toEqual([]);
  });

  it.concurrent("an older synchronize delivered after a newer one changes nothing: the check stays on the new head", async () => {
    const first = aiCommit();
    const e = await env({ pulls: [pull(3, { commits: [first] })] });
    const pr = e.pr(3);
    await e.step(pr.opened(), 3);
    expect(pr.check?.conclusion).toBe("action_required");

    const oldHead = pr.head;
    const pushedAt = Date.now();
    const pushed = pr.push(aiCommit());
    const approved = pr.review("carol");
    await Promise.all([e.send(approved, 3), e.send(pushed, 3)]);
    await e.settle(3);
    expect(pr.check).toEqual(expect.objectContaining({ conclusion: "success", headSha: pr.head }));

    const writes = writesOf(e).length;
    await e.step(pr.staleSynchronize(oldHead), 3);
    expect(writesOf(e).length).toBe(writes);
    expect(pr.check).toEqual(expect.objectContaining({ conclusion: "success", headSha: pr.head }));
    // After the push, nothing was ever written for the old head.
    expect(e.world.checkRunWrites.filter((w) => w.headSha === oldHead && w.at >= pushedAt)).toEqual([]);
    expect(e.invariants()).toEqual([]);
  });
});

describe("20 pull requests, events interleaved", () => {
  it.concurrent("every pull request ends where a fresh evaluation puts it, with a bounded number of evaluations and writes", async () => {
    const N = 20;
    const pulls = scenarioPulls(N);
    const e = await env({ pulls, repo: { permissions: { carol: "write", erin: "write", dave: "read" }, labelExists: true } });
    const prs = pulls.map((p) => e.pr(p.number));
    const waves = scenarioWaves(prs);
    // Distinct states per PR: the opened state, plus one per wave that changed it (wave 2 changes every PR; wave 3 adds comments to every PR).
    const states = 3;
    for (const [i, wave] of waves.entries()) await sendAll(e, shuffle(wave, 7 + i), 16);
    for (const pr of prs) await e.settle(pr.number, { timeoutMs: 30_000 });
    await e.quiet();

    const sentPerPr = new Map(prs.map((pr) => [pr.number, e.sent.filter((s) => s.pr === pr.number).length]));
    for (const pr of prs) {
      const kind = scenarioKind(pr.number);
      const evaluations = e.app.decisions(pr.number).length;
      const what = `#${pr.number} (${kind})`;
      // The bounds: never more evaluations than events, one read each; writes only when the state changed.
      expect({ what, evaluations: evaluations >= 1 && evaluations <= (sentPerPr.get(pr.number) ?? 0) }).toEqual({ what, evaluations: true });
      expect({ what, reads: mainQueries(e, pr.number) }).toEqual({ what, reads: evaluations });
      const writes = writesOf(e, pr.number).flatMap((r) => r.fields ?? [r.path]);
      const checkWrites = e.world.checkRunWrites.filter((w) => w.pr === pr.number).length;
      const statusWrites = writes.filter((w) => w === "addComment" || w === "updateIssueComment" || /\/issues\/(\d+\/)?comments/.test(w)).length;
      const labelAdds = Math.max(0, ...e.labelAdds(pr.number).values());
      expect({ what, checkWrites: checkWrites <= states, statusWrites: statusWrites <= states, labelAdds: labelAdds <= 1 }).toEqual({ what, checkWrites: true, statusWrites: true, labelAdds: true });

      const expected = !isAiPull(pr.p) ? "success" : mayPass(pr.p, e.world.repo) ? "success" : "action_required";
      expect({ what, conclusion: pr.check?.conclusion }).toEqual({ what, conclusion: expected });
      expect({ what, conclusion: expected }).toEqual({ what, conclusion: kind === "operator-only" ? "action_required" : "success" });
      expect({ what, statusComments: pr.statusComments.length }).toEqual({ what, statusComments: kind === "human" ? 0 : 1 });
      expect({ what, labelled: pr.p.labels.filter((l) => l === "ai-authored").length }).toEqual({ what, labelled: kind === "human" ? 0 : 1 });
    }
    const totalEvaluations = e.app.decisions().length;
    expect(totalEvaluations).toBeLessThan(e.sent.length);
    expect(e.invariants()).toEqual([]);

    // A fresh evaluation of every PR (Re-run) changes nothing and writes nothing.
    const writes = writesOf(e).length;
    const before = new Map(prs.map((pr) => [pr.number, e.app.decisions(pr.number).length]));
    await sendAll(e, prs.map((pr) => ({ event: pr.rerun(), pr: pr.number })), 20);
    for (const pr of prs) await e.settle(pr.number, { timeoutMs: 30_000 });
    await e.quiet();
    expect(writesOf(e).length).toBe(writes);
    for (const pr of prs) {
      const fresh = e.app.decisions(pr.number).slice(before.get(pr.number) ?? 0);
      expect({ pr: pr.number, fresh: fresh.map((d) => d.check) }).toEqual({ pr: pr.number, fresh: ["unchanged"] });
    }
    expect(e.invariants()).toEqual([]);
  });
});
