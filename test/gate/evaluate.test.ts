import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { DEFAULT_CONFIG, type Config } from "../../src/config/schema.js";
import { createDetector } from "../../src/detection/detect.js";
import { decisiveReviews, evaluate } from "../../src/gate/evaluate.js";
import type { CommitFact, PullRequestFacts, ReviewFact } from "../../src/gate/facts.js";
import { MAX_TEXT, MAX_TITLE, renderVerdict } from "../../src/gate/render.js";

const detector = createDetector();
const HEAD = "b".repeat(40);
const OLD = "a".repeat(40);
const actor = (login: string) => ({ name: `${login} Example`, email: `${login}@example.com`, user: { login } });

function commit(sha: string, ai: boolean, by = "alice"): CommitFact {
  return { sha, message: ai ? "Change\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n" : "Change\n", author: actor(by), committer: actor(by), authors: [actor(by)] };
}

function facts(partial: Partial<PullRequestFacts>): PullRequestFacts {
  return {
    owner: "acme",
    repo: "infra",
    number: 7,
    url: "https://github.com/acme/infra/pull/7",
    state: "OPEN",
    merged: false,
    mergedBy: null,
    author: { login: "alice", type: "User", id: 1 },
    body: "",
    labels: [],
    baseRef: "main",
    headRef: "feature",
    headSha: HEAD,
    commits: [commit(OLD, true), commit(HEAD, false)],
    reviews: [],
    assignments: [],
    permissions: new Map(),
    teamMembership: new Map(),
    existingCheckRun: null,
    comments: [],
    changedFiles: 0,
    files: null,
    ...partial,
  };
}

const LOGINS = ["alice", "bob", "carol", "dave", "renovate", "Copilot"] as const;

const reviewArb = fc.record({
  id: fc.integer({ min: 1, max: 1_000_000 }),
  login: fc.constantFrom(...LOGINS),
  state: fc.constantFrom("APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING"),
  onHead: fc.boolean(),
  canPush: fc.boolean(),
  minute: fc.integer({ min: 0, max: 59 }),
});

describe("the approval decision", () => {
  it("never passes an AI-authored PR without an approval of the head by an eligible human", () => {
    fc.assert(
      fc.property(fc.array(reviewArb, { maxLength: 12 }), fc.integer({ min: 1, max: 3 }), (raw, required) => {
        const reviews: ReviewFact[] = raw.map((r) => ({
          id: r.id,
          author: { login: r.login, type: r.login === "renovate" || r.login === "Copilot" ? "Bot" : "User" },
          state: r.state as ReviewFact["state"],
          commitSha: r.onHead ? HEAD : OLD,
          submittedAt: r.state === "PENDING" ? null : `2026-11-26T10:${String(r.minute).padStart(2, "0")}:00Z`,
          authorCanPush: r.canPush,
        }));
        const config: Config = { ...DEFAULT_CONFIG, required_approvals: required };
        const verdict = evaluate(facts({ reviews }), config, detector);
        // Independent oracle: eligible = latest decisive review is an approval of the head, by a human
        // who is not the operator (alice) and can push.
        const eligible = decisiveReviews(reviews).filter((r) => r.state === "APPROVED" && r.commitSha === HEAD && r.author?.type === "User" && r.author.login !== "alice" && r.authorCanPush);
        expect(verdict.outcome).toBe(eligible.length >= required ? "satisfied" : "waiting");
        expect(renderVerdict(verdict).conclusion).toBe(eligible.length >= required ? "success" : "action_required");
      }),
      { numRuns: 500, seed: 7 },
    );
  });

  it("passes a human-only PR without any approval", () => {
    const v = evaluate(facts({ commits: [commit(HEAD, false)] }), DEFAULT_CONFIG, detector);
    expect(v.outcome).toBe("not-ai");
    expect(renderVerdict(v)).toEqual({ conclusion: "success", title: "No AI-authored changes detected", summary: expect.any(String), text: "" });
  });

  it("uses each reviewer's latest decisive review", () => {
    const r = (id: number, state: ReviewFact["state"], minute: number): ReviewFact => ({ id, author: { login: "carol", type: "User" }, state, commitSha: HEAD, submittedAt: `2026-11-26T10:0${minute}:00Z`, authorCanPush: true });
    expect(decisiveReviews([r(1, "APPROVED", 1), r(2, "CHANGES_REQUESTED", 2)]).map((x) => x.id)).toEqual([2]);
    expect(decisiveReviews([r(2, "CHANGES_REQUESTED", 2), r(1, "APPROVED", 3), r(3, "COMMENTED", 4)]).map((x) => x.id)).toEqual([1]);
  });

  it("keeps the check output within GitHub's limits on a huge PR", () => {
    const commits = Array.from({ length: 3000 }, (_, i) => ({ ...commit(i.toString(16).padStart(40, "0"), true), message: `Change ${i}\n\nCo-Authored-By: Claude ${"x".repeat(500)} <noreply@anthropic.com>\n` }));
    const v = evaluate(facts({ commits, headSha: commits[commits.length - 1]?.sha ?? HEAD }), DEFAULT_CONFIG, detector);
    const out = renderVerdict(v);
    expect(out.title.length).toBeLessThanOrEqual(MAX_TITLE);
    expect(out.summary.length).toBeLessThanOrEqual(MAX_TEXT);
    expect(out.text.length).toBeLessThanOrEqual(MAX_TEXT);
    expect(out.text).toContain("… and 2950 more AI-authored commits");
  });

  it("renders identically for identical facts (so unchanged verdicts cause no writes)", () => {
    const a = renderVerdict(evaluate(facts({}), DEFAULT_CONFIG, detector));
    const b = renderVerdict(evaluate(facts({}), DEFAULT_CONFIG, detector));
    expect(a).toEqual(b);
  });
});
