/**
 * The approval decision: a pure function of the gathered facts and the config, returning a verdict
 * that carries its reasons. Every surface (check run, status comment, logs) renders this one value.
 */
import type { CommitDetection, Detector, PullRequestDetection } from "../detection/detect.js";
import type { Config, Permission } from "../config/schema.js";
import { PERMISSIONS } from "../config/schema.js";
import { parseCommands } from "../commands/parse.js";
import { evaluateCommands, type CommandOutcome, type Eligibility, type Ineligible, type Override, type Tamper, type TimedApproval } from "./commands.js";
import type { Account, CommentFact, PullRequestFacts, ReviewFact } from "./facts.js";
import { asPerson, findOperators, normalizeLogin, short, type Operator, type UnresolvedIdentity } from "./operators.js";
import { riskOf } from "./risk.js";
import type { RiskVerdict } from "../risk/classify.js";

export type Outcome =
  /** No AI signal: nothing to countersign. */
  | "not-ai"
  /** AI-authored and not yet countersigned by enough people. */
  | "waiting"
  /** AI-authored and countersigned. */
  | "satisfied"
  /** countersign cannot decide (an unidentifiable accountable human, a tampered approval): fails closed. */
  | "cannot-decide"
  /** `enabled: false` in the config. */
  | "disabled"
  /** Break-glass: someone allowed to override did so, with a reason, for this head. */
  | "overridden";

export interface Approval {
  readonly login: string;
  /** Where the approval was given. */
  readonly source: "review" | "comment";
  readonly at: string;
}

export type NotCountedReason = "stale" | "operator" | "bot" | "ai" | "no-permission" | "ghost" | "comment" | "revoked";

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
  /** Approvals needed: the larger of `required_approvals` and the risk tier's. */
  readonly required: number;
  /** What the change touches (null when not AI-authored, or the files were not read). */
  readonly risk: RiskVerdict | null;
  /** Teams from which at least one countersigner is required (by the risk tier). */
  readonly requiredTeams: readonly string[];
  /** Required teams no countersigner belongs to yet. */
  readonly missingTeams: readonly string[];
  /** Every `/countersign` command found, with what it did and the reaction it should get. */
  readonly commands: readonly CommandOutcome[];
  /** Approval comments edited by someone other than their author, not yet followed by a fresh approval. */
  readonly tampering: readonly Tamper[];
  /** The override in force for the head (the latest valid one), if any. */
  readonly override: Override | null;
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

/** At most this many permission look-ups per evaluation: a comment storm cannot spend the rate limit. */
export const MAX_PERMISSION_LOOKUPS = 30;

/**
 * Whose repository permission must be looked up (REST) before evaluating: the people who approved
 * by comment (comments carry no permission), and reviewers when `min_permission` is not `write`
 * (for `write`, GitHub's `authorCanPushToRepository` answers).
 */
export function permissionLookups(reviews: readonly ReviewFact[], comments: readonly CommentFact[], config: Config): string[] {
  const logins: string[] = [];
  const add = (account: Account | null) => {
    if (account && account.type === "User" && !logins.some((l) => normalizeLogin(l) === normalizeLogin(account.login))) logins.push(account.login);
  };
  if (config.min_permission !== "write") for (const r of decisiveReviews(reviews)) if (r.state === "APPROVED") add(r.author);
  if (config.commands.enabled) {
    for (const c of comments) {
      if (c.byThisApp || c.lastEditedAt !== null) continue;
      const parsed = parseCommands(c.body, config.commands.words);
      if (parsed.kind === "command" && (parsed.command.kind === "approve" || (parsed.command.kind === "override" && config.override.enabled))) add(c.author);
    }
  }
  return logins.slice(0, MAX_PERMISSION_LOOKUPS);
}

/** After a first evaluation: the (countersigner, required team) memberships to look up. */
export function riskTeamLookups(verdict: Verdict): { login: string; team: string }[] {
  return verdict.counted.flatMap((a) => verdict.requiredTeams.map((team) => ({ login: a.login, team }))).slice(0, MAX_PERMISSION_LOOKUPS);
}

