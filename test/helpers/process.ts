/** Helpers for tests that start the app as a process. */
import type { ChildProcess } from "node:child_process";
// One definition, shared with the end-to-end tests and the benchmark.
export { freePort } from "../support/app-process.js";

/** Polls `url` until the process answers (or exits, or the deadline passes). */
export async function waitForAnswer(url: string, child: ChildProcess, timeoutMs = 20_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`app exited with ${child.exitCode}`);
    try {
      return await fetch(url);
    } catch {
      if (Date.now() > deadline) throw new Error(`no answer from ${url}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
