/**
 * `countersign scan`: which commits in a range an AI wrote, with evidence. Offline, from git alone.
 *
 * Loads only the detector and the git reader; reads history with one streaming `git log`.
 */
import { createDetector, type CommitDetection, type Detector } from "../detection/detect.js";
import { classify, DEFAULT_RISK, type ChangedFile, type RiskVerdict } from "../risk/classify.js";
import type { RiskConfig } from "../risk/config.js";
import { readLogBatches, GitError } from "../git/log.js";
import { parseFlags, UsageError, type Io } from "./io.js";

export const SCAN_HELP = `Usage: countersign scan [options] [REVISION-RANGE...]

List the AI-authored commits in REVISION-RANGE (default: HEAD) with the evidence for each.

Options:
  --repo DIR      the repository to read (a work tree or a bare repository; default: .)
  --json          JSON Lines on stdout: one object per AI-authored commit, nothing else
  --all           report every commit, human ones too
  --fail-on-ai    exit 1 when any AI-authored commit is found (for CI and hooks)
  --config FILE   a countersign.yml whose 'detection' and 'risk' sections extend the built-ins
  -h, --help      this help

Exit status: 0 ok; 1 AI-authored commits found with --fail-on-ai; 2 bad usage or git error.`;

/** The stable JSON Lines shape of one commit. Other tools consume these field names. */
export interface ScanRecord {
  sha: string;
  ai: boolean;
  tools: readonly string[];
  evidence: readonly { rule: string; tool: string; field: string; match: string }[];
  humans: readonly { name: string; email: string }[];
  /** The risk tier of an AI-authored commit (from git's own numstat), null for human commits. */
  risk: { level: string; reasons: readonly string[] } | null;
}

interface ScanOptions {
  repo: string;
  json: boolean;
  all: boolean;
  failOnAi: boolean;
  config: string | undefined;
  revisions: string[];
}

