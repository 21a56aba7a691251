/**
 * The edges of the gate: merges without a countersign, pushes around it, and break-glass overrides.
 */
import nock from "nock";
import { afterEach, describe, expect, it } from "@jest/globals";
import { commentEvent, Events, GitHubDouble, human, makeProbot, nextSha, pushEvent, world, type World, type WorldComment, type WorldCommit } from "./harness.js";
import { STATUS_MARKER } from "../../src/gate/status-comment.js";

const CLAUDE = "Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>";
const SEEN = "2026-11-26T12:00:00Z";
const LATER = "2026-11-26T12:30:00Z";

function aiCommit(by = "alice"): WorldCommit {
  return { sha: nextSha(), message: `Recreate the environment\n\n${CLAUDE}\n`, author: human(by) };
}

afterEach(() => {
  nock.cleanAll();
});

async function seen(partial: Partial<World> = {}) {
  const w = world({ commits: [aiCommit()], ...partial });
  const gh = new GitHubDouble(w);
  gh.now = SEEN;
  const { probot, logs } = await makeProbot();
  await probot.receive(Events.pullRequest(w, gh.head));
  gh.reset();
  return { w, gh, probot, logs };
}

function merged(w: World, head: string) {
  const e = Events.pullRequest(w, head, "closed");
  ((e.payload as unknown as Record<string, Record<string, unknown>>).pull_request ?? {}).merged = true;
  return e;
}

describe("merged without a countersign", () => {
  it("merged after a countersign: nothing is marked", async () => {
    const s = await seen();
    s.w.reviews = [{ id: 1, login: "carol", state: "APPROVED", commit: s.gh.head, submittedAt: LATER }];
    await s.probot.receive(Events.review(s.w, s.gh.head));
    s.w.merged = true;
    s.gh.reset();
    await s.probot.receive(merged(s.w, s.gh.head));
    expect(s.w.labels).not.toContain("countersign: bypassed");
    expect(s.gh.writes()).toEqual([]);
  });

  it("merged while blocked: labelled, a comment names who merged it and what was missing, an issue when configured", async () => {
    const s = await seen({ config: "bypass:\n  open_issue: true\n" });
    s.w.merged = true;
    s.w.mergedBy = "root-admin";
    await s.probot.receive(merged(s.w, s.gh.head));
    expect(s.w.labels).toContain("countersign: bypassed");
    const comment = s.w.comments.find((c) => c.byApp && !c.body.includes(STATUS_MARKER));
    expect(comment?.body).toContain("`@root-admin` merged this AI-authored pull request while countersign's check on its head");
    expect(comment?.body).toContain("Needs 1 more approval from someone other than @alice");
    expect(s.w.issues).toEqual([{ title: "countersign: PR #7 was merged without a countersign", body: expect.stringContaining("Co-Authored-By: Claude Opus 4.5") }]);
    expect(s.logs.lines.some((l) => l.event === "bypass" && l.kind === "merge" && l.merged_by === "root-admin")).toBe(true);
    // Redelivered: marked once.
    await s.probot.receive(merged(s.w, s.gh.head));
    expect(s.w.comments.filter((c) => c.byApp && !c.body.includes(STATUS_MARKER))).toHaveLength(1);
    expect(s.w.issues).toHaveLength(1);
  });

  it("the merge is caught whichever event's evaluation runs first (events coalesce; replicas share them)", async () => {
    const s = await seen();
    s.w.merged = true;
    s.w.mergedBy = "root-admin";
    // The `closed` event's evaluation was coalesced into another's: a comment on the merged PR.
    await s.probot.receive(Events.review(s.w, s.gh.head));
    expect(s.w.labels).toContain("countersign: bypassed");
    expect(s.w.comments.filter((c) => c.byApp && !c.body.includes(STATUS_MARKER))).toHaveLength(1);
    // The `closed` event itself, arriving after: nothing more.
    await s.probot.receive(merged(s.w, s.gh.head));
    expect(s.w.comments.filter((c) => c.byApp && !c.body.includes(STATUS_MARKER))).toHaveLength(1);
  });

  it("a PR closed without merging is not evaluated", async () => {
    const s = await seen();
    await s.probot.receive(Events.pullRequest(s.w, s.gh.head, "closed"));
    expect(s.gh.requests).toEqual([]);
  });
});

