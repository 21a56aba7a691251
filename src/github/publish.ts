/**
 * Publishes a verdict to GitHub: the check run, the labels, the status comment and the reactions.
 * The only module (with `gather.ts`) that talks to GitHub during an evaluation.
 *
 * Idempotent and frugal: it compares with what GitHub already shows (gathered in the same
 * evaluation) and writes only what changed, so redelivered or repeated events cost no writes. An
 * evaluation of a pull request writes in one request (`publishPullRequest`: one GraphQL mutation);
 * `publishCheck` writes a check run alone over REST, where there is nothing else to write or no
 * node ids were read (a failed read, a push, a merge queue).
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

/** A check run's output as REST and GraphQL take it (the same fields; no text when there is none). */
const outputBody = (output: CheckOutput) => ({ title: output.title, summary: output.summary, ...(output.text === "" ? {} : { text: output.text }) });

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
    output: outputBody(output),
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

/** The slice of Octokit that GraphQL mutations need. */
export interface GraphqlClient {
  graphql<T>(query: string, variables: Record<string, unknown>): Promise<T>;
}

export const REACTION_CONTENT = { "+1": "THUMBS_UP", confused: "CONFUSED" } as const;

export interface Reaction {
  /** The node id of the comment or review reacted to. */
  readonly nodeId: string;
  readonly content: keyof typeof REACTION_CONTENT;
}

/** Everything an evaluation of a pull request may write, and what GitHub showed when it was read. */
export interface PublishPlan {
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
  /** GraphQL node ids from the same evaluation's read: the repository, the pull request, and labels by lower-cased name. */
  readonly nodes: { readonly repository: string; readonly pullRequest: string; readonly labels: ReadonlyMap<string, string> };
  readonly check: { readonly target: CheckTarget; readonly output: CheckOutput; readonly existing: ExistingCheckRun | null };
  /** Absent: labels are not managed (`labels.enabled: false`). */
  readonly labels?: { readonly specs: readonly LabelSpec[]; readonly has: readonly string[]; readonly exists: readonly string[] };
  /** Absent: no status comment is kept. `existing.nodeId` addresses the comment in GraphQL. */
  readonly status?: { readonly body: string; readonly existing: { readonly nodeId: string; readonly body: string } | null };
  readonly reactions: readonly Reaction[];
  /** With replicas: false once this replica's lease on the pull request is ending. Checked before each request. */
  readonly holds?: () => boolean;
}

export interface Published {
  readonly check: WriteResult | "failed";
  /** Per label name; "failed" when the labels could not be written. Empty when not managed. */
  readonly labels: ReadonlyMap<string, LabelResult> | "failed";
  readonly status: WriteResult | "skipped" | "failed";
  readonly reactions: number | "failed";
  readonly requests: number;
  /** Each error met (at most one per request), to log and to learn rate-limit waits from. */
  readonly errors: readonly unknown[];
  /** The lease ran out before everything was sent (`holds`): another replica evaluates the pull request afresh. */
  readonly fenced: boolean;
}

/** One aliased field of the publishing mutation, its input variable and what it does when it succeeds. */
interface Field {
  readonly alias: string;
  readonly mutation: string;
  readonly inputType: string;
  readonly input: Record<string, unknown>;
  /** Creates something: a lost answer must not be retried into a second one. */
  readonly creates: boolean;
}

const CHECK_CONCLUSION = (c: CheckOutput["conclusion"]) => c.toUpperCase();

/**
 * What must change, as the fields of one GraphQL mutation: the check run (created or updated), the
 * labels to add and to remove, the status comment (created or edited), and the reactions. Pure.
 * Returns also the writes GraphQL cannot make from what was read: a label to add whose node id is
 * unknown (the repository may not have it yet), made over REST, where a label can be created first.
 */
