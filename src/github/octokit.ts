/**
 * How countersign's requests reach GitHub: paced by GitHub's documented limits (`pacing.ts`), waiting
 * and retrying when GitHub answers "rate limited", each attempt bounded in time, and counted.
 *
 * `CountersignOctokit` is Probot's Octokit for `npm start` (bin/start.js). Probot's throttling plugin
 * spaces every write and every GraphQL query one second apart and costs several milliseconds per
 * request in its scheduler (Bottleneck) even when nothing waits; countersign's pacer replaces it. Its
 * Redis clustering is not used either: Bottleneck's Redis store fails every request with
 * `ERR SETTINGS_KEY_NOT_FOUND` once its keys are gone (a Redis restart: seen in test/e2e/replicas;
 * Redis 7 expiry: SGrondin/bottleneck#205, #219, open), so with REDIS_URL countersign keeps the
 * budgets in Redis itself (`redis-buckets.ts`). Nor is Probot's retry plugin there: `prepareClient`
 * retries 5xx answers and failed connections itself, at a fraction of the cost.
 *
 * It carries only the plugins countersign uses — `request`, `graphql`, `config` (Probot's
 * `context.config`), GitHub Enterprise compatibility and Probot's debug-level request log — not
 * Probot's REST endpoint methods, pagination, throttling or retry. Probot builds an Octokit for every
 * webhook it dispatches, used or not: 23–38 µs with these plugins, 45–56 µs with Probot's
 * (`npm run bench:octokit`). The app reaches GitHub through `octokit.request` and `octokit.graphql`
 * only; eslint.config.js refuses `.rest` and `.paginate` under src/app and src/github.
 *
 * Started with a plain `probot run`, the app still works: it is then paced twice (Probot's spacing
 * and countersign's), which is safe and slower.
 */
import { Octokit } from "@octokit/core";
import { enterpriseCompatibility } from "@octokit/plugin-enterprise-compatibility";
import { config } from "@probot/octokit-plugin-config";
import { createProbotAuth } from "octokit-auth-probot";
import { Server, type ProbotOctokit } from "probot";
import { nodeFetch } from "./fetch.js";
import { BudgetExhaustedError, costOf, rateLimitWait, realClock, type Clock, type Pacer } from "./pacing.js";

/**
 * Probot's request log: each GitHub request at debug level, as Probot's own plugin writes it, but
 * parsed only when debug is on (Probot's parses every request's options whatever the level).
 */
function requestLogging(octokit: Octokit): void {
  const log = (status: number, options: Parameters<Octokit["request"]["endpoint"]["parse"]>[0]) => {
    const logger = octokit.log as Octokit["log"] & { isLevelEnabled?: (level: string) => boolean };
    if (logger.isLevelEnabled?.("debug") === false) return;
    const { method, url, ...params } = octokit.request.endpoint.parse(options);
    // Octokit types `log` as console-like; Probot's is pino, which takes the fields first.
    (logger as unknown as { debug(fields: object, message: string): void }).debug(params.body || {}, `GitHub request: ${method} ${url} - ${status}`);
  };
  octokit.hook.error("request", (error, options) => {
    if ("status" in error && typeof error.status === "number") log(error.status, options);
    throw error;
  });
  octokit.hook.after("request", (response, options) => log(response.status, options));
}

const PaceableOctokit = Octokit.plugin(enterpriseCompatibility, requestLogging, config).defaults((options: Record<string, unknown>) => ({
  // Probot's defaults (its own Octokit's), which its options override.
  authStrategy: createProbotAuth,
  userAgent: `probot/${Server.version}`,
  ...options,
  request: { fetch: nodeFetch, ...((options.request ?? {}) as Record<string, unknown>) },
}));

