/**
 * Several replicas, one verdict at a time per pull request.
 *
 * Within a process, `queue.ts` serializes and coalesces the evaluations of a pull request. With
 * REDIS_URL set, replicas behind a load balancer also share, per pull request:
 *
 * - an event counter (`events` in `countersign:{app}:pr:{pr}`), incremented by whichever replica
 *   receives an event *before* it queues the evaluation;
 * - a lock (`mutex:countersign:{app}:lock:{pr}`, redis-semaphore's `Mutex`: a token with a 120 s
 *   lease), which only the replica evaluating holds;
 * - the count the last finished evaluation covered (`done`, in the same hash: one key, one TTL).
 *
 * A replica that gets the lock reads the counter, evaluates (reading GitHub fresh), publishes,
 * records the count as done and releases; then, if the counter moved meanwhile, it goes again. A
 * replica that does not get the lock does nothing: the holder re-reads the counter after releasing,
 * and every increment happened before that replica's failed attempt, so before the release — the
 * holder's re-read, or the next holder's first read, sees it. Events are therefore never lost and
 * are coalesced across replicas, and two replicas never evaluate one pull request at once, so an
 * older evaluation cannot publish over a newer one. If the holder dies, its lease expires
 * (`LOCK_TTL_MS`) and the replica that was turned away evaluates then (it re-checks after the TTL).
 * An evaluation still running when its lease is about to expire publishes nothing more (the fence),
 * and the pull request is evaluated again a second later.
 *
 * Without REDIS_URL the in-process behaviour is all there is (`LocalCoordinator`).
 */
import { Redis } from "ioredis";
import { Mutex } from "redis-semaphore";

/** What an evaluation run under the coordinator is told. */
export interface Fence {
  /** False once this replica no longer holds the pull request's lock: publish nothing then. */
  holds(): boolean;
}

export type CoordinatedRun =
  /** Evaluated (perhaps several times, while events kept coming). */
  | { readonly outcome: "ran"; readonly times: number }
  /** Another replica holds the pull request: it covers this event. */
  | { readonly outcome: "elsewhere" }
  /** Nothing arrived since the last evaluation finished (another replica covered it). */
  | { readonly outcome: "covered" };

export interface Coordinator {
  /**
   * Whether evaluations are coordinated across replicas. When not, the app neither notes events
   * (nothing outside this process would read them) nor sweeps for unfinished ones, and /readyz does
   * not ask this coordinator.
   */
  readonly shared: boolean;
  /**
   * Records an event for `key` where every replica sees it, with `about` (what a replica needs to
   * evaluate the pull request without the webhook). Throws when the store is unreachable.
   */
  noteEvent(key: string, about?: string): Promise<void>;
  /** The `about` of every pull request with events no finished evaluation covered (crash recovery). */
  unfinished(): AsyncIterable<string>;
  /**
   * Evaluates `key` if no other replica is, again while events arrive meanwhile. When another replica
   * holds it, calls `recheck` with when to look again (should that replica die). Throws when the
   * store is unreachable.
   */
  run(key: string, evaluate: (fence: Fence) => Promise<void>, recheck?: (afterMs: number) => void): Promise<CoordinatedRun>;
  /** Throws when the store cannot be reached (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** One process: the queue already serializes; nothing to share. */
export class LocalCoordinator implements Coordinator {
  readonly shared = false;
  noteEvent(): Promise<void> {
    return Promise.resolve();
  }
  async *unfinished(): AsyncIterable<string> {
    // Nothing outlives this process without Redis.
  }
  async run(_key: string, evaluate: (fence: Fence) => Promise<void>): Promise<CoordinatedRun> {
    await evaluate({ holds: () => true });
    return { outcome: "ran", times: 1 };
  }
  ping(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The lease on a pull request: long enough for a slow evaluation (its requests are bounded by
 * GITHUB_REQUEST_TIMEOUT_MS, 30 s by default), short enough that a dead replica's pull requests are
 * taken over within two minutes.
 */
export const LOCK_TTL_MS = 120_000;
/** Evaluations of one pull request in a row before the holder lets go (events kept coming). */
const MAX_ROUNDS = 5;
/** The fence closes this long (at most a sixth of the TTL) before the lease could expire. */
const FENCE_MARGIN_MS = 10_000;
/** How long a command waits for a connection being made before failing. */
const CONNECT_WAIT_MS = 2_000;
/** How long the counters of a quiet pull request are kept (they are recreated from zero after). */
const KEEP_MS = 7 * 24 * 3_600_000;

export interface RedisCoordinatorOptions {
  readonly lockTtlMs?: number;
  /** Prepended to every key (default `countersign:`; the app adds its id, so two apps can share a Redis). */
  readonly prefix?: string;
}

export class RedisCoordinator implements Coordinator {
  readonly shared = true;
  private readonly lockTtlMs: number;
  readonly prefix: string;

  constructor(
    /** The connection (shared with the pacer's buckets: `github/redis-buckets.ts`). */
    readonly redis: Redis,
    options: RedisCoordinatorOptions = {},
  ) {
    this.lockTtlMs = options.lockTtlMs ?? LOCK_TTL_MS;
    this.prefix = options.prefix ?? "countersign:";
  }

  /** A client for REDIS_URL that fails commands at once while disconnected (fail closed, never queue). */
  static connect(url: string, options: RedisCoordinatorOptions = {}): RedisCoordinator {
    // enableOfflineQueue: false — while disconnected a command fails at once (the evaluation then
    // fails closed) instead of waiting in memory for a reconnection.
    const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    // Reconnection is ioredis's job; errors surface on the commands that fail.
    redis.on("error", () => undefined);
    return new RedisCoordinator(redis, options);
  }

  /** Waits (briefly) for a connection being made; fails at once when Redis refuses or is already lost. */
  async connected(): Promise<void> {
    const status = this.redis.status;
    if (status === "ready" || (status !== "connecting" && status !== "connect" && status !== "wait")) return;
    // One wait shared by every caller (a burst while connecting adds no listeners).
    this.connecting ??= this.waitForReady().finally(() => {
      this.connecting = undefined;
    });
    await this.connecting;
  }

  private connecting: Promise<void> | undefined;

  private waitForReady(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.redis.off("ready", onReady);
        this.redis.off("error", onError);
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => done();
      const onError = (error: Error) => done(error);
      const timer = setTimeout(() => done(new Error(`not connected to Redis within ${CONNECT_WAIT_MS} ms`)), CONNECT_WAIT_MS);
      this.redis.once("ready", onReady);
      this.redis.once("error", onError);
    });
  }