/** The (person, team) memberships to look up: authors of override commands, against `override.teams`. */
export function teamLookups(comments: readonly CommentFact[], config: Config): { login: string; team: string }[] {
  if (!config.commands.enabled || !config.override.enabled || config.override.teams.length === 0) return [];
  const pairs: { login: string; team: string }[] = [];
  for (const c of comments) {
    if (c.byThisApp || c.lastEditedAt !== null || !c.author || c.author.type !== "User") continue;
    const parsed = parseCommands(c.body, config.commands.words);
    if (parsed.kind !== "command" || parsed.command.kind !== "override") continue;
    for (const team of config.override.teams) if (!pairs.some((p) => normalizeLogin(p.login) === normalizeLogin(c.author?.login ?? "") && p.team === team)) pairs.push({ login: c.author.login, team });
  }
  return pairs.slice(0, MAX_PERMISSION_LOOKUPS);
}

export function evaluate(facts: PullRequestFacts, config: Config, detector: Detector): Verdict {
  const commits = facts.commits.map((fact) => ({ fact, detection: detector.commit({ sha: fact.sha, message: fact.message, author: fact.author, committer: fact.committer }) }));
  const pr = detector.pullRequest({ author: facts.author ? asPerson(facts.author) : {}, body: facts.body, labels: facts.labels }, commits.map((c) => c.detection));
  // Risk: what the change touches decides how many countersigners it needs, from whom, and whether enforced.
  const risk = pr.ai && facts.files ? riskOf(facts.files, facts.changedFiles, config.risk) : null;
  const base = {
    mode: risk?.requirement.mode ?? config.mode,
    headSha: facts.headSha,
    pr,
    commits: commits.map((c) => ({ sha: c.fact.sha, detection: c.detection })),
    required: Math.max(config.required_approvals, risk?.requirement.approvals ?? 0),
    risk,
    requiredTeams: risk?.requirement.teams ?? [],
  };
  const nothing = { operators: [], unresolved: [], counted: [], notCounted: [], commands: [], tampering: [], problems: [], override: null, missingTeams: [] };
  if (!config.enabled) return { ...base, outcome: "disabled", ...nothing };
  if (!pr.ai) return { ...base, outcome: "not-ai", ...nothing };

  const { operators, unresolved } = findOperators(facts, commits, pr, detector);
  const operatorLogins = new Set(operators.map((o) => normalizeLogin(o.login)));
  const eligibility = eligibilityRules(operatorLogins, facts, config, detector);

  // Approvals by review: the reviewer's latest decisive review, of the head commit.
  const approvals: TimedApproval[] = [];
  const notCounted: NotCounted[] = [];
  for (const review of decisiveReviews(facts.reviews)) {
    if (review.state !== "APPROVED") continue;
    const author = review.author;
    if (!author) {
      notCounted.push({ login: "ghost", reason: "ghost", detail: "the reviewer's account was deleted" });
      continue;
    }
    const ineligible = eligibility(author, "review", review.authorCanPush);
    if (ineligible) notCounted.push({ login: author.login, reason: ineligible.code, detail: ineligible.detail });
    else if (review.commitSha !== facts.headSha) notCounted.push({ login: author.login, reason: "stale", detail: `approved ${review.commitSha ? short(review.commitSha) : "an older commit"}, but the head is now ${short(facts.headSha)}` });
    else approvals.push({ login: author.login, at: review.submittedAt ?? "", source: "review" });
  }

  // Approvals by comment.
  const commands = config.commands.enabled
    ? evaluateCommands(facts.comments, {
        words: config.commands.words,
        headSha: facts.headSha,
        headSeenAt: facts.existingCheckRun?.startedAt ?? null,
        detector,
        eligibility,
        override: {
          enabled: config.override.enabled,
          minReasonLength: config.override.min_reason_length,
          allowOperator: config.override.allow_operator,
          teams: config.override.teams,
          isOperator: (login) => operatorLogins.has(normalizeLogin(login)),
          isAdmin: (login) => {
            const p = facts.permissions.get(normalizeLogin(login));
            return p === undefined ? undefined : p === "admin";
          },
          teamsOf: (login) => facts.teamMembership.get(normalizeLogin(login))?.filter((t) => config.override.teams.some((c) => c.toLowerCase() === t.toLowerCase())),
        },
      })
    : { outcomes: [], overrides: [], approvals: [], revocations: [], tampering: [] };
  approvals.push(...commands.approvals);
  for (const o of commands.outcomes) {
    if ((o.effect === "approval" || o.effect === "override") && o.reason !== undefined && o.comment.author && !o.quiet) {
      const what = o.effect === "override" ? "override" : `${o.comment.kind === "review" ? "review" : "comment"} approval`;
      notCounted.push({ login: o.comment.author.login, reason: "comment", detail: `${what} not counted: ${o.reason}` });
    }
  }

  // `/countersign revoke` withdraws everything its author approved before it.
  const counted = new Map<string, Approval>();
  for (const a of approvals.sort((x, y) => x.at.localeCompare(y.at))) {
    const revoked = commands.revocations.some((r) => normalizeLogin(r.login) === normalizeLogin(a.login) && r.at > a.at);
    if (revoked) notCounted.push({ login: a.login, reason: "revoked", detail: "revoked their approval with /countersign revoke" });
    else counted.set(normalizeLogin(a.login), { login: a.login, source: a.source, at: a.at });
  }
  const countedList = [...counted.values()];

  // A tampered approval blocks until someone approves after the tampering.
  const tampering = commands.tampering.filter((t) => !countedList.some((a) => a.at > t.at));

  const problems: string[] = [];
  for (const t of tampering) {
    problems.push(`an approval comment by @${t.author} was edited by @${t.editor} (${t.url}). An approval must come from its author unchanged: a fresh approval (a review, or a new /countersign comment) clears this.`);
  }
  if (config.require_resolvable_operators) {
    for (const u of unresolved) {
      problems.push(
        `AI-authored commit ${short(u.sha)} names ${u.role} ${u.name || "(no name)"} <${u.email || "no e-mail"}>, whom GitHub cannot link to an account: ` +
          `countersign cannot tell whether that person is approving their own change. Fix: add ${u.email ? `<${u.email}>` : "the address"} to their GitHub account ` +
          `(Settings → Emails) and re-run this check, or set require_resolvable_operators: false in .github/countersign.yml.`,
      );
    }
  }
  // Break-glass: a valid override for this head passes the gate, whatever else is missing.
  const override = commands.overrides[commands.overrides.length - 1] ?? null;
  const missingTeams = base.requiredTeams.filter((team) => !countedList.some((a) => (facts.teamMembership.get(normalizeLogin(a.login)) ?? []).some((t) => t.toLowerCase() === team.toLowerCase())));
  const satisfied = countedList.length >= base.required && missingTeams.length === 0;
  const outcome: Outcome = override ? "overridden" : problems.length > 0 ? "cannot-decide" : satisfied ? "satisfied" : "waiting";
  return { ...base, outcome, operators, unresolved, counted: countedList, notCounted, commands: commands.outcomes, tampering, problems, override, missingTeams };
}

/** The rules every countersigner must meet, however they approve. */
function eligibilityRules(operators: ReadonlySet<string>, facts: PullRequestFacts, config: Config, detector: Detector): Eligibility {
  const permissionProblem = (detail: string): Ineligible => ({ code: "no-permission", detail });
  return (account, source, canPush) => {
    if (detector.identity(asPerson(account), "pr-author")) return { code: "ai", detail: "an AI agent cannot countersign" };
    if (account.type !== "User" || /\[bot\]$/i.test(account.login)) return { code: "bot", detail: "bots and apps cannot countersign" };
    if (operators.has(normalizeLogin(account.login))) return { code: "operator", detail: "accountable for the AI-authored change (an operator)" };
    if (source === "review" && config.min_permission === "write") return canPush ? undefined : permissionProblem("has no write access to the repository");
    const permission = facts.permissions.get(normalizeLogin(account.login));
    if (permission === undefined) return permissionProblem(`has no permission countersign could check (it looks up at most ${MAX_PERMISSION_LOOKUPS} commenters per evaluation)`);
    if (rank(permission) < rank(config.min_permission)) return permissionProblem(`has ${permission === "none" ? "no" : permission} access; needs ${config.min_permission} or more`);
    return undefined;
  };
}