/**
 * countersign's Octokit for Probot: pacing and retries are `prepareClient`'s (by GitHub's documented
 * budgets, in Redis when replicas share one), so Probot's throttling and retry plugins are not there
 * (their options, which Probot passes, are ignored). Requests go out through `nodeFetch` (fetch.ts),
 * at about half the CPU of Node's global fetch (unless a `request.fetch` is given).
 *
 * Typed as Probot's Octokit, whose type `Probot` and `Context` expect: it has all of it but the REST
 * endpoint methods and `paginate`, which eslint.config.js keeps out of the app.
 */
export const CountersignOctokit = PaceableOctokit as unknown as typeof ProbotOctokit;

/** The longest a GitHub request may take, its 5xx retries included (waiting for the pacer or for GitHub's rate-limit wait not). */
export const REQUEST_TIMEOUT_MS = 30_000;

/** GITHUB_REQUEST_TIMEOUT_MS, or the default. */
export function requestTimeout(env: NodeJS.ProcessEnv = process.env): number {
  const configured = Number(env.GITHUB_REQUEST_TIMEOUT_MS);
  return Number.isFinite(configured) && configured > 0 ? configured : REQUEST_TIMEOUT_MS;
}

/** The slice of Octokit's hook API used here. */
interface Hooks {
  hook: {
    wrap(name: "request", wrapper: (request: (options: RequestOptions) => Promise<Response>, options: RequestOptions) => Promise<Response>): void;
    after(name: "request", hook: (response: Response) => void): void;
    error(name: "request", hook: (error: unknown) => void): void;
  };
}
interface RequestOptions {
  method: string;
  url: string;
  query?: unknown;
  request?: Record<string, unknown>;
  [key: string]: unknown;
}
interface Response {
  status?: number;
  headers: Record<string, string | number | undefined>;
  data?: unknown;
}

export interface ClientOptions {
  /** Whose budget the requests spend: the installation id. */
  readonly installation: string;
  readonly pacer: Pacer;
  /** The longest one attempt may take; also the longest countersign waits when GitHub says to. */
  readonly timeoutMs: number;
  /** Called once per request (its retries included) with the rate limit GitHub reported. */
  readonly onRequest?: (rateLimitRemaining: number | undefined) => void;
  readonly clock?: Clock;
}

/** GitHub answered "rate limited" and asked for a longer wait than countersign spends on one request. */
export class RateLimitedError extends Error {
  constructor(
    readonly retryAfterMs: number,
    cause: unknown,
  ) {
    super(`GitHub's rate limit: try again in ${Math.ceil(retryAfterMs / 1000)} s`, { cause });
    this.name = "RateLimitedError";
  }
}

/** Attempts per request when GitHub answers "rate limited" (each after the wait it asks for). */
const RATE_LIMIT_ATTEMPTS = 3;
/** Attempts per request when GitHub answers 5xx or the connection fails: after 1 s, then 4 s (as plugin-retry). */
const SERVER_ERROR_ATTEMPTS = 3;

const prepared = new WeakSet<object>();

/**
 * Paces, bounds, retries and counts every request of `octokit` (once per instance).
 *
 * Retries: after a rate-limit answer, once GitHub's wait is over (three attempts); after a 5xx answer
 * or a failed connection, 1 s and then 4 s later, within the request's time budget — except requests
 * marked `request: { retries: 0 }` (creates: a lost answer must not become a duplicate). This replaces
 * plugin-retry, which schedules every request through a Bottleneck of its own: ~6 ms and ~1.5 ms of
 * CPU per request on loopback, measured.
 */
