/**
 * The gate, end to end through Probot: webhook in → exactly these GitHub requests → this check run.
 * Each scenario is a world (see harness.ts) and the events GitHub would send.
 */
import nock from "nock";
import { afterEach, describe, expect, it } from "@jest/globals";
import { publishRetryDelay } from "../../src/app/evaluate-pr.js";
import { APP_ID, Events, GitHubDouble, human, makeProbot, nextSha, OWNER, REPO, world, type WebhookEvent, type World, type WorldCommit, type WorldReview } from "./harness.js";

const CLAUDE = "Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>";
const base = `/repos/${OWNER}/${REPO}`;

function aiCommit(by = "alice", extra = ""): WorldCommit {
  return { sha: nextSha(), message: `Recreate the environment\n\nDone by the agent.\n\n${CLAUDE}${extra}\n`, author: human(by) };
}
function humanCommit(by = "alice"): WorldCommit {
  return { sha: nextSha(), message: "Fix a typo\n", author: human(by) };
}
let reviewId = 0;
function review(login: string | null, commit: string, state: WorldReview["state"] = "APPROVED", more: Partial<WorldReview> = {}): WorldReview {
  reviewId++;
  return { id: reviewId, login, state, commit, submittedAt: `2026-11-26T10:${String(reviewId % 60).padStart(2, "0")}:00Z`, ...more };
}

async function run(w: World, make: (w: World, head: string) => WebhookEvent = (x, head) => Events.pullRequest(x, head)) {
  const gh = new GitHubDouble(w);
  const { probot, logs } = await makeProbot();
  await probot.receive(make(w, gh.head));
  return { gh, probot, logs };
}

afterEach(() => {
  nock.cleanAll();
});

describe("pull requests without AI signals", () => {
  it("a human-only PR passes with one read and one write", async () => {
    const w = world({ commits: [humanCommit(), humanCommit()] });
    const { gh } = await run(w);
    expect(gh.summary()).toEqual(["POST countersignPullRequest", "POST countersignPublish(createCheckRun)"]);
    expect(gh.check).toEqual(expect.objectContaining({ name: "countersign", status: "completed", conclusion: "success", title: "No AI-authored changes detected" }));
    expect(w.labels).toEqual([]);
  });

  it("removes a stale ai-authored label once the AI commit is gone", async () => {
    const w = world({ commits: [humanCommit()], labels: ["ai-authored"] });
    const { gh } = await run(w);
    expect(gh.summary()).toEqual(["POST countersignPullRequest", "POST countersignPublish(createCheckRun, removeLabelsFromLabelable)"]);
    expect(w.labels).toEqual([]);
  });
});

