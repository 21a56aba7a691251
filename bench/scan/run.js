#!/usr/bin/env node
/**
 * `npm run bench:scan`: how much slower `countersign scan` is than the bare `git log` it reads from,
 * and how much memory it takes, on a cached synthetic repository (see generate.js). Also checks that
 * the scan found exactly the AI commits the generator wrote.
 *
 * Options: --commits N (default 20000), --runs N (default 7), --rss-via time|node (default: time
 * when /usr/bin/time works, else node). Exit status: 0 all targets met; 1 a target or the
 * correctness check failed; 2 bad usage or the benchmark itself could not run.
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { benchOptions } from "../options.js";
import { cachedRepository, CLEAN_GIT_ENV, GENERATOR_VERSION } from "./generate.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CACHE = join(ROOT, "bench", ".cache");
const BIN = join(ROOT, "bin", "countersign.js");
const DIST_MAIN = join(ROOT, "dist", "cli", "main.js");
const DIST_LOG = join(ROOT, "dist", "git", "log.js");
const TIME = "/usr/bin/time";

const TARGET_RATIO = 2.0;
const TARGET_RSS_MB = 150;
const RSS_RUNS = 3;

const USAGE = `Usage: node bench/scan/run.js [--commits N] [--runs N] [--rss-via time|node]

  --commits N         commits in the synthetic repository (default 20000; cached per N)
  --runs N            timed runs of each command, interleaved, after one warm-up each (default 7)
  --rss-via METHOD    'time': /usr/bin/time -f %M; 'node': process.resourceUsage().maxRSS in an
                      in-process wrapper (default: time if it works here, else node)`;

function fail(message, status = 2) {
  process.stderr.write(`bench:scan: ${message}\n`);
  process.exit(status);
}

function options() {
  const { values, count, refuse } = benchOptions("bench:scan", USAGE, {
    commits: { type: "string", default: "20000" },
    runs: { type: "string", default: "7" },
    "rss-via": { type: "string" },
  });
  const rssVia = values["rss-via"];
  if (rssVia !== undefined && rssVia !== "time" && rssVia !== "node") refuse(`--rss-via is 'time' or 'node', not '${rssVia}'`);
  return { commits: count("commits", 1), runs: count("runs", 1), rssVia };
}

// ---------------------------------------------------------------------------------------------
// dist/ must be built (and should be fresh): this benchmark times the compiled CLI.

function filesUnder(dir, ext) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path, ext));
    else if (entry.name.endsWith(ext)) out.push(path);
  }
  return out;
}

function checkDist() {
  if (!existsSync(DIST_MAIN) || !existsSync(DIST_LOG)) fail("dist/ is not built: run `npm run build` first");
  // Only the source the scan runs: cli/, detection/, git/ (the app's own files do not matter here).
  const sources = ["cli", "detection", "git"].flatMap((d) => (existsSync(join(ROOT, "src", d)) ? filesUnder(join(ROOT, "src", d), ".ts") : []));
  const stale = sources.filter((ts) => {
    const js = join(ROOT, "dist", relative(join(ROOT, "src"), ts)).replace(/\.ts$/, ".js");
    return !existsSync(js) || statSync(js).mtimeMs < statSync(ts).mtimeMs;
  });
  if (stale.length > 0) {
    process.stderr.write(`bench:scan: warning: dist/ is older than ${relative(ROOT, stale[0])}${stale.length > 1 ? ` (and ${stale.length - 1} more)` : ""}: run \`npm run build\` to time the current source\n`);
  }
}

// ---------------------------------------------------------------------------------------------
// Running and timing

/**
 * Runs `cmd args` to completion with stdout going to `stdout` ("pipe" to capture it, or a file
 * descriptor). Resolves to { ms, code, out, err }; `ms` is wall time from spawn to exit.
 */
function timed(cmd, args, { stdout, env = CLEAN_GIT_ENV }) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    let end;
    const child = spawn(cmd, args, { stdio: ["ignore", stdout, "pipe"], env });
    const out = [];
    let err = "";
    child.stdout?.on("data", (chunk) => out.push(chunk));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => (err += chunk));
    child.on("error", reject);
    child.on("exit", () => (end = process.hrtime.bigint()));
    child.on("close", (code) => {
      const ms = Number((end ?? process.hrtime.bigint()) - start) / 1e6;
      resolve({ ms, code, out: Buffer.concat(out), err });
    });
  });
}

