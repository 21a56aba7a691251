/**
 * A small GitHub, as data: one repository (its config files, collaborators' permissions, teams and
 * labels) and its pull requests (commits, reviews, comments, labels, and the check runs this app
 * published), answering every REST route and GraphQL operation countersign uses and recording every
 * request. Transport-free: `test/app/harness.ts` serves it through nock, `github-http.ts` through a
 * real `node:http` server (the end-to-end tests and `bench/webhooks`).
 *
 * Paths are GitHub-relative: `/repos/...` for REST and `/graphql` for GraphQL. Anything the world
 * does not know is answered 599 and listed in `problems`; so is every GraphQL document that is not
 * valid against GitHub's schema (`@octokit/graphql-schema`).
 *
 * GraphQL is answered by executing the document against GitHub's real schema (graphql-js), over a
 * graph built from the world: any query the app sends is answered in GitHub's shape, aliases and
 * fragments included, and fields the world does not model get their type's empty value (null, 0,
 * false, an empty list), as a repository with nothing in it would give.
 *
 * No jest, no nock: the benchmark imports this file too (see bench/webhooks/ts-loader.js).
 */
import { createHash } from "node:crypto";
import { schema as githubSchema } from "@octokit/graphql-schema";
import {
  buildClientSchema,
  execute,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  parse,
  validate,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLSchema,
  type GraphQLTypeResolver,
  type IntrospectionQuery,
} from "graphql";

export const APP_ID = 4242;
export const OWNER = "acme";
export const REPO = "infra";

export interface WorldActor {
  name: string;
  email: string;
  login?: string | null;
}

export interface WorldCommit {
  sha: string;
  message: string;
  author: WorldActor;
  committer?: WorldActor;
  /** Co-authors GitHub parsed, with the account it resolved (null login = unresolved). */
  coAuthors?: WorldActor[];
}

export interface WorldReview {
  id: number;
  login: string | null;
  type?: "User" | "Bot";
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";
  commit: string;
  submittedAt: string;
  canPush?: boolean;
  body?: string;
  lastEditedAt?: string | null;
  editor?: string | null;
  /** Earlier versions, oldest first (what GitHub's userContentEdits report). */
  history?: { editor: string; editedAt: string; text: string }[];
  reactions?: string[];
}

export interface WorldComment {
  id: number;
  login: string | null;
  type?: "User" | "Bot";
  body: string;
  createdAt: string;
  /** Set when edited; `editor` is who did it. */
  lastEditedAt?: string | null;
  editor?: string | null;
  /** Earlier versions, oldest first (what GitHub's userContentEdits report). */
  history?: { editor: string; editedAt: string; text: string }[];
  /** Written by this app (the world marks the app's own comments). */
  byApp?: boolean;
  /** Reactions this app has added. */
  reactions?: string[];
}

export interface WorldCheckRun {
  id: number;
  status: string;
  conclusion: string | null;
  title: string;
  summary: string;
  text: string | null;
  headSha: string;
  name: string;
  startedAt: string;
}

/** What belongs to the repository: shared by all its pull requests. */
export interface RepoState {
  /** `.github/countersign.yml` in the repository (undefined: absent). */
  config?: string;
  /** `.github/countersign.yml` in the owner's `.github` repository (undefined: no such repository). */
  orgConfig?: string;
  /** Repository permission per login (`admin`, `maintain`, `write`, `triage`, `read`; absent: none). */
  permissions: Record<string, string>;
  /**
   * Whether the repository already has the labels countersign adds (created by countersign, so with
   * its descriptions). Labels created through the API are added to `createdLabels`.
   */
  labelExists: boolean;
  /** Labels created with `POST /repos/{owner}/{repo}/labels`. */
  createdLabels?: { name: string; description: string }[];
  /** Team memberships: `org/team-slug` → member logins. */
  teams?: Record<string, string[]>;
  /** Issues the app opened. */
  issues?: { title: string; body: string }[];
  /** Commits on branches (what pushes bring), by sha, with the pull requests GitHub associates with each. */
  branchCommits?: Record<string, BranchCommit>;
  /** GraphQL mutation fields GitHub refuses (`createCheckRun` …), answered in-band as FORBIDDEN, this many times each. */
  refuseMutations?: Record<string, number>;
}

/** A commit outside any open pull request (pushed to a branch), and the pull requests it came from. */
export interface BranchCommit {
  message: string;
  author: WorldActor;
  committer?: WorldActor;
  pulls: { number: number; merged: boolean; headSha: string; check?: { name: string; conclusion: string | null; title: string | null } }[];
}

/** One pull request. */
export interface PullState {
  number: number;
  author: { login: string; type: "User" | "Bot"; id: number };
  body: string;
  labels: string[];
  commits: WorldCommit[];
  reviews: WorldReview[];
  comments: WorldComment[];
  assignments: { actor: string; assignee: string }[];
  /** Check runs this app has published on this pull request's commits (kept up to date as the app writes). */
  checkRuns: WorldCheckRun[];
  /** `OPEN` unless closed or merged. */
  state?: "OPEN" | "CLOSED" | "MERGED";
  merged?: boolean;
  mergedBy?: string | null;
  mergedAt?: string | null;
  /** The base branch's commit (default `BASE_SHA`). */
  baseSha?: string;
  /** Changed files, as `GET /repos/{owner}/{repo}/pulls/{number}/files` lists them (for the head and base commits). */
  files?: { filename: string; status: string; additions: number; deletions: number; patch?: string; previous_filename?: string }[];
  /** Respond to the main GraphQL query for this pull request with this HTTP status instead (e.g. 502), this many times. */
  graphqlFailures?: { status: number; times: number };
}

