/**
 * One evaluation: load config → gather facts → evaluate (pure) → publish. Every webhook handler
 * funnels here. It never throws for anything a user or GitHub can cause: when it cannot decide it
 * publishes a failing check that says why and how to fix it, and logs one `decision` event.
 */
import { parse as parseYaml } from "yaml";
import { DEFAULT_CONFIG, checkNameOf, parseConfig, type Config } from "../config/schema.js";
import { createDetector } from "../detection/detect.js";
import { evaluate, permissionLookups } from "../gate/evaluate.js";
import { renderProblem, renderVerdict, type CheckOutput } from "../gate/render.js";
import { STATUS_MARKER, renderStatusComment } from "../gate/status-comment.js";
import { checkRunNamed, gatherPullRequest, lookupPermissions, type GatherClient, type Gathered, type GatheredPullRequest } from "../github/gather.js";
import type { PullRequestFacts } from "../gate/facts.js";
import { addReactions, publishCheck, syncLabel, syncStatusComment, type GraphqlClient, type LabelResult, type PublishClient, type WriteResult } from "../github/publish.js";
import type { Target } from "./payloads.js";

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
}

export const AI_LABEL_COLOR = "8250df";
export const AI_LABEL_DESCRIPTION = "countersign: AI-authored change; needs approval from a human other than its operator";

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
  const { client, log } = deps;
  const where = { repo: `${target.owner}/${target.repo}`, pr: target.number };

  // 1. Facts, the config files included (one GraphQL query for a typical pull request).
  let gathered: Gathered;
  try {
    gathered = await gatherPullRequest(client, { owner: target.owner, repo: target.repo, number: target.number, appId: deps.appId });
  } catch (error) {
    if (target.headSha === null) {
      // A comment event does not say which commit is the head: nothing to mark; the next event retries.
      return logDecision(log, where, "unknown", { outcome: "cannot-decide", conclusion: "failure", title: "Cannot read this pull request from GitHub", check: "failed", label: "skipped", statusComment: "skipped", reactions: 0, requests: 1 }, started, { reason: "gather_failed", err: message(error) });
    }
    // The config could not be read either: report under the default check name.
    const output = renderProblem(
      "Cannot read this pull request from GitHub",
      [message(error)],
      "nothing in the pull request needs to change. countersign evaluates again on the next push, review or label change; to retry now, use **Re-run** on this check.",
    );
    const check = await publishSafely(client, { ...target, headSha: target.headSha, name: DEFAULT_CONFIG.check_name, detailsUrl: prUrl(target) }, output, null, log);
    return logDecision(log, where, target.headSha, { outcome: "cannot-decide", conclusion: output.conclusion, title: output.title, check, label: "skipped", statusComment: "skipped", reactions: 0, requests: 1 + writes(check) }, started, { reason: "gather_failed", err: message(error) });
  }
  const { pull } = gathered;
  let requests = gathered.requests;

  // 2. Config, from the default branch (a pull request cannot loosen its own gate).
  let config: Config = DEFAULT_CONFIG;
  let checkName = DEFAULT_CONFIG.check_name;
  let configProblems: string[] = [];
  try {
    const raw = await readConfig(pull.configFiles, deps.loadConfig);
    requests += raw.requests;
    const parsed = parseConfig(raw.value);
    if (parsed.ok) {
      config = parsed.value;
      checkName = config.check_name;
    } else {
      checkName = checkNameOf(raw.value);
      configProblems = parsed.problems.map((p) => `\`${p.path}\`: ${p.message}`);
    }
  } catch (error) {
    configProblems = [`the file could not be read as YAML: ${message(error)}`];
  }
  const existingCheckRun = checkRunNamed(pull.checkRuns, checkName);
  const checkTarget = { owner: pull.owner, repo: pull.repo, headSha: pull.headSha, name: checkName, detailsUrl: pull.url };

  // 3. A bad config fails closed, naming every problem.
  if (configProblems.length > 0) {
    const output = renderProblem("Invalid .github/countersign.yml", configProblems, "correct `.github/countersign.yml` on the default branch (every key is documented in countersign's README); this check is evaluated again on the next event, or use **Re-run**.");
    const check = await publishSafely(client, checkTarget, output, existingCheckRun, log);
    return logDecision(log, where, pull.headSha, { outcome: "cannot-decide", conclusion: output.conclusion, title: output.title, check, label: "skipped", statusComment: "skipped", reactions: 0, requests: requests + writes(check) }, started, { reason: "config_invalid", problems: configProblems });
  }

  // Permissions that GitHub's review data does not carry (commenters; other min_permission levels).
  let permissions: PullRequestFacts["permissions"] = new Map();
  try {
    const looked = await lookupPermissions(client, pull.owner, pull.repo, permissionLookups(pull.reviews, pull.comments, config));
    permissions = looked.permissions;
    requests += looked.requests;
  } catch (error) {
    log.warn({ event: "permission_lookup_failed", ...where, err: message(error) }, "could not look up permissions; those approvals do not count");
  }
  const facts: PullRequestFacts = { ...pull, existingCheckRun, permissions };

  // 4. Evaluate (pure) and publish.
  const detector = createDetector(config.detection);
  const verdict = evaluate(facts, config, detector);
  const output = renderVerdict(verdict);
  const check = await publishSafely(client, checkTarget, output, existingCheckRun, log);
  let label: Decision["label"] = "skipped";
  if (config.enabled && config.labels.enabled) {
    const name = config.labels.ai_authored;
    try {
      label = await syncLabel(
        client,
        { owner: facts.owner, repo: facts.repo, number: facts.number, name, color: AI_LABEL_COLOR, description: AI_LABEL_DESCRIPTION },
        { want: verdict.pr.ai, has: facts.labels.some((l) => l.toLowerCase() === name.toLowerCase()) },
      );
    } catch (error) {
      label = "failed";
      log.error({ event: "label_failed", ...where, err: message(error) }, "could not update the label");
    }
  }
  const labelWrites = label === "added" ? 2 : label === "removed" ? 1 : 0;

  // The status comment: created once the PR is AI-authored, then kept current (never a new one per event).
  let statusComment: Decision["statusComment"] = "skipped";
  const existingStatus = facts.comments.find((c) => c.kind === "comment" && c.byThisApp && c.body.includes(STATUS_MARKER));
  if (config.enabled && config.status_comment && (verdict.pr.ai || existingStatus)) {
    const body = renderStatusComment(verdict, { word: config.commands.words[0] ?? "countersign", minPermission: config.min_permission });
    try {
      statusComment = await syncStatusComment(client, { owner: facts.owner, repo: facts.repo, number: facts.number }, body, existingStatus ? { id: existingStatus.id, body: existingStatus.body } : null);
    } catch (error) {
      statusComment = "failed";
      log.error({ event: "status_comment_failed", ...where, err: message(error) }, "could not update the status comment");
    }
  }

  // 👍 or 😕 on each command not yet reacted to.
  let reactions = 0;
  const pending = verdict.commands.flatMap((c) => (c.react ? [{ nodeId: c.comment.nodeId, content: c.react }] : []));
  try {
    reactions = await addReactions(client, pending);
  } catch (error) {
    log.error({ event: "reactions_failed", ...where, err: message(error) }, "could not react to commands");
  }

  return logDecision(
    log,
    where,
    facts.headSha,
    {
      outcome: verdict.outcome,
      conclusion: output.conclusion,
      title: output.title,
      check,
      label,
      statusComment,
      reactions,
      requests: requests + writes(check) + labelWrites + writes(statusComment) + (reactions > 0 ? 1 : 0),
    },
    started,
    {
      mode: verdict.mode,
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

const writes = (r: WriteResult | "failed" | "skipped") => (r === "created" || r === "updated" ? 1 : 0);
const prUrl = (t: Target) => `https://github.com/${t.owner}/${t.repo}/pull/${t.number}`;

async function publishSafely(client: PublishClient, target: Parameters<typeof publishCheck>[1], output: CheckOutput, existing: Parameters<typeof publishCheck>[3], log: Log): Promise<WriteResult | "failed"> {
  try {
    return await publishCheck(client, target, output, existing);
  } catch (error) {
    log.error({ event: "publish_failed", repo: `${target.owner}/${target.repo}`, head_sha: target.headSha, err: message(error) }, "could not publish the check run");
    return "failed";
  }
}

/**
 * The config as Probot's `context.config` would give it: the repository's `.github/countersign.yml`,
 * else the owner's `.github` repository's. Both arrive with the pull request in one query; only a file
 * using `_extends` is read through Probot (which follows it), at the cost of extra requests.
 */
async function readConfig(files: GatheredPullRequest["configFiles"], loadConfig: () => Promise<unknown>): Promise<{ value: unknown; requests: number }> {
  const text = files.repo ?? files.org;
  if (text === null) return { value: null, requests: 0 };
  const doc: unknown = parseYaml(text, { logLevel: "error" }) ?? {};
  if (doc !== null && typeof doc === "object" && !Array.isArray(doc) && "_extends" in doc) return { value: await loadConfig(), requests: 1 };
  return { value: doc, requests: 0 };
}

/** The one structured log event per evaluation (`event: "decision"`); warn level when failing closed. */
function logDecision(log: Log, where: { repo: string; pr: number }, headSha: string, d: Decision, started: number, detail: Record<string, unknown>): Decision {
  const entry = { event: "decision", ...where, head_sha: headSha, outcome: d.outcome, conclusion: d.conclusion, title: d.title, check: d.check, label: d.label, status_comment: d.statusComment, reactions: d.reactions, requests: d.requests, duration_ms: Date.now() - started, ...detail };
  if (d.outcome === "cannot-decide") log.warn(entry, `${where.repo}#${where.pr}: ${d.title}`);
  else log.info(entry, `${where.repo}#${where.pr}: ${d.title}`);
  return d;
}
