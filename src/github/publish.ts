/**
 * Publishes a verdict to GitHub: the check run and the `ai-authored` label. The only module (with
 * `gather.ts`) that talks to GitHub during an evaluation.
 *
 * Idempotent and frugal: it compares with what GitHub already shows (gathered in the same
 * evaluation) and writes only what changed, so redelivered or repeated events cost no writes.
 */
import type { ExistingCheckRun } from "../gate/facts.js";
import type { CheckOutput } from "../gate/render.js";

/** The slice of Octokit publish needs. */
export interface PublishClient {
  request(route: string, parameters: Record<string, unknown>): Promise<{ data: unknown }>;
}

export interface CheckTarget {
  readonly owner: string;
  readonly repo: string;
  readonly headSha: string;
  readonly name: string;
  readonly detailsUrl: string;
}

export type WriteResult = "created" | "updated" | "unchanged";

/** True when the run on GitHub already shows exactly this output. */
export function sameCheck(existing: ExistingCheckRun | null, output: CheckOutput): boolean {
  return (
    existing !== null &&
    existing.status === "completed" &&
    existing.conclusion === output.conclusion &&
    (existing.title ?? "") === output.title &&
    (existing.summary ?? "") === output.summary &&
    (existing.text ?? "") === output.text
  );
}

export async function publishCheck(client: PublishClient, target: CheckTarget, output: CheckOutput, existing: ExistingCheckRun | null): Promise<WriteResult> {
  if (sameCheck(existing, output)) return "unchanged";
  const body = {
    owner: target.owner,
    repo: target.repo,
    name: target.name,
    status: "completed",
    conclusion: output.conclusion,
    details_url: target.detailsUrl,
    output: { title: output.title, summary: output.summary, ...(output.text === "" ? {} : { text: output.text }) },
  };
  if (existing) {
    await client.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", { ...body, check_run_id: existing.id });
    return "updated";
  }
  await client.request("POST /repos/{owner}/{repo}/check-runs", { ...body, head_sha: target.headSha });
  return "created";
}

export interface LabelTarget {
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
  readonly name: string;
  readonly color: string;
  readonly description: string;
}

export type LabelResult = "added" | "removed" | "unchanged";

const status = (error: unknown): number | undefined => (typeof error === "object" && error !== null && "status" in error ? Number((error as { status: unknown }).status) : undefined);

/**
 * Makes the PR carry the label exactly when `want` is true. Creates the label in the repository
 * (with its colour and description) the first time it is needed.
 */
export async function syncLabel(client: PublishClient, target: LabelTarget, state: { want: boolean; has: boolean; exists: boolean }): Promise<LabelResult> {
  if (state.want === state.has) return "unchanged";
  const repo = { owner: target.owner, repo: target.repo };
  if (state.want) {
    if (!state.exists) {
      try {
        await client.request("POST /repos/{owner}/{repo}/labels", { ...repo, name: target.name, color: target.color, description: target.description });
      } catch (error) {
        // Created meanwhile by another evaluation or a person: fine.
        if (status(error) !== 422) throw error;
      }
    }
    await client.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", { ...repo, issue_number: target.number, labels: [target.name] });
    return "added";
  }
  try {
    await client.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", { ...repo, issue_number: target.number, name: target.name });
  } catch (error) {
    if (status(error) !== 404) throw error;
  }
  return "removed";
}