export function prepareClient(octokit: Hooks, options: ClientOptions): void {
  if (prepared.has(octokit)) return;
  prepared.add(octokit);
  const clock = options.clock ?? realClock;
  octokit.hook.wrap("request", async (request, req) => {
    const cost = costOf(req.method, req.url, req.query);
    const retriable = req.request?.retries !== 0;
    // The time budget starts once the pacer lets the request go, and again after a rate-limit wait.
    let deadline: number | undefined;
    let limited = 0;
    let failed = 0;
    for (;;) {
      let release: () => void;
      try {
        // A wait longer than a request's budget (GitHub said "retry after" an hour, say) fails closed now.
        release = await options.pacer.acquire(options.installation, cost, options.timeoutMs);
      } catch (error) {
        if (error instanceof BudgetExhaustedError) throw new RateLimitedError(error.waitMs, error);
        throw error;
      }
      deadline ??= clock.now() + options.timeoutMs;
      let answer: { response?: Response; error?: unknown };
      try {
        answer = { response: await bounded(request, req, Math.max(1, deadline - clock.now())) };
      } catch (error) {
        answer = { error };
      } finally {
        release();
      }
      const wait = rateLimitWait(limitAnswer(answer), clock.now());
      if (wait !== undefined) {
        // Nothing more goes out for this installation until GitHub's wait is over.
        await options.pacer.hold(options.installation, clock.now() + wait);
        // A GraphQL answer with data did something (a mutation's other parts): never sent again.
        const applied = (answer.response?.data as { data?: unknown } | undefined)?.data;
        if (++limited >= RATE_LIMIT_ATTEMPTS || wait > options.timeoutMs || (applied !== undefined && applied !== null)) throw new RateLimitedError(wait, answer.error ?? new Error("GraphQL: RATE_LIMITED"));
        deadline = undefined;
        continue;
      }
      if (!("error" in answer)) return answer.response as Response;
      const delay = 1000 * (failed + 1) ** 2;
      if (!retriable || !serverFailure(answer.error) || ++failed >= SERVER_ERROR_ATTEMPTS || clock.now() + delay >= deadline) throw answer.error;
      await clock.sleep(delay);
    }
  });
  octokit.hook.after("request", (response) => {
    const remaining = Number(response.headers["x-ratelimit-remaining"]);
    options.onRequest?.(Number.isFinite(remaining) ? remaining : undefined);
  });
  octokit.hook.error("request", (error) => {
    options.onRequest?.(undefined);
    throw error;
  });
}

/** One attempt, aborted (with a clear error) after `ms`. */
async function bounded(request: (options: RequestOptions) => Promise<Response>, req: RequestOptions, ms: number): Promise<Response> {
  const controller = new AbortController();
  const timedOut = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(new Error(`GitHub did not answer ${req.method} ${req.url} within ${ms} ms`)), { once: true });
  });
  const timer = setTimeout(() => controller.abort(), ms);
  // The signal also aborts the request itself (and any retry of it, which then fails at once).
  const pending = Promise.resolve(request({ ...req, request: { ...req.request, signal: controller.signal } }));
  pending.catch(() => undefined);
  try {
    return await Promise.race([pending, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** A 5xx answer or a failed connection; not our own time-out. */
function serverFailure(error: unknown): boolean {
  if (error instanceof Error && error.message.startsWith("GitHub did not answer")) return false;
  const status = (error as { status?: unknown } | undefined)?.status;
  // Octokit reports a failed connection as status 500; an error without a status is not GitHub's.
  return typeof status === "number" && status >= 500;
}

/** The parts of an answer (or a RequestError) that say whether it was a rate limit. */
function limitAnswer(answer: { response?: Response; error?: unknown }): Parameters<typeof rateLimitWait>[0] {
  if (answer.response) {
    const errors = (answer.response.data as { errors?: { type?: unknown }[] } | undefined)?.errors;
    return { status: answer.response.status ?? 200, headers: answer.response.headers, message: "", graphqlRateLimited: Array.isArray(errors) && errors.some((e) => e?.type === "RATE_LIMITED") };
  }
  const e = answer.error as { status?: unknown; message?: unknown; response?: { headers?: Record<string, string | number | undefined> } } | undefined;
  return { status: typeof e?.status === "number" ? e.status : 0, headers: e?.response?.headers ?? {}, message: typeof e?.message === "string" ? e.message : "" };
}