  /** The Redis key of a pull request's lock (redis-semaphore prefixes its mutexes with `mutex:`). */
  lockKey(key: string): string {
    return `mutex:${this.prefix}lock:${key}`;
  }

  /** A pull request's counters: `events` (counted on arrival) and `done` (what the last evaluation covered), one key, one TTL. */
  private countersKey(key: string): string {
    return `${this.prefix}pr:${key}`;
  }

  async noteEvent(key: string, about?: string): Promise<void> {
    await this.connected();
    const tx = this.redis.multi().hincrby(this.countersKey(key), "events", 1);
    if (about !== undefined) tx.hset(this.countersKey(key), "about", about);
    await tx.pexpire(this.countersKey(key), KEEP_MS).exec();
  }

  async *unfinished(): AsyncIterable<string> {
    await this.connected();
    let cursor = "0";
    do {
      const [next, keys] = await this.redis.scan(cursor, "MATCH", `${this.prefix}pr:*`, "COUNT", 200);
      cursor = next;
      for (const k of keys) {
        const [events = null, done = null, about = null] = await this.redis.hmget(k, "events", "done", "about");
        if (about !== null && events !== null && (done === null || Number(done) !== Number(events))) yield about;
      }
    } while (cursor !== "0");
  }

  async run(key: string, evaluate: (fence: Fence) => Promise<void>, recheck?: (afterMs: number) => void): Promise<CoordinatedRun> {
    await this.connected();
    let times = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      // A lease, not refreshed: redis-semaphore's refresher runs on a timer whose failures (Redis
      // unreachable) would be unhandled rejections, and it keeps `isAcquired` true when it cannot
      // reach Redis. The fence is time-based instead: this replica holds the pull request until
      // shortly before the lease can expire, whatever Redis is doing.
      const mutex = new Mutex(this.redis, `${this.prefix}lock:${key}`, { lockTimeout: this.lockTtlMs, refreshInterval: 0, acquireAttemptsLimit: 1 });
      const acquiredAt = Date.now();
      if (!(await mutex.tryAcquire())) {
        // The holder covers what we were asked for; should it die, look again once its lease has expired.
        recheck?.(this.lockTtlMs + 1000);
        return times > 0 ? { outcome: "ran", times } : { outcome: "elsewhere" };
      }
      const margin = Math.min(FENCE_MARGIN_MS, this.lockTtlMs / 6);
      const holds = () => Date.now() < acquiredAt + this.lockTtlMs - margin;
      let seen: number;
      try {
        const [events, done] = await this.redis.hmget(this.countersKey(key), "events", "done");
        seen = Number(events ?? 0);
        // `done` above `events`: the counters were lost and restarted (Redis emptied): evaluate.
        if (done !== null && Number(done) === seen) return times > 0 ? { outcome: "ran", times } : { outcome: "covered" };
        await evaluate({ holds });
        times++;
        if (!holds()) {
          // Too slow to be sure nobody else evaluated meanwhile: this evaluation published nothing
          // after the fence closed. Leave `done` alone and come back for the events it may have missed.
          recheck?.(1000);
          return { outcome: "ran", times };
        }
        await this.redis.multi().hset(this.countersKey(key), "done", String(seen)).pexpire(this.countersKey(key), KEEP_MS).exec();
      } finally {
        await mutex.release().catch(() => undefined);
      }
      const now = Number((await this.redis.hget(this.countersKey(key), "events")) ?? 0);
      if (now === seen) return { outcome: "ran", times };
    }
    // Still moving after MAX_ROUNDS: hand the pull request back to the queue rather than hold it forever.
    recheck?.(0);
    return { outcome: "ran", times };
  }

  async ping(): Promise<void> {
    await this.connected();
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
