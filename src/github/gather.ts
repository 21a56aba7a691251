/**
 * Gathers the facts of one pull request from GitHub: the only module (with `publish.ts`) that reads
 * from the GitHub API during an evaluation.
 *
 * One GraphQL query for a typical pull request — its config files included — and PRs with more than
 * 100 commits, reviews or comments page just that connection. The result is checked for completeness
 * (every commit GitHub counts, each once), because a verdict on a partial commit list could pass an
 * AI-authored commit unseen. Permission look-ups (REST) are separate: which ones are needed depends
 * on the config, which arrives with the first query.
 */
import { z } from "zod";
import type { Permission } from "../config/schema.js";
import type { Account, CommentEdit, CommentFact, CommitFact, ExistingCheckRun, GitActor, PullRequestFacts, ReviewFact } from "../gate/facts.js";
import { COMMENTS_PAGE_QUERY, COMMITS_PAGE_QUERY, EDIT_HISTORY_QUERY, PULL_REQUEST_QUERY, REVIEWS_PAGE_QUERY } from "./queries.js";

/** The slice of Octokit gather needs: GraphQL, and one REST route for permissions. */
export interface GatherClient {
  graphql<T>(query: string, variables: Record<string, unknown>): Promise<T>;
  request(route: string, parameters: Record<string, unknown>): Promise<{ data: unknown }>;
}

export interface GatherRequest {
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
  /** This app's id: its check runs are the only ones compared against. */
  readonly appId: number;
}

/** A check run of this app on the head commit, with its name (the configured one is picked later). */
export interface NamedCheckRun extends ExistingCheckRun {
  readonly name: string;
}

/** Everything one evaluation reads in its first query(ies), before the config is applied. */
export type GatheredPullRequest = Omit<PullRequestFacts, "permissions" | "teamMembership" | "existingCheckRun" | "files"> & {
  /** This app's check runs on the head commit. */
  readonly checkRuns: readonly NamedCheckRun[];
  /** `.github/countersign.yml` on the default branch of the repository, and of the owner's `.github` repository. */
  readonly configFiles: { readonly repo: string | null; readonly org: string | null };
  /** The base branch's commit: with `headSha`, what the changed files depend on. */
  readonly baseSha: string;
  /**
   * Labels of the repository that mention "countersign" in their name or description (as GitHub's label
   * search finds them): the ones countersign created. A label to add that is listed needs no creating.
   */
  readonly repoLabels: readonly string[];
  /** GraphQL node ids the publishing mutation addresses. */
  readonly nodeIds: { readonly repository: string; readonly pullRequest: string };
  /** Node ids of the labels above and of the pull request's labels, by lower-cased name. */
  readonly labelIds: ReadonlyMap<string, string>;
};

export interface Gathered {
  readonly pull: GatheredPullRequest;
  /** GitHub API requests this gather made. */
  readonly requests: number;
}

/** The latest of this app's check runs with this name. */
export function checkRunNamed(runs: readonly NamedCheckRun[], name: string): ExistingCheckRun | null {
  return [...runs].filter((r) => r.name === name).sort((a, b) => b.id - a.id)[0] ?? null;
}

/** The data GitHub returned does not add up (or is missing): countersign must not decide on it. */
export class IncompleteDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IncompleteDataError";
  }
}

// --- The response shapes countersign relies on, validated at the boundary. ---

