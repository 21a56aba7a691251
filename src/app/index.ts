/**
 * The countersign GitHub App (Probot application function): thin event handlers that all funnel into
 * one evaluate-and-publish path (`evaluate-pr.ts`), serialized and coalesced per pull request.
 */
import { Context, type ApplicationFunction, type Probot } from "probot";
import { z } from "zod";
import { evaluateAndPublish, publishRetryDelay, type EvaluationDeps } from "./evaluate-pr.js";
import { Retries } from "./retries.js";
import { checkRunTargets, checkSuiteTargets, CommitPullsSchema, issueCommentTargets, pullRequestTargets, type ParsedEvent, type Target } from "./payloads.js";
import { handleMergeGroup } from "./merge-group.js";
import { handlePush } from "./push.js";
import { DEFAULT_CONCURRENCY, IntakeFirst, KeyedQueue } from "./queue.js";
import { metrics, opsHandler, registerQueue } from "./ops.js";
import { prepareClient, requestTimeout } from "../github/octokit.js";
import { MemoryBuckets, Pacer } from "../github/pacing.js";
import { RedisBuckets } from "../github/redis-buckets.js";
import { LocalCoordinator, RedisCoordinator, type Coordinator } from "./coordination.js";
import { FilesCache } from "../github/files.js";
import { InstallationClients } from "./installations.js";

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
  /** How requests to GitHub are paced (default: GitHub's documented budgets, per installation, in this process). */
  readonly pacer?: Pacer;
  /** How replicas share pull requests (default: Redis at REDIS_URL, or this process alone). */
  readonly coordinator?: Coordinator;
  /** How long to wait before the n-th try to publish again (default `publishRetryDelay`; undefined: stop). */
  readonly publishRetryDelay?: (attempt: number) => number | undefined;
}

const keyOf = (t: Target) => `${t.owner}/${t.repo}#${t.number}`.toLowerCase();
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

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

/** The installation a webhook was delivered to. */
function installationOf(payload: unknown): number | undefined {
  const id = (payload as { installation?: { id?: unknown } }).installation?.id;
  return typeof id === "number" ? id : undefined;
}

/** An Octokit, paced by its installation's budget, time-bounded and counted (`github/octokit.ts`). */
function clientOf(octokit: Context["octokit"], installation: number | undefined, pacer: Pacer, timeoutMs: number): Context["octokit"] {
  prepareClient(octokit as unknown as Parameters<typeof prepareClient>[0], {
    installation: String(installation ?? "app"),
    pacer,
    timeoutMs,
    onRequest: (remaining) => {
      metrics.githubRequests.inc();
      if (remaining !== undefined) metrics.rateLimitRemaining.set(remaining);
    },
  });
  return octokit;
}

/** How long after start a replica looks for pull requests whose evaluation a crashed replica never finished. */
const SWEEP_DELAY_MS = 2_000;
const UnfinishedSchema = z.object({ owner: z.string(), repo: z.string(), number: z.number().int().positive(), installation: z.number().int().positive() });
const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** After Redis was unreachable, the pull request is evaluated again this much later (until it is back). */
const COORDINATION_RETRY_MS = 30_000;

/** EVALUATION_CONCURRENCY: pull requests evaluated at once (default 4). */
export function evaluationConcurrency(env: NodeJS.ProcessEnv): number {
  const configured = Number(env.EVALUATION_CONCURRENCY);
  return Number.isInteger(configured) && configured >= 1 ? configured : DEFAULT_CONCURRENCY;
}

