/**
 * One evaluation: load config → gather facts → evaluate (pure) → publish. Every webhook handler
 * funnels here. It never throws for anything a user or GitHub can cause: when it cannot decide it
 * publishes a failing check that says why and how to fix it, and logs one `decision` event.
 */
import { DEFAULT_CONFIG, type Config } from "../config/schema.js";
import { evaluate, permissionLookups, riskTeamLookups, teamLookups } from "../gate/evaluate.js";
import { gatherFiles, type FilesCache } from "../github/files.js";
import { TIERS, type Tier } from "../risk/rules.js";
import { renderProblem, renderVerdict, type CheckOutput } from "../gate/render.js";
import { STATUS_MARKER, renderStatusComment } from "../gate/status-comment.js";
import { mergeBypass, mergeBypassComment, mergeBypassIssue } from "../gate/bypass.js";
import type { Verdict } from "../gate/evaluate.js";
import { checkRunNamed, gatherPullRequest, lookupPermissions, lookupTeams, type GatherClient, type Gathered } from "../github/gather.js";
import { detectorFor, readConfigFiles } from "./config.js";
import type { PullRequestFacts } from "../gate/facts.js";
import { hasLabel, publishCheck, publishPullRequest, syncLabels, type GraphqlClient, type LabelResult, type PublishClient, type WriteResult } from "../github/publish.js";
import type { Target } from "./payloads.js";
import { RateLimitedError } from "../github/octokit.js";

export interface Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface EvaluationDeps {
  readonly client: GatherClient & PublishClient & GraphqlClient;
  /** Probot's `context.config` for `.github/countersign.yml`: used only for files with `_extends`. */
  readonly loadConfig: () => Promise<unknown>;
  readonly log: Log;
  readonly appId: number;
  /** Changed-file lists already read (by head and base commit); none: read every time. */
  readonly filesCache?: FilesCache;
  /**
   * With several replicas: false once this replica has lost the pull request's lock
   * (`coordination.ts`). An evaluation that lost it publishes nothing.
   */
  readonly holds?: () => boolean;
  /** Set when the evaluation must fail closed before it starts (the replicas' store is unreachable): why. */
  readonly blocked?: string;
}

export const AI_LABEL_COLOR = "8250df";
export const AI_LABEL_DESCRIPTION = "countersign: AI-authored change; needs approval from a human other than its operator";
export const OVERRIDE_LABEL_COLOR = "d93f0b";
export const OVERRIDE_LABEL_DESCRIPTION = "countersign: the gate was overridden (break-glass) for the current head";
export const BYPASS_LABEL_COLOR = "b60205";
export const RISK_LABEL_COLORS: Record<Tier, string> = { low: "0e8a16", medium: "fbca04", high: "d93f0b", critical: "b60205" };
export const BYPASS_LABEL_DESCRIPTION = "countersign: an AI-authored change was merged without a countersign";


/** Opens an issue (for after-the-fact review); returns the number of writes. Never throws. */
export async function openIssue(client: PublishClient, owner: string, repo: string, issue: { title: string; body: string }, log: Log, where: object): Promise<number> {
  try {
    // A create: never retried (a lost answer must not become a second issue).
    await client.request("POST /repos/{owner}/{repo}/issues", { owner, repo, title: issue.title, body: issue.body, request: { retries: 0 } });
    return 1;
  } catch (error) {
    log.error({ event: "issue_failed", ...where, err: message(error) }, "could not open the review issue");
    return 0;
  }
}

