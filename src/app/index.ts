/**
 * The countersign GitHub App (Probot application function): thin event handlers that all funnel into
 * one evaluate-and-publish path (`evaluate-pr.ts`), serialized and coalesced per pull request.
 */
import type { ApplicationFunction, Context, Probot } from "probot";
import { evaluateAndPublish, type EvaluationDeps } from "./evaluate-pr.js";
import { checkRunTargets, checkSuiteTargets, CommitPullsSchema, issueCommentTargets, pullRequestTargets, type ParsedEvent, type Target } from "./payloads.js";
import { handleMergeGroup } from "./merge-group.js";
import { handlePush } from "./push.js";
import { KeyedQueue } from "./queue.js";
import { metrics, opsHandler, registerQueue } from "./ops.js";

export const CONFIG_FILE = "countersign.yml";

/**
 * In production, refuse to run without a real webhook secret: an app that accepts unsigned or
 * guessable webhooks (Probot falls back to the secret "development") can be made to pass anything.
 */
export function unsafeSecretReason(env: NodeJS.ProcessEnv): string | undefined {
  if (env.NODE_ENV !== "production") return undefined;
  const secret = env.WEBHOOK_SECRET;
  if (secret === undefined || secret.trim() === "") {
    return "WEBHOOK_SECRET is not set. In production countersign refuses to start without it: anyone could send forged webhooks and make a pull request pass. Set WEBHOOK_SECRET to the secret configured in the GitHub App's settings.";
  }
  if (secret === "development") {
    return 'WEBHOOK_SECRET is "development", Probot\'s well-known fallback. In production countersign refuses to start with it: anyone could forge webhooks. Generate a long random secret, set it in the GitHub App\'s settings and in WEBHOOK_SECRET.';
  }
  return undefined;
}

export interface AppOptions {
  /** This GitHub App's id (default: the APP_ID environment variable). */
  readonly appId?: number;
  /**
   * Answer a webhook only after its evaluation has finished (tests). By default countersign answers
   * at once and evaluates in the background, well inside GitHub's 10-second window however slow
   * GitHub's API is; evaluations stay serialized and coalesced per pull request either way.
   */
  readonly waitForEvaluations?: boolean;
  /** Receives the queue, so the server can wait for in-flight evaluations before it stops. */
  readonly onQueue?: (queue: KeyedQueue) => void;
}

const PULL_REQUEST_EVENTS = [
  "pull_request.opened",
  "pull_request.reopened",
  "pull_request.synchronize",
  "pull_request.edited",
  "pull_request.ready_for_review",
  "pull_request.labeled",
  "pull_request.unlabeled",
  "pull_request.closed",
  "pull_request_review.submitted",
  "pull_request_review.edited",
  "pull_request_review.dismissed",
] as const;

/**
 * The longest one GitHub request may take, retries included. A request that never answers would
 * otherwise hold its pull request's queue forever; this one fails instead (and the evaluation fails
 * closed until the next event).
 */
export const REQUEST_TIMEOUT_MS = 30_000;
const requestTimeout = (): number => {
  const configured = Number(process.env.GITHUB_REQUEST_TIMEOUT_MS);
  return Number.isFinite(configured) && configured > 0 ? configured : REQUEST_TIMEOUT_MS;
};

/**
 * Counts every GitHub request, remembers the rate limit GitHub reports (for /metrics), and bounds
 * each request's time.
 */