export function createApp(options: AppOptions = {}): ApplicationFunction {
  return (app: Probot, appOptions) => {
    const unsafe = unsafeSecretReason(process.env);
    if (unsafe) throw new Error(`countersign: ${unsafe}`);
    const appId = options.appId ?? Number(process.env.APP_ID ?? 0);
    // Webhook intake first: while webhooks pour in, evaluations wait (queue.ts).
    const intake = new IntakeFirst();
    const timeoutMs = requestTimeout();
    // The queue's tasks handle what users and GitHub cause; a task that still throws is a bug: log it, never crash.
    const queue = new KeyedQueue(evaluationConcurrency(process.env), intake.holdOff, (key, error) => app.log.error({ event: "evaluation_crashed", key, err: error }, "countersign evaluation failed unexpectedly"));
    const filesCache = new FilesCache();
    // With REDIS_URL, replicas coordinate per pull request through Redis and pace GitHub requests from
    // one budget per installation there; otherwise this process is all there is.
    const coordinator = options.coordinator ?? (process.env.REDIS_URL ? RedisCoordinator.connect(process.env.REDIS_URL, { prefix: `countersign:${appId}:` }) : new LocalCoordinator());
    const pacer = options.pacer ?? new Pacer(coordinator instanceof RedisCoordinator ? new RedisBuckets(coordinator.redis, () => coordinator.connected(), `${coordinator.prefix}pace:`) : new MemoryBuckets());
    registerQueue(queue, coordinator);
    // Re-evaluations this app schedules by itself (retries.ts); stopped on drain.
    const retries = new Retries(options.publishRetryDelay ?? publishRetryDelay);
    registerQueue(queue, retries);
    options.onQueue?.(queue);
    // /healthz, /readyz and /metrics on Probot's server (not available when loaded without one, as in tests).
    try {
      appOptions.addHandler(
        opsHandler(
          async () => {
            const octokit = await app.auth();
            await octokit.request("GET /app");
          },
          Date.now,
          coordinator.shared ? () => coordinator.ping() : undefined,
        ),
      );
    } catch {
      // no server: nothing to serve
    }

    // Every handler goes through `on`, which notes the webhook for the hold-off. Not `app.onAny`: Probot
    // builds a context — with an installation Octokit — for each handler an event matches, so a second
    // handler per event would double the work of every webhook.
    const on: Probot["on"] = (events, handler) =>
      app.on(events, async (context) => {
        intake.webhook();
        await handler(context);
      });

    // Work that may wait on GitHub (a fork's pull request look-up, paced) runs after the webhook is answered.
    const inBackground = async (work: () => Promise<void>): Promise<void> => {
      const done = work().catch((error: unknown) => app.log.error({ event: "handler_crashed", err: error }, "countersign could not handle a webhook"));
      if (options.waitForEvaluations) await done;
    };

    /** The webhook's own Octokit, paced and bounded. */
    const webhookClient = (context: Context) => clientOf(context.octokit, installationOf(context.payload), pacer, timeoutMs);
    // Clients for evaluations, one per installation: each request takes the installation's token from
    // Probot's token cache, which mints a new one before it expires.
    const clients = new InstallationClients((id) => app.auth(id));

    /**
     * What a queued evaluation keeps of its webhook: the installation, the delivery's logger and, only
     * when the payload names no installation, the webhook's context. Not the context itself: under a
     * burst each would hold its payload and Octokit until its pull request is evaluated: long enough
     * to outlive V8's young generation, so collecting them became a visible part of the intake's CPU
     * (bench/webhooks/README.md).
     */
    type Job = { readonly log: Context["log"] } & ({ readonly installation: number } | { readonly context: Context });
    const jobOf = (context: Context): Job => {
      const installation = installationOf(context.payload);
      return installation === undefined ? { context, log: context.log } : { installation, log: context.log };
    };
    /**
     * The client and config loader an evaluation uses: the installation's (shared) client, or the
     * webhook's context when there is no installation. Not a Probot `Context` on the shared client:
     * its constructor would stamp every later request of the installation with one delivery's id.
     */
    const clientFor = async (t: Target, job: Job): Promise<Pick<EvaluationDeps, "client" | "loadConfig">> => {
      if ("context" in job) {
        const context = job.context;
        return { client: webhookClient(context), loadConfig: () => context.config(CONFIG_FILE) };
      }
      const octokit = await clients.get(job.installation);
      // Probot's `Context#config` (`_extends`, deep merge) reads only `this.repo()` and `this.octokit`.
      const repository = { repo: (extra: object = {}) => ({ owner: t.owner, repo: t.repo, ...extra }), octokit };
      return { client: clientOf(octokit, job.installation, pacer, timeoutMs), loadConfig: () => Context.prototype.config.call(repository as unknown as Context, CONFIG_FILE) };
    };

    /** Evaluates the pull request again later (retries.ts calls it, saying whether it counts as an event). */
    const again = (t: Target, job: Job) => (isEvent: boolean) => run(t, job, isEvent);

    const evaluateOnce = async (t: Target, job: Job, extra: Pick<EvaluationDeps, "holds" | "blocked">): Promise<void> => {
      try {
        const deps: EvaluationDeps = { filesCache, ...(await clientFor(t, job)), log: job.log, appId, ...extra };
        const decision = await evaluateAndPublish(deps, t);
        metrics.evaluations.inc({ outcome: decision.outcome });
        metrics.evaluationSeconds.observe(decision.durationMs / 1000);
        for (const tool of decision.tools) metrics.aiPullRequests.inc({ tool, tier: decision.tier ?? "unknown" });
        // Rate-limited for longer than a request waits (the decision log says so): evaluate again once GitHub allows.
        // It counts as an event: with replicas, the evaluation that failed marked its events covered.
        const key = keyOf(t);
        if (decision.retryAfterMs !== undefined) retries.later(key, decision.retryAfterMs, true, again(t, job));
        else if (decision.unpublished) {
          // Publishing did not complete: evaluate again, backing off, until it does or the tries run out.
          if (retries.unpublished(key, again(t, job)) === "exhausted") {
            job.log.warn({ event: "publish_retries_exhausted", repo: `${t.owner}/${t.repo}`, pr: t.number }, "could not publish after several tries; the next event on the pull request tries again");
          }
        } else if (decision.outcome !== "superseded") retries.settled(key);
      } catch (error) {
        // evaluateAndPublish handles what users and GitHub cause; this is a bug: log it, never crash.
        job.log.error({ event: "evaluation_crashed", repo: `${t.owner}/${t.repo}`, pr: t.number, err: error }, "countersign evaluation failed unexpectedly");
      }
    };

    // Serialized and coalesced in this process (queue.ts) and, with REDIS_URL, across replicas (coordination.ts).
    // Returns the queue's own promise: a webhook answered at once leaves nothing of its own waiting on
    // the evaluation (under a burst, a chain per webhook would live until its pull request is evaluated).
    const run = (t: Target, job: Job, isEvent: boolean): Promise<void> => {
      const key = keyOf(t);
      if (!isEvent || !coordinator.shared) return enqueue(t, job, key, undefined);
      // What a replica's crash sweep needs to evaluate the pull request again: only Redis keeps it.
      const about = "installation" in job ? JSON.stringify({ owner: t.owner, repo: t.repo, number: t.number, installation: job.installation }) : undefined;
      return coordinator.noteEvent(key, about).then(
        () => enqueue(t, job, key, undefined),
        (error: unknown) => enqueue(t, job, key, errorText(error)),
      );
    };
    /** Queues the evaluation; `noteFailed`: why the replicas' store could not note the event, if it could not. */
    const enqueue = (t: Target, job: Job, key: string, noteFailed: string | undefined): Promise<void> =>
      queue.run(key, async () => {
        let unreachable = noteFailed;
        if (unreachable === undefined) {
          try {
            await coordinator.run(key, (fence) => evaluateOnce(t, job, { holds: fence.holds }), (afterMs) => retries.later(key, afterMs, false, again(t, job)));
            return;
          } catch (error) {
            unreachable = errorText(error);
          }
        }
        // The replicas' store is unreachable: an event could be lost or a verdict contradicted. Fail closed
        // (with Probot's cluster throttling on the same Redis, GitHub cannot be written either: the last
        // verdict stands and nothing new passes), and look again once Redis may be back.
        job.log.error({ event: "coordination_failed", repo: `${t.owner}/${t.repo}`, pr: t.number, err: unreachable }, "countersign cannot reach Redis; failing closed");
        await evaluateOnce(t, job, { blocked: `Redis: ${unreachable}` });
        retries.later(key, COORDINATION_RETRY_MS, true, again(t, job));
      });

    const evaluateTargets = async (context: Context, parsed: ParsedEvent) => {
      if (!parsed.ok) {
        context.log.warn({ event: "ignored_payload", name: context.name, problem: parsed.problem }, "webhook payload lacks a field countersign needs; ignored");
        return;
      }
      const job = jobOf(context);
      const queued = parsed.targets.map((t) => run(t, job, true));
      if (options.waitForEvaluations) await Promise.all(queued);
    };

    on([...PULL_REQUEST_EVENTS], async (context) => evaluateTargets(context, pullRequestTargets(context.payload)));

    // "Re-run" in GitHub's UI on countersign's check: recompute from scratch.
    on("check_run.rerequested", async (context) => {
      const parsed = checkRunTargets(context.payload);
      if (parsed.ok && context.payload.check_run.app?.id !== undefined && appId !== 0 && context.payload.check_run.app.id !== appId) return;
      await inBackground(async () => evaluateTargets(context, await withForkPulls(context, webhookClient(context), parsed)));
    });

    on(["check_suite.requested", "check_suite.rerequested"], async (context) => inBackground(async () => evaluateTargets(context, await withForkPulls(context, webhookClient(context), checkSuiteTargets(context.payload)))));

    // Pushes around the gate: AI-authored commits, force pushes and deletions on protected branches.
    on("push", async (context) => {
      const work = handlePush({ client: webhookClient(context), loadConfig: () => context.config(CONFIG_FILE), log: context.log, appId }, context.payload).catch((error: unknown) => {
        context.log.error({ event: "push_check_crashed", err: error }, "countersign could not check a push");
      });
      if (options.waitForEvaluations) await work;
    });

    // GitHub's merge queue: a verdict on each merge group's head, or a required check stalls the queue.
    on("merge_group.checks_requested", async (context) => {
      const work = handleMergeGroup({ client: webhookClient(context), loadConfig: () => context.config(CONFIG_FILE), log: context.log, appId }, context.payload).catch((error: unknown) => {
        context.log.error({ event: "merge_group_crashed", err: error }, "countersign could not check a merge group");
      });
      if (options.waitForEvaluations) await work;
    });

    // A replica that crashed answered webhooks it never evaluated: their counts stay in Redis. Shortly
    // after starting, evaluate every pull request whose events no finished evaluation covered.
    if (coordinator.shared) {
      setTimeout(() => {
        void sweep().catch((error: unknown) => app.log.error({ event: "sweep_failed", err: errorText(error) }, "countersign could not look for unfinished evaluations"));
      }, SWEEP_DELAY_MS).unref();
    }
    const sweep = async (): Promise<void> => {
      let found = 0;
      for await (const about of coordinator.unfinished()) {
        const parsed = UnfinishedSchema.safeParse(safeJson(about));
        if (!parsed.success) continue;
        const { owner, repo, number, installation } = parsed.data;
        found++;
        const done = run({ owner, repo, number, headSha: null }, { installation, log: app.log }, true);
        if (options.waitForEvaluations) await done;
      }
      app.log.info({ event: "sweep", unfinished: found }, `countersign: ${found} pull request(s) with unfinished evaluations`);
    };

    // `/countersign` commands, and edits or deletions of comments that held them.
    on(["issue_comment.created", "issue_comment.edited", "issue_comment.deleted"], async (context) => evaluateTargets(context, issueCommentTargets(context.payload)));
  };
}