function ensureOk(what, result) {
  if (result.code !== 0) fail(`${what} exited with status ${result.code}: ${result.err.trim().split("\n").slice(-5).join("\n")}`);
  return result;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Does /usr/bin/time -f %M work here (exists, is GNU time, prints a number)? */
function timeWorks() {
  if (!existsSync(TIME)) return false;
  const dir = mkdtempSync(join(tmpdir(), "bench-scan-"));
  try {
    const file = join(dir, "rss");
    const r = spawnSync(TIME, ["-f", "%M", "-o", file, process.execPath, "-e", ""], { stdio: "ignore" });
    return r.status === 0 && /^\d+\s*$/.test(readFileSync(file, "utf8").trim().split("\n").pop() ?? "");
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Peak RSS (KB) of one scan: via GNU time (node and, if larger, its git child) or in-process maxRSS (node only). */
async function peakRssKb(via, scanArgs, devNull) {
  if (via === "time") {
    const dir = mkdtempSync(join(tmpdir(), "bench-scan-"));
    try {
      const file = join(dir, "rss");
      ensureOk("scan (under /usr/bin/time)", await timed(TIME, ["-f", "%M", "-o", file, process.execPath, BIN, ...scanArgs], { stdout: devNull }));
      const kb = Number(readFileSync(file, "utf8").trim().split("\n").pop());
      if (!Number.isFinite(kb) || kb <= 0) fail(`could not read peak RSS from ${TIME}`);
      return kb;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // The same work as bin/countersign.js, with the process's own peak RSS printed to stderr at exit.
  const script = [
    `const { main } = await import(${JSON.stringify(new URL(`file://${DIST_MAIN}`).href)});`,
    `process.on("exit", () => process.stderr.write("\\nbench-maxrss-kb=" + process.resourceUsage().maxRSS + "\\n"));`,
    `const io = { out: (t) => new Promise((ok) => (process.stdout.write(t) ? ok() : process.stdout.once("drain", ok))), err: (t) => process.stderr.write(t) };`,
    `process.exitCode = await main(${JSON.stringify(scanArgs)}, io);`,
  ].join("\n");
  const r = ensureOk("scan (in the maxRSS wrapper)", await timed(process.execPath, ["--input-type=module", "-e", script], { stdout: devNull }));
  const m = /bench-maxrss-kb=(\d+)/.exec(r.err);
  if (!m) fail("the maxRSS wrapper printed no figure");
  return Number(m[1]);
}

// ---------------------------------------------------------------------------------------------
// Correctness: every commit reported once, exactly the generator's AI commits, with its tools.

function verify(output, manifest) {
  const lines = output.toString("utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  const problems = [];
  let ai = 0;
  const seen = new Set();
  for (const line of lines) {
    let rec;
    try {
      rec = JSON.parse(line);
    } catch {
      problems.push(`not JSON: ${line.slice(0, 120)}`);
      continue;
    }
    if (rec.ai === true) ai++;
    seen.add(rec.sha);
    const expected = manifest.bySha[rec.sha];
    if (expected === undefined) {
      problems.push(`${rec.sha}: not a commit the generator wrote`);
      continue;
    }
    const want = expected.length > 0;
    const tools = [...(rec.tools ?? [])].sort().join(", ");
    if (rec.ai !== want) problems.push(`${rec.sha}: ai=${rec.ai}, expected ${want}${want ? ` (${expected.join(", ")})` : ""}; evidence: ${JSON.stringify(rec.evidence)}`);
    else if (want && tools !== [...expected].sort().join(", ")) problems.push(`${rec.sha}: tools [${tools}], expected [${expected.join(", ")}]`);
  }
  if (lines.length !== manifest.commits) problems.unshift(`${lines.length} JSON lines, expected ${manifest.commits}`);
  if (seen.size !== lines.length) problems.unshift(`${lines.length - seen.size} duplicate SHAs in the output`);
  if (ai !== manifest.ai) problems.unshift(`${ai} commits with "ai":true, expected ${manifest.ai}`);
  return { lines: lines.length, ai, problems };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = options();
  checkDist();

  const t0 = process.hrtime.bigint();
  const { repo, manifest, cached } = await cachedRepository(CACHE, opts.commits);
  const buildS = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(
    cached
      ? `repository: ${relative(ROOT, repo)} (cached, generator v${GENERATOR_VERSION})\n`
      : `repository: ${relative(ROOT, repo)} (built in ${buildS.toFixed(1)} s, generator v${GENERATOR_VERSION})\n`,
  );

  const { gitLogArgs } = await import(new URL(`file://${DIST_LOG}`).href);
  const gitArgs = gitLogArgs({ repo, revisions: ["HEAD"] });
  const scanArgs = ["scan", "--repo", repo, "--json", "--all", "HEAD"];
  const devNull = openSync("/dev/null", "w");
  const runGit = (stdout = devNull) => timed("git", gitArgs, { stdout });
  const runScan = (stdout = devNull) => timed(process.execPath, [BIN, ...scanArgs], { stdout });

  // Warm-up (caches, JIT of nothing in particular, the page cache): one of each, not counted. The
  // scan's warm-up output is the one checked for correctness.
  ensureOk("git log", await runGit());
  const check = verify(ensureOk("countersign scan", await runScan("pipe")).out, manifest);

  // Interleaved, alternating which goes first, so drift (thermal, other load) hits both alike.
  const gitMs = [];
  const scanMs = [];
  for (let i = 0; i < opts.runs; i++) {
    const order = i % 2 === 0 ? ["git", "scan"] : ["scan", "git"];
    for (const which of order) {
      if (which === "git") gitMs.push(ensureOk("git log", await runGit()).ms);
      else scanMs.push(ensureOk("countersign scan", await runScan()).ms);
    }
  }

  const via = opts.rssVia ?? (timeWorks() ? "time" : "node");
  let rssKb = 0;
  for (let i = 0; i < RSS_RUNS; i++) rssKb = Math.max(rssKb, await peakRssKb(via, scanArgs, devNull));
  closeSync(devNull);

  const gitMed = median(gitMs);
  const scanMed = median(scanMs);
  const ratio = scanMed / gitMed;
  const rssMb = rssKb / 1024;
  const ratioOk = ratio <= TARGET_RATIO;
  const rssOk = rssMb < TARGET_RSS_MB;
  const correct = check.problems.length === 0;
  const verdict = (ok) => (ok ? "PASS" : "FAIL");
  const ms = (v) => `${v.toFixed(0)} ms`;
  const spread = (v) => `(${ms(Math.min(...v))} – ${ms(Math.max(...v))})`;
  const row = (label, value, target = "", status = "") => `  ${label.padEnd(25)}${value.padEnd(44)}${target.padEnd(16)}${status}`.trimEnd();

  const table = [
    "",
    `countersign scan vs git log — ${opts.runs} interleaved runs each, after one warm-up`,
    row("", "", "target", ""),
    row("commits", `${manifest.commits} (${manifest.ai} AI, ${((100 * manifest.ai) / manifest.commits).toFixed(1)}%)`),
    row("git log median (floor)", `${ms(gitMed)} ${spread(gitMs)}`),
    row("scan median", `${ms(scanMed)} ${spread(scanMs)}`),
    row("ratio scan / git log", ratio.toFixed(2), `≤ ${TARGET_RATIO.toFixed(1)}`, verdict(ratioOk)),
    row("scan peak RSS", `${rssMb.toFixed(1)} MB (max of ${RSS_RUNS}, via ${via === "time" ? "/usr/bin/time" : "maxRSS"})`, `< ${TARGET_RSS_MB} MB`, verdict(rssOk)),
    row("correctness", `${check.lines} lines, ${check.ai} AI`, `= ${manifest.commits}, ${manifest.ai}`, verdict(correct)),
  ];
  process.stdout.write(`${table.join("\n")}\n`);
  if (!correct) {
    process.stdout.write(`\ncorrectness problems (${check.problems.length}; first 10):\n${check.problems.slice(0, 10).map((p) => `  ${p}`).join("\n")}\n`);
  }
  const ok = ratioOk && rssOk && correct;
  process.stdout.write(`\n${ok ? "all targets met" : "FAILED: see the rows marked FAIL"}\n`);
  process.exitCode = ok ? 0 : 1;
}

await main();