function overrideIssue(verdict: Verdict, facts: PullRequestFacts): { title: string; body: string } {
  const o = verdict.override;
  return {
    title: `countersign: PR #${facts.number} was overridden by @${o?.login ?? "?"}`,
    body: [
      `The countersign gate on ${facts.url} was overridden (break-glass) for head \`${facts.headSha.slice(0, 7)}\`.`,
      "",
      `**By:** \`@${o?.login ?? "?"}\` at ${o?.at ?? "?"} ([comment](${o?.url ?? facts.url}))`,
      `**Reason:** ${o?.reason ?? ""}`,
      `**Operators:** ${verdict.operators.map((x) => `\`@${x.login}\``).join(", ") || "none identified"}`,
      `**Tools:** ${verdict.pr.tools.join(", ")}`,
      "",
      "Review the change after the fact.",
    ].join("\n"),
  };
}

/** What one evaluation did, as logged. */
export interface Decision {
  readonly outcome: string;
  readonly conclusion: CheckOutput["conclusion"];
  readonly title: string;
  readonly check: WriteResult | "failed";
  readonly label: LabelResult | "skipped" | "failed";
  readonly statusComment: WriteResult | "skipped" | "failed";
  readonly reactions: number;
  readonly requests: number;
  /** Filled in by the log: the AI tools detected and the risk tier (for metrics). */
  readonly tools: readonly string[];
  readonly tier: string | null;
  readonly durationMs: number;
  /** GitHub answered "rate limited" for longer than one request waits: evaluate again after this. */
  readonly retryAfterMs?: number;
  /**
   * Publishing did not complete in a way worth another try: no answer, a 5xx or GitHub's own time-out
   * (what was written is unknown), or the check run could not be written while the verdict blocks
   * (its last state, perhaps a pass, would stand). Not set with `retryAfterMs`, which has its own
   * wait. The app evaluates again, backing off (`publishRetryDelay`).
   */
  readonly unpublished?: boolean;
}

const message = (error: unknown): string => {
  if (typeof error === "object" && error !== null) {
    const e = error as { status?: unknown; message?: unknown };
    const status = typeof e.status === "number" ? `HTTP ${e.status}: ` : "";
    if (typeof e.message === "string") return `${status}${e.message.split("\n")[0] ?? ""}`.slice(0, 300);
  }
  return String(error).slice(0, 300);
};

export async function evaluateAndPublish(deps: EvaluationDeps, target: Target): Promise<Decision> {
  const started = Date.now();
  const { client } = deps;
  const where = { repo: `${target.owner}/${target.repo}`, pr: target.number };
  // A request GitHub rate-limited beyond one request's patience: this evaluation fails closed, and the
  // app evaluates again once GitHub's wait is over.
  let retryAfterMs: number | undefined;
  const noteLimit = (error: unknown) => {
    if (error instanceof RateLimitedError) retryAfterMs = Math.max(retryAfterMs ?? 0, error.retryAfterMs);
  };
  const log = deps.log;

  // 1. Facts, the config files included (one GraphQL query for a typical pull request).
  let gathered: Gathered;
  try {
    gathered = await gatherPullRequest(client, { owner: target.owner, repo: target.repo, number: target.number, appId: deps.appId });
  } catch (error) {
    noteLimit(error);
    if (target.headSha === null) {
      // A comment event does not say which commit is the head: nothing to mark; the next event retries.
      return logDecision(retryAfterMs, log, where, "unknown", { outcome: "cannot-decide", conclusion: "failure", title: "Cannot read this pull request from GitHub", check: "failed", label: "skipped", statusComment: "skipped", reactions: 0, requests: 1 }, started, { reason: "gather_failed", err: message(error) });
    }
    // The config could not be read either: report under the default check name.
    const output = renderProblem(
      "Cannot read this pull request from GitHub",
      [message(error)],
      "nothing in the pull request needs to change. countersign evaluates again on the next push, review or label change; to retry now, use **Re-run** on this check.",
    );
    const check = await publishSafely(noteLimit, client, { ...target, headSha: target.headSha, name: DEFAULT_CONFIG.check_name, detailsUrl: prUrl(target) }, output, null, log);
    return logDecision(retryAfterMs, log, where, target.headSha, { outcome: "cannot-decide", conclusion: output.conclusion, title: output.title, check, label: "skipped", statusComment: "skipped", reactions: 0, requests: 1 + writes(check) }, started, { reason: "gather_failed", err: message(error) });
  }
  const { pull } = gathered;
  let requests = gathered.requests;

  // 2. Config, from the default branch (a pull request cannot loosen its own gate).
  let config: Config = DEFAULT_CONFIG;
  let checkName = DEFAULT_CONFIG.check_name;
  let configProblems: string[] = [];
  try {
    const read = await readConfigFiles(pull.configFiles, deps.loadConfig);
    requests += read.requests;
    if (read.parsed.ok) {
      config = read.parsed.value;
      checkName = config.check_name;
    } else {
      checkName = read.checkName;
      configProblems = read.parsed.problems.map((p) => `\`${p.path}\`: ${p.message}`);
    }
  } catch (error) {
    noteLimit(error);
    configProblems = [`the file could not be read as YAML: ${message(error)}`];
  }
  const existingCheckRun = checkRunNamed(pull.checkRuns, checkName);
  const checkTarget = { owner: pull.owner, repo: pull.repo, headSha: pull.headSha, name: checkName, detailsUrl: pull.url };

  // 3. A bad config fails closed, naming every problem.
  if (configProblems.length > 0) {
    const output = renderProblem("Invalid .github/countersign.yml", configProblems, "correct `.github/countersign.yml` on the default branch (every key is documented in countersign's README); this check is evaluated again on the next event, or use **Re-run**.");
    const check = await publishSafely(noteLimit, client, checkTarget, output, existingCheckRun, log);
    return logDecision(retryAfterMs, log, where, pull.headSha, { outcome: "cannot-decide", conclusion: output.conclusion, title: output.title, check, label: "skipped", statusComment: "skipped", reactions: 0, requests: requests + writes(check) }, started, { reason: "config_invalid", problems: configProblems });
  }

  // 3b. Replicas that cannot coordinate must not publish a verdict another may contradict: fail closed.
  if (deps.blocked !== undefined) {
    const output = renderProblem("Cannot coordinate with the other countersign replicas", [deps.blocked], "nothing in the pull request needs to change. Whoever runs countersign: check that Redis (`REDIS_URL`) is reachable; countersign evaluates again on the next event, or use **Re-run** on this check.");
    const check = await publishSafely(noteLimit, client, checkTarget, output, existingCheckRun, log);
    return logDecision(retryAfterMs, log, where, pull.headSha, { outcome: "cannot-decide", conclusion: output.conclusion, title: output.title, check, label: "skipped", statusComment: "skipped", reactions: 0, requests: requests + writes(check) }, started, { reason: "coordination_failed", err: deps.blocked });
  }

  // Permissions that GitHub's review data does not carry (commenters; other min_permission levels).
  let permissions: PullRequestFacts["permissions"] = new Map();
  let teamMembership: PullRequestFacts["teamMembership"] = new Map();
  try {
    const looked = await lookupPermissions(client, pull.owner, pull.repo, permissionLookups(pull.reviews, pull.comments, config));
    permissions = looked.permissions;
    requests += looked.requests;
    const teams = await lookupTeams(client, teamLookups(pull.comments, config));
    teamMembership = teams.teamMembership;
    requests += teams.requests;
  } catch (error) {
    noteLimit(error);
    // Fail closed: whoever could not be checked does not count.
    log.warn({ event: "permission_lookup_failed", ...where, err: message(error) }, "could not look up permissions or teams; those approvals do not count");
  }
  let facts: PullRequestFacts = { ...pull, existingCheckRun, permissions, teamMembership, files: null };

  // 4. Evaluate (pure) and publish.
  const detector = detectorFor(config);
  let verdict = evaluate(facts, config, detector);
  if (verdict.pr.ai && config.enabled) {
    // Risk needs the changed files: read only for AI-authored pull requests.
    try {
      const read = await gatherFiles(client, pull, deps.filesCache);
      requests += read.requests;
      facts = { ...facts, files: read.files };
    } catch (error) {
      noteLimit(error);
      const output = renderProblem("Cannot read this pull request's changed files from GitHub", [message(error)], "nothing in the pull request needs to change; countersign evaluates again on the next event, or use **Re-run** on this check.");
      const check = await publishSafely(noteLimit, client, checkTarget, output, existingCheckRun, log);
      return logDecision(retryAfterMs, log, where, pull.headSha, { outcome: "cannot-decide", conclusion: output.conclusion, title: output.title, check, label: "skipped", statusComment: "skipped", reactions: 0, requests: requests + 1 + writes(check) }, started, { reason: "files_failed", err: message(error) });
    }
    verdict = evaluate(facts, config, detector);
    // A risk tier that requires teams: check the countersigners' memberships (once each).
    const pairs = riskTeamLookups(verdict);
    if (pairs.length > 0) {
      try {
        const teams = await lookupTeams(client, pairs);
        requests += teams.requests;
        const merged = new Map(facts.teamMembership);
        for (const [login, list] of teams.teamMembership) merged.set(login, [...new Set([...(merged.get(login) ?? []), ...list])]);
        facts = { ...facts, teamMembership: merged };
        verdict = evaluate(facts, config, detector);
      } catch (error) {
        noteLimit(error);
        log.warn({ event: "team_lookup_failed", ...where, err: message(error) }, "could not check team memberships; the team requirement stays unmet");
      }
    }
  }
  const output = renderVerdict(verdict);
  // With replicas: past the fence (this replica's lease on the pull request is ending) write nothing
  // more (publishPullRequest checks before each request); another replica owns the pull request
  // then, or will, and evaluates it afresh.
  const fenced = () => deps.holds?.() === false;
  // The check run, the labels, the status comment and the reactions: what changed, in one request.
  // The ai-authored and overridden labels, and exactly one `risk: <level>` label while the PR is
  // AI-authored (none otherwise). The status comment: created once the PR is AI-authored, then kept
  // current (never a new one per event).
  const manageLabels = config.enabled && config.labels.enabled;
  const existingStatus = facts.comments.find((c) => c.kind === "comment" && c.byThisApp && c.body.includes(STATUS_MARKER));
  const keepStatus = config.enabled && config.status_comment && (verdict.pr.ai || existingStatus !== undefined);
  const published = await publishPullRequest(client, {
    owner: facts.owner,
    repo: facts.repo,
    number: facts.number,
    nodes: { repository: pull.nodeIds.repository, pullRequest: pull.nodeIds.pullRequest, labels: pull.labelIds },
    check: { target: checkTarget, output, existing: existingCheckRun },
    holds: () => !fenced(),
    ...(manageLabels
      ? {
          labels: {
            specs: [
              { name: config.labels.ai_authored, want: verdict.pr.ai, color: AI_LABEL_COLOR, description: AI_LABEL_DESCRIPTION },
              { name: config.labels.overridden, want: verdict.outcome === "overridden", color: OVERRIDE_LABEL_COLOR, description: OVERRIDE_LABEL_DESCRIPTION },
              ...TIERS.map((tier) => ({ name: `risk: ${tier}`, want: verdict.risk?.level === tier, color: RISK_LABEL_COLORS[tier], description: `countersign: the AI-authored change is ${tier} risk` })),
            ],
            has: facts.labels,
            exists: pull.repoLabels,
          },
        }
      : {}),
    ...(keepStatus
      ? {
          status: {
            body: renderStatusComment(verdict, { word: config.commands.words[0] ?? "countersign", minPermission: config.min_permission }),
            existing: existingStatus ? { nodeId: existingStatus.nodeId, body: existingStatus.body } : null,
          },
        }
      : {}),
    // 👍 or 😕 on each command not yet reacted to.
    reactions: verdict.commands.flatMap((c) => (c.react ? [{ nodeId: c.comment.nodeId, content: c.react }] : [])),
  });
  // No answer, or GitHub failing: what was written is unknown, and nothing was retried if the
  // mutation created something. Evaluate again (logDecision also says so for a check run that could
  // not be written while the verdict blocks): it reads what GitHub has and writes the rest.
  const unpublished = published.errors.some(isTransient);
  if (published.fenced) {
    return logDecision(retryAfterMs, log, where, pull.headSha, { outcome: "superseded", conclusion: output.conclusion, title: output.title, check: published.check, label: "skipped", statusComment: "skipped", reactions: 0, requests: requests + published.requests }, started, { reason: "lock_lost" });
  }
  for (const error of published.errors) {
    noteLimit(error);
    log.error({ event: "publish_failed", ...where, head_sha: facts.headSha, check: published.check, label: published.labels === "failed" ? "failed" : "ok", status_comment: published.status, reactions: published.reactions, err: message(error) }, "could not publish all of the evaluation");
  }
  const check = published.check;
  const label: Decision["label"] = !manageLabels ? "skipped" : published.labels === "failed" ? "failed" : (published.labels.get(config.labels.ai_authored) ?? "unchanged");
  let bypassWrites = 0;

  // Break-glass overrides are recorded for after-the-fact review (once: when first answered).
  let issues = 0;
  if (verdict.override?.firstSeen) {
    log.warn({ event: "override", ...where, head_sha: facts.headSha, by: verdict.override.login, reason: verdict.override.reason, url: verdict.override.url }, `${where.repo}#${where.pr}: overridden by @${verdict.override.login}`);
    if (config.override.open_issue && !fenced()) {
      issues += await openIssue(client, facts.owner, facts.repo, overrideIssue(verdict, facts), log, where);
    }
  }

  // A merge while the gate was not satisfied (read from GitHub: the check run as it was at merge time).
  // Any evaluation of a merged pull request checks (not only the `closed` event's: events coalesce, and
  // with replicas another replica's may run); the bypass label makes it once.
  if (facts.merged && config.enabled && !fenced()) {
    const bypass = mergeBypass(verdict, existingCheckRun, facts.mergedBy);
    if (bypass && !hasLabel(facts.labels, config.labels.bypassed)) {
      log.warn({ event: "bypass", kind: "merge", ...where, head_sha: facts.headSha, merged_by: bypass.mergedBy, missing: bypass.missing }, `${where.repo}#${where.pr}: merged by @${bypass.mergedBy} without a countersign`);
      try {
        const marked = await syncLabels(client, { owner: facts.owner, repo: facts.repo, number: facts.number }, [{ name: config.labels.bypassed, want: true, color: BYPASS_LABEL_COLOR, description: BYPASS_LABEL_DESCRIPTION }], { has: [], exists: pull.repoLabels });
        bypassWrites += marked.requests;
        await client.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner: facts.owner, repo: facts.repo, issue_number: facts.number, body: mergeBypassComment(bypass, facts.headSha), request: { retries: 0 } });
        bypassWrites += 1;
      } catch (error) {
        noteLimit(error);
        log.error({ event: "bypass_mark_failed", ...where, err: message(error) }, "could not mark the bypass on the pull request");
      }
      if (config.bypass.open_issue) issues += await openIssue(client, facts.owner, facts.repo, mergeBypassIssue(bypass, { number: facts.number, url: facts.url, headSha: facts.headSha }, verdict), log, where);
    }
  }

  return logDecision(
    retryAfterMs,
    log,
    where,
    facts.headSha,
    {
      outcome: verdict.outcome,
      conclusion: output.conclusion,
      title: output.title,
      check,
      label,
      statusComment: published.status,
      reactions: published.reactions === "failed" ? 0 : published.reactions,
      requests: requests + published.requests + bypassWrites + issues,
      ...(unpublished ? { unpublished: true } : {}),
    },
    started,
    {
      mode: verdict.mode,
      tier: verdict.risk?.level ?? null,
      tools: verdict.pr.tools,
      operators: verdict.operators.map((o) => o.login),
      countersigners: verdict.counted.map((a) => a.login),
      not_counted: verdict.notCounted.map((n) => `${n.login}:${n.reason}`),
      unresolved: verdict.unresolved.map((u) => `${u.sha.slice(0, 7)}:${u.email}`),
      tampering: verdict.tampering.map((t) => `${t.author} edited by ${t.editor}`),
      problems: verdict.problems,
    },
  );
}

