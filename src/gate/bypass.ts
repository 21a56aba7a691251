/**
 * The edges of the gate: AI-authored changes that reached a protected branch without a countersign —
 * a pull request merged while its check was not satisfied (an admin merge, a rule not yet required),
 * commits pushed straight to the branch, force pushes and branch deletions. Pure: decides what went
 * around the gate and renders the reports (check run, comment, issue) from plain facts.
 */
import type { CommitDetection, Detector, Evidence } from "../detection/detect.js";
import type { Verdict } from "./evaluate.js";
import type { ExistingCheckRun, GitActor } from "./facts.js";
import { short } from "./operators.js";
import { code, type CheckOutput } from "./render.js";

/** How a check run title says the gate was passed by people (not by "no AI detected"). */
const PASSED_BY_PEOPLE = /^(Countersigned by|Overridden by) /;

/** True when this app's check run shows the gate satisfied (countersigned or overridden). */
export function gateSatisfied(run: { conclusion: string | null; title: string | null } | null | undefined): boolean {
  return run !== null && run !== undefined && run.conclusion?.toLowerCase() === "success" && PASSED_BY_PEOPLE.test(run.title ?? "");
}

// ---------------------------------------------------------------------------------------------
// A pull request merged without a countersign.

export interface MergeBypass {
  readonly mergedBy: string;
  /** What was missing at merge time, as countersign's check on the merged head said. */
  readonly missing: string;
}

/**
 * Whether an AI-authored pull request was merged while countersign's check on its head was not
 * satisfied. The check run is read from GitHub (the state branch protection saw), not recomputed.
 */
export function mergeBypass(verdict: Verdict, runAtMerge: ExistingCheckRun | null, mergedBy: string | null): MergeBypass | null {
  if (!verdict.pr.ai || verdict.outcome === "disabled") return null;
  if (gateSatisfied(runAtMerge)) return null;
  const missing = runAtMerge ? `${runAtMerge.title ?? "the countersign check was not satisfied"} (${runAtMerge.conclusion ?? runAtMerge.status})` : "countersign had no check on the merged head";
  return { mergedBy: mergedBy ?? "unknown", missing };
}

function commitLines(commits: readonly { sha: string; detection: CommitDetection }[], max = 50): string[] {
  const ai = commits.filter((c) => c.detection.ai);
  const lines = ai.slice(0, max).map((c) => `- ${code(short(c.sha))} ${c.detection.tools.join(", ")}: ${evidenceText(c.detection.evidence[0])}`);
  if (ai.length > max) lines.push(`- … and ${ai.length - max} more`);
  return lines;
}

function evidenceText(e: Evidence | undefined): string {
  return e ? `${e.field} ${code(e.match)}` : "";
}

export function mergeBypassComment(b: MergeBypass, headSha: string): string {
  return [
    `⚠️ **Merged without a countersign.** \`@${b.mergedBy}\` merged this AI-authored pull request while countersign's check on its head ${code(short(headSha))} was not satisfied: ${b.missing}.`,
    "",
    "This is recorded for review (label, log and — when `bypass.open_issue` is on — an issue). To stop it happening, make the `countersign` check required with this app as its source (see countersign's README, \"Make countersign a required check\").",
  ].join("\n");
}