function instrument(octokit: Context["octokit"]): void {
  octokit.hook.wrap("request", async (request, options) => {
    const ms = requestTimeout();
    const controller = new AbortController();
    const timedOut = new Promise<never>((_, reject) => {
      controller.signal.addEventListener("abort", () => reject(new Error(`GitHub did not answer ${options.method} ${options.url} within ${ms} ms`)), { once: true });
    });
    const timer = setTimeout(() => controller.abort(), ms);
    // The signal also aborts the request itself (and any retry of it, which then fails at once).
    const pending = Promise.resolve(request({ ...options, request: { ...options.request, signal: controller.signal } }));
    pending.catch(() => undefined);
    try {
      return await Promise.race([pending, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  });
  octokit.hook.after("request", (response) => {
    metrics.githubRequests.inc();
    const remaining = Number(response.headers["x-ratelimit-remaining"]);
    if (Number.isFinite(remaining)) metrics.rateLimitRemaining.set(remaining);
  });
  octokit.hook.error("request", (error) => {
    metrics.githubRequests.inc();
    throw error;
  });
}

export function createApp(options: AppOptions = {}): ApplicationFunction {
  return (app: Probot, appOptions) => {
    const unsafe = unsafeSecretReason(process.env);
    if (unsafe) throw new Error(`countersign: ${unsafe}`);
    const appId = options.appId ?? Number(process.env.APP_ID ?? 0);
    const queue = new KeyedQueue();
    registerQueue(queue);
    options.onQueue?.(queue);
    // /healthz, /readyz and /metrics on Probot's server (not available when loaded without one, as in tests).
    try {
      appOptions.addHandler(
        opsHandler(async () => {
          const octokit = await app.auth();
          await octokit.request("GET /app");
        }),
      );
    } catch {
      // no server: nothing to serve
    }

    const evaluateTargets = async (context: Context, parsed: ParsedEvent) => {
      if (!parsed.ok) {
        context.log.warn({ event: "ignored_payload", name: context.name, problem: parsed.problem }, "webhook payload lacks a field countersign needs; ignored");
        return;
      }
      instrument(context.octokit);
      const deps: EvaluationDeps = {
        client: context.octokit,
        loadConfig: () => context.config(CONFIG_FILE),
        log: context.log,
        appId,
      };
      const run = (t: Target) => queue.run(`${t.owner}/${t.repo}#${t.number}`, async () => {
        try {
          const decision = await evaluateAndPublish(deps, t);
          metrics.evaluations.inc({ outcome: decision.outcome });
          metrics.evaluationSeconds.observe(decision.durationMs / 1000);
          for (const tool of decision.tools) metrics.aiPullRequests.inc({ tool, tier: decision.tier ?? "unknown" });
        } catch (error) {
          // evaluateAndPublish handles what users and GitHub cause; this is a bug: log it, never crash.
          context.log.error({ event: "evaluation_crashed", repo: `${t.owner}/${t.repo}`, pr: t.number, err: error }, "countersign evaluation failed unexpectedly");
        }
      });
      const all = Promise.all(parsed.targets.map(run));
      if (options.waitForEvaluations) await all;
    };

    app.on([...PULL_REQUEST_EVENTS], async (context) => evaluateTargets(context, pullRequestTargets(context.payload)));

    // "Re-run" in GitHub's UI on countersign's check: recompute from scratch.
    app.on("check_run.rerequested", async (context) => {
      const parsed = checkRunTargets(context.payload);
      if (parsed.ok && context.payload.check_run.app?.id !== undefined && appId !== 0 && context.payload.check_run.app.id !== appId) return;
      await evaluateTargets(context, await withForkPulls(context, parsed));
    });

    app.on(["check_suite.requested", "check_suite.rerequested"], async (context) => evaluateTargets(context, await withForkPulls(context, checkSuiteTargets(context.payload))));

    // Pushes around the gate: AI-authored commits, force pushes and deletions on protected branches.
    app.on("push", async (context) => {
      const work = handlePush({ client: context.octokit, loadConfig: () => context.config(CONFIG_FILE), log: context.log, appId }, context.payload).catch((error: unknown) => {
        context.log.error({ event: "push_check_crashed", err: error }, "countersign could not check a push");
      });
      if (options.waitForEvaluations) await work;
    });

    // GitHub's merge queue: a verdict on each merge group's head, or a required check stalls the queue.
    app.on("merge_group.checks_requested", async (context) => {
      const work = handleMergeGroup({ client: context.octokit, loadConfig: () => context.config(CONFIG_FILE), log: context.log, appId }, context.payload).catch((error: unknown) => {
        context.log.error({ event: "merge_group_crashed", err: error }, "countersign could not check a merge group");
      });
      if (options.waitForEvaluations) await work;
    });

    // `/countersign` commands, and edits or deletions of comments that held them.
    app.on(["issue_comment.created", "issue_comment.edited", "issue_comment.deleted"], async (context) => evaluateTargets(context, issueCommentTargets(context.payload)));
  };
}

/**
 * Check payloads list no pull requests for heads in forks: ask GitHub which open pull requests have
 * this head commit.
 */
async function withForkPulls(context: Context, parsed: ParsedEvent): Promise<ParsedEvent> {
  if (!parsed.ok || parsed.targets.length > 0 || parsed.headSha === null) return parsed;
  const { data } = await context.octokit.request("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", { owner: parsed.owner, repo: parsed.repo, commit_sha: parsed.headSha });
  const pulls = CommitPullsSchema.safeParse(data);
  if (!pulls.success) return { ok: false, problem: "unexpected answer listing the pull requests of a commit" };
  const targets = pulls.data.filter((p) => p.state === "open" && p.head.sha === parsed.headSha).map((p) => ({ owner: parsed.owner, repo: parsed.repo, number: p.number, headSha: parsed.headSha }));
  return { ...parsed, targets };
}

export default createApp();