function parse(argv: readonly string[]): ScanOptions | "help" {
  const parsed = parseFlags("scan", argv, {
    repo: { type: "string" },
    json: { type: "boolean" },
    all: { type: "boolean" },
    "fail-on-ai": { type: "boolean" },
    config: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  const { values, positionals } = parsed;
  if (values.help) return "help";
  const repo = values.repo ?? ".";
  if (repo.trim() === "") throw new UsageError("scan: --repo needs a directory (see countersign scan --help)");
  for (const rev of positionals) {
    if (rev.trim() === "") throw new UsageError("scan: an empty revision range was given (use e.g. HEAD or main..feature)");
  }
  if (values.config !== undefined && values.config.trim() === "") throw new UsageError("scan: --config needs a file (see countersign scan --help)");
  return {
    repo,
    json: values.json === true,
    all: values.all === true,
    failOnAi: values["fail-on-ai"] === true,
    config: values.config,
    revisions: positionals.length > 0 ? positionals : ["HEAD"],
  };
}

async function settingsFor(options: ScanOptions): Promise<{ detector: Detector; risk: RiskConfig }> {
  if (options.config === undefined) return { detector: createDetector(), risk: DEFAULT_RISK };
  // Only a scan with a config file pays for YAML parsing and schema validation.
  const { loadScanConfigFile } = await import("./config-file.js");
  const config = await loadScanConfigFile(options.config);
  return { detector: createDetector(config.detection), risk: config.risk };
}

/** The `risk` object of a record: the tier and every rule that fired, with its files. */
export function riskRecord(verdict: RiskVerdict): { level: string; reasons: string[] } {
  return {
    level: verdict.level,
    reasons: verdict.findings.map((f) => {
      const files = f.files.slice(0, 5).join(", ") + (f.files.length + f.moreFiles > 5 ? ` and ${f.files.length + f.moreFiles - 5} more` : "");
      return `${f.rule}: ${f.reason}${files === "" ? "" : ` (${files})`}`;
    }),
  };
}


/** Collects output into large writes: one write per line is the slowest part of a big scan. */
class Buffered {
  private text = "";
  constructor(private readonly io: Io) {}
  add(text: string): void {
    this.text += text;
  }
  /** Writes what has collected once there is enough of it (or `force`), waiting for the reader. */
  async flush(force = false): Promise<void> {
    if (this.text.length === 0 || (!force && this.text.length < 1 << 16)) return;
    const text = this.text;
    this.text = "";
    await this.io.out(text);
  }
}

const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
/** A JSON string literal; skips JSON.stringify for the common plain string. */
const str = (s: string): string => (NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`);

/** One JSON line, written field by field in the stable order (faster than building an object). */
export function jsonLine(sha: string, d: CommitDetection, risk: { level: string; reasons: readonly string[] } | null): string {
  let evidence = "";
  for (const e of d.evidence) evidence += `${evidence === "" ? "" : ","}{"rule":${str(e.rule)},"tool":${str(e.tool)},"field":${str(e.field)},"match":${str(e.match)}}`;
  let humans = "";
  for (const h of d.humans) humans += `${humans === "" ? "" : ","}{"name":${str(h.name)},"email":${str(h.email)}}`;
  const riskJson = risk === null ? "null" : `{"level":${str(risk.level)},"reasons":[${risk.reasons.map(str).join(",")}]}`;
  return `{"sha":${str(sha)},"ai":${d.ai},"tools":[${d.tools.map(str).join(",")}],"evidence":[${evidence}],"humans":[${humans}],"risk":${riskJson}}\n`;
}

export async function scan(argv: readonly string[], io: Io): Promise<number> {
  const options = parse(argv);
  if (options === "help") {
    await io.out(`${SCAN_HELP}\n`);
    return 0;
  }
  const { detector, risk: riskConfig } = await settingsFor(options);
  const riskOf = (files: readonly ChangedFile[] | undefined) => riskRecord(classify(files ?? [], riskConfig));
  const out = new Buffered(io);
  let total = 0;
  let aiCount = 0;
  const byTool = new Map<string, number>();
  const byTier = new Map<string, number>();
  try {
    for await (const batch of readLogBatches({ repo: options.repo, revisions: options.revisions })) {
      for (const commit of batch) {
        total++;
        const d = detector.commit(commit);
        if (d.ai) {
          aiCount++;
          for (const tool of d.tools) byTool.set(tool, (byTool.get(tool) ?? 0) + 1);
        }
        if (!d.ai && !options.all) continue;
        const risk = d.ai ? riskOf(commit.files) : null;
        if (risk) byTier.set(risk.level, (byTier.get(risk.level) ?? 0) + 1);
        out.add(options.json ? jsonLine(commit.sha, d, risk) : humanLine(commit.sha, d, risk));
      }
      await out.flush();
    }
  } catch (error) {
    if (error instanceof GitError) throw new UsageError(error.message);
    throw error;
  }
  if (!options.json) out.add(summary(total, aiCount, byTool, byTier));
  await out.flush(true);
  return options.failOnAi && aiCount > 0 ? 1 : 0;
}

function humanLine(sha: string, d: CommitDetection, risk: { level: string } | null): string {
  const first = d.evidence[0];
  if (!first) return `${sha.slice(0, 12)}  human\n`;
  const more = d.evidence.length > 1 ? `  (+${d.evidence.length - 1} more)` : "";
  return `${sha.slice(0, 12)}  ${d.tools.join(", ")}  [${risk?.level ?? "?"}]  ${first.field}: ${first.match}${more}\n`;
}

const TIER_ORDER = ["critical", "high", "medium", "low"];

function summary(total: number, ai: number, byTool: Map<string, number>, byTier: Map<string, number>): string {
  const pct = total === 0 ? "" : ` (${((100 * ai) / total).toFixed(1)}%)`;
  const tools = [...byTool.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const tiers = TIER_ORDER.flatMap((t) => (byTier.has(t) ? [`${t} ${byTier.get(t) ?? 0}`] : []));
  const detail = (tools.length === 0 ? "" : `\nby tool: ${tools.map(([t, n]) => `${t} ${n}`).join(", ")}`) + (tiers.length === 0 ? "" : `\nby risk: ${tiers.join(", ")}`);
  return `${ai} of ${total} commit${total === 1 ? "" : "s"} AI-authored${pct}${detail}\n`;
}
