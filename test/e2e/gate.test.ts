/**
 * The whole app as a process, over HTTP: `node bin/start.js` (what `npm start` runs) in production mode, webhooks
 * signed and POSTed to its server, GitHub played by a loopback double that checks every request
 * (installation token from an app JWT, GraphQL validated against GitHub's schema). Each scenario has
 * its own world, double and app process, so scenarios run side by side.
 */
import { describe, expect, it } from "@jest/globals";
import { requireDist } from "../support/app-process.js";
import { signature, Webhooks } from "../support/webhooks.js";
import { aiCommit, envsForFile, humanCommit, INSTALLATION_ID, pull, type Env } from "./kit.js";

requireDist();

const base = "/repos/acme/infra";
const env = envsForFile();

const requestsOf = (e: Env, pr: number) => e.double.apiRequests(pr).map((r) => `${r.method} ${r.operation ?? r.path}${r.fields ? `(${r.fields.join(", ")})` : ""}`);

describe("the app as a process", () => {
  it.concurrent("a human-only pull request passes: one installation token, one read, one write", async () => {
    const e = await env({ pulls: [pull(1, { commits: [humanCommit(), humanCommit()] })] });
    const pr = e.pr(1);
    await e.step(pr.opened(), 1);
    expect(pr.check).toEqual(expect.objectContaining({ name: "countersign", status: "completed", conclusion: "success", title: "No AI-authored changes detected" }));
    expect(requestsOf(e, 1)).toEqual(["POST countersignPullRequest", "POST countersignPublish(createCheckRun)"]);
    expect(e.double.log.filter((r) => r.path.endsWith("/access_tokens"))).toHaveLength(1);
    // Token, read and write on one kept-alive connection (src/github/fetch.ts), not one each.
    expect(e.double.connections).toBeLessThan(e.double.log.length);
    expect(pr.p.labels).not.toContain("ai-authored");
    expect(pr.statusComments).toEqual([]);
    expect(e.app.decisions(1)).toEqual([expect.objectContaining({ outcome: "not-ai", conclusion: "success", check: "created", requests: 2 })]);
    expect(e.invariants()).toEqual([]);
  });

  it.concurrent("an AI-authored pull request waits: operator and bot approvals do not count, a second human's does", async () => {
    const e = await env({ pulls: [pull(2, { commits: [humanCommit(), aiCommit("alice")] })], repo: { labelExists: false } });
    const pr = e.pr(2);

    await e.step(pr.opened(), 2);
    expect(pr.check).toEqual(expect.objectContaining({ conclusion: "action_required", title: "Needs 1 more approval from someone other than @alice" }));
    expect(pr.p.labels).toContain("ai-authored");
    expect(e.world.repo.createdLabels?.map((l) => l.name)).toEqual(["ai-authored", "risk: low"]);
    expect(pr.statusComments).toHaveLength(1);

    await e.step(pr.review("alice"), 2);
    expect(pr.check?.conclusion).toBe("action_required");
    expect(pr.check?.summary).toContain("@alice: accountable for the AI-authored change (an operator).");

    await e.step(pr.review("renovate", "APPROVED", { type: "Bot" }), 2);
    expect(pr.check?.conclusion).toBe("action_required");

    await e.step(pr.review("carol"), 2);
    expect(pr.check).toEqual(expect.objectContaining({ conclusion: "success", title: "Countersigned by @carol" }));
    expect(pr.statusComments).toHaveLength(1);
    expect(pr.statusComments[0]?.body).toContain("countersigned");
    expect(pr.p.checkRuns).toHaveLength(1);
    expect(e.invariants()).toEqual([]);
  });

  it.concurrent("a push makes an approval stale; merging after a fresh countersign writes no check", async () => {
    const first = aiCommit("alice");
    const e = await env({ pulls: [pull(9, { commits: [first] })] });
    const pr = e.pr(9);
    pr.p.reviews.push({ id: 1, login: "carol", state: "APPROVED", commit: first.sha, submittedAt: new Date().toISOString() });
    await e.step(pr.opened(), 9);
    expect(pr.check?.conclusion).toBe("success");

    await e.step(pr.push(aiCommit("alice")), 9);
    expect(pr.check).toEqual(expect.objectContaining({ conclusion: "action_required", headSha: pr.head }));
    expect(pr.check?.summary).toContain(`@carol: approved ${first.sha.slice(0, 7)}, but the head is now ${pr.head.slice(0, 7)}.`);

    await e.step(pr.review("carol"), 9);
    expect(pr.check?.conclusion).toBe("success");

    const writes = e.world.checkRunWrites.length;
    // The merge is evaluated too (a bypass would be marked): wait for it, or nothing below has happened yet.
    await e.step(pr.merge("carol"), 9);
    expect(e.world.checkRunWrites).toHaveLength(writes);
    expect(pr.check?.conclusion).toBe("success");
    expect(pr.p.labels).toContain("ai-authored");
    expect(pr.statusComments).toHaveLength(1);
    expect(e.invariants()).toEqual([]);
  });

  it.concurrent("/countersign by comment: a reader's does not count (😕), a writer's pinned to the head does (👍)", async () => {
    const e = await env({ pulls: [pull(3, { commits: [aiCommit("alice")] })], repo: { permissions: { carol: "write", dave: "read" } } });
    const pr = e.pr(3);
    await e.step(pr.opened(), 3);
    expect(pr.check?.conclusion).toBe("action_required");

    await e.step(pr.comment("dave", "/countersign"), 3);
    expect(pr.check?.conclusion).toBe("action_required");
    expect(pr.p.comments.find((c) => c.login === "dave")?.reactions).toEqual(["CONFUSED"]);
    expect(pr.statusComments[0]?.body).toContain("`@dave`: comment approval not counted: has read access; needs write or more");

    await e.step(pr.comment("carol", `Looks right.\n\n/countersign ${pr.head.slice(0, 7)}`), 3);
    expect(pr.check).toEqual(expect.objectContaining({ conclusion: "success", title: "Countersigned by @carol" }));
    expect(pr.p.comments.find((c) => c.login === "carol")?.reactions).toEqual(["THUMBS_UP"]);
    // The 👍, the check run and the status comment: one mutation.
    expect(requestsOf(e, 3).at(-1)).toBe("POST countersignPublish(updateCheckRun, updateIssueComment, addReaction)");
    expect(e.double.log.filter((r) => r.path.endsWith("/permission")).map((r) => r.path)).toEqual(expect.arrayContaining([`${base}/collaborators/dave/permission`, `${base}/collaborators/carol/permission`]));
    expect(e.invariants()).toEqual([]);
  });

  it.concurrent("an invalid config fails the check; fixing it and pressing Re-run passes", async () => {
    const e = await env({ pulls: [pull(4, { commits: [humanCommit()] })], repo: { config: "required_approvals: 0\nmode: strict\n" } });
    const pr = e.pr(4);
    await e.step(pr.opened(), 4);
    expect(pr.check).toEqual(expect.objectContaining({ conclusion: "failure", title: "Invalid .github/countersign.yml" }));
    expect(pr.check?.summary).toContain("`required_approvals`: required_approvals must be at least 1");
    expect(e.app.decisions(4).at(-1)).toEqual(expect.objectContaining({ level: 40, outcome: "cannot-decide", reason: "config_invalid" }));

    e.world.repo.config = "required_approvals: 1\n";
    await e.step(pr.rerun(), 4);
    expect(pr.check).toEqual(expect.objectContaining({ conclusion: "success", title: "No AI-authored changes detected" }));
    expect(pr.p.checkRuns).toHaveLength(1);
    expect(e.invariants()).toEqual([]);
  });

  it.concurrent("a re-run of a fork pull request's check (no pull_requests in the payload) finds it by its head commit", async () => {
    const e = await env({ pulls: [pull(5, { commits: [aiCommit("alice")] })] });
    const pr = e.pr(5);
    const event = pr.rerun();
    (event.payload.check_run as Record<string, unknown>).pull_requests = [];
    await e.step(event, 5);
    expect(e.double.apiRequests().map((r) => `${r.method} ${r.operation ?? r.path}`)[0]).toBe(`GET ${base}/commits/${pr.head}/pulls`);
    expect(pr.check?.conclusion).toBe("action_required");
    expect(e.invariants()).toEqual([]);
  });

  it.concurrent("webhooks with a missing, wrong or replayed-onto-another-body signature are refused before any request reaches GitHub", async () => {
    const e = await env({ pulls: [pull(6, { commits: [aiCommit("alice")] })] });
    const pr = e.pr(6);
    const opened = pr.opened();
    const body = JSON.stringify(opened.payload);
    const forged = [
      await e.send(opened, 6, { signature: null }),
      await e.send(opened, 6, { signature: signature("not-the-secret", body) }),
      await e.send(opened, 6, { signature: signature(e.app.secret, body), body: body.replace('"opened"', '"synchronize"') }),
      await e.send(opened, 6, { signature: "sha256=" }),
      await e.send(opened, 6, { signature: "sha1=0123456789abcdef0123456789abcdef01234567" }),
    ];
    for (const f of forged) {
      expect(f.status).toBeGreaterThanOrEqual(400);
      expect(f.status).toBeLessThan(500);
    }
    expect(e.double.log).toEqual([]);
    expect(e.app.decisions()).toEqual([]);

    // The same event, correctly signed, goes through.
    await e.step(opened, 6);
    expect(pr.check?.conclusion).toBe("action_required");
    e.sent.splice(0, forged.length);
    expect(e.invariants()).toEqual([]);
  });

  it.concurrent("a comment on a plain issue costs nothing", async () => {
    const e = await env({ pulls: [pull(8, { commits: [humanCommit()] })] });
    const event = Webhooks.comment({ owner: "acme", repo: "infra", number: 8, installationId: INSTALLATION_ID }, "created", { onPullRequest: false, login: "carol", body: "/countersign" });
    const sent = await e.send(event, 8);
    expect(sent.status).toBe(200);
    await e.settle(8, { evaluates: false });
    expect(e.double.apiRequests()).toEqual([]);
    expect(e.invariants()).toEqual([]);
  });

  it.concurrent("ops endpoints: /healthz, /readyz (asks GitHub as the app, with its JWT), /metrics counts what happened", async () => {
    const e = await env({ pulls: [pull(10, { commits: [humanCommit()] })] });
    const get = async (path: string) => {
      const res = await fetch(`${e.app.url}${path}`);
      return { status: res.status, text: await res.text() };
    };
    expect(await get("/healthz")).toEqual({ status: 200, text: expect.stringContaining("ok") });
    expect(await get("/readyz")).toEqual({ status: 200, text: expect.stringContaining("ready") });
    expect(e.double.log.filter((r) => r.path === "/app")).toEqual([expect.objectContaining({ method: "GET", status: 200 })]);

    await e.step(e.pr(10).opened(), 10);
    const metrics = (await get("/metrics")).text;
    expect(metrics).toMatch(/countersign_evaluations_total\{outcome="not-ai"\} 1\b/);
    // Every request the webhook's Octokit made: the installation token, the read and the write (not the readiness probe's GET /app).
    expect(Number(/countersign_github_requests_total (\d+)/.exec(metrics)?.[1])).toBe(e.double.log.filter((r) => r.path !== "/app").length);
    expect(e.invariants()).toEqual([]);
  });

  it.concurrent("/readyz says not ready while GitHub refuses the app", async () => {
    const e = await env({ pulls: [pull(11, { commits: [humanCommit()] })] });
    e.double.inject({ kind: "status", status: 401, match: { path: /^\/app$/ }, times: 1 });
    const res = await fetch(`${e.app.url}/readyz`);
    expect(res.status).toBe(503);
    expect(e.invariants()).toEqual([]);
  });
});