describe("pushed around the gate", () => {
  const before = nextSha();

  it("a direct push of an AI commit to the default branch is flagged on the pushed head", async () => {
    const sha = nextSha();
    const w = world({ branchCommits: { [sha]: { message: `Hotfix\n\n${CLAUDE}\n`, author: human("alice"), pulls: [] } }, config: "bypass:\n  open_issue: true\n" });
    const gh = new GitHubDouble(w);
    const { probot, logs } = await makeProbot();
    await probot.receive(pushEvent(before, sha, [sha]));
    const run = w.checkRuns.find((r) => r.headSha === sha);
    expect(run).toEqual(expect.objectContaining({ name: "countersign", conclusion: "failure", title: "1 AI-authored commit reached main without a countersign" }));
    expect(run?.summary).toContain(`\`${sha.slice(0, 7)}\` Claude Code: trailer \`${CLAUDE}\` — it did not arrive through a merged pull request`);
    expect(w.issues).toHaveLength(1);
    expect(logs.lines.some((l) => l.event === "bypass" && l.kind === "push")).toBe(true);
    gh.reset();
    await probot.receive(pushEvent(before, sha, [sha])); // redelivered: no new check run, no new issue
    expect(w.checkRuns.filter((r) => r.headSha === sha)).toHaveLength(1);
    expect(w.issues).toHaveLength(1);
  });

  it("a human-only push writes nothing", async () => {
    const sha = nextSha();
    const w = world({ branchCommits: { [sha]: { message: "Fix typo\n", author: human("alice"), pulls: [] } } });
    const gh = new GitHubDouble(w);
    const { probot } = await makeProbot();
    await probot.receive(pushEvent(before, sha, [sha]));
    expect(gh.writes()).toEqual([]);
  });

  it("AI commits that came through a countersigned PR write nothing", async () => {
    const sha = nextSha();
    const w = world({ branchCommits: { [sha]: { message: `Squash (#7)\n\n${CLAUDE}\n`, author: human("alice"), pulls: [{ number: 7, merged: true, headSha: nextSha(), check: { name: "countersign", conclusion: "SUCCESS", title: "Countersigned by @carol" } }] } } });
    const gh = new GitHubDouble(w);
    const { probot } = await makeProbot();
    await probot.receive(pushEvent(before, sha, [sha]));
    expect(gh.writes()).toEqual([]);
  });

  it("an AI commit from a PR that was merged while blocked is flagged, naming the PR", async () => {
    const sha = nextSha();
    const w = world({ branchCommits: { [sha]: { message: `Squash (#8)\n\n${CLAUDE}\n`, author: human("alice"), pulls: [{ number: 8, merged: true, headSha: nextSha(), check: { name: "countersign", conclusion: "ACTION_REQUIRED", title: "Needs 1 more approval from someone other than @alice" } }] } } });
    new GitHubDouble(w);
    const { probot } = await makeProbot();
    await probot.receive(pushEvent(before, sha, [sha]));
    expect(w.checkRuns[0]?.summary).toContain("pull request #8 was not countersigned (Needs 1 more approval from someone other than @alice)");
  });

  it("a force push to the default branch is reported even without AI commits", async () => {
    const sha = nextSha();
    const w = world({ branchCommits: { [sha]: { message: "Rewrite\n", author: human("alice"), pulls: [] } } });
    new GitHubDouble(w);
    const { probot } = await makeProbot();
    await probot.receive(pushEvent(before, sha, [sha], { forced: true, pusher: "mallory" }));
    expect(w.checkRuns[0]).toEqual(expect.objectContaining({ conclusion: "failure", title: "Force push to main by @mallory" }));
  });

  it("a branch deletion of a watched branch is logged and opens an issue when configured", async () => {
    const w = world({ config: "bypass:\n  open_issue: true\n  branches: [release]\n" });
    new GitHubDouble(w);
    const { probot, logs } = await makeProbot();
    await probot.receive(pushEvent(before, before, [], { branch: "release", deleted: true, pusher: "mallory" }));
    expect(w.issues).toEqual([{ title: "countersign: Branch release was deleted by @mallory", body: expect.any(String) }]);
    expect(logs.lines.some((l) => l.event === "bypass" && l.kind === "branch-deleted")).toBe(true);
  });

  it("pushes to unwatched branches cost one read and nothing else", async () => {
    const sha = nextSha();
    const w = world({ branchCommits: { [sha]: { message: `WIP\n\n${CLAUDE}\n`, author: human("alice"), pulls: [] } } });
    const gh = new GitHubDouble(w);
    const { probot } = await makeProbot();
    await probot.receive(pushEvent(before, sha, [sha], { branch: "feature" }));
    expect(gh.summary()).toEqual(["POST countersignPush"]);
  });
});

