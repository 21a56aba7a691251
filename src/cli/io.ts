/** What a CLI command may touch: its output streams. Tests pass buffers; the binary passes the process's. */
export interface Io {
  /** Writes to stdout; resolves when the data may be written again (backpressure). */
  out(text: string): void | Promise<void>;
  err(text: string): void;
}

/** A problem with how the command was called or what it was given: one line on stderr, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