const ActorSchema = z.object({ name: z.string().nullable(), email: z.string().nullable(), user: z.object({ login: z.string(), databaseId: z.number().nullable().optional() }).nullable() });
const CommitNodeSchema = z.object({
  commit: z.object({
    oid: z.string(),
    message: z.string(),
    author: ActorSchema.nullable(),
    committer: ActorSchema.nullable(),
    authors: z.object({ nodes: z.array(ActorSchema.nullable()) }),
  }),
});
const AccountSchema = z.object({ __typename: z.string(), login: z.string(), databaseId: z.number().nullable().optional() });
const ReactionGroupsSchema = z.array(z.object({ content: z.string(), viewerHasReacted: z.boolean() })).nullable();
const CommentShape = {
  id: z.string(),
  databaseId: z.number().nullable(),
  url: z.string(),
  body: z.string(),
  createdAt: z.string(),
  lastEditedAt: z.string().nullable(),
  editor: z.object({ login: z.string() }).nullable(),
  viewerDidAuthor: z.boolean(),
  reactionGroups: ReactionGroupsSchema,
  author: AccountSchema.nullable(),
};
const CommentNodeSchema = z.object(CommentShape);
const ReviewNodeSchema = z.object({
  ...CommentShape,
  state: z.enum(["APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING"]),
  submittedAt: z.string().nullable(),
  authorCanPushToRepository: z.boolean(),
  commit: z.object({ oid: z.string() }).nullable(),
});
const PageInfoSchema = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() });
const CommitsSchema = z.object({ totalCount: z.number(), pageInfo: PageInfoSchema, nodes: z.array(CommitNodeSchema) });
const ReviewsSchema = z.object({ totalCount: z.number(), pageInfo: PageInfoSchema, nodes: z.array(ReviewNodeSchema.nullable()) });
const CommentsSchema = z.object({ totalCount: z.number(), pageInfo: PageInfoSchema, nodes: z.array(CommentNodeSchema.nullable()) });
const CheckRunSchema = z.object({ id: z.string(), databaseId: z.number(), name: z.string(), status: z.string(), conclusion: z.string().nullable(), title: z.string().nullable(), summary: z.string().nullable(), text: z.string().nullable(), startedAt: z.string().nullable() });

const LabelSchema = z.object({ id: z.string(), name: z.string() });

/** A config file blob as the queries read it (`CONFIG_FILE` in queries.ts). */
export const ConfigFileSchema = z.object({ text: z.string().nullable().optional() }).nullable().optional();
const MainSchema = z.object({
  orgDefaults: z.object({ configFile: ConfigFileSchema }).nullable().optional(),
  repository: z
    .object({
      id: z.string(),
      configFile: ConfigFileSchema,
      countersignLabels: z.object({ nodes: z.array(LabelSchema.nullable()) }).nullable().optional(),
      pullRequest: z
        .object({
          id: z.string(),
          number: z.number(),
          url: z.string(),
          state: z.string(),
          merged: z.boolean(),
          mergedBy: z.object({ login: z.string() }).nullable(),
          body: z.string().nullable(),
          baseRefName: z.string(),
          baseRefOid: z.string(),
          headRefName: z.string(),
          headRefOid: z.string(),
          changedFiles: z.number(),
          author: AccountSchema.nullable(),
          labels: z.object({ nodes: z.array(LabelSchema.nullable()) }).nullable(),
          timelineItems: z.object({
            nodes: z.array(
              z
                .object({ actor: z.object({ login: z.string() }).nullable().optional(), assignee: z.object({ login: z.string().optional() }).nullable().optional() })
                .nullable(),
            ),
          }),
          headCommit: z.object({
            nodes: z.array(
              z.object({ commit: z.object({ oid: z.string(), checkSuites: z.object({ nodes: z.array(z.object({ checkRuns: z.object({ nodes: z.array(CheckRunSchema.nullable()) }).nullable() }).nullable()) }).nullable() }) }).nullable(),
            ),
          }),
          commits: CommitsSchema,
          reviews: ReviewsSchema,
          comments: CommentsSchema,
        })
        .nullable(),
    })
    .nullable(),
});
const CommitsPageSchema = z.object({ repository: z.object({ pullRequest: z.object({ commits: CommitsSchema }) }) });
const ReviewsPageSchema = z.object({ repository: z.object({ pullRequest: z.object({ reviews: ReviewsSchema }) }) });
const CommentsPageSchema = z.object({ repository: z.object({ pullRequest: z.object({ comments: CommentsSchema }) }) });
const EditHistorySchema = z.object({
  nodes: z.array(
    z
      .object({
        id: z.string().optional(),
        userContentEdits: z.object({ nodes: z.array(z.object({ editedAt: z.string(), editor: z.object({ login: z.string() }).nullable(), diff: z.string().nullable() }).nullable()) }).nullable().optional(),
      })
      .nullable(),
  ),
});
const PermissionSchema = z.object({ permission: z.string(), role_name: z.string().optional() });

