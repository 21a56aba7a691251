/**
 * Serializes the evaluations of one pull request within this process, coalesces bursts, and bounds
 * how many pull requests are evaluated at once.
 *
 * For each key (a PR) at most one evaluation runs at a time. Events that arrive while it runs — or
 * while it waits for a free slot — do not start their own: they share ONE pending evaluation, so a
 * burst of N events costs at most two evaluations per overlap, and a slow evaluation can never
 * publish after a newer one (the newer one starts only after it has finished). Every evaluation
 * reads GitHub from scratch, so running the newest task suffices.
 *
 * At most `concurrency` keys run at once; the others wait in arrival order. Under a burst this
 * keeps the process answering webhooks (an evaluation is CPU work on the same thread) and lets more
 * events of a waiting pull request coalesce into its one pending evaluation. `holdOff`, when given,
 * says how long to wait before starting anything (the app: `IntakeFirst` below, while webhooks pour in).
 */
interface Pending {
  task: () => Promise<void>;
  readonly done: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface Slot {
  running: boolean;
  /** The evaluation to run next for this key: covers every call made since the running one started. */
  next?: Pending;
}

/** Pull requests evaluated at once by default. */
export const DEFAULT_CONCURRENCY = 4;

export class KeyedQueue {
  private readonly slots = new Map<string, Slot>();
  /** Keys with a pending evaluation and no running one, in arrival order. */
  private readonly ready: string[] = [];
  private active = 0;
  private readonly idlers: (() => void)[] = [];

  private timer: NodeJS.Timeout | undefined;

  /**
   * @param onError told when a task throws. Its callers' promises still reject, but the app answers
   * webhooks without waiting for them: with no one else to hear of it, the rejection would be
   * unhandled, and Node ends a process on an unhandled rejection (queued evaluations and all).
   */
  constructor(
    private readonly concurrency = DEFAULT_CONCURRENCY,
    private readonly holdOff: () => number = () => 0,
    private readonly onError: (key: string, error: unknown) => void = () => undefined,
  ) {
    if (!(concurrency >= 1)) throw new RangeError(`KeyedQueue concurrency must be at least 1, not ${concurrency}`);
  }

  /** Runs `task` for `key` as soon as it may; resolves when the run that covers this call has finished. */
  run(key: string, task: () => Promise<void>): Promise<void> {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { running: false };
      this.slots.set(key, slot);
    }
    if (slot.next) {
      slot.next.task = task;
      return slot.next.done;
    }
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Once per pending evaluation, not per caller: `onError` hears of a failure, callers who wait still see it.
    done.catch(() => undefined);
    slot.next = { task, done, resolve, reject };
    if (!slot.running) this.ready.push(key);
    this.pump();
    return done;
  }

  /** How many pull requests have an evaluation running or waiting. */
  get size(): number {
    return this.slots.size;
  }

  /** Evaluations running now. */
  get running(): number {
    return this.active;
  }

  /** Resolves once no evaluation is running or queued (for graceful shutdown and tests). */
  idle(): Promise<void> {
    if (this.slots.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idlers.push(resolve));
  }

  private pump(): void {
    if (this.timer !== undefined || this.ready.length === 0) return;
    const wait = this.holdOff();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
      return;
    }
    while (this.active < this.concurrency && this.ready.length > 0) {
      const key = this.ready.shift() as string;
      const slot = this.slots.get(key);
      const pending = slot?.next;
      if (!slot || !pending) continue;
      slot.next = undefined;
      slot.running = true;
      this.active++;
      const finish = () => {
        slot.running = false;
        this.active--;
        if (slot.next) this.ready.push(key);
        else this.slots.delete(key);
        this.pump();
        if (this.slots.size === 0) for (const idle of this.idlers.splice(0)) idle();
      };
      (async () => pending.task())().then(
        () => {
          pending.resolve();
          finish();
        },
        (error: unknown) => {
          pending.reject(error);
          finish();
          try {
            this.onError(key, error);
          } catch {
            // A reporter that throws must not become the unhandled rejection it reports.
          }
        },
      );
    }
  }
}

/** A webhook within this many ms holds evaluations back. */
export const INTAKE_QUIET_MS = 10;
/** The longest evaluations are held back while webhooks keep coming. */
export const MAX_HOLD_OFF_MS = 5000;
/** Webhooks this far apart end a burst: the next one may be held again, up to `MAX_HOLD_OFF_MS`. */
export const BURST_GAP_MS = 100;

/**
 * Webhook intake first. While webhooks pour in (one in the last `quietMs`), evaluations do not start:
 * an evaluation is CPU work on the thread that answers webhooks, and a pull request whose evaluation
 * waits coalesces every event of the burst into it. A hold lasts at most `maxMs`; after that
 * evaluations are not held again until the burst is over (the queue sees `quietMs` without a webhook,
 * or two webhooks come `BURST_GAP_MS` apart), so a stream that never pauses delays verdicts by `maxMs`
 * and no more. At 20 webhooks a second an evaluation waits only the `quietMs` after its own webhook.
 *
 * `holdOff` is KeyedQueue's: how long to wait before starting evaluations (0: now). The clock is
 * monotonic, so a step of the wall clock neither stalls nor releases evaluations.
 */
export class IntakeFirst {
  private lastWebhookAt = Number.NEGATIVE_INFINITY;
  private holdingSince: number | undefined;
  private released = false;

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly quietMs = INTAKE_QUIET_MS,
    private readonly maxMs = MAX_HOLD_OFF_MS,
  ) {}

  /** A webhook arrived. */
  webhook(): void {
    const now = this.now();
    // After a released hold, a new burst (one that follows a pause of BURST_GAP_MS) is held again,
    // even if no evaluation asked during the pause. Not a shorter gap: a stream whose gaps the queue's
    // timer happens to miss would restart the hold on every webhook. A gap inside a hold does not
    // restart it either: the cap stays `maxMs`.
    if (this.released && now - this.lastWebhookAt >= BURST_GAP_MS) {
      this.holdingSince = undefined;
      this.released = false;
    }
    this.lastWebhookAt = now;
  }

  readonly holdOff = (): number => {
    const now = this.now();
    const since = now - this.lastWebhookAt;
    if (since >= this.quietMs) {
      this.holdingSince = undefined;
      this.released = false;
      return 0;
    }
    if (this.released) return 0;
    this.holdingSince ??= now;
    if (now - this.holdingSince >= this.maxMs) {
      this.released = true;
      return 0;
    }
    return Math.min(this.maxMs - (now - this.holdingSince), this.quietMs - since);
  };
}