/**
 * After an evaluation that could not publish (`Decision.unpublished`), the pull request is evaluated
 * again this much later: 10 s (long enough for GitHub's reads to show what a lost answer created),
 * then 30 s, 90 s, 270 s and 810 s; after that only a new event does.
 */
export const PUBLISH_RETRY_MS = 10_000;
export const MAX_PUBLISH_RETRIES = 5;
export const publishRetryDelay = (attempt: number): number | undefined => (attempt < MAX_PUBLISH_RETRIES ? PUBLISH_RETRY_MS * 3 ** attempt : undefined);

/**
 * A failure that says nothing of GitHub's will (no answer, our own time-out, a 5xx, or GitHub's
 * "Something went wrong … timeout": an error with no type and no data): worth trying again. Not
 * GitHub's refusals: 4xx, and typed GraphQL errors (FORBIDDEN, NOT_FOUND …).
 */
function isTransient(error: unknown): boolean {
  if (error instanceof RateLimitedError) return false;
  const e = error as { status?: unknown; errors?: unknown; data?: unknown } | null;
  if (e !== null && typeof e === "object" && Array.isArray(e.errors)) return (e.data === null || e.data === undefined) && (e.errors as { type?: unknown }[]).every((x) => x?.type === undefined || x.type === null);
  return typeof e?.status !== "number" || e.status >= 500;
}

