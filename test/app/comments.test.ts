/**
 * Countersigning by comment, end to end: `/countersign` in PR comments and review bodies, what counts,
 * what cannot be spoofed, the reactions, and the one living status comment.
 */
import nock from "nock";
import { afterEach, describe, expect, it } from "@jest/globals";
import type { Probot } from "probot";
import { commentEvent, Events, GitHubDouble, human, makeProbot, nextSha, OWNER, REPO, world, type CapturedLogs, type World, type WorldComment, type WorldCommit } from "./harness.js";
import { STATUS_MARKER } from "../../src/gate/status-comment.js";

const CLAUDE = "Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>";
const base = `/repos/${OWNER}/${REPO}`;
const SEEN = "2026-11-26T12:00:00Z"; // when countersign first sees the head (the double's clock)
const LATER = "2026-11-26T12:30:00Z";
const EARLIER = "2026-11-26T11:00:00Z";

function aiCommit(by = "alice"): WorldCommit {
  return { sha: nextSha(), message: `Recreate the environment\n\n${CLAUDE}\n`, author: human(by) };
}

let nextId = 100;
function comment(login: string | null, body: string, more: Partial<WorldComment> = {}): WorldComment {
  return { id: nextId++, login, body, createdAt: LATER, ...more };
}

interface Setup {
  w: World;
  gh: GitHubDouble;
  probot: Probot;
  logs: CapturedLogs;
}

/** An AI-authored PR by alice that countersign has already seen once (its check run started at SEEN). */
async function seenPr(partial: Partial<World> = {}): Promise<Setup> {
  const w = world({ commits: [aiCommit()], permissions: { carol: "write", dave: "write", erin: "write", rita: "read" }, ...partial });
  const gh = new GitHubDouble(w);
  gh.now = SEEN;
  const { probot, logs } = await makeProbot();
  await probot.receive(Events.pullRequest(w, gh.head));
  expect(gh.check?.conclusion).toBe("action_required");
  gh.reset();
  return { w, gh, probot, logs };
}

async function say(s: Setup, c: WorldComment, action: "created" | "edited" | "deleted" = "created"): Promise<WorldComment> {
  if (action === "created") s.w.comments.push(c);
  await s.probot.receive(commentEvent(s.w, action));
  return c;
}

const status = (w: World) => w.comments.find((c) => c.byApp && c.body.includes(STATUS_MARKER))?.body ?? "";

afterEach(() => {
  nock.cleanAll();
});

describe("/countersign that counts", () => {
  it("a second human's /countersign pinned to the head satisfies the gate, with 👍 and an updated status comment", async () => {
    const s = await seenPr();
    const c = await say(s, comment("carol", `LGTM\n\n/countersign ${s.gh.head.slice(0, 7)}`));
    expect(s.gh.check).toEqual(expect.objectContaining({ conclusion: "success", title: "Countersigned by @carol" }));
    expect(c.reactions).toEqual(["THUMBS_UP"]);
    expect(status(s.w)).toContain("✅ **countersigned** by `@carol`");
    expect(s.gh.summary().filter((r) => r.includes("/permission"))).toEqual([`GET ${base}/collaborators/carol/permission`]);
  });

  it("an unpinned /countersign written after countersign saw the head counts", async () => {
    const s = await seenPr();
    await say(s, comment("carol", "/countersign"));
    expect(s.gh.check?.conclusion).toBe("success");
  });

  it("a /countersign in a review body counts for the commit that review was made on", async () => {
    const s = await seenPr();
    s.w.reviews.push({ id: 9, login: "carol", state: "COMMENTED", commit: s.gh.head, submittedAt: LATER, body: "Checked the migration.\n\n/countersign" });
    await s.probot.receive(Events.review(s.w, s.gh.head));
    expect(s.gh.check?.conclusion).toBe("success");
    expect(s.w.reviews[0]?.reactions).toEqual(["THUMBS_UP"]);
  });

  it("review and comment approvals add up to a quorum of 2", async () => {
    const s = await seenPr({ config: "required_approvals: 2\n" });
    s.w.reviews.push({ id: 10, login: "dave", state: "APPROVED", commit: s.gh.head, submittedAt: LATER });
    await s.probot.receive(Events.review(s.w, s.gh.head));
    expect(s.gh.check?.title).toBe("Needs 1 more approval from someone other than @alice");
    await say(s, comment("carol", "/approve"));
    expect(s.gh.check).toEqual(expect.objectContaining({ conclusion: "success", title: "Countersigned by @dave and @carol" }));
  });

  it("/countersign status refreshes the status comment and gets a 👍", async () => {
    const s = await seenPr();
    const before = status(s.w);
    const c = await say(s, comment("rita", "/countersign status"));
    expect(c.reactions).toEqual(["THUMBS_UP"]);
    expect(status(s.w)).toBe(before);
    expect(s.w.comments.filter((x) => x.byApp)).toHaveLength(1);
  });
});

