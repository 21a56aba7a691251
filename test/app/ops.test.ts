/**
 * Operating the app as a process: /healthz, /readyz, /metrics, and graceful shutdown on SIGTERM.
 * GitHub is pointed at a closed loopback port, so readiness fails without touching the network.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { fileURLToPath } from "node:url";
import { freePort, waitForAnswer } from "../helpers/process.js";
import { afterEach, describe, expect, it } from "@jest/globals";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("the app as a process", () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill("SIGKILL");
  });

  it("serves /healthz, /readyz (503 while GitHub is unreachable) and /metrics, and stops cleanly on SIGTERM", async () => {
    const [port, closed] = await Promise.all([freePort(), freePort()]);
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      HOST: "127.0.0.1",
      APP_ID: "4242",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: "a-real-secret",
      NODE_ENV: "production",
      LOG_FORMAT: "json",
      GHE_HOST: `127.0.0.1:${closed}`,
      GHE_PROTOCOL: "http",
    };
    child = spawn(process.execPath, ["bin/start.js"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    // "close", not "exit": only then has all of the child's output been read (the SIGTERM line below).
    const exited = new Promise<number | null>((resolve) => child?.on("close", (code) => resolve(code)));

    const health = await waitForAnswer(`http://127.0.0.1:${port}/healthz`, child);
    expect([health.status, await health.json()]).toEqual([200, { status: "ok" }]);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: "not ready", github: expect.any(String) });
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    const text = await metrics.text();
    expect(metrics.status).toBe(200);
    for (const name of ["countersign_evaluations_total", "countersign_queue_depth", "countersign_github_rate_limit_remaining", "countersign_evaluation_seconds_bucket", "countersign_process_resident_memory_bytes", "countersign_nodejs_eventloop_lag_seconds"]) expect(text).toContain(name);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toContain("SIGTERM: no new webhooks; finishing evaluations in flight");
  });
});
