#!/usr/bin/env node
// `npm start`: runs the countersign Probot app, exactly as `probot run ./dist/app/index.js` would.
//
// On a fresh machine (no APP_ID / PRIVATE_KEY) Probot serves its GitHub App registration page on
// http://localhost:3000. Unless told otherwise it would first try to create a smee.io webhook proxy
// channel over the internet; without a WEBHOOK_PROXY_URL we tell it not to, so the app starts
// offline too, and say what to do next.
//
// Probot runs with countersign's Octokit (src/github/octokit.ts): requests are paced by GitHub's
// documented secondary rate limits instead of plugin-throttling's one write or GraphQL query per second,
// and retried by countersign instead of plugin-retry.
import { run } from "probot";
import { drain } from "../dist/app/ops.js";
import { CountersignOctokit } from "../dist/github/octokit.js";

const hasCredentials = Boolean(process.env.APP_ID && (process.env.PRIVATE_KEY || process.env.PRIVATE_KEY_PATH));
if (!process.env.WEBHOOK_PROXY_URL && process.env.NO_SMEE_SETUP === undefined) {
  process.env.NO_SMEE_SETUP = "true";
  if (!hasCredentials) {
    process.stderr.write(
      "countersign: no GitHub App credentials yet (APP_ID, PRIVATE_KEY) and no WEBHOOK_PROXY_URL.\n" +
        `  1. Open http://localhost:${process.env.PORT || 3000} and register the app on GitHub (writes them to .env).\n` +
        "  2. To receive webhooks on this machine, create a channel at https://smee.io/new and set WEBHOOK_PROXY_URL to it in .env.\n" +
        "  3. Restart with npm start.\n",
    );
  }
}

let server;
try {
  // REDIS_URL is countersign's (src/app/coordination.ts, src/github/redis-buckets.ts), not Probot's:
  // Probot would open a Bottleneck cluster store on it, which countersign does not use. Its command
  // line wins over the environment, so an empty --redis-url keeps it off.
  server = await run([process.execPath, "probot-run", "--redis-url=", new URL("../dist/app/index.js", import.meta.url).pathname], { Octokit: CountersignOctokit });
} catch (error) {
  // e.g. the app refusing to start in production without a real WEBHOOK_SECRET (src/app/index.ts).
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

// Graceful shutdown (SIGTERM from an orchestrator): stop taking webhooks, finish the evaluations in
// flight, exit. A second signal exits at once.
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, async () => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write(`countersign: ${signal}: no new webhooks; finishing evaluations in flight\n`);
    try {
      await server?.stop();
      await drain();
      process.exit(0);
    } catch (error) {
      process.stderr.write(`countersign: shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    }
  });
}