describe("AI-authored pull requests", () => {
  it("blocks a Claude-co-authored PR, names the operator, and labels it (creating the label)", async () => {
    const w = world({ commits: [humanCommit(), aiCommit("alice")], labelExists: false });
    const { gh, logs } = await run(w);
    expect(gh.check?.conclusion).toBe("action_required");
    expect(gh.check?.title).toBe("Needs 1 more approval from someone other than @alice");
    expect(gh.check?.summary).toContain("**Operators** (accountable for the change, so they cannot countersign it): @alice (opened the pull request; authored AI-authored commit");
    expect(gh.check?.text).toContain("Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>");
    expect(gh.summary()).toEqual([
      "POST countersignPullRequest",
      `GET ${base}/pulls/7/files`, // AI-authored: risk needs the changed files
      `POST ${base}/labels`, // ai-authored: created with its colour and description (REST: GraphQL needs its node id)
      `POST ${base}/labels`, // risk: low
      `POST ${base}/issues/7/labels`, // both added in one request
      "POST countersignPublish(createCheckRun, addComment)", // everything else in one mutation
    ]);
    expect(gh.requests.find((r) => r.path === `${base}/issues/7/labels`)?.body).toEqual({ labels: ["ai-authored", "risk: low"] });
    expect(gh.requests.find((r) => r.path === `${base}/labels`)?.body).toEqual({ name: "ai-authored", color: "8250df", description: expect.stringContaining("countersign") });
    expect(w.labels).toEqual(["ai-authored", "risk: low"]);
    expect(logs.decisions()).toEqual([expect.objectContaining({ event: "decision", repo: `${OWNER}/${REPO}`, pr: 7, outcome: "waiting", conclusion: "action_required", operators: ["alice"], tools: ["Claude Code"], check: "created", label: "added" })]);
  });

  it("the operator's own approval does not count", async () => {
    const w = world({ commits: [aiCommit("alice")] });
    w.reviews = [review("alice", w.commits[0]?.sha ?? "")];
    const { gh } = await run(w, (x, head) => Events.review(x, head));
    expect(gh.check?.conclusion).toBe("action_required");
    expect(gh.check?.summary).toContain("@alice: accountable for the AI-authored change (an operator).");
  });

  it("a human co-author of the AI commit cannot countersign", async () => {
    const w = world({ author: { login: "alice", type: "User", id: 1 } });
    w.commits = [{ ...aiCommit("alice", "\nCo-authored-by: Bob Example <bob@example.com>"), coAuthors: [{ name: "Claude Opus 4.5", email: "noreply@anthropic.com", login: null }, human("bob")] }];
    w.reviews = [review("bob", w.commits[0]?.sha ?? "")];
    const { gh } = await run(w, (x, head) => Events.review(x, head));
    expect(gh.check?.conclusion).toBe("action_required");
    expect(gh.check?.title).toBe("Needs 1 more approval from someone other than @alice and @bob");
    expect(gh.check?.summary).toContain("@bob: accountable for the AI-authored change (an operator).");
  });

  it("a bot's approval does not count", async () => {
    const w = world({ commits: [aiCommit()] });
    w.reviews = [review("renovate", w.commits[0]?.sha ?? "", "APPROVED", { type: "Bot" })];
    const { gh } = await run(w, (x, head) => Events.review(x, head));
    expect(gh.check?.conclusion).toBe("action_required");
    expect(gh.check?.summary).toContain("@renovate: bots and apps cannot countersign.");
  });

  it("an AI agent's approval does not count", async () => {
    const w = world({ commits: [aiCommit()] });
    w.reviews = [review("Copilot", w.commits[0]?.sha ?? "", "APPROVED", { type: "Bot" })];
    const { gh } = await run(w, (x, head) => Events.review(x, head));
    expect(gh.check?.summary).toContain("@Copilot: an AI agent cannot countersign.");
  });

  it("an approval from a user without write access does not count", async () => {
    const w = world({ commits: [aiCommit()] });
    w.reviews = [review("dave", w.commits[0]?.sha ?? "", "APPROVED", { canPush: false })];
    const { gh } = await run(w, (x, head) => Events.review(x, head));
    expect(gh.check?.conclusion).toBe("action_required");
    expect(gh.check?.summary).toContain("@dave: has no write access to the repository.");
  });

  it("a second human's approval of the head commit satisfies the gate", async () => {
    const w = world({ commits: [aiCommit()] });
    w.reviews = [review("carol", w.commits[0]?.sha ?? "")];
    const { gh, logs } = await run(w, (x, head) => Events.review(x, head));
    expect(gh.check).toEqual(expect.objectContaining({ conclusion: "success", title: "Countersigned by @carol" }));
    expect(logs.decisions()[0]).toEqual(expect.objectContaining({ outcome: "satisfied", countersigners: ["carol"] }));
  });

  it("an approval of an older commit goes stale after a push, and is shown as stale", async () => {
    const first = aiCommit();
    const w = world({ commits: [first] });
    w.reviews = [review("carol", first.sha)];
    const gh = new GitHubDouble(w);
    const { probot } = await makeProbot();
    await probot.receive(Events.review(w, gh.head));
    expect(gh.check?.conclusion).toBe("success");
    w.commits.push(aiCommit());
    await probot.receive(Events.pullRequest(w, gh.head, "synchronize"));
    expect(gh.check?.conclusion).toBe("action_required");
    expect(gh.check?.summary).toContain(`@carol: approved ${first.sha.slice(0, 7)}, but the head is now ${gh.head.slice(0, 7)}.`);
  });

  it("a dismissed approval no longer counts", async () => {
    const w = world({ commits: [aiCommit()] });
    const head = w.commits[0]?.sha ?? "";
    w.reviews = [review("carol", head, "DISMISSED")];
    const { gh } = await run(w, (x, h) => Events.review(x, h, "dismissed"));
    expect(gh.check?.conclusion).toBe("action_required");
    expect(gh.check?.summary).toContain("**Countersigned by:** nobody yet (0 of 1 required).");
  });

  it("requesting changes after approving withdraws the approval", async () => {
    const w = world({ commits: [aiCommit()] });
    const head = w.commits[0]?.sha ?? "";
    w.reviews = [review("carol", head, "APPROVED"), review("carol", head, "CHANGES_REQUESTED")];
    const { gh } = await run(w, (x, h) => Events.review(x, h));
    expect(gh.check?.conclusion).toBe("action_required");
  });

  it("a comment after an approval keeps it", async () => {
    const w = world({ commits: [aiCommit()] });
    const head = w.commits[0]?.sha ?? "";
    w.reviews = [review("carol", head, "APPROVED"), review("carol", head, "COMMENTED")];
    const { gh } = await run(w, (x, h) => Events.review(x, h));
    expect(gh.check?.conclusion).toBe("success");
  });

  it("required_approvals: 2 needs two countersigners", async () => {
    const w = world({ commits: [aiCommit()], config: "required_approvals: 2\n" });
    const head = w.commits[0]?.sha ?? "";
    w.reviews = [review("carol", head)];
    const gh = new GitHubDouble(w);
    const { probot } = await makeProbot();
    await probot.receive(Events.review(w, gh.head));
    expect(gh.check?.title).toBe("Needs 1 more approval from someone other than @alice");
    w.reviews.push(review("erin", head));
    await probot.receive(Events.review(w, gh.head));
    expect(gh.check).toEqual(expect.objectContaining({ conclusion: "success", title: "Countersigned by @carol and @erin" }));
  });
});