function parse<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const result = schema.safeParse(data);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new IncompleteDataError(`GitHub's answer for ${what} was not in the expected shape (${first ? `${first.path.join(".")}: ${first.message}` : "unknown"})`);
  }
  return result.data;
}

const toActor = (a: z.infer<typeof ActorSchema> | null): GitActor => ({
  name: a?.name ?? "",
  email: a?.email ?? "",
  user: a?.user ? { login: a.user.login, id: a.user.databaseId ?? null } : null,
});

const toAccount = (a: z.infer<typeof AccountSchema> | null): Account | null => (a ? { login: a.login, type: a.__typename, id: a.databaseId ?? null } : null);

const toCommit = (n: z.infer<typeof CommitNodeSchema>): CommitFact => ({
  sha: n.commit.oid,
  message: n.commit.message,
  author: toActor(n.commit.author),
  committer: toActor(n.commit.committer),
  authors: n.commit.authors.nodes.map(toActor),
});

const reacted = (groups: z.infer<typeof ReactionGroupsSchema>): boolean => (groups ?? []).some((g) => g.viewerHasReacted && (g.content === "THUMBS_UP" || g.content === "CONFUSED"));

const toComment = (n: z.infer<typeof CommentNodeSchema>, kind: "comment" | "review", reviewCommitSha: string | null, edits: ReadonlyMap<string, CommentEdit[]>): CommentFact => ({
  kind,
  id: n.databaseId ?? 0,
  nodeId: n.id,
  url: n.url,
  author: toAccount(n.author),
  body: n.body,
  createdAt: n.createdAt,
  lastEditedAt: n.lastEditedAt,
  editor: n.editor?.login ?? null,
  edits: edits.get(n.id) ?? [],
  reviewCommitSha,
  byThisApp: n.viewerDidAuthor,
  reacted: reacted(n.reactionGroups),
});

const toReview = (n: z.infer<typeof ReviewNodeSchema>): ReviewFact => ({
  id: n.databaseId ?? 0,
  author: toAccount(n.author),
  state: n.state,
  commitSha: n.commit?.oid ?? null,
  submittedAt: n.submittedAt,
  authorCanPush: n.authorCanPushToRepository,
});

/** The permission a REST collaborator-permission answer grants, on countersign's scale. */
export function permissionFromRest(data: z.infer<typeof PermissionSchema>): Permission | "none" {
  const role = (data.role_name ?? data.permission).toLowerCase();
  if (role === "admin" || role === "maintain" || role === "write" || role === "triage" || role === "read") return role;
  // Custom roles carry their base permission in `permission` (admin, write, read).
  const base = data.permission.toLowerCase();
  return base === "admin" || base === "write" || base === "read" ? base : "none";
}

interface Connection<N> {
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  readonly nodes: readonly N[];
}

/** Every node of a connection: the first page, then each next page until GitHub says there is none. */
async function allPages<N>(first: Connection<N>, what: string, next: (after: string) => Promise<Connection<N>>): Promise<N[]> {
  const nodes = [...first.nodes];
  let page = first;
  while (page.pageInfo.hasNextPage) {
    const after = page.pageInfo.endCursor;
    if (!after) throw new IncompleteDataError(`GitHub reported more ${what} but gave no cursor to fetch them`);
    page = await next(after);
    if (page.nodes.length === 0) throw new IncompleteDataError(`GitHub returned an empty page of ${what} before the last one`);
    nodes.push(...page.nodes);
  }
  return nodes;
}