/** Conclusions that keep a pull request from merging (neutral, observe mode's, does not). */
const BLOCKING: ReadonlySet<string> = new Set(["failure", "action_required"]);

const writes = (r: WriteResult | "failed" | "skipped") => (r === "created" || r === "updated" ? 1 : 0);
const prUrl = (t: Target) => `https://github.com/${t.owner}/${t.repo}/pull/${t.number}`;

async function publishSafely(noteLimit: (error: unknown) => void, client: PublishClient, target: Parameters<typeof publishCheck>[1], output: CheckOutput, existing: Parameters<typeof publishCheck>[3], log: Log): Promise<WriteResult | "failed"> {
  try {
    return await publishCheck(client, target, output, existing);
  } catch (error) {
    noteLimit(error);
    log.error({ event: "publish_failed", repo: `${target.owner}/${target.repo}`, head_sha: target.headSha, err: message(error) }, "could not publish the check run");
    return "failed";
  }
}

/** The one structured log event per evaluation (`event: "decision"`); warn level when failing closed. */
function logDecision(retryAfterMs: number | undefined, log: Log, where: { repo: string; pr: number }, headSha: string, given: Omit<Decision, "tools" | "tier" | "durationMs" | "retryAfterMs">, started: number, detail: Record<string, unknown>): Decision {
  const durationMs = Date.now() - started;
  // A check run that could not be written while the verdict blocks, on any path: try again.
  const unpublished = retryAfterMs === undefined && given.outcome !== "superseded" && (given.unpublished === true || (given.check === "failed" && BLOCKING.has(given.conclusion)));
  const { unpublished: _given, ...rest } = given;
  const d: Omit<Decision, "tools" | "tier" | "durationMs" | "retryAfterMs"> = { ...rest, ...(unpublished ? { unpublished: true } : {}) };
  const entry = { event: "decision", ...where, head_sha: headSha, outcome: d.outcome, conclusion: d.conclusion, title: d.title, check: d.check, label: d.label, status_comment: d.statusComment, reactions: d.reactions, requests: d.requests, ...(d.unpublished ? { unpublished: true } : {}), duration_ms: durationMs, ...(retryAfterMs === undefined ? {} : { retry_after_ms: retryAfterMs }), ...detail };
  if (d.outcome === "cannot-decide") log.warn(entry, `${where.repo}#${where.pr}: ${d.title}`);
  else log.info(entry, `${where.repo}#${where.pr}: ${d.title}`);
  const tools = Array.isArray(detail.tools) ? (detail.tools as string[]) : [];
  return { ...d, tools, tier: typeof detail.tier === "string" ? detail.tier : null, durationMs, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
}