/** One pull request and its repository in one object: what the nock harness's tests build. */
export interface World extends RepoState, PullState {
  graphqlFailures: { status: number; times: number };
}

export interface RecordedRequest {
  method: string;
  path: string;
  body?: unknown;
  /** For GraphQL, the operation name. */
  operation?: string;
  /** For GraphQL: a mutation (a write), and the mutation fields it holds, in order. */
  mutation?: true;
  fields?: string[];
  /** The pull request the request is about, when the world can tell. */
  pr?: number;
  /** When it arrived (ms since the epoch). */
  at?: number;
}

/** A check run write as it arrived: what the app published, and when. */
export interface CheckRunWrite {
  at: number;
  method: "POST" | "PATCH";
  id: number;
  pr: number | undefined;
  headSha: string;
  name: string;
  conclusion: string | null;
  title: string;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

let shaCounter = 0;
/** A fresh, valid 40-hex sha (distinct in its first 7 digits, as real ones are). */
export function nextSha(): string {
  shaCounter++;
  return createHash("sha1").update(`commit ${shaCounter}`).digest("hex");
}

export const human = (login: string): WorldActor => ({ name: `${login[0]?.toUpperCase()}${login.slice(1)} Example`, email: `${login}@example.com`, login });

/** The base branch's commit, unless a pull request says otherwise. */
export const BASE_SHA = "ba5e000000000000000000000000000000000000";

/** The labels countersign creates, with its descriptions (what `labelExists` means). */
const EXISTING_LABELS = ["ai-authored", "countersign: overridden", "countersign: bypassed", "risk: low", "risk: medium", "risk: high", "risk: critical"].map((name) => ({ name, description: `countersign: ${name}` }));

/** A pull request (#7 by @alice, no commits yet) in a repository with no config. */
export function world(partial: Partial<World> = {}): World {
  return {
    number: 7,
    author: { login: "alice", type: "User", id: 1001 },
    body: "Please review.",
    labels: [],
    commits: [],
    reviews: [],
    comments: [],
    assignments: [],
    permissions: {},
    labelExists: true,
    checkRuns: [],
    graphqlFailures: { status: 0, times: 0 },
    ...partial,
  };
}

/** A pull request on its own (for worlds with many). */
export function pull(number: number, partial: Partial<PullState> = {}): PullState {
  return { number, author: { login: "alice", type: "User", id: 1001 }, body: "Please review.", labels: [], commits: [], reviews: [], comments: [], assignments: [], checkRuns: [], ...partial };
}

export const headOf = (p: PullState): string => {
  const last = p.commits[p.commits.length - 1];
  if (!last) throw new Error(`pull request #${p.number} has no commits`);
  return last.sha;
};

// --- GraphQL: GitHub's schema, executed over a graph of plain objects made from the world. ---

type Args = Record<string, unknown>;
type Node = Record<string, unknown>;

let builtSchema: GraphQLSchema | undefined;
const gitHubSchema = (): GraphQLSchema => (builtSchema ??= buildClientSchema(githubSchema.json as unknown as IntrospectionQuery));

const SCALAR_DEFAULTS: Record<string, unknown> = { Int: 0, Float: 0, Boolean: false, DateTime: "1970-01-01T00:00:00Z", GitTimestamp: "1970-01-01T00:00:00Z", Date: "1970-01-01", BigInt: "0" };

/** The value a field the world does not model takes: null when it may, else its type's empty value. */
function emptyValue(type: GraphQLOutputType): unknown {
  if (isListType(type)) return [];
  if (!isNonNullType(type)) return null;
  const inner = type.ofType;
  if (isListType(inner)) return [];
  if (isScalarType(inner)) return SCALAR_DEFAULTS[inner.name] ?? "";
  if (isEnumType(inner)) return inner.getValues()[0]?.value ?? null;
  if (isObjectType(inner)) return {};
  return null;
}

const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) => {
  const value = source !== null && typeof source === "object" ? (source as Node)[info.fieldName] : undefined;
  if (typeof value === "function") return (value as (a: Args, c: unknown) => unknown).call(source, args, context);
  return value === undefined ? emptyValue(info.returnType) : value;
};
const typeResolver: GraphQLTypeResolver<unknown, unknown> = (value) => (value as Node).__typename as string;

/** A GitHub error (NOT_FOUND …): GraphQL answers null for the field and lists the error with its path. */
class GitHubGraphqlError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** A connection page: `first`/`after` (cursors are offsets) or `last`. */
function connection<T>(items: readonly T[], args: Args, map: (t: T) => unknown = (t) => t) {
  let start = typeof args.after === "string" ? Number(args.after) : 0;
  let end = items.length;
  if (typeof args.first === "number") end = Math.min(items.length, start + args.first);
  if (typeof args.last === "number") start = Math.max(start, end - args.last);
  const slice = items.slice(start, end);
  return {
    totalCount: items.length,
    pageInfo: { hasNextPage: end < items.length, hasPreviousPage: start > 0, endCursor: slice.length > 0 ? String(end) : null, startCursor: slice.length > 0 ? String(start) : null },
    nodes: slice.map(map),
    edges: slice.map((t, i) => ({ cursor: String(start + i + 1), node: map(t) })),
  };
}

const gitActor = (a: WorldActor) => ({ name: a.name, email: a.email, user: a.login ? { __typename: "User", login: a.login, databaseId: 1 } : null });
const account = (login: string | null, type: string | undefined, id: number) => (login === null ? null : { __typename: type ?? "User", login, databaseId: id });
const reactionGroups = (reactions: string[] | undefined) => ["THUMBS_UP", "CONFUSED"].map((content) => ({ content, viewerHasReacted: (reactions ?? []).includes(content) }));
const edits = (history: { editor: string; editedAt: string; text: string }[] | undefined) => (args: Args) =>
  connection([...(history ?? [])].reverse(), args, (h) => ({ editedAt: h.editedAt, editor: { __typename: "User", login: h.editor }, diff: h.text }));

