/**
 * The gate's central promise, as a property: `evaluate()` never says `satisfied` for a pull request
 * with AI signals unless someone eligible approved its head. The oracle is independent of the
 * implementation: the generator builds pull requests whose every approval-like act belongs to a class
 * that must not count, by construction —
 *
 * - from an operator (the PR's human author, in any letter case);
 * - from a bot or an AI agent (Bot accounts, `[bot]` logins, Copilot);
 * - from people without the permission (cannot push; read/triage/none for commands);
 * - from a deleted account;
 * - stale: a review of an older commit, a command pinned to an older commit, an unpinned command
 *   written before countersign first saw the head (or when it never saw it);
 * - withdrawn: an approval followed by requesting changes or a dismissal;
 * - not a command: in code, in a quote, with look-alike or invisible characters, conflicting;
 * - edited, or edited by someone else (tampering);
 * - reviews that are only comments, or pending;
 *
 * — mixed with arbitrary commits, comments and labels. A positive control adds one eligible approval
 * to the same pull requests and expects `satisfied`, so the property cannot pass by the gate simply
 * never opening.
 */
import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { parseConfig, type Config } from "../../src/config/schema.js";
import { createDetector } from "../../src/detection/detect.js";
import { evaluate } from "../../src/gate/evaluate.js";
import type { Account, CommentFact, CommitFact, GitActor, PullRequestFacts, ReviewFact } from "../../src/gate/facts.js";

const HEAD = "1111111111111111111111111111111111111111";
const OLD = "2222222222222222222222222222222222222222";
const SEEN = "2026-11-26T12:00:00Z";
const CLAUDE = "Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>";
const detector = createDetector();

const user = (login: string): Account => ({ login, type: "User", id: 100 + login.length });
const actor = (login: string): GitActor => ({ name: `${login} Example`, email: `${login}@example.com`, user: { login, id: 100 + login.length } });
const at = (minute: number) => `2026-11-26T${String(10 + Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}:00Z`;

let ids = 0;
function comment(author: Account | null, body: string, createdAt: string, more: Partial<CommentFact> = {}): CommentFact {
  ids++;
  return { kind: "comment", id: ids, nodeId: `IC_${ids}`, url: `https://github.com/acme/infra/pull/7#issuecomment-${ids}`, author, body, createdAt, lastEditedAt: null, editor: null, edits: [], reviewCommitSha: null, byThisApp: false, reacted: false, ...more };
}
function review(author: Account | null, state: ReviewFact["state"], commitSha: string | null, submittedAt: string | null, authorCanPush = true): ReviewFact {
  ids++;
  return { id: ids, author, state, commitSha, submittedAt, authorCanPush };
}

/** One approval-like act that must not count, at a given minute (past SEEN is minute 120+). */
type Act = { reviews: ReviewFact[]; comments: CommentFact[]; permissions?: [string, "read" | "triage" | "none"][]; tampers?: boolean };

const operatorLogin = fc.constantFrom("alice", "Alice", "ALICE");
const botAccount = fc.constantFrom<Account>({ login: "renovate", type: "Bot", id: 2 }, { login: "dependabot[bot]", type: "User", id: 3 }, { login: "Copilot", type: "Bot", id: 198982749 }, { login: "claude", type: "Bot", id: 4 }, { login: "github-actions", type: "Bot", id: 5 });
const noCommand = fc.constantFrom("```\n/countersign\n```", "> /countersign", "    /countersign", "/c\u043euntersign", "/counter\u200bsign", "I will /countersign later", "/countersign please", "/countersign\n/countersign revoke", "<!-- /countersign -->");
const minute = fc.integer({ min: 0, max: 240 });