describe("pull requests opened by an agent", () => {
  function copilotWorld(): World {
    const requester = "rita";
    const agent = { name: "copilot-swe-agent[bot]", email: "198982749+Copilot@users.noreply.github.com", login: "Copilot" };
    return world({
      author: { login: "Copilot", type: "Bot", id: 198982749 },
      body: "Implements the feature.\n\n<!-- START COPILOT CODING AGENT SUFFIX -->",
      assignments: [{ actor: requester, assignee: "Copilot" }],
      commits: [
        { sha: nextSha(), message: "Initial plan\n", author: agent },
        { sha: nextSha(), message: `Add feature\n\nCo-authored-by: Rita Example <rita@example.com>\n`, author: agent, coAuthors: [human(requester)] },
      ],
    });
  }

  it("the requester's approval does not count", async () => {
    const w = copilotWorld();
    w.reviews = [review("rita", w.commits[1]?.sha ?? "")];
    const { gh } = await run(w, (x, h) => Events.review(x, h));
    expect(gh.check?.conclusion).toBe("action_required");
    expect(gh.check?.title).toBe("Needs 1 more approval from someone other than @rita");
    expect(gh.check?.summary).toContain("@rita (assigned @Copilot to the pull request; co-authored AI-authored commit");
    expect(gh.check?.text).toContain("pr-author: `@Copilot`");
  });

  it("someone else's approval satisfies it", async () => {
    const w = copilotWorld();
    w.reviews = [review("rita", w.commits[1]?.sha ?? ""), review("sam", w.commits[1]?.sha ?? "")];
    const { gh } = await run(w, (x, h) => Events.review(x, h));
    expect(gh.check).toEqual(expect.objectContaining({ conclusion: "success", title: "Countersigned by @sam" }));
  });

  it("a Devin PR names its requester in the body", async () => {
    const w = world({
      author: { login: "devin-ai-integration", type: "Bot", id: 158243242 },
      body: "Link to Devin run: https://app.devin.ai/sessions/abc\nRequested by: Rita (@rita)",
      commits: [humanCommit("devin-helper")],
    });
    w.commits[0] = { sha: nextSha(), message: "Change\n", author: { name: "Devin AI", email: "158243242+devin-ai-integration[bot]@users.noreply.github.com", login: "devin-ai-integration[bot]" } };
    w.reviews = [review("rita", w.commits[0].sha)];
    const { gh } = await run(w, (x, h) => Events.review(x, h));
    expect(gh.check?.conclusion).toBe("action_required");
    expect(gh.check?.title).toBe("Needs 1 more approval from someone other than @rita");
  });
});