/** Parsed and validated documents (the schema is large; the app's documents repeat). */
const documents = new Map<string, { document?: DocumentNode; problems: string[] }>();
function compile(query: string): { document?: DocumentNode; problems: string[] } {
  let compiled = documents.get(query);
  if (!compiled) {
    try {
      const document = parse(query);
      const problems = validate(gitHubSchema(), document).map((e) => e.message);
      compiled = problems.length > 0 ? { problems } : { document, problems };
    } catch (error) {
      compiled = { problems: [error instanceof Error ? error.message : String(error)] };
    }
    documents.set(query, compiled);
  }
  return compiled;
}

/** What is wrong with a GraphQL document against GitHub's schema (empty: valid). */
export function graphqlProblems(query: string): string[] {
  return compile(query).problems;
}

/** `{ mutation: true, fields }` for a mutation document (its mutation fields in order: `createCheckRun`, `addComment` …), else nothing; to spread into a request record. */
export function mutationOf(query: unknown): { mutation?: true; fields?: string[] } {
  if (typeof query !== "string" || !/^\s*mutation\b/.test(query)) return {};
  return { mutation: true, fields: [...query.matchAll(/(\w+)\s*\(\s*input\s*:/g)].map((m) => m[1] ?? "") };
}

export const operationOf = (query: string): string => /(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? "graphql";

export interface GitHubWorldOptions {
  readonly owner?: string;
  readonly repo?: string;
  readonly appId?: number;
}

/** A label's node id (GitHub's label names are case-insensitive). */
const labelId = (name: string) => `LA_${name.toLowerCase()}`;

interface CheckRunInput {
  repositoryId?: unknown;
  checkRunId?: unknown;
  headSha?: unknown;
  name?: unknown;
  status?: unknown;
  conclusion?: unknown;
  output?: { title: string; summary: string; text?: string | null };
}

export class GitHubWorld {
  readonly owner: string;
  readonly name: string;
  readonly appId: number;
  readonly repo: RepoState;
  readonly pulls: PullState[];
  readonly requests: RecordedRequest[] = [];
  readonly checkRunWrites: CheckRunWrite[] = [];
  /** Unknown routes and operations, invalid GraphQL: anything a real GitHub would not have answered so. */
  readonly problems: string[] = [];
  /** Called after every check run write, with the world as it is then. */
  readonly onCheckRunWrite: ((write: CheckRunWrite) => void)[] = [];
  /** The clock the world stamps new check runs and comments with (ISO); unset: the real clock. */
  now: string | undefined;
  private nextCheckRunId = 9000;
  private nextCommentId = 50_000;
  private get repositoryId(): string {
    return `R_${this.owner}/${this.name}`;
  }

  constructor(init: { repo: RepoState; pulls: PullState[] }, options: GitHubWorldOptions = {}) {
    this.repo = init.repo;
    this.pulls = init.pulls;
    this.owner = options.owner ?? OWNER;
    this.name = options.repo ?? REPO;
    this.appId = options.appId ?? APP_ID;
  }

  private stamp(): string {
    return this.now ?? new Date().toISOString();
  }

  pull(number: number): PullState | undefined {
    return this.pulls.find((p) => p.number === number);
  }

  /** The latest check run this app published on a pull request's head commit. */
  check(number: number): WorldCheckRun | undefined {
    const p = this.pull(number);
    if (!p || p.commits.length === 0) return undefined;
    const head = headOf(p);
    return p.checkRuns.filter((r) => r.headSha === head).sort((a, b) => b.id - a.id)[0];
  }

  /** The app's status comments on a pull request. */
  statusComments(number: number): WorldComment[] {
    return (this.pull(number)?.comments ?? []).filter((c) => c.byApp);
  }

  /** REST writes and GraphQL mutations. */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== "GET" && (r.operation === undefined || r.mutation === true));
  }

  /** One line per request: `GET /repos/…`, `POST countersignPullRequest`, `POST countersignPublish(createCheckRun, addComment)`. */
  summary(): string[] {
    return this.requests.map((r) => `${r.method} ${r.operation ?? r.path}${r.fields ? `(${r.fields.join(", ")})` : ""}`);
  }

  reset(): void {
    this.requests.length = 0;
  }

  private pullOfSha(sha: string): PullState | undefined {
    return this.pulls.find((p) => p.commits.length > 0 && headOf(p) === sha) ?? this.pulls.find((p) => p.commits.some((c) => c.sha === sha));
  }

  private pullOfNode(nodeId: string): PullState | undefined {
    return this.pulls.find((p) => `PR_${p.number}` === nodeId || p.comments.some((c) => `IC_${c.id}` === nodeId) || p.reviews.some((r) => `PRR_${r.id}` === nodeId) || p.checkRuns.some((r) => `CR_${r.id}` === nodeId));
  }

  /** Which pull request a request is about, when the world can tell (used to aim faults at one PR). */
  prOf(method: string, path: string, body: unknown): number | undefined {
    if (path === "/graphql") {
      const v = ((body as { variables?: Record<string, unknown> } | undefined)?.variables ?? {}) as Record<string, unknown>;
      if (typeof v.number === "number") return v.number;
      // Node ids, as variables or inside a mutation's input objects (the check run's by its head commit).
      const ids = Array.isArray(v.ids) ? v.ids : Object.values(v).flatMap((x) => (x !== null && typeof x === "object" ? Object.values(x as Record<string, unknown>) : [x]));
      for (const id of ids) {
        const p = typeof id === "string" ? (this.pullOfNode(id) ?? (/^[0-9a-f]{40}$/.test(id) ? this.pullOfSha(id) : undefined)) : undefined;
        if (p) return p.number;
      }
      return undefined;
    }
    const base = `/repos/${this.owner}/${this.name}`;
    const issue = new RegExp(`^${base}/issues/(\\d+)/`).exec(path);
    if (issue) return Number(issue[1]);
    if (method === "POST" && path === `${base}/check-runs`) {
      const sha = (body as { head_sha?: unknown } | undefined)?.head_sha;
      return typeof sha === "string" ? this.pullOfSha(sha)?.number : undefined;
    }
    const run = new RegExp(`^${base}/check-runs/(\\d+)$`).exec(path);
    if (run) return this.pulls.find((p) => p.checkRuns.some((r) => r.id === Number(run[1])))?.number;
    const comment = new RegExp(`^${base}/issues/comments/(\\d+)$`).exec(path);
    if (comment) return this.pulls.find((p) => p.comments.some((c) => c.id === Number(comment[1])))?.number;
    const commit = new RegExp(`^${base}/commits/([0-9a-f]{40})/pulls$`).exec(path);
    if (commit) return this.pullOfSha(commit[1] ?? "")?.number;
    return undefined;
  }

  /** Answers one request. `path` is decoded and GitHub-relative, without the query string (`query`). */
  route(method: string, path: string, body: unknown, query: URLSearchParams = new URLSearchParams()): Reply {
    const at = Date.now();
    const pr = this.prOf(method, path, body);
    if (method === "POST" && path === "/graphql") {
      const { query, variables } = (body ?? {}) as { query?: unknown; variables?: Record<string, unknown> };
      const vars = variables ?? {};
      const operation = typeof query === "string" ? operationOf(query) : "graphql";
      this.requests.push({ method, path, operation, ...mutationOf(query), body: vars, ...(pr === undefined ? {} : { pr }), at });
      if (typeof query !== "string") return this.problem(`GraphQL request without a query document`, 400);
      return this.graphql(operation, query, vars);
    }
    this.requests.push({ method, path, ...(body === undefined || body === "" ? {} : { body }), ...(pr === undefined ? {} : { pr }), at });
    return this.rest(method, path, body, query);
  }

  private problem(message: string, status = 599): Reply {
    this.problems.push(message);
    return { status, body: { message } };
  }

  private rest(method: string, path: string, body: unknown, query: URLSearchParams): Reply {
    const w = this.repo;
    const base = `/repos/${this.owner}/${this.name}`;
    if (method === "GET" && path === `${base}/contents/.github/countersign.yml`) {
      return w.config === undefined ? { status: 404, body: { message: "Not Found" } } : { status: 200, body: w.config, headers: { "content-type": "text/plain; charset=utf-8" } };
    }
    if (method === "GET" && path === `/repos/${this.owner}/.github/contents/.github/countersign.yml`) {
      return w.orgConfig === undefined ? { status: 404, body: { message: "Not Found" } } : { status: 200, body: w.orgConfig, headers: { "content-type": "text/plain; charset=utf-8" } };
    }
    const perm = new RegExp(`^${base}/collaborators/([^/]+)/permission$`).exec(path);
    if (method === "GET" && perm) {
      const login = perm[1] ?? "";
      const role = w.permissions[login] ?? Object.entries(w.permissions).find(([l]) => l.toLowerCase() === login.toLowerCase())?.[1] ?? "none";
      const permission = role === "maintain" ? "write" : role === "triage" ? "read" : role;
      return { status: 200, body: { permission, role_name: role, user: { login } } };
    }
    const team = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(path);
    if (method === "GET" && team) {
      const members = w.teams?.[`${team[1]}/${team[2]}`] ?? [];
      const member = members.some((m) => m.toLowerCase() === (team[3] ?? "").toLowerCase());
      return member ? { status: 200, body: { state: "active", role: "member", url: `https://api.github.com${path}` } } : { status: 404, body: { message: "Not Found" } };
    }
    if (method === "POST" && path === `${base}/check-runs`) {
      const b = body as { name: string; head_sha: string; conclusion: string; status: string; output: { title: string; summary: string; text?: string } };
      const p = this.pullOfSha(b.head_sha) ?? this.pulls[0];
      if (!p) return this.problem(`check run for ${b.head_sha}, which no pull request has`, 422);
      const run = this.addCheckRun(p, { name: b.name, headSha: b.head_sha, status: b.status, conclusion: b.conclusion, output: b.output });
      return { status: 201, body: { id: run.id, head_sha: run.headSha, name: run.name, status: run.status, conclusion: run.conclusion } };
    }
    const patch = new RegExp(`^${base}/check-runs/(\\d+)$`).exec(path);
    if (method === "PATCH" && patch) {
      const p = this.pulls.find((x) => x.checkRuns.some((r) => r.id === Number(patch[1])));
      const run = p?.checkRuns.find((r) => r.id === Number(patch[1]));
      if (!p || !run) return { status: 404, body: { message: "Not Found" } };
      this.editCheckRun(p, run, body as { conclusion: string; status: string; output: { title: string; summary: string; text?: string } });
      return { status: 200, body: { id: run.id, head_sha: run.headSha, name: run.name, status: run.status, conclusion: run.conclusion } };
    }
    const newComment = new RegExp(`^${base}/issues/(\\d+)/comments$`).exec(path);
    if (method === "POST" && newComment) {
      const p = this.pull(Number(newComment[1]));
      if (!p) return { status: 404, body: { message: "Not Found" } };
      const c = this.addAppComment(p, (body as { body: string }).body);
      return { status: 201, body: { id: c.id, body: c.body } };
    }
    const editComment = new RegExp(`^${base}/issues/comments/(\\d+)$`).exec(path);
    if (method === "PATCH" && editComment) {
      const c = this.pulls.flatMap((p) => p.comments).find((x) => x.id === Number(editComment[1]));
      if (!c) return { status: 404, body: { message: "Not Found" } };
      c.body = (body as { body: string }).body;
      return { status: 200, body: { id: c.id, body: c.body } };
    }
    if (method === "POST" && path === `${base}/labels`) {
      const { name, description } = body as { name: string; description?: string };
      if (this.repoLabels().some((l) => l.name.toLowerCase() === name.toLowerCase())) return { status: 422, body: { message: "Validation Failed", errors: [{ resource: "Label", code: "already_exists", field: "name" }] } };
      (w.createdLabels ??= []).push({ name, description: description ?? "" });
      return { status: 201, body: { name, description } };
    }
    const addLabels = new RegExp(`^${base}/issues/(\\d+)/labels$`).exec(path);
    if (method === "POST" && addLabels) {
      const p = this.pull(Number(addLabels[1]));
      if (!p) return { status: 404, body: { message: "Not Found" } };
      for (const l of (body as { labels: string[] }).labels) if (!p.labels.includes(l)) p.labels.push(l);
      return { status: 200, body: p.labels.map((name) => ({ name })) };
    }
    const del = new RegExp(`^${base}/issues/(\\d+)/labels/(.+)$`).exec(path);
    if (method === "DELETE" && del) {
      const p = this.pull(Number(del[1]));
      if (!p) return { status: 404, body: { message: "Not Found" } };
      const name = (del[2] ?? "").toLowerCase();
      if (!p.labels.some((l) => l.toLowerCase() === name)) return { status: 404, body: { message: "Label does not exist" } };
      p.labels = p.labels.filter((l) => l.toLowerCase() !== name);
      return { status: 200, body: p.labels.map((name) => ({ name })) };
    }
    const files = new RegExp(`^${base}/pulls/(\\d+)/files$`).exec(path);
    if (method === "GET" && files) {
      const p = this.pull(Number(files[1]));
      if (!p) return { status: 404, body: { message: "Not Found" } };
      // As GitHub: pages of per_page (default 30, at most 100), and never more than 3,000 files in all.
      const perPage = Math.min(Number(query.get("per_page") ?? 30) || 30, 100);
      const page = Number(query.get("page") ?? 1) || 1;
      const listed = (p.files ?? []).slice(0, 3000);
      return { status: 200, body: listed.slice((page - 1) * perPage, page * perPage) };
    }
    if (method === "POST" && path === `${base}/issues`) {
      const b = body as { title: string; body: string };
      (w.issues ??= []).push({ title: b.title, body: b.body });
      return { status: 201, body: { number: 1000 + w.issues.length, title: b.title } };
    }
    const compare = new RegExp(`^${base}/compare/([0-9a-f]{40})\\.\\.\\.([0-9a-f]{40})$`).exec(path);
    if (method === "GET" && compare) {
      const shas = Object.keys(w.branchCommits ?? {}).filter((sha) => sha !== compare[1]);
      return { status: 200, body: { total_commits: shas.length, commits: shas.map((sha) => ({ sha })) } };
    }
    const runsOf = new RegExp(`^${base}/commits/([^/]+)/check-runs$`).exec(path);
    if (method === "GET" && runsOf) {
      const runs = this.pulls.flatMap((p) => p.checkRuns).filter((r) => r.headSha === runsOf[1]).sort((a, b) => b.id - a.id);
      const json = runs.map((r) => ({ id: r.id, name: r.name, head_sha: r.headSha, status: r.status, conclusion: r.conclusion, started_at: r.startedAt, app: { id: this.appId }, output: { title: r.title, summary: r.summary, text: r.text } }));
      return { status: 200, body: { total_count: json.length, check_runs: json } };
    }
    const pulls = new RegExp(`^${base}/commits/([0-9a-f]{40})/pulls$`).exec(path);
    if (method === "GET" && pulls) {
      const sha = pulls[1];
      return { status: 200, body: this.pulls.filter((p) => p.commits.length > 0 && headOf(p) === sha).map((p) => ({ number: p.number, state: (p.state ?? "OPEN") === "OPEN" ? "open" : "closed", head: { sha } })) };
    }
    return this.problem(`the GitHub double has no route for ${method} ${path}`);
  }

  private recordCheckRunWrite(method: "POST" | "PATCH", run: WorldCheckRun, pr: number): void {
    const write: CheckRunWrite = { at: Date.now(), method, id: run.id, pr, headSha: run.headSha, name: run.name, conclusion: run.conclusion, title: run.title };
    this.checkRunWrites.push(write);
    for (const listener of this.onCheckRunWrite) listener(write);
  }

  // --- The graph GraphQL executes over. Fields taking arguments are functions of them. ---

  private commentNode(p: PullState, c: WorldComment): Node {
    return {
      __typename: "IssueComment",
      id: `IC_${c.id}`,
      databaseId: c.id,
      url: `https://github.com/${this.owner}/${this.name}/pull/${p.number}#issuecomment-${c.id}`,
      body: c.body,
      createdAt: c.createdAt,
      lastEditedAt: c.lastEditedAt ?? null,
      editor: c.editor ? { __typename: "User", login: c.editor } : null,
      viewerDidAuthor: c.byApp === true,
      reactionGroups: reactionGroups(c.reactions),
      author: c.byApp ? { __typename: "Bot", login: "countersign", databaseId: 1 } : account(c.login, c.type, 7000 + c.id),
      userContentEdits: edits(c.history),
    };
  }

  private reviewNode(p: PullState, r: WorldReview): Node {
    return {
      __typename: "PullRequestReview",
      id: `PRR_${r.id}`,
      url: `https://github.com/${this.owner}/${this.name}/pull/${p.number}#pullrequestreview-${r.id}`,
      body: r.body ?? "",
      createdAt: r.submittedAt,
      lastEditedAt: r.lastEditedAt ?? null,
      editor: r.editor ? { __typename: "User", login: r.editor } : null,
      viewerDidAuthor: false,
      reactionGroups: reactionGroups(r.reactions),
      databaseId: r.id,
      state: r.state,
      submittedAt: r.state === "PENDING" ? null : r.submittedAt,
      authorCanPushToRepository: r.canPush ?? true,
      author: r.login === null ? null : { __typename: r.type ?? "User", login: r.login, databaseId: 5000 + r.id },
      commit: { __typename: "Commit", oid: r.commit },
      userContentEdits: edits(r.history),
    };
  }

  /** This app's check runs on a commit, as check suites (filtered by app id, as `filterBy: { appId }` does). */
  private checkSuites(sha: string) {
    return (args: Args) => {
      const filter = (args.filterBy ?? {}) as { appId?: number };
      const runs = this.pulls.flatMap((p) => p.checkRuns).filter((r) => r.headSha === sha && (filter.appId === undefined || filter.appId === this.appId));
      const suites = runs.length === 0 ? [] : [{ __typename: "CheckSuite", app: { databaseId: this.appId }, checkRuns: (a: Args) => connection(runs, a, (r) => ({ __typename: "CheckRun", id: `CR_${r.id}`, databaseId: r.id, name: r.name, status: r.status.toUpperCase(), conclusion: r.conclusion?.toUpperCase() ?? null, title: r.title, summary: r.summary, text: r.text, startedAt: r.startedAt })) }];
      return connection(suites, args);
    };
  }

  private commitNode(c: { sha: string; message: string; author: WorldActor; committer?: WorldActor; coAuthors?: WorldActor[] }, pulls: BranchCommit["pulls"] = []): Node {
    return {
      __typename: "Commit",
      id: `C_${c.sha}`,
      oid: c.sha,
      message: c.message,
      author: gitActor(c.author),
      committer: gitActor(c.committer ?? c.author),
      authors: (args: Args) => connection([c.author, ...(c.coAuthors ?? [])], args, gitActor),
      checkSuites: this.checkSuites(c.sha),
      associatedPullRequests: (args: Args) =>
        connection(pulls, args, (p) => ({
          __typename: "PullRequest",
          number: p.number,
          merged: p.merged,
          headRefOid: p.headSha,
          commits: (a: Args) =>
            connection([p], a, () => ({
              __typename: "PullRequestCommit",
              commit: { __typename: "Commit", oid: p.headSha, checkSuites: (s: Args) => connection(p.check ? [{ checkRuns: (r: Args) => connection([p.check], r) }] : [], s) },
            })),
        })),
    };
  }

  private pullNode(p: PullState): Node {
    const head = headOf(p);
    const merged = p.merged ?? p.state === "MERGED";
    const files = p.files ?? [];
    return {
      __typename: "PullRequest",
      id: `PR_${p.number}`,
      number: p.number,
      url: `https://github.com/${this.owner}/${this.name}/pull/${p.number}`,
      state: p.state ?? (merged ? "MERGED" : "OPEN"),
      merged,
      mergedAt: p.mergedAt ?? (merged ? this.stamp() : null),
      mergedBy: p.mergedBy ? { __typename: "User", login: p.mergedBy } : null,
      body: p.body,
      baseRefName: "main",
      baseRefOid: p.baseSha ?? BASE_SHA,
      headRefName: `feature-${p.number}`,
      headRefOid: head,
      changedFiles: files.length,
      additions: files.reduce((n, f) => n + f.additions, 0),
      deletions: files.reduce((n, f) => n + f.deletions, 0),
      author: { __typename: p.author.type, login: p.author.login, databaseId: p.author.id },
      labels: (args: Args) => connection(p.labels, args, (name) => ({ __typename: "Label", id: labelId(name), name })),
      timelineItems: (args: Args) =>
        connection(Array.isArray(args.itemTypes) && !args.itemTypes.includes("ASSIGNED_EVENT") ? [] : p.assignments, args, (a) => ({
          __typename: "AssignedEvent",
          actor: { __typename: "User", login: a.actor },
          assignee: { __typename: "Bot", login: a.assignee },
        })),
      commits: (args: Args) => connection(p.commits, args, (c) => ({ __typename: "PullRequestCommit", commit: this.commitNode(c) })),
      reviews: (args: Args) => connection(p.reviews, args, (r) => this.reviewNode(p, r)),
      comments: (args: Args) => connection(p.comments, args, (c) => this.commentNode(p, c)),
      files: (args: Args) => connection(files, args, (f) => ({ path: f.filename, additions: f.additions, deletions: f.deletions, changeType: f.status.toUpperCase() })),
    };
  }

  private blob(text: string | undefined): Node | null {
    return text === undefined ? null : { __typename: "Blob", text, isBinary: false, byteSize: text.length };
  }

  /** The repository's labels: countersign's own when `labelExists`, and those created through the API. */
  private repoLabels(): { name: string; description: string }[] {
    const own = this.repo.labelExists ? EXISTING_LABELS : [];
    const created = this.repo.createdLabels ?? [];
    return [...own.filter((l) => !created.some((c) => c.name.toLowerCase() === l.name.toLowerCase())), ...created];
  }

  private repositoryNode(owner: unknown, name: unknown): Node {
    if (owner === this.owner && name === ".github") {
      if (this.repo.orgConfig === undefined) throw new GitHubGraphqlError("NOT_FOUND", `Could not resolve to a Repository with the name '${this.owner}/.github'.`);
      return { __typename: "Repository", name: ".github", object: (args: Args) => (args.expression === "HEAD:.github/countersign.yml" ? this.blob(this.repo.orgConfig) : null) };
    }
    if (owner !== this.owner || name !== this.name) throw new GitHubGraphqlError("NOT_FOUND", `Could not resolve to a Repository with the name '${String(owner)}/${String(name)}'.`);
    return {
      __typename: "Repository",
      name: this.name,
      id: this.repositoryId,
      nameWithOwner: `${this.owner}/${this.name}`,
      object: (args: Args) => {
        if (typeof args.oid === "string") {
          const branch = this.repo.branchCommits?.[args.oid];
          if (branch) return this.commitNode({ sha: args.oid, ...branch }, branch.pulls);
          const inPull = this.pulls.flatMap((p) => p.commits).find((c) => c.sha === args.oid);
          return inPull ? this.commitNode(inPull) : null;
        }
        return args.expression === "HEAD:.github/countersign.yml" ? this.blob(this.repo.config) : null;
      },
      pullRequest: (args: Args) => {
        const p = this.pull(Number(args.number));
        if (!p) throw new GitHubGraphqlError("NOT_FOUND", `Could not resolve to a PullRequest with the number of ${String(args.number)}.`);
        return this.pullNode(p);
      },
      label: (args: Args) => (this.repo.labelExists || this.pulls.some((p) => p.labels.includes(String(args.name))) ? { __typename: "Label", name: args.name } : null),
      // GitHub's label search matches the query in names and descriptions.
      labels: (args: Args) => {
        const q = typeof args.query === "string" ? args.query.toLowerCase() : "";
        return connection(
          this.repoLabels().filter((l) => `${l.name}\n${l.description}`.toLowerCase().includes(q)),
          args,
          (l) => ({ __typename: "Label", id: labelId(l.name), name: l.name, description: l.description }),
        );
      },
    };
  }

  private nodeById(id: unknown): Node | null {
    for (const p of this.pulls) {
      const c = p.comments.find((x) => `IC_${x.id}` === id);
      if (c) return this.commentNode(p, c);
      const r = p.reviews.find((x) => `PRR_${x.id}` === id);
      if (r) return this.reviewNode(p, r);
    }
    return null;
  }

  private addReaction(input: { subjectId?: unknown; content?: unknown }): Node {
    const target = this.pulls.flatMap((p) => p.comments).find((c) => `IC_${c.id}` === input.subjectId) ?? this.pulls.flatMap((p) => p.reviews).find((r) => `PRR_${r.id}` === input.subjectId);
    if (!target) throw new GitHubGraphqlError("NOT_FOUND", `Could not resolve to a node with the global id of '${String(input.subjectId)}'`);
    target.reactions = [...(target.reactions ?? []), String(input.content)];
    return { clientMutationId: null, reaction: { __typename: "Reaction", content: input.content } };
  }

  // --- The app's writes, shared by the REST routes and the GraphQL mutations. GitHub's REST API
  // spells states in lower case, GraphQL in upper case; the world keeps REST's. ---

  private addCheckRun(p: PullState, w: { name: string; headSha: string; status: string; conclusion: string | null; output: { title: string; summary: string; text?: string | null } }): WorldCheckRun {
    const run: WorldCheckRun = { id: this.nextCheckRunId++, name: w.name, headSha: w.headSha, status: w.status.toLowerCase(), conclusion: w.conclusion?.toLowerCase() ?? null, title: w.output.title, summary: w.output.summary, text: w.output.text ?? null, startedAt: this.stamp() };
    p.checkRuns.push(run);
    this.recordCheckRunWrite("POST", run, p.number);
    return run;
  }

  private editCheckRun(p: PullState, run: WorldCheckRun, w: { status?: string; conclusion?: string | null; output?: { title: string; summary: string; text?: string | null } }): void {
    if (w.status !== undefined) run.status = w.status.toLowerCase();
    if (w.conclusion !== undefined) run.conclusion = w.conclusion?.toLowerCase() ?? null;
    if (w.output) Object.assign(run, { title: w.output.title, summary: w.output.summary, text: w.output.text ?? null });
    this.recordCheckRunWrite("PATCH", run, p.number);
  }

  private addAppComment(p: PullState, body: string): WorldComment {
    const c: WorldComment = { id: this.nextCommentId++, login: "countersign[bot]", type: "Bot", body, createdAt: this.stamp(), byApp: true };
    p.comments.push(c);
    return c;
  }

  // --- Mutations: the same changes as the REST routes above, addressed by node id. ---

  private notFound(id: unknown): never {
    throw new GitHubGraphqlError("NOT_FOUND", `Could not resolve to a node with the global id of '${String(id)}'`);
  }

  /** Throws GitHub's in-band refusal when the world is set to refuse this mutation (`refuseMutations`). */
  private refuse(mutation: string): void {
    const left = this.repo.refuseMutations?.[mutation] ?? 0;
    if (left <= 0) return;
    (this.repo.refuseMutations as Record<string, number>)[mutation] = left - 1;
    throw new GitHubGraphqlError("FORBIDDEN", "Resource not accessible by integration");
  }

  private createCheckRun(input: CheckRunInput): Node {
    this.refuse("createCheckRun");
    if (input.repositoryId !== this.repositoryId) this.notFound(input.repositoryId);
    const sha = String(input.headSha);
    const p = this.pullOfSha(sha) ?? this.pulls[0];
    if (!p) throw new GitHubGraphqlError("UNPROCESSABLE", `No commit found for SHA: ${sha}`);
    const run = this.addCheckRun(p, { name: String(input.name), headSha: sha, status: String(input.status ?? "queued"), conclusion: input.conclusion ? String(input.conclusion) : null, output: input.output ?? { title: "", summary: "" } });
    return { clientMutationId: null, checkRun: { __typename: "CheckRun", id: `CR_${run.id}`, databaseId: run.id } };
  }

  private updateCheckRun(input: CheckRunInput): Node {
    this.refuse("updateCheckRun");
    if (input.repositoryId !== this.repositoryId) this.notFound(input.repositoryId);
    const p = this.pulls.find((x) => x.checkRuns.some((r) => `CR_${r.id}` === input.checkRunId));
    const run = p?.checkRuns.find((r) => `CR_${r.id}` === input.checkRunId);
    if (!p || !run) this.notFound(input.checkRunId);
    this.editCheckRun(p, run, { ...(input.status === undefined ? {} : { status: String(input.status) }), ...(input.conclusion === undefined ? {} : { conclusion: input.conclusion === null ? null : String(input.conclusion) }), ...(input.output ? { output: input.output } : {}) });
    return { clientMutationId: null, checkRun: { __typename: "CheckRun", id: `CR_${run.id}`, databaseId: run.id } };
  }

  private addComment(input: { subjectId?: unknown; body?: unknown }): Node {
    const p = this.pulls.find((x) => `PR_${x.number}` === input.subjectId);
    if (!p) this.notFound(input.subjectId);
    const c = this.addAppComment(p, String(input.body));
    return { clientMutationId: null, commentEdge: { node: this.commentNode(p, c) } };
  }

  private updateIssueComment(input: { id?: unknown; body?: unknown }): Node {
    const c = this.pulls.flatMap((p) => p.comments).find((x) => `IC_${x.id}` === input.id);
    if (!c) this.notFound(input.id);
    c.body = String(input.body);
    return { clientMutationId: null };
  }

  private setLabels(input: { labelableId?: unknown; labelIds?: unknown }, op: "add" | "remove"): Node {
    const p = this.pulls.find((x) => `PR_${x.number}` === input.labelableId);
    if (!p) this.notFound(input.labelableId);
    const known = [...this.repoLabels().map((l) => l.name), ...this.pulls.flatMap((x) => x.labels)];
    for (const id of Array.isArray(input.labelIds) ? input.labelIds : []) {
      const name = known.find((n) => labelId(n) === id);
      if (name === undefined) this.notFound(id);
      if (op === "add" && !p.labels.some((l) => l.toLowerCase() === name.toLowerCase())) p.labels.push(name);
      if (op === "remove") p.labels = p.labels.filter((l) => l.toLowerCase() !== name.toLowerCase());
    }
    return { clientMutationId: null };
  }

  private graphql(operation: string, query: string, variables: Record<string, unknown>): Reply {
    const compiled = compile(query);
    if (!compiled.document) {
      this.problems.push(`GraphQL ${operation} is not valid against GitHub's schema: ${compiled.problems.join("; ")}`);
      return { status: 200, body: { errors: compiled.problems.map((message) => ({ message })) } };
    }
    if (operation === "countersignPullRequest") {
      const p = typeof variables.number === "number" ? this.pull(variables.number) : undefined;
      if (p?.graphqlFailures && p.graphqlFailures.times > 0) {
        p.graphqlFailures.times--;
        return { status: p.graphqlFailures.status, body: { message: "Server Error" } };
      }
    }
    const rootValue = {
      repository: (args: Args) => this.repositoryNode(args.owner, args.name),
      nodes: (args: Args) => (Array.isArray(args.ids) ? args.ids.map((id) => this.nodeById(id)) : []),
      node: (args: Args) => this.nodeById(args.id),
      addReaction: (args: Args) => this.addReaction((args.input ?? {}) as { subjectId?: unknown; content?: unknown }),
      createCheckRun: (args: Args) => this.createCheckRun((args.input ?? {}) as CheckRunInput),
      updateCheckRun: (args: Args) => this.updateCheckRun((args.input ?? {}) as CheckRunInput),
      addComment: (args: Args) => this.addComment((args.input ?? {}) as { subjectId?: unknown; body?: unknown }),
      updateIssueComment: (args: Args) => this.updateIssueComment((args.input ?? {}) as { id?: unknown; body?: unknown }),
      addLabelsToLabelable: (args: Args) => this.setLabels((args.input ?? {}) as { labelableId?: unknown; labelIds?: unknown }, "add"),
      removeLabelsFromLabelable: (args: Args) => this.setLabels((args.input ?? {}) as { labelableId?: unknown; labelIds?: unknown }, "remove"),
    };
    const result = execute({ schema: gitHubSchema(), document: compiled.document, rootValue, variableValues: variables, fieldResolver, typeResolver });
    if (result instanceof Promise) throw new Error("the GitHub world's GraphQL resolvers are synchronous");
    const errors = (result.errors ?? []).map((e) => {
      const original = e.originalError;
      if (!(original instanceof GitHubGraphqlError)) this.problems.push(`GraphQL ${operation}: ${e.message} at ${(e.path ?? []).join(".")}`);
      return { ...(original instanceof GitHubGraphqlError ? { type: original.type } : {}), path: e.path, locations: e.locations, message: e.message };
    });
    return { status: 200, body: errors.length > 0 ? { data: result.data ?? null, errors } : { data: result.data } };
  }
}
