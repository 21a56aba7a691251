#!/usr/bin/env node
/**
 * `npm run bench:webhooks`: countersign as a process (`probot run ./dist/app/index.js`, production
 * mode) receiving a realistic stream of signed webhooks over HTTP on 127.0.0.1, against the loopback
 * GitHub double of the end-to-end tests — next to a no-op Probot app (bench/webhooks/noop-app.js),
 * measured in the same run, as the framework's ceiling.
 *
 * Traffic: N pull requests (half AI-authored), each going through opened → labeled → commented →
 * pushed (synchronize) → approved by a second human; C webhooks in flight; every change is made in
 * the double's world just before its webhook is sent, as on GitHub.
 *
 * Printed: webhooks/s; p50/p99 webhook response time; p50/p99 webhook-to-check latency (from sending
 * a webhook that must change the check to that check run write arriving at the double); GitHub
 * requests per evaluation (requests the double received ÷ `decision` lines the app logged); peak RSS.
 * Countersign runs twice: exactly as in production, and with Octokit's throttling plugin off
 * (test/support/probot-run-unthrottled.js) to separate the app's own cost from Probot's limiter,
 * which lets one GraphQL query or write leave per second for the whole process.
 *
 * Targets (judged on the production run): ≥ 90% of the no-op app's webhooks/s; ≤ 2 GitHub requests
 * per evaluation; p99 webhook-to-check under 50 ms.
 *
 * Options: --prs N (default 200), --concurrency C (default 16), --mode production|unthrottled|both
 * (default both), --drain-seconds S (default 60: how long to wait for checks after the last webhook).
 * Exit status: 0 every target met; 1 a target missed; 2 bad usage or the benchmark could not run.
 */
import { register } from "node:module";
import { Agent } from "node:http";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";

register("./ts-loader.js", import.meta.url);

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const NOOP_APP = join(ROOT, "bench", "webhooks", "noop-app.js");
const INSTALLATION_ID = 77;
const CLAUDE = "Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>";
const TARGET_THROUGHPUT = 0.9;
const TARGET_REQUESTS = 2;
const TARGET_P99_MS = 50;
const WARMUP_PRS = 20;

const USAGE = `Usage: node bench/webhooks/run.js [--prs N] [--concurrency C] [--mode production|unthrottled|both] [--drain-seconds S]`;

function fail(message, status = 2) {
  process.stderr.write(`bench:webhooks: ${message}\n`);
  process.exit(status);
}

