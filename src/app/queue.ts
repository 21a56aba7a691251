/**
 * Serializes the evaluations of one pull request within this process and coalesces bursts.
 *
 * For each key (a PR) at most one evaluation runs at a time. Events that arrive while it runs do not
 * start their own: they share ONE trailing evaluation that starts when the running one ends, so a
 * burst of N events costs at most two evaluations, and a slow evaluation can never publish after a
 * newer one (the newer one starts only after it has finished). Every evaluation reads GitHub from
 * scratch, so running the newest task suffices.
 */
interface Trailing {
  task: () => Promise<void>;
  readonly done: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface Slot {
  next?: Trailing;
}

export class KeyedQueue {
  private readonly slots = new Map<string, Slot>();

  /** Runs `task` for `key` now, or as the key's trailing run; resolves when the run that covers this call has finished. */
  run(key: string, task: () => Promise<void>): Promise<void> {
    const slot = this.slots.get(key);
    if (!slot) return this.launch(key, task);
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
    slot.next = { task, done, resolve, reject };
    return done;
  }

  /** How many pull requests have an evaluation running. */
  get size(): number {
    return this.slots.size;
  }

  /** Resolves once no evaluation is running or queued (for graceful shutdown and tests). */
  async idle(): Promise<void> {
    while (this.slots.size > 0) {
      await Promise.allSettled([...this.running.values()]);
    }
  }

  private readonly running = new Map<string, Promise<void>>();

  private launch(key: string, task: () => Promise<void>): Promise<void> {
    const slot: Slot = {};
    this.slots.set(key, slot);
    const current = (async () => task())();
    this.running.set(key, current);
    const handOver = () => {
      const next = slot.next;
      if (!next) {
        this.slots.delete(key);
        this.running.delete(key);
        return;
      }
      this.launch(key, next.task).then(next.resolve, next.reject);
    };
    current.then(handOver, handOver);
    return current;
  }
}
