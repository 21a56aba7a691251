/**
 * The webhook fields countersign relies on, validated with zod. Everything else in a payload is
 * ignored: evaluations read the pull request fresh from GitHub, never from the (possibly stale or
 * out-of-order) payload.
 */
import { z } from "zod";

const Repository = z.object({ name: z.string().min(1), owner: z.object({ login: z.string().min(1) }) });
const Sha = z.string().regex(/^[0-9a-f]{40}$/);

export const PullRequestEventSchema = z.object({
  action: z.string().optional(),
  repository: Repository,
  pull_request: z.object({ number: z.number().int().positive(), head: z.object({ sha: Sha }), merged: z.boolean().nullable().optional() }),
});

const PullRequestRefs = z.array(z.object({ number: z.number().int().positive() }));

export const CheckRunEventSchema = z.object({
  repository: Repository,
  check_run: z.object({ head_sha: Sha, app: z.object({ id: z.number() }).nullable().optional(), pull_requests: PullRequestRefs }),
});

export const CheckSuiteEventSchema = z.object({
  repository: Repository,
  check_suite: z.object({ head_sha: Sha, pull_requests: PullRequestRefs }),
});

export const IssueCommentEventSchema = z.object({
  repository: Repository,
  issue: z.object({ number: z.number().int().positive(), pull_request: z.object({}).passthrough().nullable().optional() }),
});

/** What an event asks countersign to evaluate. */
export interface Target {
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
  /** The head the event knew of: where a failure is reported if GitHub cannot be read (unknown for comment events). */
  readonly headSha: string | null;
}

export type ParsedEvent = { ok: true; targets: Target[]; headSha: string | null; owner: string; repo: string } | { ok: false; problem: string };

function problem(error: z.ZodError): string {
  const first = error.issues[0];
  return first ? `${first.path.join(".")}: ${first.message}` : "invalid payload";
}

export function pullRequestTargets(payload: unknown): ParsedEvent {
  const r = PullRequestEventSchema.safeParse(payload);
  if (!r.success) return { ok: false, problem: problem(r.error) };
  const { repository, pull_request, action } = r.data;
  const target = { owner: repository.owner.login, repo: repository.name, number: pull_request.number, headSha: pull_request.head.sha };
  // A pull request closed without merging changes nothing countersign reports. (Whether a merged one
  // went around the gate, any evaluation of it checks: evaluate-pr.ts.)
  const targets = action === "closed" && pull_request.merged !== true ? [] : [target];
  return { ok: true, targets, headSha: target.headSha, owner: target.owner, repo: target.repo };
}

/** A comment event: only comments on pull requests matter (issues have no `pull_request`). */
export function issueCommentTargets(payload: unknown): ParsedEvent {
  const r = IssueCommentEventSchema.safeParse(payload);
  if (!r.success) return { ok: false, problem: problem(r.error) };
  const { repository, issue } = r.data;
  const owner = repository.owner.login;
  const repo = repository.name;
  return { ok: true, owner, repo, headSha: null, targets: issue.pull_request ? [{ owner, repo, number: issue.number, headSha: null }] : [] };
}

/** A check run or check suite event: the pull requests GitHub lists for its head commit. */
function checkTargets(repository: z.infer<typeof Repository>, check: { head_sha: string; pull_requests: { number: number }[] }): ParsedEvent {
  const owner = repository.owner.login;
  const repo = repository.name;
  return { ok: true, owner, repo, headSha: check.head_sha, targets: check.pull_requests.map((p) => ({ owner, repo, number: p.number, headSha: check.head_sha })) };
}

export function checkRunTargets(payload: unknown): ParsedEvent {
  const r = CheckRunEventSchema.safeParse(payload);
  return r.success ? checkTargets(r.data.repository, r.data.check_run) : { ok: false, problem: problem(r.error) };
}

export function checkSuiteTargets(payload: unknown): ParsedEvent {
  const r = CheckSuiteEventSchema.safeParse(payload);
  return r.success ? checkTargets(r.data.repository, r.data.check_suite) : { ok: false, problem: problem(r.error) };
}

/** `GET /repos/{owner}/{repo}/commits/{sha}/pulls`: the open pull requests whose head is `sha` (fork PRs are missing from check payloads). */
export const CommitPullsSchema = z.array(z.object({ number: z.number().int().positive(), state: z.string(), head: z.object({ sha: z.string() }) }));
