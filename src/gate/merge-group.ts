/**
 * Merge queues: when the check is required and the repository uses GitHub's merge queue, each merge
 * group's head commit needs a verdict or the queue stalls. The group passes when every pull request
 * in it passed countersign's check on the head that entered the queue (countersigned, overridden, or
 * not AI-authored); otherwise it fails, naming each pull request and what it lacks. Pure.
 */
import { short } from "./operators.js";
import type { CheckOutput } from "./render.js";

export interface QueueEntry {
  readonly position: number;
  /** The merge-group commit this entry's group is tested on. */
  readonly groupHeadSha: string | null;
  readonly pullRequest: {
    readonly number: number;
    readonly headSha: string;
    /** This app's check runs on the PR's head commit. */
    readonly checkRuns: readonly { readonly name: string; readonly conclusion: string | null; readonly title: string | null }[];
  } | null;
}

export function evaluateMergeGroup(entries: readonly QueueEntry[], groupHeadSha: string, checkName: string): CheckOutput {
  const ordered = [...entries].sort((a, b) => a.position - b.position);
  const last = ordered.findIndex((e) => e.groupHeadSha === groupHeadSha);
  if (last === -1) {
    return {
      conclusion: "failure",
      title: "Cannot find this merge group in the merge queue",
      summary: `countersign found no merge queue entry whose merge group is ${"`"}${short(groupHeadSha)}${"`"}, so it cannot tell which pull requests it holds; it fails closed. The queue will retry with a new group; if this persists, remove the pull request from the queue and add it again.`,
      text: "",
    };
  }
  const group = ordered.slice(0, last + 1);
  const lacking: string[] = [];
  const passed: string[] = [];
  for (const entry of group) {
    const pr = entry.pullRequest;
    if (!pr) {
      lacking.push(`an entry at position ${entry.position} has no pull request countersign can see`);
      continue;
    }
    const run = [...pr.checkRuns].filter((r) => r.name === checkName)[0];
    if (run && run.conclusion?.toLowerCase() === "success") passed.push(`#${pr.number} (${run.title ?? "passed"})`);
    else lacking.push(`#${pr.number}: ${run ? `${run.title ?? "not satisfied"} (${(run.conclusion ?? "pending").toLowerCase()})` : "no countersign check on its head"} at ${short(pr.headSha)}`);
  }
  if (lacking.length === 0) {
    return { conclusion: "success", title: `Every pull request in this merge group passed countersign (${group.length})`, summary: passed.map((p) => `- ${p}`).join("\n"), text: "" };
  }
  const first = lacking[0] ?? "";
  return {
    conclusion: "failure",
    title: lacking.length === 1 ? `Not countersigned: ${first.split(":")[0] ?? first}` : `${lacking.length} pull requests in this merge group are not countersigned`,
    summary: ["These pull requests entered the merge queue without passing countersign's check on their head:", ...lacking.map((l) => `- ${l}`), "", "Remove them from the queue, get them countersigned, and queue them again."].join("\n"),
    text: "",
  };
}