/**
 * Runs a query that also reads the owner's `.github` repository (aliased `orgDefaults`). GraphQL
 * answers with an error and partial data when there is no such repository, or the app cannot see
 * it: that only means there are no organisation defaults. Any other error is thrown.
 */
export async function queryWithOrgDefaults(client: GatherClient, query: string, variables: Record<string, unknown>): Promise<unknown> {
  try {
    return await client.graphql(query, variables);
  } catch (error) {
    const e = error as { errors?: { path?: unknown[]; type?: string }[]; data?: unknown };
    const onlyOrgDefaults = Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every((x) => Array.isArray(x.path) && x.path[0] === "orgDefaults");
    if (onlyOrgDefaults && e.data) return { ...(e.data as object), orgDefaults: null };
    throw error;
  }
}

export async function gatherPullRequest(client: GatherClient, req: GatherRequest): Promise<Gathered> {
  let requests = 0;
  const vars = { owner: req.owner, repo: req.repo, number: req.number };
  requests++;
  const main = parse(MainSchema, await queryWithOrgDefaults(client, PULL_REQUEST_QUERY, { ...vars, appId: req.appId }), "the pull request");
  const pr = main.repository?.pullRequest;
  if (!main.repository || !pr) throw new IncompleteDataError(`pull request ${req.owner}/${req.repo}#${req.number} was not found (deleted, or the app cannot see the repository)`);

  const commits = (
    await allPages(pr.commits, "commits", async (after) => {
      requests++;
      return parse(CommitsPageSchema, await client.graphql(COMMITS_PAGE_QUERY, { ...vars, after }), "a page of commits").repository.pullRequest.commits;
    })
  ).map(toCommit);
  const unique = new Set(commits.map((c) => c.sha));
  if (unique.size !== commits.length || commits.length !== pr.commits.totalCount) {
    throw new IncompleteDataError(`GitHub listed ${commits.length} commits (${unique.size} distinct) but counts ${pr.commits.totalCount}: the commit list is incomplete`);
  }
  if (!unique.has(pr.headRefOid)) {
    throw new IncompleteDataError(`the head commit ${pr.headRefOid.slice(0, 7)} is not among the ${commits.length} commits listed: the pull request changed while it was being read`);
  }

  const reviewNodes = (
    await allPages(pr.reviews, "reviews", async (after) => {
      requests++;
      return parse(ReviewsPageSchema, await client.graphql(REVIEWS_PAGE_QUERY, { ...vars, after }), "a page of reviews").repository.pullRequest.reviews;
    })
  ).flatMap((n) => (n ? [n] : []));
  const reviews = reviewNodes.map(toReview);
  const commentNodes = (
    await allPages(pr.comments, "comments", async (after) => {
      requests++;
      return parse(CommentsPageSchema, await client.graphql(COMMENTS_PAGE_QUERY, { ...vars, after }), "a page of comments").repository.pullRequest.comments;
    })
  ).flatMap((n) => (n ? [n] : []));

  // Edit histories, only for what was edited: who edited an approval, and what it said before.
  const edited = [...commentNodes, ...reviewNodes].filter((n) => n.lastEditedAt !== null).map((n) => n.id);
  const edits = new Map<string, CommentEdit[]>();
  for (let i = 0; i < edited.length; i += 100) {
    requests++;
    const history = parse(EditHistorySchema, await client.graphql(EDIT_HISTORY_QUERY, { ids: edited.slice(i, i + 100) }), "the edit history of comments");
    for (const node of history.nodes) {
      if (!node?.id) continue;
      edits.set(
        node.id,
        (node.userContentEdits?.nodes ?? []).flatMap((e) => (e ? [{ editor: e.editor?.login ?? null, editedAt: e.editedAt, text: e.diff }] : [])),
      );
    }
  }

  const comments: CommentFact[] = [
    ...commentNodes.map((n) => toComment(n, "comment", null, edits)),
    ...reviewNodes.filter((n) => n.body.trim() !== "" && n.state !== "PENDING").map((n) => toComment(n, "review", n.commit?.oid ?? null, edits)),
  ].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);

  const head = pr.headCommit.nodes[0]?.commit;
  const runs = head && head.oid === pr.headRefOid ? (head.checkSuites?.nodes ?? []).flatMap((s) => s?.checkRuns?.nodes ?? []).flatMap((r) => (r ? [r] : [])) : [];
  const checkRuns: NamedCheckRun[] = runs.map((r) => ({
    id: r.databaseId,
    nodeId: r.id,
    name: r.name,
    startedAt: r.startedAt,
    status: r.status.toLowerCase(),
    conclusion: r.conclusion?.toLowerCase() ?? null,
    title: r.title,
    summary: r.summary,
    text: r.text,
  }));

  const prLabels = (pr.labels?.nodes ?? []).flatMap((l) => (l ? [l] : []));
  const repoLabels = (main.repository.countersignLabels?.nodes ?? []).flatMap((l) => (l ? [l] : []));
  const pull: GatheredPullRequest = {
    owner: req.owner,
    repo: req.repo,
    number: pr.number,
    url: pr.url,
    state: pr.state,
    merged: pr.merged,
    mergedBy: pr.mergedBy?.login ?? null,
    author: toAccount(pr.author),
    body: pr.body ?? "",
    labels: prLabels.map((l) => l.name),
    baseRef: pr.baseRefName,
    headRef: pr.headRefName,
    headSha: pr.headRefOid,
    changedFiles: pr.changedFiles,
    commits,
    reviews,
    assignments: pr.timelineItems.nodes.flatMap((n) => (n ? [{ actor: n.actor?.login ?? null, assignee: n.assignee?.login ?? null }] : [])),
    comments,
    checkRuns,
    configFiles: { repo: main.repository.configFile?.text ?? null, org: main.orgDefaults?.configFile?.text ?? null },
    baseSha: pr.baseRefOid,
    repoLabels: repoLabels.map((l) => l.name),
    nodeIds: { repository: main.repository.id, pullRequest: pr.id },
    // Lower-cased, as GitHub compares label names; the pull request's own labels and the repository's.
    labelIds: new Map([...repoLabels, ...prLabels].map((l) => [l.name.toLowerCase(), l.id])),
  };
  return { pull, requests };
}

