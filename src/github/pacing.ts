/**
 * How countersign spends GitHub's secondary rate limits: every request waits here, per installation,
 * only as long as GitHub's documented limits require.
 *
 * Probot's Octokit (`@octokit/plugin-throttling`) spaces every write *and every GraphQL query* one
 * second apart, and comment-like writes three seconds apart. That publishes a verdict at the earliest
 * a second after the query that decided it, and makes a burst of N pull requests wait N seconds.
 * countersign's Octokit (`octokit.ts`) turns that spacing off and paces requests here instead, by the
 * limits GitHub documents ("Rate limits for the REST API" → secondary rate limits):
 *
 * | budget            | GitHub's limit                         | cost of a request                          |
 * |-------------------|----------------------------------------|--------------------------------------------|
 * | `rest`, per route | 900 points / minute per endpoint       | GET/HEAD 1, other methods 5                 |
 * | `graphql`         | 2,000 points / minute                  | query 1, mutation 5                         |
 * | `content`         | 80 content-creating requests / minute  | issues, comments, reviews, reactions: 1 each |
 * | `contentHourly`   | 500 content-creating requests / hour   | the same                                    |
 *
 * Each budget is a GCRA bucket (a leaky bucket that can book future slots): a burst of up to half
 * the limit goes out at once, then requests flow at half the limit per window — so no window of that
 * length ever holds more than the limit. A REST budget covers a route for every repository of the
 * installation (`POST /repos/{owner}/{repo}/check-runs`), which is stricter than GitHub's count per
 * endpoint. GitHub's concurrency limit (100) is kept here too: at most `MAX_IN_FLIGHT` (10) requests
 * in flight per installation in each process. Answered rate limits (`hold`) and retries are
 * `octokit.ts`'s.
 *
 * The budgets live in this process (`MemoryBuckets`) or, with several replicas (REDIS_URL), in Redis,
 * where every replica spends the same ones (`redis-buckets.ts`).
 */

export interface Budget {
  /** GitHub's limit: points per window. */
  readonly points: number;
  readonly windowMs: number;
}

export const BUDGETS = {
  rest: { points: 900, windowMs: 60_000 },
  graphql: { points: 2_000, windowMs: 60_000 },
  content: { points: 80, windowMs: 60_000 },
  contentHourly: { points: 500, windowMs: 3_600_000 },
} as const satisfies Record<string, Budget>;

export type BudgetName = keyof typeof BUDGETS;
/** Points a request spends in each budget; `route` names the REST endpoint whose budget `rest` is. */
export type Cost = Partial<Record<BudgetName, number>> & { readonly route?: string };