const act: fc.Arbitrary<Act> = fc.oneof(
  // Operators approve (review or command), in any letter case.
  fc.tuple(operatorLogin, minute, fc.boolean()).map(([login, m, byReview]) => (byReview ? { reviews: [review(user(login), "APPROVED", HEAD, at(m))], comments: [] } : { reviews: [], comments: [comment(user(login), `/countersign ${HEAD.slice(0, 7)}`, at(m))] })),
  // Bots and agents.
  fc.tuple(botAccount, minute, fc.boolean()).map(([account, m, byReview]) => (byReview ? { reviews: [review(account, "APPROVED", HEAD, at(m))], comments: [] } : { reviews: [], comments: [comment(account, "/countersign", at(m))] })),
  // No write access: a review by someone who cannot push; a command by a reader.
  fc.tuple(minute, fc.constantFrom<"read" | "triage" | "none">("read", "triage", "none")).map(([m, permission]) => ({ reviews: [review(user("rita"), "APPROVED", HEAD, at(m), false)], comments: [comment(user("rita"), `/countersign ${HEAD.slice(0, 7)}`, at(m))], permissions: [["rita", permission]] as [string, typeof permission][] })),
  // A deleted account.
  minute.map((m) => ({ reviews: [review(null, "APPROVED", HEAD, at(m))], comments: [comment(null, "/countersign", at(m))] })),
  // Stale: approvals of an older commit.
  minute.map((m) => ({ reviews: [review(user("carol"), "APPROVED", OLD, at(m))], comments: [comment(user("carol"), `/countersign ${OLD.slice(0, 7)}`, at(m))] })),
  // Unpinned, written before countersign saw the head.
  fc.integer({ min: 0, max: 120 }).map((m) => ({ reviews: [], comments: [comment(user("carol"), "/countersign", at(m))] })),
  // Withdrawn: approved, then changes requested or dismissed later.
  fc.tuple(minute, fc.integer({ min: 1, max: 30 }), fc.constantFrom<ReviewFact["state"]>("CHANGES_REQUESTED", "DISMISSED")).map(([m, later, state]) => ({ reviews: [review(user("erin"), "APPROVED", HEAD, at(m)), review(user("erin"), state, HEAD, at(m + later))], comments: [] })),
  // Reviews that are not approvals.
  fc.tuple(minute, fc.constantFrom<ReviewFact["state"]>("COMMENTED", "PENDING", "DISMISSED", "CHANGES_REQUESTED")).map(([m, state]) => ({ reviews: [review(user("frank"), state, HEAD, state === "PENDING" ? null : at(m))], comments: [] })),
  // Not commands.
  fc.tuple(noCommand, fc.integer({ min: 121, max: 240 })).map(([body, m]) => ({ reviews: [], comments: [comment(user("gina"), body, at(m))] })),
  // Edited by its author (edited approvals never count), or by someone else (tampering).
  fc.tuple(fc.integer({ min: 121, max: 200 }), fc.boolean()).map(([m, foreign]) => ({
    reviews: [],
    comments: [comment(user("hank"), `/countersign ${HEAD.slice(0, 7)}`, at(m), { lastEditedAt: at(m + 5), editor: foreign ? "mallory" : "hank", edits: [{ editor: "hank", editedAt: at(m), text: "/countersign" }, { editor: foreign ? "mallory" : "hank", editedAt: at(m + 5), text: `/countersign ${HEAD.slice(0, 7)}` }] })],
    tampers: foreign,
  })),
);

/** Arbitrary noise: commits by others, comments by someone without access, labels. */
const noiseCommit: fc.Arbitrary<CommitFact> = fc
  .tuple(fc.string({ maxLength: 200 }), fc.constantFrom("alice", "dave"), fc.integer({ min: 0, max: 999_999 }))
  .map(([message, by, n]) => ({ sha: `3${String(n).padStart(6, "0")}${"3".repeat(33)}`, message: message || "x", author: actor(by), committer: actor(by), authors: [actor(by)] }));

interface Generated {
  facts: PullRequestFacts;
  config: Config;
  tampers: boolean;
}