export function mergeBypassIssue(b: MergeBypass, pr: { number: number; url: string; headSha: string }, verdict: Verdict): { title: string; body: string } {
  return {
    title: `countersign: PR #${pr.number} was merged without a countersign`,
    body: [
      `Pull request ${pr.url} was merged by \`@${b.mergedBy}\` while countersign's check on its head ${code(short(pr.headSha))} was not satisfied: ${b.missing}.`,
      "",
      `**Operators:** ${verdict.operators.map((o) => `\`@${o.login}\``).join(", ") || "none identified"}`,
      `**Tools:** ${verdict.pr.tools.join(", ")}`,
      "",
      "**AI-authored commits and their evidence:**",
      ...commitLines(verdict.commits),
      ...(verdict.pr.evidence.length > 0 ? ["", "**Pull request signals:**", ...verdict.pr.evidence.map((e) => `- ${evidenceText(e)}`)] : []),
    ].join("\n"),
  };
}

// ---------------------------------------------------------------------------------------------
// Pushes straight to a protected branch.

export interface PushedCommit {
  readonly sha: string;
  readonly message: string;
  readonly author: GitActor;
  readonly committer: GitActor;
  /** Pull requests GitHub associates with the commit, with this app's check runs on each PR's head. */
  readonly pulls: readonly { readonly number: number; readonly merged: boolean; readonly headSha: string; readonly checkRuns: readonly { name: string; conclusion: string | null; title: string | null }[] }[];
}

export interface PushFacts {
  readonly branch: string;
  readonly before: string;
  readonly after: string;
  readonly forced: boolean;
  readonly deleted: boolean;
  readonly pusher: string;
  readonly commits: readonly PushedCommit[];
}

export interface UncountersignedCommit {
  readonly sha: string;
  readonly detection: CommitDetection;
  /** Why it does not count as having come through a countersigned pull request. */
  readonly why: string;
}

export interface PushReport {
  readonly commits: readonly UncountersignedCommit[];
  readonly forced: boolean;
  readonly deleted: boolean;
}

/** The AI-authored commits of a push that did not arrive through a countersigned PR; null when nothing to report. */
export function evaluatePush(push: PushFacts, checkName: string, detector: Detector): PushReport | null {
  const commits: UncountersignedCommit[] = [];
  for (const c of push.commits) {
    const detection = detector.commit({ sha: c.sha, message: c.message, author: c.author, committer: c.committer });
    if (!detection.ai) continue;
    const merged = c.pulls.filter((p) => p.merged);
    const countersigned = merged.some((p) => gateSatisfied(p.checkRuns.filter((r) => r.name === checkName)[0]));
    if (countersigned) continue;
    const why =
      merged.length === 0
        ? "it did not arrive through a merged pull request"
        : `pull request ${merged.map((p) => `#${p.number}`).join(", ")} was not countersigned (${merged.map((p) => p.checkRuns.find((r) => r.name === checkName)?.title ?? "no countersign check").join("; ")})`;
    commits.push({ sha: c.sha, detection, why });
  }
  if (commits.length === 0 && !push.forced && !push.deleted) return null;
  return { commits, forced: push.forced, deleted: push.deleted };
}

function pushHeadline(r: PushReport, push: PushFacts): string {
  if (push.deleted) return `Branch ${push.branch} was deleted by @${push.pusher}`;
  const parts: string[] = [];
  if (r.commits.length > 0) parts.push(`${r.commits.length} AI-authored commit${r.commits.length === 1 ? "" : "s"} reached ${push.branch} without a countersign`);
  if (r.forced) parts.push(`force push to ${push.branch} by @${push.pusher}`);
  const text = parts.join("; ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function pushLines(r: PushReport, push: PushFacts): string[] {
  const lines = [`Pushed by \`@${push.pusher}\` to \`${push.branch}\` (${code(short(push.before))} → ${push.deleted ? "deleted" : code(short(push.after))}).`, ""];
  if (r.forced) lines.push("**Force push:** history on a protected branch was rewritten; commits may have been removed around the gate.", "");
  if (push.deleted) lines.push("**Branch deleted.**", "");
  if (r.commits.length > 0) {
    lines.push("**AI-authored commits that did not come through a countersigned pull request:**");
    for (const c of r.commits.slice(0, 50)) lines.push(`- ${code(short(c.sha))} ${c.detection.tools.join(", ")}: ${evidenceText(c.detection.evidence[0])} — ${c.why}`);
    if (r.commits.length > 50) lines.push(`- … and ${r.commits.length - 50} more`);
  }
  return lines;
}

/** The failing check run put on the pushed head. */
export function pushCheck(r: PushReport, push: PushFacts): CheckOutput {
  return {
    conclusion: "failure",
    title: pushHeadline(r, push).slice(0, 255),
    summary: [...pushLines(r, push), "", "Changes to this branch should arrive through pull requests that a human other than their operators countersigned. This check records that they did not; review the commits above."].join("\n"),
    text: "",
  };
}

export function pushIssue(r: PushReport, push: PushFacts): { title: string; body: string } {
  return { title: `countersign: ${pushHeadline(r, push)}`.slice(0, 250), body: pushLines(r, push).join("\n") };
}