/** What one request to GitHub costs, by method, URL (template or path) and, for GraphQL, its document. */
export function costOf(method: string, url: string, query?: unknown): Cost {
  const path = pathOf(url);
  if (/\/graphql$/.test(path)) {
    // Leading comments and blank lines do not make a mutation a query.
    const document = (typeof query === "string" ? query : "").replace(/^(?:\s*#[^\n]*(?:\n|$))*/, "");
    if (!/^\s*mutation\b/.test(document)) return { graphql: 1 };
    // One request with mutations costs 5 points however many it holds; each field that creates
    // content (a comment, an issue, a reaction …) also spends the content budgets.
    const content = (document.match(CONTENT_MUTATIONS) ?? []).length;
    return content > 0 ? { graphql: 5, content, contentHourly: content } : { graphql: 5 };
  }
  const verb = method.toUpperCase();
  const route = `${verb} ${path}`;
  if (verb === "GET" || verb === "HEAD") return { rest: 1, route };
  if (verb === "POST" && isAuthPath(path)) return {};
  if (verb === "POST" && CONTENT_ROUTES.some((r) => r.test(path))) return { rest: 5, route, content: 1, contentHourly: 1 };
  return { rest: 5, route };
}

/** GraphQL mutation fields that create content (as the POST routes below); reactions counted too, to be safe. */
const CONTENT_MUTATIONS = /\b(?:addComment|addReaction|createIssue|addPullRequestReview|addPullRequestReviewComment|addPullRequestReviewThread|createPullRequest|createDiscussion|addDiscussionComment|createCommitOnBranch)\s*\(/g;

/** POST routes that create content someone is notified of (issues, comments, reviews, pull requests, releases). */
const SEGMENT = "[^/]+";
const CONTENT_ROUTES = [
  `/repos/${SEGMENT}/${SEGMENT}/issues`,
  `/repos/${SEGMENT}/${SEGMENT}/issues/${SEGMENT}/comments`,
  `/repos/${SEGMENT}/${SEGMENT}/pulls`,
  `/repos/${SEGMENT}/${SEGMENT}/pulls/${SEGMENT}/reviews`,
  `/repos/${SEGMENT}/${SEGMENT}/pulls/${SEGMENT}/comments`,
  `/repos/${SEGMENT}/${SEGMENT}/commits/${SEGMENT}/comments`,
  `/repos/${SEGMENT}/${SEGMENT}/releases`,
].map((r) => new RegExp(`${r}$`));

const isAuthPath = (path: string) => /\/app\/installations\/[^/]+\/access_tokens$/.test(path);

/** The path of a URL or route template, without the `/api/v3` prefix of GitHub Enterprise Server. */
function pathOf(url: string): string {
  // Templates keep their `{placeholders}` (a URL parser would escape them); absolute URLs lose scheme and host.
  const path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "").split(/[?#]/)[0] ?? "";
  return path.replace(/^\/api\/v3(?=\/)/, "").replace(/\/+$/, "");
}

/** The pacer's clock and timer (replaced in tests). */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

/** One budget's share of a reservation: GCRA parameters and the points spent. */
export interface Charge {
  /** The bucket: a budget's name, and for REST the route (`rest POST /repos/{owner}/{repo}/check-runs`). */
  readonly budget: string;
  readonly points: number;
  /** The bucket's size: half the limit. */
  readonly burst: number;
  /** How long one point takes to drain: the window over half the limit. */
  readonly msPerPoint: number;
}

/**
 * Where the buckets live: in this process (`MemoryBuckets`), or in Redis so that every replica
 * spends one budget (`redis-buckets.ts`). `reserve` books the earliest moment at which the charges
 * fit, no earlier than `notBefore`, and returns how many ms from now that is.
 */
export interface Buckets {
  reserve(key: string, charges: readonly Charge[], notBefore: number): Promise<number>;
  /** Nothing goes out for `key` before `until` (epoch ms): GitHub said to wait. */
  hold(key: string, until: number): Promise<void>;
  /** How many ms of GitHub's wait remain for `key` (0: none). */
  held(key: string): Promise<number>;
}

/**
 * GCRA over a map: per key and budget, the time at which the bucket would be empty (its "theoretical
 * arrival time"). Shared by the in-memory buckets and, line for line, by the Redis script.
 */
export function gcra(tats: Readonly<Record<string, number>>, charges: readonly Charge[], now: number, notBefore: number): { start: number; tats: Record<string, number> } {
  let start = Math.max(now, notBefore);
  for (const c of charges) {
    const tat = tats[c.budget] ?? now;
    // A request fits once its points (at most a whole bucket) no longer overflow the bucket.
    start = Math.max(start, tat + (Math.min(c.points, c.burst) - c.burst) * c.msPerPoint);
  }
  const next = { ...tats };
  for (const c of charges) next[c.budget] = Math.max(tats[c.budget] ?? now, start) + c.points * c.msPerPoint;
  return { start, tats: next };
}

export class MemoryBuckets implements Buckets {
  private readonly buckets = new Map<string, { tats: Record<string, number>; holdUntil: number }>();
  private lastSweep = 0;

  constructor(private readonly clock: Clock = realClock) {}

  reserve(key: string, charges: readonly Charge[], notBefore: number): Promise<number> {
    const now = this.clock.now();
    const bucket = this.buckets.get(key) ?? { tats: {}, holdUntil: 0 };
    const { start, tats } = gcra(bucket.tats, charges, now, Math.max(notBefore, bucket.holdUntil));
    this.buckets.set(key, { tats, holdUntil: bucket.holdUntil });
    this.forgetIdle(now);
    return Promise.resolve(start - now);
  }

  hold(key: string, until: number): Promise<void> {
    const bucket = this.buckets.get(key) ?? { tats: {}, holdUntil: 0 };
    this.buckets.set(key, { ...bucket, holdUntil: Math.max(bucket.holdUntil, until) });
    return Promise.resolve();
  }

  held(key: string): Promise<number> {
    return Promise.resolve(Math.max(0, (this.buckets.get(key)?.holdUntil ?? 0) - this.clock.now()));
  }

  /** Drops the buckets of installations that have gone quiet (they are empty). */
  private forgetIdle(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, b] of this.buckets) {
      if (b.holdUntil < now && Object.values(b.tats).every((tat) => tat < now)) this.buckets.delete(key);
    }
  }
}

/** The charges a cost makes against `budgets`. */
export function chargesOf(cost: Cost, budgets: Record<BudgetName, Budget> = BUDGETS): Charge[] {
  return (Object.keys(budgets) as BudgetName[]).flatMap((name) => {
    const points = cost[name] ?? 0;
    if (points <= 0) return [];
    const { points: limit, windowMs } = budgets[name];
    const burst = limit / 2;
    return [{ budget: name === "rest" ? `rest ${cost.route ?? ""}` : name, points, burst, msPerPoint: windowMs / burst }];
  });
}

/** A request would have to wait longer than its caller allows (GitHub's budget, or its "retry after"). */
export class BudgetExhaustedError extends Error {
  constructor(readonly waitMs: number) {
    super(`GitHub's rate limit: try again in ${Math.ceil(waitMs / 1000)} s`);
    this.name = "BudgetExhaustedError";
  }
}

/** GitHub allows 100 requests in flight; countersign keeps at most this many per installation. */
export const MAX_IN_FLIGHT = 10;

/**
 * Paces requests per installation: GitHub's documented budgets (`Buckets`), at most `MAX_IN_FLIGHT`
 * requests in flight, and nothing at all while GitHub has said to wait (`hold`).
 */
export class Pacer {
  private readonly inFlight = new Map<string, { running: number; waiting: (() => void)[] }>();

  constructor(
    readonly buckets: Buckets = new MemoryBuckets(),
    private readonly clock: Clock = realClock,
    private readonly budgets: Record<BudgetName, Budget> = BUDGETS,
  ) {}

  /**
   * Waits for a slot for a request of `cost` under `key`; call the returned function when it is done.
   * A wait longer than `maxWaitMs` is not sat out: `BudgetExhaustedError` says how long it would be.
   */
  async acquire(key: string, cost: Cost, maxWaitMs = Number.POSITIVE_INFINITY): Promise<() => void> {
    const charges = chargesOf(cost, this.budgets);
    // Free requests (installation tokens) neither wait nor take a slot: they are made *inside* other
    // requests (Octokit's auth hook), which hold slots while they wait for the token.
    if (charges.length === 0) return () => undefined;
    const wait = await this.buckets.reserve(key, charges, 0);
    if (wait > maxWaitMs) throw new BudgetExhaustedError(wait);
    if (wait > 0) {
      await this.clock.sleep(wait);
      // GitHub may have said "retry after" while this request slept: nothing goes out before that.
      const held = await this.buckets.held(key);
      if (held > maxWaitMs - wait) throw new BudgetExhaustedError(held);
      if (held > 0) await this.clock.sleep(held);
    }
    const slot = this.inFlight.get(key) ?? { running: 0, waiting: [] };
    this.inFlight.set(key, slot);
    if (slot.running >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => slot.waiting.push(resolve));
    else slot.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = slot.waiting.shift();
      if (next) next();
      else if (--slot.running === 0) this.inFlight.delete(key);
    };
  }

  /** GitHub answered "rate limited, retry after …": hold every request of `key` until then. */
  hold(key: string, until: number): Promise<void> {
    return this.buckets.hold(key, until);
  }
}

/** What GitHub's answer says about rate limits. */
export interface LimitAnswer {
  readonly status: number;
  readonly headers: Record<string, string | number | undefined>;
  readonly message: string;
  /** GraphQL reports an exhausted limit as an error of type RATE_LIMITED in a 200 answer. */
  readonly graphqlRateLimited?: boolean;
}

/** Secondary limits without a `retry-after`: GitHub says to wait at least a minute. */
export const SECONDARY_FALLBACK_MS = 60_000;

/**
 * How long GitHub asks us to wait before trying again, or undefined when the answer is not a rate
 * limit. Primary limit: `x-ratelimit-remaining: 0` until `x-ratelimit-reset`; secondary limit:
 * `retry-after` seconds (or a minute when it is absent), as GitHub documents.
 */
export function rateLimitWait(answer: LimitAnswer, now: number): number | undefined {
  const header = (name: string) => {
    const value = answer.headers[name];
    return value === undefined ? undefined : Number(value);
  };
  const limited = answer.status === 429 || answer.status === 403 || answer.graphqlRateLimited === true;
  if (!limited) return undefined;
  const retryAfter = header("retry-after");
  if (retryAfter !== undefined && Number.isFinite(retryAfter)) return Math.max(0, retryAfter * 1000);
  const reset = header("x-ratelimit-reset");
  if (header("x-ratelimit-remaining") === 0 && reset !== undefined && Number.isFinite(reset)) return Math.max(0, reset * 1000 - now);
  if (answer.graphqlRateLimited) return SECONDARY_FALLBACK_MS;
  if (/secondary rate limit|abuse/i.test(answer.message) || answer.status === 429) return SECONDARY_FALLBACK_MS;
  return undefined; // a 403 for lack of permission
}