/** Repository permissions of these users, one REST look-up each. */
export async function lookupPermissions(client: GatherClient, owner: string, repo: string, logins: readonly string[]): Promise<{ permissions: Map<string, Permission | "none">; requests: number }> {
  const permissions = new Map<string, Permission | "none">();
  let requests = 0;
  for (const login of new Set(logins.map((l) => l.toLowerCase()))) {
    requests++;
    const { data } = await client.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { owner, repo, username: login });
    permissions.set(login, permissionFromRest(parse(PermissionSchema, data, `the permission of @${login}`)));
  }
  return { permissions, requests };
}

/** Which of these (person, team) pairs are active memberships; one REST look-up each. */
export async function lookupTeams(client: GatherClient, pairs: readonly { login: string; team: string }[]): Promise<{ teamMembership: Map<string, string[]>; requests: number }> {
  const teamMembership = new Map<string, string[]>();
  let requests = 0;
  for (const { login, team } of pairs) {
    const [org, slug] = team.split("/");
    if (!org || !slug) continue;
    requests++;
    const key = login.toLowerCase();
    if (!teamMembership.has(key)) teamMembership.set(key, []);
    try {
      const { data } = await client.request("GET /orgs/{org}/teams/{team_slug}/memberships/{username}", { org, team_slug: slug, username: login });
      if ((data as { state?: unknown }).state === "active") teamMembership.get(key)?.push(team);
    } catch (error) {
      // 404: not a member (or the team is invisible to the app). Anything else is a real failure.
      if ((error as { status?: unknown }).status !== 404) throw error;
    }
  }
  return { teamMembership, requests };
}
