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

export interface LabelSpec {
  readonly name: string;
  readonly color: string;
  readonly description: string;
  /** Whether the pull request should carry it. */
  readonly want: boolean;
}

export type LabelResult = "added" | "removed" | "unchanged";

const status = (error: unknown): number | undefined => (typeof error === "object" && error !== null && "status" in error ? Number((error as { status: unknown }).status) : undefined);
/** Whether `names` hold `name` (GitHub's label names are case-insensitive). */
export const hasLabel = (names: readonly string[], name: string) => names.some((n) => n.toLowerCase() === name.toLowerCase());

/**
 * Makes the pull request carry exactly the wanted labels among `specs`: every missing one in one
 * request, each unwanted one removed. A label the repository is not known to have (`exists`) is
 * first created with its colour and description (GitHub answers 422 when it exists after all: fine).
 */
export async function syncLabels(
  client: PublishClient,
  target: { readonly owner: string; readonly repo: string; readonly number: number },
  specs: readonly LabelSpec[],
  state: { readonly has: readonly string[]; readonly exists: readonly string[] },
): Promise<{ results: ReadonlyMap<string, LabelResult>; requests: number }> {
  const repo = { owner: target.owner, repo: target.repo };
  const results = new Map<string, LabelResult>(specs.map((l) => [l.name, "unchanged"]));
  const add = specs.filter((l) => l.want && !hasLabel(state.has, l.name));
  const remove = specs.filter((l) => !l.want && hasLabel(state.has, l.name));
  let requests = 0;
  for (const label of add.filter((l) => !hasLabel(state.exists, l.name))) {
    requests++;
    try {
      await client.request("POST /repos/{owner}/{repo}/labels", { ...repo, name: label.name, color: label.color, description: label.description });
    } catch (error) {
      if (status(error) !== 422) throw error;
    }
  }
  if (add.length > 0) {
    requests++;
    await client.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", { ...repo, issue_number: target.number, labels: add.map((l) => l.name) });
    for (const l of add) results.set(l.name, "added");
  }
  for (const label of remove) {
    requests++;
    try {
      await client.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", { ...repo, issue_number: target.number, name: label.name });
    } catch (error) {
      if (status(error) !== 404) throw error;
    }
    results.set(label.name, "removed");
  }
  return { results, requests };
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
