/**
 * The app as a process, started the way users start it — `node bin/start.js` (`npm start`, the
 * Docker image: Probot's `run` with countersign's paced Octokit) — with `NODE_ENV=production`, credentials made
 * up on the spot (an RSA key from node:crypto, a random webhook secret) and `GHE_HOST` pointing
 * Octokit at a GitHub double on loopback. Its JSON log (stdout) is parsed as it arrives.
 *
 * The child runs in an empty temporary directory, so no developer `.env` (which Probot loads from the
 * working directory) can add a webhook proxy, Redis or Sentry to it. Every process started here is
 * killed when the test process exits, even on failure.
 *
 * No jest, no nock: the benchmark imports this file too.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const PROBOT_BIN = join(ROOT, "node_modules", "probot", "bin", "probot.js");
/** `npm start`: Probot's `run` with countersign's Octokit (paced by GitHub's documented limits). */
export const START_BIN = join(ROOT, "bin", "start.js");
export const APP_ENTRY = join(ROOT, "dist", "app", "index.js");

/** Fails with a clear message when the app has not been built. */
export function requireDist(entry = APP_ENTRY): void {
  if (!existsSync(entry)) {
    throw new Error(`${entry} does not exist: build the app first with \`npm run build\` (\`npm test\` builds before running jest).`);
  }
}

export interface AppKeys {
  privateKey: string;
  publicKey: string;
}

let keys: AppKeys | undefined;
/** One RSA key pair per test process (generating one takes a while). */
export function appKeys(): AppKeys {
  keys ??= generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
  return keys;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export type LogLine = Record<string, unknown> & { time?: number; msg?: string; event?: string };

export interface AppOptions {
  /** `host:port` of the GitHub double (GHE_HOST). */
  githubHost: string;
  appId: number;
  secret?: string;
  /** Another Probot app module to run with `probot run` (default: countersign, with `bin/start.js`). */
  app?: string;
  logLevel?: string;
  env?: Record<string, string>;
  /** How long to wait for the server to listen (default 30 s). */
  startTimeoutMs?: number;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export class AppProcess {
  readonly lines: LogLine[] = [];
  /** stdout lines that were not JSON, and all of stderr. */
  readonly other: string[] = [];
  private partial = "";
  private readonly waiters = new Set<() => void>();
  exitCode: number | null = null;
  exitSignal: string | null = null;

  constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly secret: string,
    private readonly cwd: string,
  ) {
    running.add(child);
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (d: string) => this.take(d));
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (d: string) => this.other.push(d));
    child.on("exit", (code, signal) => {
      this.exitCode = code;
      this.exitSignal = signal;
      running.delete(child);
      this.notify();
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get webhookUrl(): string {
    return `${this.url}/api/github/webhooks`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitCode === null && this.exitSignal === null;
  }

  private take(data: string): void {
    const text = this.partial + data;
    const parts = text.split("\n");
    this.partial = parts.pop() ?? "";
    for (const line of parts) {
      if (line.trim() === "") continue;
      try {
        this.lines.push(JSON.parse(line) as LogLine);
      } catch {
        this.other.push(line);
      }
    }
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** The `decision` log lines (one per evaluation), optionally of one pull request. */
  decisions(pr?: number): LogLine[] {
    return this.lines.filter((l) => l.event === "decision" && (pr === undefined || l.pr === pr));
  }

  /**
   * Lines that say something broke: countersign's crash events, and errors Probot logged (level ≥ 50)
   * other than its refusals of webhooks with a bad signature (which are the server doing its job).
   */
  errors(): LogLine[] {
    const refusal = (l: LogLine) => /signature does not match|signature.*(missing|invalid)/i.test(JSON.stringify(l.err ?? l.msg ?? ""));
    return this.lines.filter((l) => l.event === "evaluation_crashed" || l.event === "push_check_crashed" || l.event === "merge_group_crashed" || (typeof l.level === "number" && l.level >= 50 && l.event === undefined && !refusal(l)));
  }

  /**
   * Resolves when `predicate` holds (checked on every log line, and every 50 ms for state the app's
   * output does not announce, such as the GitHub double's), rejects at the deadline or if the app exits.
   */
  waitFor<T>(predicate: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        let value: T | undefined | false;
        try {
          value = predicate();
        } catch (error) {
          done();
          reject(error as Error);
          return;
        }
        if (value !== undefined && value !== false) {
          done();
          resolve(value);
        } else if (!this.alive) {
          done();
          reject(new Error(`the app exited (${this.exitCode ?? this.exitSignal}) while waiting for ${what}\n${this.tail()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.tail()}`));
      }, timeoutMs);
      const poll = setInterval(check, 50);
      const done = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** The last lines of output, for failure messages. */
  tail(n = 15): string {
    const out = this.lines.slice(-n).map((l) => JSON.stringify(l).slice(0, 400));
    return [...out, ...this.other.slice(-5)].join("\n");
  }

  /** Peak resident set size (kB) from /proc (Linux), or undefined. */
  peakRssKb(): number | undefined {
    if (!this.pid || !this.alive) return undefined;
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, "utf8");
      const m = /VmHWM:\s+(\d+) kB/.exec(status);
      return m ? Number(m[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  /** CPU time (user + system, seconds) the process has used so far, from /proc (Linux), or undefined. */
  cpuSeconds(): number | undefined {
    if (!this.pid || !this.alive) return undefined;
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return undefined;
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs = 2000): Promise<void> {
    if (this.alive) {
      const gone = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
      await gone;
      clearTimeout(timer);
    }
    rmSync(this.cwd, { recursive: true, force: true });
  }
}

/** Starts the app and resolves once it answers on its port (retrying with another port if it was taken). */
export async function startApp(options: AppOptions): Promise<AppProcess> {
  const app = options.app ?? APP_ENTRY;
  requireDist(app);
  const secret = options.secret ?? randomBytes(24).toString("hex");
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const cwd = mkdtempSync(join(tmpdir(), "countersign-e2e-"));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: cwd,
      NODE_ENV: "production",
      APP_ID: String(options.appId),
      PRIVATE_KEY: appKeys().privateKey,
      WEBHOOK_SECRET: secret,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_FORMAT: "json",
      LOG_LEVEL: (options.logLevel ?? "info") as NodeJS.ProcessEnv["LOG_LEVEL"],
      GHE_HOST: options.githubHost,
      GHE_PROTOCOL: "http",
      // Bound every GitHub request (the default is 30 s): a hung request fails well inside a test's deadline.
      GITHUB_REQUEST_TIMEOUT_MS: "6000",
      // Never reach out: no webhook proxy, no Redis, no Sentry, whatever the environment says.
      WEBHOOK_PROXY_URL: "",
      NO_SMEE_SETUP: "true",
      REDIS_URL: "",
      SENTRY_DSN: "",
      PRIVATE_KEY_PATH: "",
      ...options.env,
    };
    const args = options.app === undefined ? [START_BIN] : [PROBOT_BIN, "run", app];
    // APP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the app under a benchmark.
    const nodeArgs = (process.env.APP_NODE_ARGS ?? "").split(" ").filter((a) => a !== "");
    const child = spawn(process.execPath, [...nodeArgs, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const proc = new AppProcess(child, port, secret, cwd);
    try {
      await proc.waitFor(() => proc.lines.some((l) => typeof l.msg === "string" && l.msg.startsWith("Listening on")), options.startTimeoutMs ?? 30_000, "the app to listen");
      return proc;
    } catch (error) {
      lastError = error;
      await proc.stop(0);
      if (!String(error).includes("already in use")) break;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