describe("/countersign that does not count", () => {
  it.each([
    ["the operator", "alice", "accountable for the AI-authored change (an operator)"],
    ["someone without write access", "rita", "has read access; needs write or more"],
  ])("from %s: 😕 and the reason in the status comment", async (_who, login, reason) => {
    const s = await seenPr();
    const c = await say(s, comment(login, "/countersign"));
    expect(s.gh.check?.conclusion).toBe("action_required");
    expect(c.reactions).toEqual(["CONFUSED"]);
    expect(status(s.w)).toContain(`\`@${login}\`: comment approval not counted: ${reason}`);
  });

  it("from a human co-author of the AI commit", async () => {
    const commit = { ...aiCommit(), message: `Change\n\n${CLAUDE}\nCo-authored-by: Bob Example <bob@example.com>\n`, coAuthors: [human("bob")] };
    const s = await seenPr({ commits: [commit], permissions: { bob: "admin" } });
    const c = await say(s, comment("bob", "/countersign"));
    expect(s.gh.check?.conclusion).toBe("action_required");
    expect(c.reactions).toEqual(["CONFUSED"]);
  });

  it("from a bot or an AI agent: never counts, and countersign does not answer it", async () => {
    const s = await seenPr();
    const bot = await say(s, comment("renovate", "/countersign", { type: "Bot" }));
    const agent = await say(s, comment("Copilot", "/countersign", { type: "Bot" }));
    expect(s.gh.check?.conclusion).toBe("action_required");
    expect(bot.reactions).toBeUndefined();
    expect(agent.reactions).toBeUndefined();
    expect(status(s.w)).not.toContain("renovate");
  });

  it.each([
    ["in a fenced code block", "Type this:\n\n```\n/countersign\n```"],
    ["in a block quote", "> /countersign\n\nwhy did you write that?"],
    ["with look-alike letters", "/c\u043Euntersign"],
    ["with a zero-width space", "/counter\u200Bsign"],
    ["in a sentence", "I will /countersign tomorrow"],
  ])("%s is not a command: no reaction, no look-up", async (_what, body) => {
    const s = await seenPr();
    const c = await say(s, comment("carol", body));
    expect(s.gh.check?.conclusion).toBe("action_required");
    expect(c.reactions).toBeUndefined();
    expect(s.gh.summary().some((r) => r.includes("/permission"))).toBe(false);
  });

  it("pinned to an older commit: 😕, with the command for the head", async () => {
    const s = await seenPr();
    const old = s.gh.head;
    s.w.commits.push(aiCommit());
    await s.probot.receive(Events.pullRequest(s.w, s.gh.head, "synchronize"));
    const c = await say(s, comment("carol", `/countersign ${old.slice(0, 7)}`));
    expect(s.gh.check?.conclusion).toBe("action_required");
    expect(c.reactions).toEqual(["CONFUSED"]);
    expect(status(s.w)).toContain(`it approves ${old.slice(0, 7)}, but the head is ${s.gh.head.slice(0, 7)}: approve the head with /countersign ${s.gh.head.slice(0, 7)}`);
    expect(status(s.w)).toContain(`\`\`\`\n/countersign ${s.gh.head.slice(0, 7)}\n\`\`\``);
  });

  it("unpinned, written before countersign saw the head: stale", async () => {
    const s = await seenPr();
    const c = await say(s, comment("carol", "/countersign", { createdAt: EARLIER }));
    expect(s.gh.check?.conclusion).toBe("action_required");
    expect(c.reactions).toEqual(["CONFUSED"]);
    expect(status(s.w)).toContain("it was written before countersign saw the head");
  });

  it("conflicting commands in one comment do nothing", async () => {
    const s = await seenPr();
    const c = await say(s, comment("carol", "/countersign\n/countersign revoke"));
    expect(s.gh.check?.conclusion).toBe("action_required");
    expect(c.reactions).toEqual(["CONFUSED"]);
    expect(status(s.w)).toContain("conflicting commands in one comment");
  });

  it("a comment on a plain issue is ignored", async () => {
    const s = await seenPr();
    const event = commentEvent(s.w);
    delete ((event.payload as unknown as Record<string, Record<string, unknown>>).issue ?? {}).pull_request;
    await s.probot.receive(event);
    expect(s.gh.requests).toEqual([]);
  });
});

