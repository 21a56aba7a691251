/**
 * A real Redis for tests: `redis-server` (Debian's package; `.ci/run` installs it) on a free loopback
 * port, in memory only, killed when the test process exits.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { freePort } from "./app-process.js";

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Fails with the fix when redis-server is not installed. */
export function requireRedisServer(): void {
  const found = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (found.error || found.status !== 0) {
    throw new Error("redis-server is not installed: the scale-out tests need a real Redis. On Debian or Ubuntu: `sudo apt-get install -y redis-server` (`.ci/run` does this).");
  }
}

/** Starts a Redis on `port` (default: a free one). */
export async function startRedis(port?: number): Promise<RedisServer> {
  requireRedisServer();
  port ??= await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"], { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within 10 s:\n${output}`)), 10_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}):\n${output}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      await gone;
      running.delete(child);
    },
  };
}