describe("large pull requests", () => {
  it("pages through 300 commits and finds an AI commit past the 250th", async () => {
    const commits = Array.from({ length: 300 }, (_, i) => (i === 280 ? aiCommit("alice") : humanCommit("alice")));
    const w = world({ commits });
    const { gh } = await run(w);
    expect(gh.summary().filter((s) => s.startsWith("POST countersign") && !s.startsWith("POST countersignPublish"))).toEqual(["POST countersignPullRequest", "POST countersignCommitsPage", "POST countersignCommitsPage"]);
    expect(gh.check?.conclusion).toBe("action_required");
    expect(gh.check?.summary).toContain("1 of 300 commits");
  });

  it("pages through 150 reviews and counts an approval on the second page", async () => {
    const w = world({ commits: [aiCommit()] });
    const head = w.commits[0]?.sha ?? "";
    w.reviews = Array.from({ length: 149 }, () => review("alice", head, "COMMENTED"));
    w.reviews.push(review("carol", head));
    const { gh } = await run(w, (x, h) => Events.review(x, h));
    expect(gh.summary().filter((s) => s.startsWith("POST countersign") && !s.startsWith("POST countersignPublish"))).toEqual(["POST countersignPullRequest", "POST countersignReviewsPage"]);
    expect(gh.check?.conclusion).toBe("success");
  });
});