function options() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        prs: { type: "string", default: "200" },
        concurrency: { type: "string", default: "16" },
        mode: { type: "string", default: "both" },
        "drain-seconds": { type: "string", default: "60" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    fail(`${error.message}\n${USAGE}`);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const count = (name, min, max) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} needs a whole number from ${min} to ${max}, not '${values[name]}'`);
    return n;
  };
  if (!["production", "unthrottled", "both"].includes(values.mode)) fail(`--mode is production, unthrottled or both, not '${values.mode}'`);
  return { prs: count("prs", 1, 5000), concurrency: count("concurrency", 1, 256), mode: values.mode, drainSeconds: count("drain-seconds", 1, 3600) };
}

const opts = options();
const { requireDist, startApp, appKeys } = await import("../../test/support/app-process.ts");
const { GitHubWorld, pull, human } = await import("../../test/support/github-world.ts");
const { GitHubHttpDouble } = await import("../../test/support/github-http.ts");
const { Webhooks, deliver } = await import("../../test/support/webhooks.ts");
try {
  requireDist();
} catch (error) {
  fail(error.message);
}

let shaCounter = 0;
const sha = () => {
  shaCounter++;
  return (BigInt(shaCounter) * 0x9e3779b97f4a7c15n).toString(16).padStart(40, "0").slice(-40);
};
const aiCommit = () => ({ sha: sha(), message: `Recreate the environment\n\n${CLAUDE}\n`, author: human("alice") });
const humanCommit = () => ({ sha: sha(), message: "Fix a typo\n", author: human("alice") });

const percentile = (values, p) => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

/**
 * The traffic: for each pull request, five steps, each a change to the world and its webhook. A step
 * that must change the check says which conclusion it expects (for the webhook-to-check latency).
 */
function plan(world, numbers) {
  const steps = [];
  for (const n of numbers) {
    const ai = n % 2 === 0;
    const p = pull(n, { commits: [ai ? aiCommit() : humanCommit()] });
    world.pulls.push(p);
    const target = () => ({ owner: "acme", repo: "infra", number: n, head: p.commits[p.commits.length - 1].sha, installationId: INSTALLATION_ID });
    steps.push([
      { kind: "opened", apply: () => Webhooks.pullRequest(target(), "opened"), expect: ai ? "action_required" : "success" },
      {
        kind: "labeled",
        apply: () => {
          p.labels.push("triage");
          return Webhooks.pullRequest(target(), "labeled", { label: "triage", sender: "carol" });
        },
      },
      {
        kind: "comment",
        apply: () => {
          p.comments.push({ id: 100_000 + n, login: "dave", body: "Thanks, having a look.", createdAt: new Date().toISOString() });
          return Webhooks.comment(target(), "created", { login: "dave", body: "Thanks, having a look.", id: 100_000 + n });
        },
      },
      {
        kind: "synchronize",
        apply: () => {
          p.commits.push(ai ? aiCommit() : humanCommit());
          return Webhooks.pullRequest(target(), "synchronize");
        },
        expect: ai ? "action_required" : "success",
      },
      {
        kind: "review",
        apply: () => {
          p.reviews.push({ id: 200_000 + n, login: "carol", state: "APPROVED", commit: target().head, submittedAt: new Date().toISOString() });
          return Webhooks.review(target(), "submitted", { login: "carol", state: "APPROVED" });
        },
        ...(ai ? { expect: "success" } : {}),
      },
    ]);
  }
  return steps;
}

/** Sends every step, C at a time, round-robin across pull requests, each PR's steps in order. */
async function drive(app, world, numbers, concurrency, agent) {
  const perPr = plan(world, numbers);
  const tasks = [];
  const done = new Map();
  const maxSteps = Math.max(...perPr.map((s) => s.length));
  for (let k = 0; k < maxSteps; k++) for (const [i, steps] of perPr.entries()) if (steps[k]) tasks.push({ pr: numbers[i], index: k, step: steps[k] });
  const sent = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++];
      await done.get(`${task.pr}:${task.index - 1}`);
      let finish;
      done.set(`${task.pr}:${task.index}`, new Promise((r) => (finish = r)));
      const event = task.step.apply();
      const head = world.pull(task.pr).commits.at(-1).sha;
      try {
        const d = await deliver(app.webhookUrl, app.secret, event, { agent, timeoutMs: 30_000 });
        sent.push({ pr: task.pr, kind: task.step.kind, head, expect: task.step.expect, sentAt: d.sentAt, ms: d.ms, status: d.status });
      } catch (error) {
        sent.push({ pr: task.pr, kind: task.step.kind, head, expect: task.step.expect, sentAt: Date.now(), ms: Number.NaN, status: 0, error: error.message });
      }
      finish();
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { sent, seconds };
}

/** Starts a double and an app (countersign or the no-op app). */
async function start(kind) {
  const world = new GitHubWorld({ repo: { permissions: { carol: "write", dave: "read" }, labelExists: true }, pulls: [] });
  const double = await new GitHubHttpDouble(world, { publicKey: appKeys().publicKey }).start();
  const app = await startApp({ githubHost: double.host, appId: 4242, ...(kind === "noop" ? { app: NOOP_APP } : {}), throttle: kind !== "unthrottled" });
  return { world, double, app };
}

/** Waits until the app is idle: every expected check written and no request or decision for `quietMs`, or the deadline. */
async function drain(run, sent, deadline, quietMs) {
  for (;;) {
    const lastActivity = Math.max(0, ...run.double.log.map((r) => r.at + r.ms), ...run.app.decisions().map((d) => Number(d.time)));
    const pending = sent.filter((s) => s.expect && s.checkAt === undefined);
    for (const s of pending) {
      const write = run.world.checkRunWrites.find((w) => w.pr === s.pr && w.headSha === s.head && w.at >= s.sentAt && w.conclusion === s.expect);
      if (write) s.checkAt = write.at;
    }
    const stillPending = sent.filter((s) => s.expect && s.checkAt === undefined).length;
    if (stillPending === 0 && Date.now() - lastActivity > quietMs) return { timedOut: false, pending: 0 };
    if (Date.now() > deadline) return { timedOut: true, pending: stillPending };
    await sleep(100);
  }
}

async function measure(kind, numbers, warmup) {
  const run = await start(kind);
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
  try {
    // Warm-up: the same traffic on other pull requests, then wait until the app is idle.
    const warm = await drive(run.app, run.world, warmup, opts.concurrency, agent);
    if (kind !== "noop") await drain(run, warm.sent, Date.now() + 120_000, kind === "production" ? 1500 : 300);
    const base = { requests: run.double.apiRequests().length, decisions: run.app.decisions().length, writes: run.world.checkRunWrites.length };

    const { sent, seconds } = await drive(run.app, run.world, numbers, opts.concurrency, agent);
    const sentEnd = Date.now();
    const drained = kind === "noop" ? { timedOut: false, pending: 0 } : await drain(run, sent, sentEnd + opts.drainSeconds * 1000, kind === "production" ? 1500 : 300);
    const rssKb = run.app.peakRssKb();
    const decisions = run.app.decisions().slice(base.decisions);
    const requests = run.double.apiRequests().slice(base.requests);
    const measured = sent.filter((s) => s.expect);
    const latencies = measured.filter((s) => s.checkAt !== undefined).map((s) => s.checkAt - s.sentAt);
    const reads = requests.filter((r) => r.method === "GET" || r.operation === "countersignPullRequest" || (r.operation ?? "").endsWith("Page") || r.operation === "countersignEditHistory").length;
    const failures = sent.filter((s) => s.status !== 200 && s.status !== 202);
    return {
      kind,
      webhooks: sent.length,
      failures: failures.length,
      perSecond: sent.length / seconds,
      response: { p50: percentile(sent.map((s) => s.ms), 50), p99: percentile(sent.map((s) => s.ms), 99), max: Math.max(...sent.map((s) => s.ms)) },
      check: { measured: measured.length, written: latencies.length, p50: percentile(latencies, 50), p99: latencies.length === measured.length ? percentile(latencies, 99) : undefined, timedOut: drained.timedOut, drainSeconds: opts.drainSeconds },
      evaluations: decisions.length,
      requests: requests.length,
      reads,
      writes: requests.length - reads,
      loggedRequests: decisions.reduce((n, d) => n + Number(d.requests ?? 0), 0),
      medianLogged: percentile(decisions.map((d) => Number(d.requests ?? 0)), 50),
      unchangedEvaluations: decisions.filter((d) => d.check === "unchanged").length,
      rssMb: rssKb === undefined ? undefined : rssKb / 1024,
      problems: run.double.problems.length,
    };
  } finally {
    agent.destroy();
    await run.app.stop();
    await run.double.close();
  }
}

const fmt = (v, digits = 1) => (v === undefined || Number.isNaN(v) ? "—" : v.toFixed(digits));

const numbers = Array.from({ length: opts.prs }, (_, i) => i + 1);
const warmup = Array.from({ length: WARMUP_PRS }, (_, i) => 100_000 + i + 1);
const kinds = ["noop", ...(opts.mode === "both" ? ["production", "unthrottled"] : [opts.mode])];
const results = [];
for (const kind of kinds) {
  process.stderr.write(`bench:webhooks: ${kind === "noop" ? "no-op Probot app" : `countersign (${kind === "production" ? "production" : "throttling off"})`}: ${opts.prs} PRs × 5 webhooks, concurrency ${opts.concurrency}…\n`);
  try {
    results.push(await measure(kind, numbers, warmup));
  } catch (error) {
    fail(`${kind}: ${error.stack ?? error.message}`);
  }
}

const noop = results.find((r) => r.kind === "noop");
const apps = results.filter((r) => r.kind !== "noop");
const label = (r) => (r.kind === "noop" ? "no-op app" : r.kind === "production" ? "countersign (production)" : "countersign (throttling off)");
const rows = [
  ["webhooks sent (answered non-2xx)", (r) => `${r.webhooks} (${r.failures})`],
  ["webhooks/s", (r) => fmt(r.perSecond)],
  ["webhook response p50 / p99 / max (ms)", (r) => `${fmt(r.response.p50)} / ${fmt(r.response.p99)} / ${fmt(r.response.max)}`],
  ["webhook→check p50 / p99 (ms)", (r) => (r.kind === "noop" ? "—" : `${fmt(r.check.p50)} / ${r.check.p99 === undefined ? `> ${r.check.drainSeconds * 1000}` : fmt(r.check.p99)}`)],
  ["checks written / expected", (r) => (r.kind === "noop" ? "—" : `${r.check.written} / ${r.check.measured}${r.check.timedOut ? ` (stopped waiting ${r.check.drainSeconds} s after the last webhook)` : ""}`)],
  ["evaluations (decision lines)", (r) => (r.kind === "noop" ? "—" : `${r.evaluations} (${r.unchangedEvaluations} wrote no check)`)],
  ["GitHub requests / evaluation", (r) => (r.kind === "noop" ? "—" : `${fmt(r.requests / r.evaluations, 2)} (${r.requests} requests: ${r.reads} reads, ${r.writes} writes)`)],
  ["  reads / writes per evaluation", (r) => (r.kind === "noop" ? "—" : `${fmt(r.reads / r.evaluations, 2)} / ${fmt(r.writes / r.evaluations, 2)}`)],
  ["  per the app's log: mean / median", (r) => (r.kind === "noop" ? "—" : `${fmt(r.loggedRequests / r.evaluations, 2)} / ${fmt(r.medianLogged, 0)}`)],
  ["peak RSS (MB)", (r) => fmt(r.rssMb)],
  ["double: unexpected requests", (r) => String(r.problems)],
];
const width = Math.max(...rows.map(([name]) => name.length)) + 2;
const colWidth = 34;
const out = [];
out.push(`bench:webhooks — ${opts.prs} pull requests × 5 webhooks (opened, labeled, comment, synchronize, review), ${opts.concurrency} in flight, ${WARMUP_PRS} PRs of warm-up; Node ${process.version}, ${cpus().length} CPUs, 127.0.0.1 only`);
out.push("".padEnd(width) + results.map((r) => label(r).padEnd(colWidth)).join(""));
for (const [name, cell] of rows) out.push(name.padEnd(width) + results.map((r) => cell(r).padEnd(colWidth)).join(""));
out.push("");

let allMet = true;
for (const r of apps) {
  const ratio = r.perSecond / noop.perSecond;
  const perEval = r.requests / r.evaluations;
  const p99 = r.check.p99;
  const verdicts = [
    [ratio >= TARGET_THROUGHPUT, `throughput ≥ ${TARGET_THROUGHPUT * 100}% of the no-op app: ${fmt(ratio * 100)}% (${fmt(r.perSecond)} vs ${fmt(noop.perSecond)} webhooks/s)`],
    [perEval <= TARGET_REQUESTS, `≤ ${TARGET_REQUESTS} GitHub requests per evaluation: ${fmt(perEval, 2)} (reads ${fmt(r.reads / r.evaluations, 2)}, writes ${fmt(r.writes / r.evaluations, 2)})`],
    [p99 !== undefined && p99 < TARGET_P99_MS, `p99 webhook→check < ${TARGET_P99_MS} ms: ${p99 === undefined ? `> ${r.check.drainSeconds} s (${r.check.measured - r.check.written} of ${r.check.measured} checks not written in time)` : `${fmt(p99)} ms`}`],
  ];
  out.push(`${label(r)}:`);
  for (const [ok, text] of verdicts) {
    out.push(`  ${ok ? "PASS" : "FAIL"}  ${text}`);
    if (r.kind === "production" && !ok) allMet = false;
  }
}
if (opts.mode === "unthrottled") allMet = apps.every((r) => r.perSecond / noop.perSecond >= TARGET_THROUGHPUT && r.requests / r.evaluations <= TARGET_REQUESTS && r.check.p99 !== undefined && r.check.p99 < TARGET_P99_MS);
process.stdout.write(`${out.join("\n")}\n`);
process.exit(allMet ? 0 : 1);
