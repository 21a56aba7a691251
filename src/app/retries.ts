/**
 * Re-evaluations the app schedules by itself, per pull request: after GitHub's rate-limit wait, a
 * Redis outage, a lease that ran out, a lock another replica holds — and after an evaluation that
 * could not publish, backing off (`publishRetryDelay` in evaluate-pr.ts).
 *
 * At most one is pending per pull request, plus up to 10% jitter: the earliest asked for wins, and it
 * counts as a new event (`isEvent`) if any of those asked did. One app instance owns its timers
 * (cleared by `close`, on drain).
 */
export class Retries {
  private readonly pending = new Map<string, { timer: NodeJS.Timeout; at: number; isEvent: boolean; run: (isEvent: boolean) => Promise<void> }>();
  /** Publish retries made in a row, by pull request. */
  private readonly attempts = new Map<string, number>();

  constructor(private readonly publishDelay: (attempt: number) => number | undefined) {}

  /** Runs `run` for `key` after `afterMs` (or sooner, if a sooner one is pending). */
  later(key: string, afterMs: number, isEvent: boolean, run: (isEvent: boolean) => Promise<void>): void {
    const at = Date.now() + afterMs + Math.floor(Math.random() * afterMs * 0.1);
    const pending = this.pending.get(key);
    if (pending) {
      pending.isEvent ||= isEvent;
      if (pending.at <= at) return;
      clearTimeout(pending.timer);
    }
    const entry = {
      at,
      isEvent: pending?.isEvent ?? isEvent,
      run,
      timer: setTimeout(() => {
        this.pending.delete(key);
        void entry.run(entry.isEvent);
      }, at - Date.now()),
    };
    entry.timer.unref();
    this.pending.set(key, entry);
  }

  /**
   * An evaluation could not publish: schedule the next try, unless one is pending already (events
   * that arrive meanwhile do not use up the tries). Returns the delay, or "exhausted" when the tries
   * have run out (the next event starts afresh), or "pending".
   */
  unpublished(key: string, run: (isEvent: boolean) => Promise<void>): number | "pending" | "exhausted" {
    if (this.pending.has(key)) return "pending";
    const attempt = this.attempts.get(key) ?? 0;
    const delay = this.publishDelay(attempt);
    if (delay === undefined) {
      this.attempts.delete(key);
      return "exhausted";
    }
    this.attempts.set(key, attempt + 1);
    this.later(key, delay, true, run);
    return delay;
  }

  /** An evaluation read GitHub and published all it had to: nothing pending is needed any more. */
  settled(key: string): void {
    this.attempts.delete(key);
    const pending = this.pending.get(key);
    if (pending) clearTimeout(pending.timer);
    this.pending.delete(key);
  }

  /** How many re-evaluations are pending. */
  get size(): number {
    return this.pending.size;
  }

  /** Stops every pending re-evaluation (drain). */
  async close(): Promise<void> {
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    this.attempts.clear();
  }
}