describe("failing closed", () => {
  it("GitHub answering 502 three times (each retry too) fails the check, and the next event recovers", async () => {
    // Retried 1 s and 4 s after the first 502 (src/github/octokit.ts), then the evaluation fails closed.
    const w = world({ commits: [aiCommit()], graphqlFailures: { status: 502, times: 3 } });
    w.reviews = [review("carol", w.commits[0]?.sha ?? "")];
    const gh = new GitHubDouble(w);
    const { probot, logs } = await makeProbot();
    await probot.receive(Events.pullRequest(w, gh.head));
    expect(gh.check).toEqual(expect.objectContaining({ conclusion: "failure", title: "Cannot read this pull request from GitHub" }));
    expect(gh.check?.summary).toContain("HTTP 502");
    expect(logs.decisions()[0]).toEqual(expect.objectContaining({ outcome: "cannot-decide", reason: "gather_failed" }));
    await probot.receive(Events.review(w, gh.head));
    expect(gh.check).toEqual(expect.objectContaining({ conclusion: "success", title: "Countersigned by @carol" }));
  }, 20_000);

  it("an AI commit naming a human GitHub cannot identify fails closed, naming the commit and the person", async () => {
    const w = world();
    const c = { ...aiCommit("alice", "\nCo-authored-by: Mallory <mallory@unknown.example>"), coAuthors: [{ name: "Mallory", email: "mallory@unknown.example", login: null }] };
    w.commits = [c];
    w.reviews = [review("carol", c.sha)];
    const { gh } = await run(w);
    expect(gh.check?.conclusion).toBe("failure");
    expect(gh.check?.title).toBe("Cannot decide: an AI-authored commit names someone GitHub cannot identify");
    expect(gh.check?.summary).toContain(`AI-authored commit ${c.sha.slice(0, 7)} names co-author Mallory <mallory@unknown.example>`);
    expect(gh.check?.summary).toContain("require_resolvable_operators: false");
  });

  it("require_resolvable_operators: false relaxes that", async () => {
    const w = world({ config: "require_resolvable_operators: false\n" });
    const c = { ...aiCommit("alice", "\nCo-authored-by: Mallory <mallory@unknown.example>"), coAuthors: [{ name: "Mallory", email: "mallory@unknown.example", login: null }] };
    w.commits = [c];
    w.reviews = [review("carol", c.sha)];
    const { gh } = await run(w);
    expect(gh.check?.conclusion).toBe("success");
  });

  it("a bad config fails the check, naming every problem and its path", async () => {
    const w = world({ commits: [humanCommit()], config: "required_approvals: 0\nmode: strict\nlabels:\n  colour: red\n" });
    const { gh, logs } = await run(w);
    expect(gh.check).toEqual(expect.objectContaining({ conclusion: "failure", title: "Invalid .github/countersign.yml" }));
    expect(gh.check?.summary).toContain("`required_approvals`: required_approvals must be at least 1");
    expect(gh.check?.summary).toContain("`mode`: mode must be 'enforce' or 'observe'");
    expect(gh.check?.summary).toContain("`labels`: unknown key 'colour': remove it or check the spelling");
    expect(logs.decisions()[0]).toEqual(expect.objectContaining({ outcome: "cannot-decide", reason: "config_invalid" }));
  });

  it("a config that is not YAML fails the check under the configured name if it can be read", async () => {
    const w = world({ commits: [humanCommit()], config: "check_name: [unclosed\n" });
    const { gh } = await run(w);
    expect(gh.check).toEqual(expect.objectContaining({ name: "countersign", conclusion: "failure", title: "Invalid .github/countersign.yml" }));
    expect(gh.check?.summary).toContain("could not be read as YAML");
  });
});

