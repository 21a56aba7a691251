/**
 * `npm start` on a fresh machine: no credentials, no internet. Probot must serve its GitHub App
 * registration page without trying to create a smee.io channel, and we must say what to do next.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort, waitForAnswer } from "../helpers/process.js";
import { afterEach, describe, expect, it } from "@jest/globals";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("npm start without credentials", () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill("SIGKILL");
  });

  it("serves the registration page offline and prints what to do next", async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), HOST: "127.0.0.1", APP_ID: "", PRIVATE_KEY: "", PRIVATE_KEY_PATH: "", WEBHOOK_PROXY_URL: "", LOG_LEVEL: "info" };
    child = spawn(process.execPath, ["bin/start.js"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));

    const page = await waitForAnswer(`http://127.0.0.1:${port}/probot`, child);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("countersign");
    expect(html).toContain("Register GitHub App");
    expect(output).toContain("no GitHub App credentials yet");
    expect(output).toContain("WEBHOOK_PROXY_URL");
    expect(output).not.toMatch(/smee\.io, try restarting|SmeeClient is not available/);
    expect(child.exitCode).toBeNull();
  });
});