export function planWrites(plan: PublishPlan): { fields: Field[]; check: WriteResult; restCheck: boolean; status: WriteResult | "skipped"; added: LabelSpec[]; removed: LabelSpec[]; restLabels: boolean } {
  const fields: Field[] = [];
  const { nodes } = plan;
  let check: WriteResult = "unchanged";
  const { output, target, existing } = plan.check;
  // A run known only by its REST id (no node id read) is updated over REST: never a second run.
  const restCheck = existing !== null && !existing.nodeId && !sameCheck(existing, output);
  if (restCheck) check = "updated";
  else if (!sameCheck(existing, output)) {
    const input = {
      repositoryId: nodes.repository,
      name: target.name,
      status: "COMPLETED",
      conclusion: CHECK_CONCLUSION(output.conclusion),
      detailsUrl: target.detailsUrl,
      output: outputBody(output),
    };
    if (existing?.nodeId) {
      fields.push({ alias: "check", mutation: "updateCheckRun", inputType: "UpdateCheckRunInput", input: { ...input, checkRunId: existing.nodeId }, creates: false });
      check = "updated";
    } else {
      fields.push({ alias: "check", mutation: "createCheckRun", inputType: "CreateCheckRunInput", input: { ...input, headSha: target.headSha }, creates: true });
      check = "created";
    }
  }
  const idOf = (name: string) => nodes.labels.get(name.toLowerCase());
  const added = (plan.labels?.specs ?? []).filter((l) => l.want && !hasLabel(plan.labels?.has ?? [], l.name));
  const removed = (plan.labels?.specs ?? []).filter((l) => !l.want && hasLabel(plan.labels?.has ?? [], l.name));
  const restLabels = [...added, ...removed].some((l) => idOf(l.name) === undefined);
  if (!restLabels && added.length > 0) {
    fields.push({ alias: "addLabels", mutation: "addLabelsToLabelable", inputType: "AddLabelsToLabelableInput", input: { labelableId: nodes.pullRequest, labelIds: added.map((l) => idOf(l.name)) }, creates: false });
  }
  if (!restLabels && removed.length > 0) {
    fields.push({ alias: "removeLabels", mutation: "removeLabelsFromLabelable", inputType: "RemoveLabelsFromLabelableInput", input: { labelableId: nodes.pullRequest, labelIds: removed.map((l) => idOf(l.name)) }, creates: false });
  }
  let status: WriteResult | "skipped" = "skipped";
  if (plan.status) {
    const { body, existing: comment } = plan.status;
    if (comment && comment.body === body) status = "unchanged";
    else if (comment) {
      fields.push({ alias: "status", mutation: "updateIssueComment", inputType: "UpdateIssueCommentInput", input: { id: comment.nodeId, body }, creates: false });
      status = "updated";
    } else {
      fields.push({ alias: "status", mutation: "addComment", inputType: "AddCommentInput", input: { subjectId: nodes.pullRequest, body }, creates: true });
      status = "created";
    }
  }
  plan.reactions.forEach((r, i) => {
    fields.push({ alias: `r${i}`, mutation: "addReaction", inputType: "AddReactionInput", input: { subjectId: r.nodeId, content: REACTION_CONTENT[r.content] }, creates: true });
  });
  return { fields, check, restCheck, status, added, removed, restLabels };
}

/** The one mutation document for these fields, with its variables (one input object per field). */
export function publishMutation(fields: readonly Field[]): { query: string; variables: Record<string, unknown> } {
  const params = fields.map((f) => `$${f.alias}: ${f.inputType}!`).join(", ");
  const body = fields.map((f) => `${f.alias}: ${f.mutation}(input: $${f.alias}) { clientMutationId }`).join("\n  ");
  return { query: `mutation countersignPublish(${params}) {\n  ${body}\n}`, variables: Object.fromEntries(fields.map((f) => [f.alias, f.input])) };
}

/**
 * Which fields of a mutation failed: GitHub answers the others (it runs a document's mutations one
 * after another, and one failing does not stop the rest) and names each failed field in its error's
 * path. "all" when the request itself failed, or an error does not say which field it is about.
 */