describe("configuration", () => {
  it("observe mode computes everything but concludes neutral", async () => {
    const w = world({ commits: [aiCommit()], config: "mode: observe\n" });
    const { gh } = await run(w);
    expect(gh.check).toEqual(expect.objectContaining({ conclusion: "neutral", title: "[observe] Needs 1 more approval from someone other than @alice" }));
    expect(gh.check?.summary).toContain("**Observe mode**");
    expect(w.labels).toEqual(["ai-authored", "risk: low"]);
  });

  it("enabled: false reports neutral and leaves labels alone", async () => {
    const w = world({ commits: [aiCommit()], config: "enabled: false\n" });
    const { gh } = await run(w);
    expect(gh.check).toEqual(expect.objectContaining({ conclusion: "neutral", title: "countersign is disabled for this repository (enabled: false)" }));
    expect(w.labels).toEqual([]);
  });

  it("check_name and the label name are configurable", async () => {
    const w = world({ commits: [aiCommit()], config: "check_name: ai-gate\nlabels:\n  ai_authored: needs-countersign\n" });
    const { gh } = await run(w);
    expect(gh.check?.name).toBe("ai-gate");
    expect(w.labels).toEqual(["needs-countersign", "risk: low"]);
  });

  it("min_permission: maintain looks up each approver's role once and counts only maintainers", async () => {
    const w = world({ commits: [aiCommit()], config: "min_permission: maintain\n", permissions: { carol: "write", erin: "maintain" } });
    const head = w.commits[0]?.sha ?? "";
    w.reviews = [review("carol", head), review("erin", head)];
    const { gh } = await run(w, (x, h) => Events.review(x, h));
    expect(gh.summary().filter((s) => s.includes("/permission"))).toEqual([`GET ${base}/collaborators/carol/permission`, `GET ${base}/collaborators/erin/permission`]);
    expect(gh.check?.title).toBe("Countersigned by @erin");
    expect(gh.check?.summary).toContain("@carol: has write access; needs maintain or more.");
  });

  it("reads the config with the pull request: one request for a typical evaluation", async () => {
    const w = world({ commits: [aiCommit()], config: "required_approvals: 1\n" });
    w.reviews = [review("carol", w.commits[0]?.sha ?? "")];
    const { gh, logs } = await run(w, (x, h) => Events.review(x, h));
    // Reads: the pull request, and (AI-authored) its files. Writes, in one mutation: check run, the
    // ai-authored and risk labels (the repository has them, as the query showed), status comment.
    expect(gh.summary()).toEqual(["POST countersignPullRequest", `GET ${base}/pulls/7/files`, "POST countersignPublish(createCheckRun, addLabelsToLabelable, addComment)"]);
    expect(logs.decisions()[0]).toEqual(expect.objectContaining({ requests: 2 + 1 }));
  });

  it("organisation defaults from the owner's .github repository apply when the repository has none", async () => {
    const w = world({ commits: [aiCommit()], orgConfig: "mode: observe\n" });
    const { gh } = await run(w);
    expect(gh.check?.conclusion).toBe("neutral");
  });

  it("the repository's own file wins over the organisation's", async () => {
    const w = world({ commits: [aiCommit()], orgConfig: "mode: observe\n", config: "mode: enforce\n" });
    const { gh } = await run(w);
    expect(gh.check?.conclusion).toBe("action_required");
  });

  it("a file with _extends is read through Probot, which follows it", async () => {
    const w = world({ commits: [aiCommit()], config: "_extends: .github\nrequired_approvals: 2\n", orgConfig: "mode: observe\n" });
    w.reviews = [review("carol", w.commits[0]?.sha ?? "")];
    const { gh } = await run(w, (x, h) => Events.review(x, h));
    expect(gh.summary().filter((r) => r.startsWith("GET"))).toEqual([`GET ${base}/contents/.github/countersign.yml`, `GET /repos/${OWNER}/.github/contents/.github/countersign.yml`, `GET ${base}/pulls/7/files`]);
    expect(gh.check).toEqual(expect.objectContaining({ conclusion: "neutral", title: "[observe] Needs 1 more approval from someone other than @alice" }));
  });

  it("detection config extends the catalog", async () => {
    const w = world({ commits: [{ sha: nextSha(), message: "Change\n\nX-Agent: acme\n", author: human("alice") }], config: "detection:\n  trailers:\n    - key: X-Agent\n      tool: Acme\n" });
    const { gh } = await run(w);
    expect(gh.check?.conclusion).toBe("action_required");
    expect(gh.check?.summary).toContain("(Acme)");
  });
});