describe("tamper resistance", () => {
  it("an approval edited by its own author no longer counts (edited approvals never count)", async () => {
    const s = await seenPr();
    const c = await say(s, comment("carol", "/countersign"));
    expect(s.gh.check?.conclusion).toBe("success");
    c.body = "/countersign\n\n(typo fixed)";
    c.lastEditedAt = "2026-11-26T12:40:00Z";
    c.editor = "carol";
    c.history = [{ editor: "carol", editedAt: c.createdAt, text: "/countersign" }, { editor: "carol", editedAt: "2026-11-26T12:40:00Z", text: c.body }];
    await say(s, c, "edited");
    expect(s.gh.check?.conclusion).toBe("action_required");
    expect(status(s.w)).toContain("the comment was edited, and edited approvals never count");
  });

  it("an approval comment edited by someone else fails the check until a fresh approval arrives", async () => {
    const s = await seenPr({ permissions: { carol: "read", dave: "write", mallory: "admin" } });
    const c = await say(s, comment("carol", "Not sure about this yet."));
    c.body = "/countersign";
    c.lastEditedAt = "2026-11-26T12:45:00Z";
    c.editor = "mallory";
    c.history = [{ editor: "carol", editedAt: c.createdAt, text: "Not sure about this yet." }, { editor: "mallory", editedAt: "2026-11-26T12:45:00Z", text: "/countersign" }];
    await say(s, c, "edited");
    expect(s.gh.check).toEqual(expect.objectContaining({ conclusion: "failure", title: "Cannot decide: an approval comment by @carol was edited by @mallory" }));
    expect(s.gh.check?.summary).toContain("an approval comment by @carol was edited by @mallory");
    expect(s.logs.decisions().at(-1)).toEqual(expect.objectContaining({ level: 40, tampering: ["carol edited by mallory"] }));
    await say(s, comment("dave", "/countersign", { createdAt: "2026-11-26T13:00:00Z" }));
    expect(s.gh.check).toEqual(expect.objectContaining({ conclusion: "success", title: "Countersigned by @dave" }));
  });

  it("a command removed by someone else's edit still counts as tampering", async () => {
    const s = await seenPr();
    const c = await say(s, comment("carol", "/countersign revoke"));
    c.body = "(removed)";
    c.lastEditedAt = "2026-11-26T12:50:00Z";
    c.editor = "alice";
    c.history = [{ editor: "carol", editedAt: c.createdAt, text: "/countersign revoke" }, { editor: "alice", editedAt: "2026-11-26T12:50:00Z", text: "(removed)" }];
    await say(s, c, "edited");
    expect(s.gh.check?.summary).toContain("an approval comment by @carol was edited by @alice");
  });

  it("a deleted approval comment no longer counts", async () => {
    const s = await seenPr();
    const c = await say(s, comment("carol", "/countersign"));
    expect(s.gh.check?.conclusion).toBe("success");
    s.w.comments = s.w.comments.filter((x) => x !== c);
    await say(s, c, "deleted");
    expect(s.gh.check?.conclusion).toBe("action_required");
  });

  it("/countersign revoke withdraws the author's earlier approvals, review ones included; a later one counts again", async () => {
    const s = await seenPr();
    s.w.reviews.push({ id: 11, login: "carol", state: "APPROVED", commit: s.gh.head, submittedAt: "2026-11-26T12:10:00Z" });
    await s.probot.receive(Events.review(s.w, s.gh.head));
    expect(s.gh.check?.conclusion).toBe("success");
    const revoke = await say(s, comment("carol", "/countersign revoke", { createdAt: "2026-11-26T12:20:00Z" }));
    expect(revoke.reactions).toEqual(["THUMBS_UP"]);
    expect(s.gh.check?.conclusion).toBe("action_required");
    expect(status(s.w)).toContain("`@carol`: revoked their approval with /countersign revoke");
    await say(s, comment("carol", "/countersign", { createdAt: "2026-11-26T12:40:00Z" }));
    expect(s.gh.check?.conclusion).toBe("success");
  });
});

describe("feedback", () => {
  it("keeps one status comment per PR, created when the PR is AI-authored, edited in place", async () => {
    const s = await seenPr();
    expect(s.w.comments.filter((c) => c.byApp)).toHaveLength(1);
    const body = status(s.w);
    expect(body).toContain("⏳ **Needs 1 more approval from someone other than `@alice`**");
    expect(body).toContain("**Detected:** Claude Code in 1 of 1 commit");
    expect(body).toContain(`\`\`\`\n/countersign ${s.gh.head.slice(0, 7)}\n\`\`\``);
    expect(body).not.toMatch(/(^|[^`])@alice/); // names never become mentions
    await say(s, comment("carol", "/countersign"));
    expect(s.w.comments.filter((c) => c.byApp)).toHaveLength(1);
    expect(s.gh.writes().filter((r) => r.fields?.includes("updateIssueComment"))).toHaveLength(1);
  });

  it("a human-only PR gets no status comment", async () => {
    const w = world({ commits: [{ sha: nextSha(), message: "Docs\n", author: human("alice") }] });
    const gh = new GitHubDouble(w);
    const { probot } = await makeProbot();
    await probot.receive(Events.pullRequest(w, gh.head));
    expect(w.comments).toEqual([]);
  });

  it("the same comment event delivered twice reacts once and writes nothing the second time", async () => {
    const s = await seenPr();
    const c = await say(s, comment("carol", "/countersign"));
    s.gh.reset();
    await s.probot.receive(commentEvent(s.w));
    expect(c.reactions).toEqual(["THUMBS_UP"]);
    expect(s.gh.writes()).toEqual([]);
    expect(s.gh.summary().filter((r) => r.includes("addReaction"))).toEqual([]);
  });

  it("commands can be switched off", async () => {
    const s = await seenPr({ config: "commands:\n  enabled: false\n" });
    const c = await say(s, comment("carol", "/countersign"));
    expect(s.gh.check?.conclusion).toBe("action_required");
    expect(c.reactions).toBeUndefined();
  });
});