export function failedFields(error: unknown): Set<string> | "all" {
  const e = error as { errors?: unknown; data?: unknown } | null;
  if (typeof e !== "object" || e === null || !Array.isArray(e.errors) || typeof e.data !== "object" || e.data === null) return "all";
  const failed = new Set<string>();
  for (const item of e.errors as { path?: unknown }[]) {
    const first = Array.isArray(item?.path) ? item.path[0] : undefined;
    if (typeof first !== "string") return "all";
    failed.add(first);
  }
  return failed;
}

/**
 * Publishes an evaluation of a pull request in one request: every change (check run, labels, status
 * comment, reactions) as one GraphQL mutation, and nothing when nothing changed. GitHub charges a
 * request with mutations 5 points against its secondary limit however many it holds (REST: 5 per
 * write). A mutation that creates something is never retried; the next evaluation finds what a lost
 * answer created and updates it. Never throws: what failed is reported.
 */
export async function publishPullRequest(client: PublishClient & GraphqlClient, plan: PublishPlan): Promise<Published> {
  const planned = planWrites(plan);
  const errors: unknown[] = [];
  let requests = 0;
  let fenced = false;
  const mayWrite = () => !(fenced ||= plan.holds?.() === false);
  let labelsFailed = false;
  // A label the repository may not have yet: created over REST (with its colour and description), then added.
  let restResults: ReadonlyMap<string, LabelResult> | undefined;
  if (planned.restLabels && plan.labels && mayWrite()) {
    try {
      const synced = await syncLabels(client, plan, plan.labels.specs, { has: plan.labels.has, exists: plan.labels.exists });
      requests += synced.requests;
      restResults = synced.results;
    } catch (error) {
      requests++;
      errors.push(error);
      labelsFailed = true;
    }
  }
  let restCheckFailed = false;
  let restCheckSent = false;
  if (planned.restCheck && mayWrite()) {
    restCheckSent = true;
    requests++;
    try {
      await publishCheck(client, plan.check.target, plan.check.output, plan.check.existing);
    } catch (error) {
      errors.push(error);
      restCheckFailed = true;
    }
  }
  let failed: Set<string> | "all" = new Set();
  if (planned.fields.length > 0 && mayWrite()) {
    const { query, variables } = publishMutation(planned.fields);
    const creates = planned.fields.some((f) => f.creates);
    requests++;
    try {
      await client.graphql(query, { ...variables, ...(creates ? NO_RETRY : {}) });
    } catch (error) {
      errors.push(error);
      failed = failedFields(error);
    }
  }
  const unchangedLabels = new Map((plan.labels?.specs ?? []).map((l) => [l.name, "unchanged" as LabelResult]));
  if (fenced) {
    // The mutation (the last request) was not sent; say only what the REST requests before it did.
    const check = restCheckSent ? (restCheckFailed ? "failed" : planned.check) : "unchanged";
    return { check, labels: labelsFailed ? "failed" : (restResults ?? unchangedLabels), status: "skipped", reactions: 0, requests, errors, fenced };
  }
  const ok = (alias: string) => failed !== "all" && !failed.has(alias);
  const check = planned.check === "unchanged" || (planned.restCheck ? !restCheckFailed : ok("check")) ? planned.check : "failed";
  const status = planned.status === "unchanged" || planned.status === "skipped" || ok("status") ? planned.status : "failed";
  let labels: ReadonlyMap<string, LabelResult> | "failed" = unchangedLabels;
  if (labelsFailed || (!planned.restLabels && ((planned.added.length > 0 && !ok("addLabels")) || (planned.removed.length > 0 && !ok("removeLabels"))))) labels = "failed";
  else if (restResults) labels = restResults;
  else {
    const results = new Map(labels);
    for (const l of planned.added) results.set(l.name, "added");
    for (const l of planned.removed) results.set(l.name, "removed");
    labels = results;
  }
  const reactions = plan.reactions.length === 0 ? 0 : plan.reactions.every((_, i) => ok(`r${i}`)) ? plan.reactions.length : "failed";
  return { check, labels, status, reactions, requests, errors, fenced };
}
