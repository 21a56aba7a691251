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

/**
 * Creating is not idempotent: if GitHub created the object but the answer was lost, a retry makes a
 * second one. So creates are never retried; the next evaluation finds what was created and updates it.
 */
const NO_RETRY = { request: { retries: 0 } } as const;

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
  await client.request("POST /repos/{owner}/{repo}/check-runs", { ...body, head_sha: target.headSha, ...NO_RETRY });
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
 * Makes the PR carry the label exactly when `want` is true. Adding a label the repository is not
 * known to have (`exists`) first creates it with its colour and description (GitHub answers 422 when
 * it exists after all: fine); adding one it has is one request.
 */
export async function syncLabel(client: PublishClient, target: LabelTarget, state: { want: boolean; has: boolean; exists?: boolean }): Promise<{ result: LabelResult; requests: number }> {
  if (state.want === state.has) return { result: "unchanged", requests: 0 };
  const repo = { owner: target.owner, repo: target.repo };
  if (state.want) {
    let requests = 1;
    if (state.exists !== true) {
      requests++;
      try {
        await client.request("POST /repos/{owner}/{repo}/labels", { ...repo, name: target.name, color: target.color, description: target.description });
      } catch (error) {
        if (status(error) !== 422) throw error;
      }
    }
    await client.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", { ...repo, issue_number: target.number, labels: [target.name] });
    return { result: "added", requests };
  }
  try {
    await client.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", { ...repo, issue_number: target.number, name: target.name });
  } catch (error) {
    if (status(error) !== 404) throw error;
  }
  return { result: "removed", requests: 1 };
}

export interface CommentTarget {
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
}

/**
 * Keeps countersign's one status comment: creates it when there is none, edits it in place when its
 * text changed, and does nothing otherwise.
 */
export async function syncStatusComment(client: PublishClient, target: CommentTarget, body: string, existing: { id: number; body: string } | null): Promise<WriteResult> {
  if (existing && existing.body === body) return "unchanged";
  if (existing) {
    await client.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", { owner: target.owner, repo: target.repo, comment_id: existing.id, body });
    return "updated";
  }
  await client.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner: target.owner, repo: target.repo, issue_number: target.number, body, ...NO_RETRY });
  return "created";
}

/** The slice of Octokit that reactions need (GraphQL: reviews have no REST reactions endpoint). */
export interface GraphqlClient {
  graphql<T>(query: string, variables: Record<string, unknown>): Promise<T>;
}

export const REACTION_CONTENT = { "+1": "THUMBS_UP", confused: "CONFUSED" } as const;

/** One GraphQL mutation adding every reaction (aliased), or undefined when there are none. */
export function reactionsMutation(reactions: readonly { nodeId: string; content: keyof typeof REACTION_CONTENT }[]): { query: string; variables: Record<string, string> } | undefined {
  if (reactions.length === 0) return undefined;
  const params = reactions.map((_, i) => `$s${i}: ID!`).join(", ");
  const fields = reactions.map((r, i) => `r${i}: addReaction(input: { subjectId: $s${i}, content: ${REACTION_CONTENT[r.content]} }) { clientMutationId }`).join("\n  ");
  const variables = Object.fromEntries(reactions.map((r, i) => [`s${i}`, r.nodeId]));
  return { query: `mutation countersignReactions(${params}) {\n  ${fields}\n}`, variables };
}

/** Adds the reactions (👍 counted, 😕 not) in one request. */
export async function addReactions(client: GraphqlClient, reactions: readonly { nodeId: string; content: keyof typeof REACTION_CONTENT }[]): Promise<number> {
  const mutation = reactionsMutation(reactions);
  if (!mutation) return 0;
  await client.graphql(mutation.query, mutation.variables);
  return reactions.length;
}