const generated: fc.Arbitrary<Generated> = fc
  .record({
    signal: fc.constantFrom("trailer", "label", "body", "trailer+label"),
    acts: fc.array(act, { maxLength: 12 }),
    noiseCommits: fc.array(noiseCommit, { maxLength: 3 }),
    noiseComments: fc.array(fc.tuple(fc.string({ unit: "binary", maxLength: 80 }), minute), { maxLength: 4 }),
    labels: fc.array(fc.constantFrom("bug", "triage", "needs-review"), { maxLength: 3 }),
    seen: fc.boolean(),
    requiredApprovals: fc.integer({ min: 1, max: 3 }),
    minPermission: fc.constantFrom("write", "maintain", "admin"),
    commands: fc.boolean(),
    alicePermission: fc.constantFrom("write", "admin", "maintain"),
  })
  .map((g) => {
    const aiCommit: CommitFact = { sha: HEAD, message: `Recreate the environment\n\n${g.signal.includes("trailer") ? CLAUDE : "Plain change."}\n`, author: actor("alice"), committer: actor("alice"), authors: [actor("alice")] };
    const permissions = new Map<string, "read" | "triage" | "write" | "maintain" | "admin" | "none">([["alice", g.alicePermission as "write"], ["carol", "write"], ["erin", "write"], ["frank", "write"], ["gina", "write"], ["hank", "write"], ["dave", "none"]]);
    for (const a of g.acts) for (const [login, p] of a.permissions ?? []) permissions.set(login, p);
    const comments = [...g.acts.flatMap((a) => a.comments), ...g.noiseComments.map(([body, m]) => comment(user("dave"), body, at(m)))].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
    const parsed = parseConfig({ required_approvals: g.requiredApprovals, min_permission: g.minPermission, commands: { enabled: g.commands } });
    if (!parsed.ok) throw new Error(`the generator built an invalid config: ${JSON.stringify(parsed.problems)}`);
    const facts = {
      owner: "acme",
      repo: "infra",
      number: 7,
      url: "https://github.com/acme/infra/pull/7",
      state: "OPEN",
      merged: false,
      mergedBy: null,
      author: user("alice"),
      body: g.signal === "body" ? "Implements it.\n\n<!-- START COPILOT CODING AGENT SUFFIX -->" : "Please review.",
      labels: [...g.labels, ...(g.signal.includes("label") ? ["ai-generated"] : [])],
      baseRef: "main",
      headRef: "feature",
      headSha: HEAD,
      // The AI commit is the head; noise commits come before it.
      commits: [...g.noiseCommits, aiCommit],
      reviews: g.acts.flatMap((a) => a.reviews),
      assignments: [],
      permissions,
      teamMembership: new Map<string, string[]>(),
      existingCheckRun: g.seen ? { id: 1, nodeId: "CR_1", startedAt: SEEN, status: "completed", conclusion: "action_required", title: "", summary: "", text: null } : null,
      comments,
      changedFiles: 1,
      files: null,
    } satisfies Partial<PullRequestFacts>;
    return { facts: facts as PullRequestFacts, config: parsed.value, tampers: g.acts.some((a) => a.tampers === true) };
  });

describe("evaluate(): no approval from anyone eligible, no pass", () => {
  it("a pull request with AI signals and only approvals that must not count is never satisfied", () => {
    fc.assert(
      fc.property(generated, ({ facts, config }) => {
        const verdict = evaluate(facts, config, detector);
        expect(verdict.pr.ai).toBe(true);
        expect(verdict.outcome).not.toBe("satisfied");
        expect(verdict.outcome).not.toBe("overridden");
        expect(verdict.counted).toEqual([]);
      }),
      { seed: 2101, numRuns: 400 },
    );
  });

  it("positive control: the same pull requests plus one eligible approval of the head are satisfied", () => {
    const eligible = review(user("zed"), "APPROVED", HEAD, at(300));
    fc.assert(
      fc.property(
        generated.filter((g) => !g.tampers),
        ({ facts, config }) => {
          const permissions = new Map(facts.permissions);
          permissions.set("zed", "admin");
          const one = parseConfig({ required_approvals: 1, min_permission: "write", commands: { enabled: config.commands.enabled } });
          if (!one.ok) throw new Error("bad control config");
          const verdict = evaluate({ ...facts, permissions, reviews: [...facts.reviews, eligible] }, one.value, detector);
          expect(verdict.outcome).toBe("satisfied");
          expect(verdict.counted.map((a) => a.login)).toEqual(["zed"]);
        },
      ),
      { seed: 2102, numRuns: 200 },
    );
  });
});
