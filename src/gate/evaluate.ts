/**
 * The approval decision: a pure function of the gathered facts and the config, returning a verdict
 * that carries its reasons. Every surface (check run, logs) renders this one value.
 */
import type { CommitDetection, Detector, PullRequestDetection } from "../detection/detect.js";
import type { Config, Permission } from "../config/schema.js";
import { PERMISSIONS } from "../config/schema.js";
import type { Account, PullRequestFacts, ReviewFact } from "./facts.js";
import { asPerson, findOperators, normalizeLogin, short, type Operator, type UnresolvedIdentity } from "./operators.js";

export type Outcome =
  /** No AI signal: nothing to countersign. */
  | "not-ai"
  /** AI-authored and not yet countersigned by enough people. */
  | "waiting"
  /** AI-authored and countersigned. */
  | "satisfied"
  /** countersign cannot decide (e.g. an accountable human it cannot identify): fails closed. */
  | "cannot-decide"
  /** `enabled: false` in the config. */
  | "disabled";

export interface Approval {
  readonly login: string;
  readonly commitSha: string;
}

export type NotCountedReason = "stale" | "operator" | "bot" | "ai" | "no-permission" | "ghost";

export interface NotCounted {
  readonly login: string;
  readonly reason: NotCountedReason;
  /** Human-readable detail, e.g. "approved 1a2b3c4, but the head is now 5d6e7f8". */
  readonly detail: string;
}

export interface Verdict {
  readonly outcome: Outcome;
  readonly mode: Config["mode"];
  readonly headSha: string;
  readonly pr: PullRequestDetection;
  readonly commits: readonly { readonly sha: string; readonly detection: CommitDetection }[];
  readonly operators: readonly Operator[];
  readonly unresolved: readonly UnresolvedIdentity[];
  readonly counted: readonly Approval[];
  readonly notCounted: readonly NotCounted[];
  readonly required: number;
  /** Why countersign cannot decide (for `cannot-decide`). */
  readonly problems: readonly string[];
}

const rank = (p: Permission | "none"): number => (p === "none" ? -1 : PERMISSIONS.indexOf(p));

/** Each reviewer's review that decides their approval: the latest APPROVED, CHANGES_REQUESTED or DISMISSED one. */
export function decisiveReviews(reviews: readonly ReviewFact[]): ReviewFact[] {
  const latest = new Map<string, ReviewFact>();
  const ordered = reviews
    .filter((r) => r.submittedAt !== null && (r.state === "APPROVED" || r.state === "CHANGES_REQUESTED" || r.state === "DISMISSED"))
    .sort((a, b) => (a.submittedAt ?? "").localeCompare(b.submittedAt ?? "") || a.id - b.id);
  for (const r of ordered) latest.set(r.author ? normalizeLogin(r.author.login) : `ghost:${r.id}`, r);
  return [...latest.values()];
}

/**
 * The reviewers whose repository permission must be looked up before evaluating: needed only when
 * `min_permission` is not `write` (for `write`, GitHub's `authorCanPushToRepository` answers).
 */
export function permissionLookups(reviews: readonly ReviewFact[], config: Config): string[] {
  if (config.min_permission === "write") return [];
  return decisiveReviews(reviews).flatMap((r) => (r.state === "APPROVED" && r.author && r.author.type === "User" ? [r.author.login] : []));
}

export function evaluate(facts: PullRequestFacts, config: Config, detector: Detector): Verdict {
  const commits = facts.commits.map((fact) => ({ fact, detection: detector.commit({ sha: fact.sha, message: fact.message, author: fact.author, committer: fact.committer }) }));
  const pr = detector.pullRequest({ author: facts.author ? asPerson(facts.author) : {}, body: facts.body, labels: facts.labels }, commits.map((c) => c.detection));
  const base = {
    mode: config.mode,
    headSha: facts.headSha,
    pr,
    commits: commits.map((c) => ({ sha: c.fact.sha, detection: c.detection })),
    required: config.required_approvals,
  };
  if (!config.enabled) {
    return { ...base, outcome: "disabled", operators: [], unresolved: [], counted: [], notCounted: [], problems: [] };
  }
  if (!pr.ai) {
    return { ...base, outcome: "not-ai", operators: [], unresolved: [], counted: [], notCounted: [], problems: [] };
  }

  const { operators, unresolved } = findOperators(facts, commits, pr, detector);
  const operatorLogins = new Set(operators.map((o) => normalizeLogin(o.login)));
  const counted: Approval[] = [];
  const notCounted: NotCounted[] = [];

  for (const review of decisiveReviews(facts.reviews)) {
    if (review.state !== "APPROVED") continue;
    const reason = exclusion(review, review.author, operatorLogins, facts, config, detector);
    if (reason) notCounted.push(reason);
    else if (review.author) counted.push({ login: review.author.login, commitSha: facts.headSha });
  }

  const problems: string[] = [];
  if (config.require_resolvable_operators) {
    for (const u of unresolved) {
      problems.push(
        `AI-authored commit ${short(u.sha)} names ${u.role} ${u.name || "(no name)"} <${u.email || "no e-mail"}>, whom GitHub cannot link to an account: ` +
          `countersign cannot tell whether that person is approving their own change. Fix: add ${u.email ? `<${u.email}>` : "the address"} to their GitHub account ` +
          `(Settings → Emails) and re-run this check, or set require_resolvable_operators: false in .github/countersign.yml.`,
      );
    }
  }
  const outcome: Outcome = problems.length > 0 ? "cannot-decide" : counted.length >= config.required_approvals ? "satisfied" : "waiting";
  return { ...base, outcome, operators, unresolved, counted, notCounted, problems };
}

function exclusion(
  review: ReviewFact,
  author: Account | null,
  operators: ReadonlySet<string>,
  facts: PullRequestFacts,
  config: Config,
  detector: Detector,
): NotCounted | undefined {
  if (!author) return { login: "ghost", reason: "ghost", detail: "the reviewer's account was deleted" };
  const login = author.login;
  if (detector.identity(asPerson(author), "pr-author")) return { login, reason: "ai", detail: "an AI agent cannot countersign" };
  if (author.type !== "User" || /\[bot\]$/i.test(login)) return { login, reason: "bot", detail: "bots and apps cannot countersign" };
  if (operators.has(normalizeLogin(login))) return { login, reason: "operator", detail: "accountable for the AI-authored change (an operator)" };
  if (review.commitSha !== facts.headSha) {
    return { login, reason: "stale", detail: `approved ${review.commitSha ? short(review.commitSha) : "an older commit"}, but the head is now ${short(facts.headSha)}` };
  }
  if (config.min_permission === "write") {
    if (!review.authorCanPush) return { login, reason: "no-permission", detail: "has no write access to the repository" };
  } else {
    const permission = facts.permissions.get(normalizeLogin(login)) ?? "none";
    if (rank(permission) < rank(config.min_permission)) {
      return { login, reason: "no-permission", detail: `has ${permission === "none" ? "no" : permission} access; needs ${config.min_permission} or more` };
    }
  }
  return undefined;
}
