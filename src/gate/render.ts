/**
 * Renders a verdict as the check run's output: conclusion, title, summary and text. Pure and
 * deterministic (no timestamps), so the publisher can compare it with the run already on GitHub
 * and write only when something changed.
 */
import type { Evidence } from "../detection/detect.js";
import { describeRequirement } from "../risk/classify.js";
import type { Verdict } from "./evaluate.js";
import { short } from "./operators.js";

export type Conclusion = "success" | "action_required" | "failure" | "neutral";

export interface CheckOutput {
  readonly conclusion: Conclusion;
  readonly title: string;
  readonly summary: string;
  readonly text: string;
}

/** GitHub's limits on check run output fields. */
export const MAX_TITLE = 255;
export const MAX_TEXT = 65_535;
const MAX_COMMITS_LISTED = 50;
const MAX_EVIDENCE_CHARS = 200;

/** Text inside a markdown code span: no backticks or newlines can break out of it. */
export function code(value: string, max = MAX_EVIDENCE_CHARS): string {
  let s = value.replace(/[\r\n]+/g, " ").replace(/`/g, "'");
  if (s.length > max) s = `${s.slice(0, max - 1)}…`;
  return `\`${s}\``;
}

const at = (login: string) => `@${login}`;

/** "@a", "@a and @b", "@a, @b and @c". */
export function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1] ?? ""}`;
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function evidenceLine(e: Evidence): string {
  return `${e.field}: ${code(e.match)} (${e.tool}, rule \`${e.rule}\`)`;
}

/** The one sentence on what is missing, e.g. "Needs 1 more approval from someone other than @alice". */
export function missingSentence(v: Verdict): string {
  const missing = Math.max(0, v.required - v.counted.length);
  const teams = v.missingTeams.map((t) => `@${t}`);
  if (missing === 0 && teams.length > 0) return `Needs an approval from a member of ${list(teams)}`;
  const others = v.operators.map((o) => at(o.login));
  const who = others.length === 0 ? (missing === 1 ? "a human reviewer" : "human reviewers") : `${missing === 1 ? "someone" : "people"} other than ${list(others)}`;
  return `Needs ${missing} more approval${missing === 1 ? "" : "s"} from ${who}${teams.length > 0 ? `, including one from ${list(teams)}` : ""}`;
}

/** "critical: deletes `infra/prod/main.tf` and adds `infra/prod/cluster.tf` — needs 2 approvals, one from @org/sre". */
export function riskSentence(v: Verdict): string | undefined {
  if (!v.risk) return undefined;
  return `${v.risk.explanation} — ${describeRequirement(v.risk)}`;
}

function title(v: Verdict): string {
  switch (v.outcome) {
    case "disabled":
      return "countersign is disabled for this repository (enabled: false)";
    case "not-ai":
      return "No AI-authored changes detected";
    case "satisfied":
      return `Countersigned by ${list(v.counted.map((a) => at(a.login)))}`;
    case "overridden":
      return `Overridden by @${v.override?.login ?? "?"}: ${v.override?.reason ?? ""}`;
    case "waiting":
      return missingSentence(v);
    case "cannot-decide": {
      const tamper = v.tampering[0];
      if (tamper) return `Cannot decide: an approval comment by @${tamper.author} was edited by @${tamper.editor}`;
      return v.unresolved.length > 0 ? "Cannot decide: an AI-authored commit names someone GitHub cannot identify" : "Cannot decide";
    }
  }
}

function conclusion(v: Verdict): Conclusion {
  if (v.outcome === "disabled") return "neutral";
  if (v.outcome === "not-ai" || v.outcome === "satisfied" || v.outcome === "overridden") return "success";
  if (v.mode === "observe") return "neutral";
  return v.outcome === "waiting" ? "action_required" : "failure";
}

