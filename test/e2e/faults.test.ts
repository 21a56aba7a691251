/**
 * GitHub misbehaving, the app in production mode (`npm start`, countersign's Octokit: a 5xx answer
 * or a dropped connection is retried after 1 s and then 4 s; after a rate-limit answer, primary or
 * secondary, nothing goes out for the installation until GitHub's wait is over, then the request is
 * sent again, three attempts in all: src/github/octokit.ts).
 *
 * Whatever GitHub does: nothing passes that should not (every check run write is checked against an
 * oracle as it arrives), there is never more than one status comment or one copy of the label, every
 * webhook is answered inside GitHub's 10-second window, and once GitHub recovers the verdict is right
 * — by the app's own retries, or at the next event when they were not enough (GitHub does not
 * redeliver webhooks by itself).
 */
import { describe, expect, it } from "@jest/globals";
import { requireDist } from "../support/app-process.js";
import type { Fault } from "../support/github-http.js";
import { PUBLISH_RETRY_MS } from "../../src/app/evaluate-pr.js";
import { aiCommit, envsForFile, humanCommit, pull, type Env } from "./kit.js";

requireDist();

const env = envsForFile();

const MAIN = { operation: "countersignPullRequest" } as const;
/** The one mutation that writes an evaluation's check run, labels, status comment and reactions. */
const PUBLISH = { operation: "countersignPublish" } as const;
const faultsOf = (e: Env) => e.double.log.filter((r) => r.fault !== undefined).map((r) => `${r.fault}:${r.operation ?? r.path}`);
const inject = (e: Env, fault: Fault) => e.double.inject(fault);
async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("GitHub failing, then recovering", () => {
  it.concurrent("503 on every attempt: fails closed (never passes), and the next event after GitHub recovers gets it right", async () => {
    const e = await env({ pulls: [pull(2, { commits: [aiCommit()] })] });
    const pr = e.pr(2);
    inject(e, { kind: "status", status: 503, match: MAIN, times: 4 });
    await e.step(pr.opened(), 2, { timeoutMs: 40_000 });
    expect(pr.check).toEqual(expect.objectContaining({ conclusion: "failure", title: "Cannot read this pull request from GitHub" }));
    // Probot retries 5xx (after 1, 4, 9 s); the request budget (GITHUB_REQUEST_TIMEOUT_MS) may end the retries first.
    expect(pr.check?.summary).toMatch(/HTTP 503|did not answer .* within 6000 ms/);
    expect(e.app.decisions(2)).toEqual([expect.objectContaining({ outcome: "cannot-decide", reason: "gather_failed" })]);

    await e.step(pr.review("carol"), 2);
    expect(pr.check).toEqual(expect.objectContaining({ conclusion: "success", title: "Countersigned by @carol" }));
    expect(pr.p.checkRuns).toHaveLength(1);
    expect(e.invariants()).toEqual([]);
  });

  // Every GitHub request is bounded (GITHUB_REQUEST_TIMEOUT_MS, 6 s in these tests): a request that
  // never answers fails, the evaluation fails closed, and the events queued behind it run.
  it.concurrent("a request that never answers does not wedge the pull request: it times out and the next event is evaluated", async () => {
    const e = await env({ pulls: [pull(12, { commits: [aiCommit()] })] });
    const pr = e.pr(12);
    inject(e, { kind: "hang", match: MAIN, times: 1 });
    await e.send(pr.opened(), 12);
    await waitUntil(() => e.double.log.some((r) => r.status === "hung"), 10_000);
    await e.send(pr.review("carol"), 12);
    // The hung evaluation times out and fails closed; the review queued behind it then runs.
    await e.app.waitFor(() => e.app.decisions(12).length >= 2 || undefined, 15_000, "two evaluations of #12");
    expect(pr.check?.conclusion).toBe("success");
  });

  it.concurrent("a fork re-run whose pull request look-up keeps failing is answered within GitHub's 10 s window", async () => {
    const e = await env({ pulls: [pull(11, { commits: [aiCommit()] })] });
    const pr = e.pr(11);
    inject(e, { kind: "status", status: 502, match: { path: /\/commits\/[0-9a-f]{40}\/pulls$/ }, times: 4 });
    const event = pr.rerun();
    (event.payload.check_run as Record<string, unknown>).pull_requests = [];
    const sent = await e.send(event, 11);
    // The handler awaits the look-up, bounded by GITHUB_REQUEST_TIMEOUT_MS (6 s here) whatever Probot's
    // retries (1 + 4 + 9 s) would take; then it logs the failure and answers.
    expect(sent.ms).toBeLessThan(10_000);
    expect([200, 202]).toContain(sent.status);
    await e.app.waitFor(() => e.app.lines.some((l) => l.event === "lookup_failed") || undefined, 30_000, "the failed look-up to be logged");
    expect(e.double.log.filter((r) => r.fault).length).toBeGreaterThanOrEqual(3);
    expect(pr.check).toBeUndefined();
    expect(e.invariants().filter((i) => !i.startsWith("app:"))).toEqual([]);
  });

  it.concurrent("dropped connections: reads are retried; a write that creates is not, and the PR is evaluated again by itself", async () => {
    const e = await env({ pulls: [pull(7, { commits: [aiCommit()] })] });
    const pr = e.pr(7);
    inject(e, { kind: "drop", match: MAIN, times: 1 });
    inject(e, { kind: "drop", match: PUBLISH, times: 1 });
    await e.step(pr.opened(), 7, { timeoutMs: 30_000 });
    expect(faultsOf(e)).toEqual(["drop:countersignPullRequest", "drop:countersignPublish"]);
    // Nothing written yet, and no check: the pull request cannot merge.
    expect(pr.check).toBeUndefined();
    expect(e.app.decisions(7)).toEqual([expect.objectContaining({ check: "failed", unpublished: true })]);
    // No new event: PUBLISH_RETRY_MS later the re-evaluation reads what GitHub has and writes it all, once.
    await e.app.waitFor(() => e.app.decisions(7).length >= 2 || undefined, PUBLISH_RETRY_MS * 2, "the re-evaluation after the lost answer");
    await waitUntil(() => pr.check?.conclusion === "action_required", 5_000);
    expect(pr.statusComments).toHaveLength(1);
    expect(pr.p.labels).toContain("ai-authored");
    expect(e.invariants()).toEqual([]);
  });

  it.concurrent("502 twice on the pull request query: Probot's retry recovers inside the same evaluation", async () => {
    const e = await env({ pulls: [pull(1, { commits: [humanCommit()] })] });
    const pr = e.pr(1);
    inject(e, { kind: "status", status: 502, match: MAIN, times: 2 });
    await e.step(pr.opened(), 1, { timeoutMs: 30_000 });
    expect(faultsOf(e)).toEqual(["status:countersignPullRequest", "status:countersignPullRequest"]);
    expect(e.app.decisions(1)).toEqual([expect.objectContaining({ outcome: "not-ai", conclusion: "success" })]);
    expect(pr.check?.conclusion).toBe("success");
    expect(e.invariants()).toEqual([]);
  });

  it.concurrent("a primary rate limit (x-ratelimit-remaining: 0): countersign waits for the reset and retries", async () => {
    const e = await env({ pulls: [pull(5, { commits: [humanCommit()] })] });
    const pr = e.pr(5);
    inject(e, { kind: "primary-rate-limit", resetSeconds: 1, match: MAIN, times: 1 });
    await e.step(pr.opened(), 5, { timeoutMs: 30_000 });
    expect(faultsOf(e)).toEqual(["primary-rate-limit:countersignPullRequest"]);
    expect(e.app.decisions(5)).toEqual([expect.objectContaining({ outcome: "not-ai" })]);
    expect(pr.check?.conclusion).toBe("success");
    expect(e.invariants()).toEqual([]);
  });

  it.concurrent("slow answers (3 s for the query and for the check run write): webhooks are still answered at once", async () => {
    const e = await env({ pulls: [pull(6, { commits: [humanCommit()] })] });
    const pr = e.pr(6);
    inject(e, { kind: "slow", ms: 3000, match: MAIN, times: 1 });
    inject(e, { kind: "slow", ms: 3000, match: PUBLISH, times: 1 });
    const sent = await e.step(pr.opened(), 6);
    expect(sent.ms).toBeLessThan(1000);
    expect(pr.check?.conclusion).toBe("success");
    expect(e.invariants()).toEqual([]);
  });

  it.concurrent("a secondary rate limit on the pull request query: waits GitHub's retry-after, asks again, decides in the same evaluation", async () => {
    const e = await env({ pulls: [pull(3, { commits: [aiCommit()] })] });
    const pr = e.pr(3);
    inject(e, { kind: "secondary-rate-limit", retryAfterSeconds: 1, match: MAIN, times: 1 });
    await e.step(pr.opened(), 3);
    expect(faultsOf(e)).toEqual(["secondary-rate-limit:countersignPullRequest"]);
    const queries = e.double.log.filter((r) => r.operation === "countersignPullRequest");
    expect(queries).toHaveLength(2);
    expect((queries[1]?.at ?? 0) - (queries[0]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(e.app.decisions(3)).toEqual([expect.objectContaining({ outcome: "waiting", conclusion: "action_required" })]);
    expect(pr.check?.conclusion).toBe("action_required");

    await e.step(pr.review("carol"), 3);
    expect(pr.check?.conclusion).toBe("success");
    expect(e.invariants()).toEqual([]);
  });

  it.concurrent("a secondary rate limit longer than a request waits: nothing is sent during the wait, then it evaluates again by itself", async () => {
    const e = await env({ pulls: [pull(9, { commits: [aiCommit()] })] });
    const pr = e.pr(9);
    // 7 s is more than one request waits here (GITHUB_REQUEST_TIMEOUT_MS = 6 s).
    inject(e, { kind: "secondary-rate-limit", retryAfterSeconds: 7, match: MAIN, times: 1 });
    await e.step(pr.opened(), 9);
    // Nothing more goes to GitHub during its wait — not even the failing check (which would itself be
    // refused): no check yet, so the pull request cannot merge.
    expect(pr.check).toBeUndefined();
    expect(e.app.decisions(9)).toEqual([expect.objectContaining({ outcome: "cannot-decide", check: "failed", retry_after_ms: 7000 })]);
    expect(e.double.log.filter((r) => r.operation === "countersignPullRequest" || r.operation === "countersignPublish")).toHaveLength(1);
    // No new event: countersign evaluates again once GitHub's wait is over.
    await e.app.waitFor(() => e.app.decisions(9).length >= 2 || undefined, 15_000, "the re-evaluation after the wait");
    await waitUntil(() => pr.check?.conclusion === "action_required", 5_000);
    expect(pr.check?.title).toBe("Needs 1 more approval from someone other than @alice");
    expect(e.invariants()).toEqual([]);
  });

  it.concurrent("a secondary rate limit on the check run write: the write waits retry-after and goes out once", async () => {
    const e = await env({ pulls: [pull(4, { commits: [humanCommit()] })] });
    const pr = e.pr(4);
    inject(e, { kind: "secondary-rate-limit", retryAfterSeconds: 1, match: PUBLISH, times: 1 });
    await e.step(pr.opened(), 4);
    expect(faultsOf(e)).toEqual(["secondary-rate-limit:countersignPublish"]);
    expect(pr.check?.conclusion).toBe("success");
    expect(e.world.pull(4)?.checkRuns).toHaveLength(1);
    expect(e.app.lines.some((l) => l.event === "publish_failed")).toBe(false);
    expect(e.invariants()).toEqual([]);
  });

  // Creates are never retried (src/github/publish.ts): when the answer to the mutation that created
  // the check run and the status comment is lost, the re-evaluation finds what GitHub did create.
  it.concurrent("a connection dropped after GitHub created the check run and status comment (the answer is lost): still one of each", async () => {
    const e = await env({ pulls: [pull(8, { commits: [aiCommit()] })] });
    const pr = e.pr(8);
    inject(e, { kind: "drop", after: true, match: PUBLISH, times: 1 });
    await e.step(pr.opened(), 8, { timeoutMs: 30_000 });
    expect(pr.check?.conclusion).toBe("action_required");
    expect(pr.statusComments).toHaveLength(1);
    await e.app.waitFor(() => e.app.decisions(8).length >= 2 || undefined, PUBLISH_RETRY_MS * 2, "the re-evaluation after the lost answer");
    expect(e.app.decisions(8)[1]).toEqual(expect.objectContaining({ check: "unchanged", status_comment: "unchanged" }));
    expect(e.world.pull(8)?.checkRuns).toHaveLength(1);
    expect(e.invariants()).toEqual([]);
  });

  it.concurrent("the installation token route failing once: the first webhook waits for the retry, well inside 10 s", async () => {
    const e = await env({ pulls: [pull(10, { commits: [humanCommit()] })] });
    const pr = e.pr(10);
    inject(e, { kind: "status", status: 502, match: { path: /access_tokens$/ }, times: 1 });
    const sent = await e.step(pr.opened(), 10);
    expect(sent.status).toBe(200);
    expect(sent.ms).toBeLessThan(5000);
    expect(pr.check?.conclusion).toBe("success");
    expect(e.invariants()).toEqual([]);
  });
});