/**
 * Check payloads list no pull requests for heads in forks: ask GitHub which open pull requests have
 * this head commit.
 */
async function withForkPulls(context: Context, client: Context["octokit"], parsed: ParsedEvent): Promise<ParsedEvent> {
  if (!parsed.ok || parsed.targets.length > 0 || parsed.headSha === null) return parsed;
  let data: unknown;
  try {
    ({ data } = await client.request("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", { owner: parsed.owner, repo: parsed.repo, commit_sha: parsed.headSha }));
  } catch (error) {
    // Nothing to mark without a pull request; the next event on it (or another Re-run) tries again.
    context.log.error({ event: "lookup_failed", repo: `${parsed.owner}/${parsed.repo}`, head_sha: parsed.headSha, err: error }, "could not find the pull requests of a re-run check's commit");
    return { ...parsed, targets: [] };
  }
  const pulls = CommitPullsSchema.safeParse(data);
  if (!pulls.success) return { ok: false, problem: "unexpected answer listing the pull requests of a commit" };
  const targets = pulls.data.filter((p) => p.state === "open" && p.head.sha === parsed.headSha).map((p) => ({ owner: parsed.owner, repo: parsed.repo, number: p.number, headSha: parsed.headSha }));
  return { ...parsed, targets };
}

export default createApp();