function summary(v: Verdict): string {
  if (v.outcome === "disabled") return "countersign is switched off by `enabled: false` in `.github/countersign.yml`: nothing is checked or enforced.";
  if (v.outcome === "not-ai") return `No commit in this pull request and nothing about the pull request itself carries an AI signal, so no countersign is needed.`;
  const lines: string[] = [];
  if (v.mode === "observe") lines.push("> **Observe mode** (`mode: observe`): this check reports but does not block merging.\n");
  const aiCommits = v.commits.filter((c) => c.detection.ai).length;
  const what = [aiCommits > 0 ? `${aiCommits} of ${v.commits.length} commit${v.commits.length === 1 ? "" : "s"}` : "", v.pr.evidence.length > 0 ? "the pull request itself" : ""].filter(Boolean);
  lines.push(`**AI-authored change detected** (${v.pr.tools.join(", ")}): ${what.join(" and ")}. A human other than its operators must approve the head commit ${code(short(v.headSha))}.`);
  lines.push("");
  const risk = riskSentence(v);
  if (risk) lines.push(`**Risk — ${risk}.**`, "");
  if (v.operators.length > 0) {
    lines.push(`**Operators** (accountable for the change, so they cannot countersign it): ${v.operators.map((o) => `${at(o.login)} (${o.reasons.slice(0, 3).join("; ")}${o.reasons.length > 3 ? `; +${o.reasons.length - 3} more` : ""})`).join(", ")}.`);
    lines.push("");
  }
  lines.push(`**Countersigned by:** ${v.counted.length === 0 ? "nobody yet" : list(v.counted.map((a) => at(a.login)))} (${v.counted.length} of ${v.required} required).`);
  if (v.notCounted.length > 0) {
    lines.push("");
    lines.push("**Not counted:**");
    for (const n of v.notCounted) lines.push(`- ${at(n.login)}: ${n.detail}.`);
  }
  lines.push("");
  if (v.outcome === "overridden" && v.override) {
    lines.push(
      `**Break-glass override** by ${at(v.override.login)} (${v.override.at}): ${v.override.reason}`,
      "",
      `The override holds for the head commit ${code(short(v.headSha))} only: a later push puts the gate back on. It is recorded (label and status comment) for after-the-fact review.`,
    );
  } else if (v.outcome === "cannot-decide") {
    lines.push("**countersign cannot decide, so this check fails closed:**");
    for (const p of v.problems) lines.push(`- ${p}`);
  } else if (v.outcome === "waiting") {
    lines.push(`**${missingSentence(v)}.** To countersign, review the pull request at its head commit ${code(short(v.headSha))} and choose **Approve** (Files changed → Review changes → Approve). Approvals of earlier commits do not count.`);
  } else {
    lines.push(`Countersigned: ${v.counted.length} approval${v.counted.length === 1 ? "" : "s"} on the head commit by people other than the operators.`);
  }
  return lines.join("\n");
}

function text(v: Verdict): string {
  if (v.outcome === "disabled" || v.outcome === "not-ai") return "";
  const lines: string[] = [];
  if (v.risk && v.risk.findings.length > 0) {
    lines.push(`### Risk: ${v.risk.level}`, "");
    for (const f of v.risk.findings.slice(0, 30)) {
      const files = f.files.slice(0, 10).map((p) => code(p, 120)).join(", ");
      const more = f.files.length - Math.min(f.files.length, 10) + f.moreFiles;
      lines.push(`- **${f.level}** \`${f.rule}\`: ${f.reason}${files ? ` — ${files}` : ""}${more > 0 ? ` and ${more} more` : ""}`);
    }
    lines.push("");
  }
  lines.push("### Evidence");
  if (v.pr.evidence.length > 0) {
    lines.push("", "**Pull request**");
    for (const e of v.pr.evidence) lines.push(`- ${evidenceLine(e)}`);
  }
  const ai = v.commits.filter((c) => c.detection.ai);
  if (ai.length > 0) {
    lines.push("", `**Commits** (${ai.length} AI-authored of ${v.commits.length})`);
    for (const c of ai.slice(0, MAX_COMMITS_LISTED)) {
      const [first, ...rest] = c.detection.evidence;
      if (!first) continue;
      lines.push(`- ${code(short(c.sha))} ${c.detection.tools.join(", ")}: ${evidenceLine(first)}${rest.length > 0 ? ` (+${rest.length} more)` : ""}`);
    }
    if (ai.length > MAX_COMMITS_LISTED) lines.push(`- … and ${ai.length - MAX_COMMITS_LISTED} more AI-authored commits (see \`countersign scan\`).`);
  }
  if (v.unresolved.length > 0) {
    lines.push("", "**Accountable people GitHub cannot identify**");
    for (const u of v.unresolved) lines.push(`- ${code(short(u.sha))} ${u.role} ${code(`${u.name} <${u.email}>`)}`);
  }
  return clip(lines.join("\n"), MAX_TEXT);
}

export function renderVerdict(v: Verdict): CheckOutput {
  const t = title(v);
  return { conclusion: conclusion(v), title: clip(v.mode === "observe" && v.outcome !== "not-ai" && v.outcome !== "disabled" ? `[observe] ${t}` : t, MAX_TITLE), summary: clip(summary(v), MAX_TEXT), text: text(v) };
}

/** A failing check for when there is no verdict: a bad config, or GitHub could not be read. */
export function renderProblem(headline: string, problems: readonly string[], fix: string): CheckOutput {
  const lines = [`**${headline}.** countersign cannot decide, so this check fails closed.`, ""];
  for (const p of problems) lines.push(`- ${p}`);
  lines.push("", `**How to fix:** ${fix}`);
  return { conclusion: "failure", title: clip(headline, MAX_TITLE), summary: clip(lines.join("\n"), MAX_TEXT), text: "" };
}