describe("idempotence and events", () => {
  it("the same webhook delivered twice writes nothing the second time", async () => {
    const w = world({ commits: [aiCommit()] });
    const gh = new GitHubDouble(w);
    const { probot } = await makeProbot();
    const event = Events.pullRequest(w, gh.head);
    await probot.receive(event);
    const firstWrites = gh.writes();
    gh.reset();
    await probot.receive(event);
    // Check run, ai-authored and risk labels (they exist), status comment: one mutation.
    expect(firstWrites.map((r) => r.fields)).toEqual([["createCheckRun", "addLabelsToLabelable", "addComment"]]);
    // The same head and base: the changed files are known already. One read, no write.
    expect(gh.summary()).toEqual(["POST countersignPullRequest"]);
  });

  it("a changed verdict updates the existing check run instead of creating another", async () => {
    const w = world({ commits: [aiCommit()] });
    const gh = new GitHubDouble(w);
    const { probot } = await makeProbot();
    await probot.receive(Events.pullRequest(w, gh.head));
    w.reviews = [review("carol", gh.head)];
    gh.reset();
    await probot.receive(Events.review(w, gh.head));
    const statusId = w.comments.find((c) => c.byApp)?.id;
    expect(gh.writes().map((r) => r.fields)).toEqual([["updateCheckRun", "updateIssueComment"]]);
    expect(gh.writes()[0]?.body).toMatchObject({ check: { checkRunId: `CR_${gh.check?.id}` }, status: { id: `IC_${statusId}` } });
    expect(w.checkRuns).toHaveLength(1);
    expect(gh.check?.conclusion).toBe("success");
  });

  it("a check run GitHub refuses is reported for another try; the rest of the mutation still lands", async () => {
    const w = world({ commits: [aiCommit()], refuseMutations: { createCheckRun: 1 } });
    const { gh, logs } = await run(w);
    expect(gh.check).toBeUndefined();
    expect(w.comments.filter((c) => c.byApp)).toHaveLength(1);
    expect(w.labels).toEqual(["ai-authored", "risk: low"]);
    // The verdict blocks and GitHub shows no check for it: the app evaluates again (index.ts backs off).
    expect(logs.decisions()).toEqual([expect.objectContaining({ check: "failed", status_comment: "created", label: "added", unpublished: true })]);
    expect(logs.lines.some((l) => l.event === "publish_failed")).toBe(true);
    // The next evaluation writes the check run, and only it.
    gh.reset();
    const again = await makeProbot();
    await again.probot.receive(Events.pullRequest(w, gh.head));
    expect(gh.writes().map((r) => r.fields)).toEqual([["createCheckRun"]]);
    expect(gh.check?.conclusion).toBe("action_required");
    expect(again.logs.decisions()).toEqual([expect.not.objectContaining({ unpublished: true })]);
  });

  it("after a refused check run the app evaluates again by itself, backing off, until it is written", async () => {
    const w = world({ commits: [aiCommit()], refuseMutations: { createCheckRun: 2 } });
    const gh = new GitHubDouble(w);
    const { probot, logs } = await makeProbot({ publishRetryDelay: (n) => (n < 3 ? 20 : undefined) });
    await probot.receive(Events.pullRequest(w, gh.head));
    // The double applies the mutation before the app logs the decision that follows its answer:
    // wait for the third decision, not for the check run, or the log can be one line short.
    for (let i = 0; i < 100 && logs.decisions().length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect(gh.check?.conclusion).toBe("action_required");
    expect(logs.decisions().map((d) => d.unpublished === true)).toEqual([true, true, false]);
    expect(w.checkRuns).toHaveLength(1);
    expect(w.comments.filter((c) => c.byApp)).toHaveLength(1);
  });

  it("gives up after the last try and says so; the next event tries again", async () => {
    const w = world({ commits: [aiCommit()], refuseMutations: { createCheckRun: 5 } });
    const gh = new GitHubDouble(w);
    const { probot, logs } = await makeProbot({ publishRetryDelay: (n) => (n < 1 ? 20 : undefined) });
    await probot.receive(Events.pullRequest(w, gh.head));
    for (let i = 0; i < 100 && !logs.lines.some((l) => l.event === "publish_retries_exhausted"); i++) await new Promise((r) => setTimeout(r, 20));
    expect(logs.decisions()).toHaveLength(2);
    expect(logs.lines.filter((l) => l.event === "publish_retries_exhausted")).toHaveLength(1);
    expect(gh.check).toBeUndefined();
  });

  it("a refused update of a passing check run, when the verdict now blocks, is reported for another try", async () => {
    const w = world({ commits: [aiCommit()] });
    w.reviews = [review("carol", w.commits[0]?.sha ?? "")];
    const gh = new GitHubDouble(w);
    const { probot, logs } = await makeProbot();
    await probot.receive(Events.review(w, gh.head));
    expect(gh.check?.conclusion).toBe("success");
    w.reviews = [];
    w.refuseMutations = { updateCheckRun: 1 };
    await probot.receive(Events.pullRequest(w, gh.head));
    expect(logs.decisions().at(-1)).toEqual(expect.objectContaining({ conclusion: "action_required", check: "failed", unpublished: true }));
  });

  it("Re-run from GitHub's UI (check_run.rerequested) recomputes", async () => {
    const w = world({ commits: [aiCommit()] });
    w.reviews = [review("carol", w.commits[0]?.sha ?? "")];
    const { gh } = await run(w, (x, h) => Events.checkRunRerequested(x, h));
    expect(gh.check?.conclusion).toBe("success");
  });

  it("a re-run of a fork PR's check (no pull_requests in the payload) finds the PR by its head commit", async () => {
    const w = world({ commits: [aiCommit()] });
    const { gh } = await run(w, (x, h) => Events.checkRunRerequested(x, h, []));
    expect(gh.summary()[0]).toBe(`GET ${base}/commits/${gh.head}/pulls`);
    expect(gh.check?.conclusion).toBe("action_required");
  });

  it("ignores re-runs of another app's check", async () => {
    const w = world({ commits: [aiCommit()] });
    const { gh } = await run(w, (x, h) => Events.checkRunRerequested(x, h, [x.number], APP_ID + 1));
    expect(gh.requests).toEqual([]);
  });

  it("check_suite.requested evaluates the suite's pull requests", async () => {
    const w = world({ commits: [humanCommit()] });
    const { gh } = await run(w, (x, h) => Events.checkSuite(x, h));
    expect(gh.check?.conclusion).toBe("success");
  });

  it("a burst of events on one PR costs at most two evaluations and ends on the right verdict", async () => {
    const w = world({ commits: [aiCommit()] });
    w.reviews = [review("carol", w.commits[0]?.sha ?? "")];
    const gh = new GitHubDouble(w);
    const { probot } = await makeProbot();
    await Promise.all(Array.from({ length: 10 }, (_, i) => probot.receive(i % 2 ? Events.review(w, gh.head) : Events.pullRequest(w, gh.head, "labeled"))));
    expect(gh.summary().filter((s) => s === "POST countersignPullRequest").length).toBeLessThanOrEqual(2);
    expect(gh.check?.conclusion).toBe("success");
    expect(w.checkRuns).toHaveLength(1);
  });

  it("an event whose payload lacks what countersign needs is logged and ignored", async () => {
    const w = world({ commits: [humanCommit()] });
    const gh = new GitHubDouble(w);
    const { probot, logs } = await makeProbot();
    const event = Events.pullRequest(w, gh.head);
    delete ((event.payload as unknown as Record<string, Record<string, unknown>>).pull_request ?? {}).number;
    await probot.receive(event);
    expect(gh.requests).toEqual([]);
    expect(logs.lines.some((l) => l.event === "ignored_payload")).toBe(true);
  });
});

describe("trying again after a publish that did not complete", () => {
  it("waits 10 s, then three times longer each time, and gives up after five tries", () => {
    expect([0, 1, 2, 3, 4, 5].map(publishRetryDelay)).toEqual([10_000, 30_000, 90_000, 270_000, 810_000, undefined]);
  });
});

describe("what a webhook costs the app", () => {
  it("Probot builds one installation Octokit per webhook, and evaluations share one per installation", async () => {
    const w = world({ commits: [aiCommit()] });
    const gh = new GitHubDouble(w);
    let built = 0;
    const { probot } = await makeProbot({ onOctokit: () => built++, appAuth: true });
    await probot.receive(Events.pullRequest(w, gh.head));
    expect(gh.check?.conclusion).toBe("action_required");
    const before = built;
    w.reviews = [review("carol", gh.head)];
    await probot.receive(Events.review(w, gh.head));
    await probot.receive(Events.pullRequest(w, gh.head, "labeled"));
    // Each webhook's own context, and nothing else: not one per handler, not one per evaluation.
    expect(built - before).toBe(2);
    expect(gh.check?.conclusion).toBe("success");
  });

  it("a webhook without an installation is evaluated with its own context", async () => {
    const w = world({ commits: [aiCommit()] });
    const gh = new GitHubDouble(w);
    const { probot } = await makeProbot();
    const event = Events.pullRequest(w, gh.head);
    delete (event.payload as unknown as Record<string, unknown>).installation;
    await probot.receive(event);
    expect(gh.check?.conclusion).toBe("action_required");
  });
});