describe("break-glass override", () => {
  const reason = "prod is down, rolling back the bad deploy (INC-4711)";

  async function override(partial: Partial<World>, login: string, body = `/countersign override ${reason}`, more: Record<string, unknown> = {}) {
    const s = await seen({ permissions: { root: "admin", sam: "write", alice: "admin", carol: "write" }, teams: { "acme/sre": ["sam"] }, ...partial });
    const c: WorldComment = { id: 700 + Math.floor(Math.random() * 1000), login, body, createdAt: LATER, ...more };
    s.w.comments.push(c);
    await s.probot.receive(commentEvent(s.w));
    return { ...s, c };
  }

  it("by a repository admin: passes, says so, labels, records it, and opens an issue when configured", async () => {
    const s = await override({ config: "override:\n  open_issue: true\n" }, "root");
    expect(s.gh.check).toEqual(expect.objectContaining({ conclusion: "success", title: `Overridden by @root: ${reason}` }));
    expect(s.w.labels).toContain("countersign: overridden");
    const status = s.w.comments.find((c) => c.byApp && c.body.includes(STATUS_MARKER))?.body ?? "";
    expect(status).toContain("🚨 **Overridden** by `@root`");
    expect(status).toContain(reason);
    expect(s.w.issues).toEqual([{ title: "countersign: PR #7 was overridden by @root", body: expect.stringContaining(reason) }]);
    expect(s.logs.lines.some((l) => l.event === "override" && l.by === "root")).toBe(true);
    expect(s.c.reactions).toEqual(["THUMBS_UP"]);
  });

  it("by a member of an override team", async () => {
    const s = await override({ config: "override:\n  teams: [acme/sre]\n" }, "sam");
    expect(s.gh.check?.conclusion).toBe("success");
    expect(s.gh.summary()).toContain(`GET /orgs/acme/teams/sre/memberships/sam`);
  });

  it("by someone neither admin nor in a team: refused", async () => {
    const s = await override({ config: "override:\n  teams: [acme/sre]\n" }, "carol");
    expect(s.gh.check?.conclusion).toBe("action_required");
    expect(s.c.reactions).toEqual(["CONFUSED"]);
  });

  it("by the operator, even an admin: refused unless allow_operator", async () => {
    const refused = await override({}, "alice");
    expect(refused.gh.check?.conclusion).toBe("action_required");
    nock.cleanAll();
    const allowed = await override({ config: "override:\n  allow_operator: true\n" }, "alice");
    expect(allowed.gh.check?.conclusion).toBe("success");
  });

  it("without a reason (or too short): refused, saying how long it must be", async () => {
    const s = await override({}, "root", "/countersign override oops");
    expect(s.gh.check?.conclusion).toBe("action_required");
    const status = s.w.comments.find((c) => c.byApp && c.body.includes(STATUS_MARKER))?.body ?? "";
    expect(status).toContain("an override needs a reason of at least 10 characters");
  });

  it("an edited override never counts", async () => {
    const s = await override({}, "root", `/countersign override ${reason}`, { lastEditedAt: "2026-11-26T12:35:00Z", editor: "root", history: [] });
    expect(s.gh.check?.conclusion).toBe("action_required");
  });

  it("a later push ends the override: the gate is back on", async () => {
    const s = await override({}, "root");
    expect(s.gh.check?.conclusion).toBe("success");
    s.w.commits.push(aiCommit());
    s.gh.now = "2026-11-26T13:00:00Z";
    await s.probot.receive(Events.pullRequest(s.w, s.gh.head, "synchronize"));
    expect(s.gh.check?.conclusion).toBe("action_required");
    expect(s.w.labels).not.toContain("countersign: overridden");
  });
});
