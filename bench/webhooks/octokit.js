#!/usr/bin/env node
/**
 * `npm run bench:octokit`: what the Octokit that Probot runs with costs, countersign's
 * (`CountersignOctokit`, src/github/octokit.ts) next to Probot's own (`ProbotOctokit`, what a plain
 * Probot app such as bench/webhooks/noop-app.js runs with), measured in the same process, alternating.
 *
 * - µs per installation client: `await probot.auth(id)`, which is what Probot does for every webhook
 *   it dispatches (the event's `context.octokit`), whether the handler uses it or not;
 * - µs per request at log level info: `octokit.request` answered at once by a scripted fetch, so only
 *   the client's own work (hooks, plugins, endpoint parsing) is measured.
 *
 * Options: --rounds R (default 9: each figure is the median round), --clients N (default 5000 per
 * round), --requests N (default 5000 per round). Exit status 0, or 2 on bad usage.
 */
/* global Response */
import { generateKeyPairSync } from "node:crypto";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { benchOptions } from "../options.js";

const USAGE = "Usage: node bench/webhooks/octokit.js [--rounds R] [--clients N] [--requests N]";
const { count } = benchOptions("bench:octokit", USAGE, { rounds: { type: "string", default: "9" }, clients: { type: "string", default: "5000" }, requests: { type: "string", default: "5000" } });
const rounds = count("rounds", 1, 1000);
const clients = count("clients", 1, 1_000_000);
const requests = count("requests", 1, 1_000_000);

let CountersignOctokit;
try {
  ({ CountersignOctokit } = await import("../../dist/github/octokit.js"));
} catch {
  process.stderr.write("bench:octokit: dist/ is missing: build first with `npm run build`\n");
  process.exit(2);
}

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
const log = pino({ level: "info" }, pino.destination({ dest: "/dev/null", sync: true }));
const answer = async () => new Response('{"id":1}', { status: 200, headers: { "content-type": "application/json" } });
const kinds = {
  "Probot's Octokit": ProbotOctokit,
  "countersign's Octokit": CountersignOctokit,
};
const subjects = Object.entries(kinds).map(([name, Octokit]) => ({
  name,
  probot: new Probot({ appId: 1, privateKey, secret: "bench", Octokit, log, baseUrl: "http://127.0.0.1:9" }),
  // As a Probot app's context.octokit makes requests; Probot's throttling would space them a second apart.
  requester: new Octokit({ auth: { token: "x" }, log, request: { fetch: answer }, throttle: { enabled: false }, retry: { enabled: false } }),
  perClient: [],
  perRequest: [],
}));

const micros = (start) => Number(process.hrtime.bigint() - start) / 1000;
for (let r = 0; r < rounds + 1; r++) {
  for (const s of r % 2 === 0 ? subjects : [...subjects].reverse()) {
    let start = process.hrtime.bigint();
    for (let i = 0; i < clients; i++) await s.probot.auth(77 + (i % 10));
    const c = micros(start) / clients;
    start = process.hrtime.bigint();
    for (let i = 0; i < requests; i++) await s.requester.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "infra" });
    const q = micros(start) / requests;
    // Round 0 warms up the JIT and is not counted.
    if (r > 0) {
      s.perClient.push(c);
      s.perRequest.push(q);
    }
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const width = Math.max(...subjects.map((s) => s.name.length)) + 2;
process.stdout.write(`bench:octokit — median of ${rounds} alternating rounds (${clients} clients, ${requests} requests each); Node ${process.version}\n`);
process.stdout.write(`${"".padEnd(width)}µs per installation client (each webhook)   µs per request (info level)\n`);
for (const s of subjects) process.stdout.write(`${s.name.padEnd(width)}${median(s.perClient).toFixed(1).padStart(10)}${"".padEnd(34)}${median(s.perRequest).toFixed(1).padStart(8)}\n`);
process.exit(0);
