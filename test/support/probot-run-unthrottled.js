#!/usr/bin/env node
// `probot run <app>` with one difference: Octokit's throttling plugin is off (the retry plugin stays).
//
// Probot 14's production Octokit schedules every GraphQL request and every write (POST, PATCH, PUT,
// DELETE) through @octokit/plugin-throttling's "write" limiter: at most one per second, and — for the
// `context.octokit` of webhook handlers, which Probot builds without a throttle id — one per second
// for the whole process. The end-to-end tests that send hundreds of events and the benchmark's second
// run use this runner to see what the app itself does, apart from that limiter.
//
// Usage: node test/support/probot-run-unthrottled.js <app module>   (same environment as probot run)
import { ProbotOctokit, run } from "probot";

const [appPath] = process.argv.slice(2);
if (!appPath) {
  process.stderr.write("usage: probot-run-unthrottled.js <app module>\n");
  process.exit(2);
}
const Octokit = ProbotOctokit.defaults((options) => ({ ...options, throttle: { ...options.throttle, enabled: false } }));
try {
  await run([process.execPath, "probot", appPath], { Octokit });
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
