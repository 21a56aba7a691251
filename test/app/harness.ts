/**
 * Webhook tests against a GitHub double built on nock: a small world (one repository, one pull
 * request with commits and reviews, the app's check run, labels, config) answers every REST route
 * and GraphQL query the app uses, and records every request, so tests assert exactly what was read
 * and written. Anything unexpected is answered 599 and shows up in `requests`.
 */
import { createHash } from "node:crypto";
import nock from "nock";
import { pino } from "pino";
import { Writable } from "node:stream";
import { Probot, ProbotOctokit } from "probot";
import WebhookExamples from "@octokit/webhooks-examples";
import { createApp } from "../../src/app/index.js";

export const APP_ID = 4242;
export const OWNER = "acme";
export const REPO = "infra";
export const API = "https://api.github.com";

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
  /** Written by this app (the double marks the app's own comments). */
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

export interface World {
  number: number;
  author: { login: string; type: "User" | "Bot"; id: number };
  body: string;
  labels: string[];
  commits: WorldCommit[];
  reviews: WorldReview[];
  comments: WorldComment[];
  assignments: { actor: string; assignee: string }[];
  /** `.github/countersign.yml` in the repository (undefined: absent). */
  config?: string;
  /** `.github/countersign.yml` in the owner's `.github` repository (undefined: no such repository). */
  orgConfig?: string;
  /** Repository permission per login, for min_permission other than write. */
  permissions: Record<string, string>;
  labelExists: boolean;
  /** Check runs this app has published (the double keeps them up to date as the app writes). */
  checkRuns: WorldCheckRun[];
  /** Respond to the main GraphQL query with this HTTP status instead (e.g. 502), this many times. */
  graphqlFailures: { status: number; times: number };
}

export interface RecordedRequest {
  method: string;
  path: string;
  body?: unknown;
  /** For GraphQL, the operation name. */
  operation?: string;
}

let sha = 0;
/** A fresh, valid 40-hex sha (distinct in its first 7 digits, as real ones are). */
export function nextSha(): string {
  sha++;
  return createHash("sha1").update(`commit ${sha}`).digest("hex");
}

export const human = (login: string): WorldActor => ({ name: `${login[0]?.toUpperCase()}${login.slice(1)} Example`, email: `${login}@example.com`, login });

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

const actorJson = (a: WorldActor) => ({ name: a.name, email: a.email, user: a.login ? { login: a.login, databaseId: 1 } : null });

function commitNode(c: WorldCommit) {
  const committer = c.committer ?? c.author;
  return {
    commit: {
      oid: c.sha,
      message: c.message,
      author: actorJson(c.author),
      committer: actorJson(committer),
      authors: { nodes: [c.author, ...(c.coAuthors ?? [])].map(actorJson) },
    },
  };
}

const reactionGroups = (reactions: string[] | undefined) => ["THUMBS_UP", "CONFUSED"].map((content) => ({ content, viewerHasReacted: (reactions ?? []).includes(content) }));
const accountJson = (login: string | null, type: string | undefined, id: number) => (login === null ? null : { __typename: type ?? "User", login, databaseId: id });

function commentNode(c: WorldComment) {
  return {
    id: `IC_${c.id}`,
    databaseId: c.id,
    url: `https://github.com/${OWNER}/${REPO}/pull/7#issuecomment-${c.id}`,
    body: c.body,
    createdAt: c.createdAt,
    lastEditedAt: c.lastEditedAt ?? null,
    editor: c.editor ? { login: c.editor } : null,
    viewerDidAuthor: c.byApp === true,
    reactionGroups: reactionGroups(c.reactions),
    author: c.byApp ? { __typename: "Bot", login: "countersign", databaseId: 1 } : accountJson(c.login, c.type, 7000 + c.id),
  };
}

function reviewNode(r: WorldReview) {
  return {
    id: `PRR_${r.id}`,
    url: `https://github.com/${OWNER}/${REPO}/pull/7#pullrequestreview-${r.id}`,
    body: r.body ?? "",
    createdAt: r.submittedAt,
    lastEditedAt: r.lastEditedAt ?? null,
    editor: r.editor ? { login: r.editor } : null,
    viewerDidAuthor: false,
    reactionGroups: reactionGroups(r.reactions),
    databaseId: r.id,
    state: r.state,
    submittedAt: r.state === "PENDING" ? null : r.submittedAt,
    authorCanPushToRepository: r.canPush ?? true,
    author: r.login === null ? null : { __typename: r.type ?? "User", login: r.login, databaseId: 5000 + r.id },
    commit: { oid: r.commit },
  };
}

function page<T>(items: T[], after: string | null | undefined, map: (t: T) => unknown) {
  const start = after ? Number(after) : 0;
  const slice = items.slice(start, start + 100);
  const end = start + slice.length;
  return { totalCount: items.length, pageInfo: { hasNextPage: end < items.length, endCursor: slice.length > 0 ? String(end) : null }, nodes: slice.map(map) };
}

export class GitHubDouble {
  readonly requests: RecordedRequest[] = [];
  private nextCheckRunId = 9000;
  private nextCommentId = 50_000;
  private lastMutation = "";
  /** The clock the double stamps new check runs and comments with (ISO). */
  now = "2026-11-26T12:00:00Z";

  /** THUMBS_UP or CONFUSED, as the last reactions mutation asked for this node. */
  private reactionFor(nodeId: string): string {
    const v = Object.entries(this.lastVars).find(([, id]) => id === nodeId)?.[0] ?? "";
    return new RegExp(`subjectId: \\$${v}, content: (\\w+)`).exec(this.lastMutation)?.[1] ?? "?";
  }
  private lastVars: Record<string, unknown> = {};

  constructor(readonly w: World) {
    const scope = nock(API).persist();
    const handle = (method: string) =>
      function (this: unknown, uri: string, body: unknown): nock.ReplyFnResult {
        return double.route(method, uri, body);
      };
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const double = this;
    scope.get(/.*/).reply(handle("GET"));
    scope.post(/.*/).reply(handle("POST"));
    scope.patch(/.*/).reply(handle("PATCH"));
    scope.delete(/.*/).reply(handle("DELETE"));
  }

  get head(): string {
    const last = this.w.commits[this.w.commits.length - 1];
    if (!last) throw new Error("world has no commits");
    return last.sha;
  }

  /** The latest check run this app published on the head commit. */
  get check(): WorldCheckRun | undefined {
    return this.w.checkRuns.filter((r) => r.headSha === this.head).sort((a, b) => b.id - a.id)[0];
  }

  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== "GET" && r.operation === undefined);
  }

  summary(): string[] {
    return this.requests.map((r) => `${r.method} ${r.operation ?? r.path}`);
  }

  reset(): void {
    this.requests.length = 0;
  }

  private route(method: string, uri: string, body: unknown): nock.ReplyFnResult {
    const path = decodeURIComponent(uri.split("?")[0] ?? uri);
    const w = this.w;
    const base = `/repos/${OWNER}/${REPO}`;
    if (method === "POST" && path === "/graphql") {
      const { query, variables } = body as { query: string; variables: Record<string, unknown> };
      const operation = /(?:query|mutation) (\w+)/.exec(query)?.[1] ?? "graphql";
      if (operation === "countersignReactions") this.lastMutation = query;
      this.requests.push({ method, path, operation, body: variables });
      this.lastVars = variables;
      if (operation === "countersignPullRequest" && w.graphqlFailures.times > 0) {
        w.graphqlFailures.times--;
        return [w.graphqlFailures.status, { message: "Server Error" }];
      }
      const data = this.graphql(operation, variables) as Record<string, unknown>;
      if (operation === "countersignPullRequest" && w.orgConfig === undefined) {
        // As GitHub answers when the owner has no .github repository: partial data and an error.
        return [200, { data: { ...data, orgDefaults: null }, errors: [{ type: "NOT_FOUND", path: ["orgDefaults"], message: `Could not resolve to a Repository with the name '${OWNER}/.github'.` }] }];
      }
      return [200, { data }];
    }
    this.requests.push({ method, path, ...(body === undefined || body === "" ? {} : { body }) });
    if (method === "GET" && path === `${base}/contents/.github/countersign.yml`) {
      return w.config === undefined ? [404, { message: "Not Found" }] : [200, w.config, { "content-type": "text/plain; charset=utf-8" }];
    }
    if (method === "GET" && path === `/repos/${OWNER}/.github/contents/.github/countersign.yml`) {
      return w.orgConfig === undefined ? [404, { message: "Not Found" }] : [200, w.orgConfig, { "content-type": "text/plain; charset=utf-8" }];
    }
    const perm = new RegExp(`^${base}/collaborators/([^/]+)/permission$`).exec(path);
    if (method === "GET" && perm) {
      const role = w.permissions[perm[1] ?? ""] ?? "none";
      const permission = role === "maintain" ? "write" : role === "triage" ? "read" : role;
      return [200, { permission, role_name: role, user: { login: perm[1] } }];
    }
    if (method === "POST" && path === `${base}/check-runs`) {
      const b = body as { name: string; head_sha: string; conclusion: string; status: string; output: { title: string; summary: string; text?: string } };
      const run: WorldCheckRun = { id: this.nextCheckRunId++, name: b.name, headSha: b.head_sha, status: b.status, conclusion: b.conclusion, title: b.output.title, summary: b.output.summary, text: b.output.text ?? null, startedAt: this.now };
      w.checkRuns.push(run);
      return [201, { id: run.id }];
    }
    const patch = new RegExp(`^${base}/check-runs/(\\d+)$`).exec(path);
    if (method === "PATCH" && patch) {
      const run = w.checkRuns.find((r) => r.id === Number(patch[1]));
      if (!run) return [404, { message: "Not Found" }];
      const b = body as { conclusion: string; status: string; output: { title: string; summary: string; text?: string } };
      Object.assign(run, { status: b.status, conclusion: b.conclusion, title: b.output.title, summary: b.output.summary, text: b.output.text ?? null });
      return [200, { id: run.id }];
    }
    if (method === "POST" && path === `${base}/issues/${w.number}/comments`) {
      const c: WorldComment = { id: this.nextCommentId++, login: "countersign[bot]", type: "Bot", body: (body as { body: string }).body, createdAt: this.now, byApp: true };
      w.comments.push(c);
      return [201, { id: c.id }];
    }
    const editComment = new RegExp(`^${base}/issues/comments/(\\d+)$`).exec(path);
    if (method === "PATCH" && editComment) {
      const c = w.comments.find((x) => x.id === Number(editComment[1]));
      if (!c) return [404, { message: "Not Found" }];
      c.body = (body as { body: string }).body;
      return [200, { id: c.id }];
    }
    if (method === "POST" && path === `${base}/labels`) {
      if (w.labelExists) return [422, { message: "Validation Failed", errors: [{ resource: "Label", code: "already_exists", field: "name" }] }];
      w.labelExists = true;
      return [201, {}];
    }
    if (method === "POST" && path === `${base}/issues/${w.number}/labels`) {
      for (const l of (body as { labels: string[] }).labels) if (!w.labels.includes(l)) w.labels.push(l);
      return [200, []];
    }
    const del = new RegExp(`^${base}/issues/${w.number}/labels/(.+)$`).exec(path);
    if (method === "DELETE" && del) {
      w.labels = w.labels.filter((l) => l !== del[1]);
      return [200, []];
    }
    const pulls = new RegExp(`^${base}/commits/([0-9a-f]{40})/pulls$`).exec(path);
    if (method === "GET" && pulls) {
      return [200, pulls[1] === this.head ? [{ number: w.number, state: "open", head: { sha: this.head } }] : []];
    }
    return [599, { message: `the GitHub double has no route for ${method} ${path}` }];
  }

  private graphql(operation: string, v: Record<string, unknown>) {
    const w = this.w;
    const pr = () => {
      const head = this.head;
      const runs = w.checkRuns.filter((r) => r.headSha === head && v.appId === APP_ID);
      return {
        number: w.number,
        url: `https://github.com/${OWNER}/${REPO}/pull/${w.number}`,
        state: "OPEN",
        body: w.body,
        baseRefName: "main",
        headRefName: "feature",
        headRefOid: head,
        author: { __typename: w.author.type, login: w.author.login, databaseId: w.author.id },
        labels: { nodes: w.labels.map((name) => ({ name })) },
        timelineItems: { nodes: w.assignments.map((a) => ({ actor: { login: a.actor }, assignee: { __typename: "Bot", login: a.assignee } })) },
        headCommit: {
          nodes: [
            {
              commit: {
                oid: head,
                checkSuites: {
                  nodes: runs.length === 0 ? [] : [{ checkRuns: { nodes: runs.map((r) => ({ databaseId: r.id, name: r.name, status: r.status.toUpperCase(), conclusion: r.conclusion?.toUpperCase() ?? null, title: r.title, summary: r.summary, text: r.text, startedAt: r.startedAt })) } }],
                },
              },
            },
          ],
        },
        commits: page(w.commits, null, commitNode),
        reviews: page(w.reviews, null, reviewNode),
        comments: page(w.comments, null, commentNode),
      };
    };
    if (operation === "countersignPullRequest") {
      return {
        orgDefaults: { configFile: w.orgConfig === undefined ? null : { text: w.orgConfig } },
        repository: { configFile: w.config === undefined ? null : { text: w.config }, pullRequest: pr() },
      };
    }
    if (operation === "countersignCommitsPage") return { repository: { pullRequest: { commits: page(w.commits, v.after as string, commitNode) } } };
    if (operation === "countersignReviewsPage") return { repository: { pullRequest: { reviews: page(w.reviews, v.after as string, reviewNode) } } };
    if (operation === "countersignCommentsPage") return { repository: { pullRequest: { comments: page(w.comments, v.after as string, commentNode) } } };
    if (operation === "countersignEditHistory") {
      return {
        nodes: (v.ids as string[]).map((id) => {
          const c = w.comments.find((x) => `IC_${x.id}` === id);
          const history = c?.history ?? [];
          return { __typename: "IssueComment", id, userContentEdits: { nodes: [...history].reverse().map((h) => ({ editedAt: h.editedAt, editor: { login: h.editor }, diff: h.text })) } };
        }),
      };
    }
    if (operation === "countersignReactions") {
      for (const [, nodeId] of Object.entries(v)) {
        const target = w.comments.find((c) => `IC_${c.id}` === nodeId) ?? w.reviews.find((r) => `PRR_${r.id}` === nodeId);
        if (target) target.reactions = [...(target.reactions ?? []), this.reactionFor(String(nodeId))];
      }
      return {};
    }
    throw new Error(`unknown operation ${operation}`);
  }
}

/** Log lines the app wrote, parsed. */
export interface CapturedLogs {
  lines: Record<string, unknown>[];
  decisions(): Record<string, unknown>[];
}

export async function makeProbot(): Promise<{ probot: Probot; logs: CapturedLogs }> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split("\n")) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const probot = new Probot({
    githubToken: "test-token",
    log: pino({ level: "info" }, sink),
    Octokit: ProbotOctokit.defaults((instanceOptions: object) => ({ ...instanceOptions, retry: { enabled: false }, throttle: { enabled: false } })),
  });
  await probot.load(createApp({ appId: APP_ID, waitForEvaluations: true }));
  return { probot, logs: { lines, decisions: () => lines.filter((l) => l.event === "decision") } };
}

type Example = { name: string; examples: Record<string, unknown>[] };
const EXAMPLES = WebhookExamples as unknown as Example[];

function example(name: string, action?: string): Record<string, unknown> {
  const def = EXAMPLES.find((d) => d.name === name);
  const ex = def?.examples.find((e) => action === undefined || e.action === action);
  if (!ex) throw new Error(`no webhook example for ${name}.${action ?? ""}`);
  return structuredClone(ex);
}

function retarget(payload: Record<string, unknown>, w: World, head: string): Record<string, unknown> {
  const repository = payload.repository as Record<string, unknown>;
  repository.name = REPO;
  repository.full_name = `${OWNER}/${REPO}`;
  (repository.owner as Record<string, unknown>).login = OWNER;
  const pr = payload.pull_request as Record<string, unknown> | undefined;
  if (pr) {
    pr.number = w.number;
    (pr.head as Record<string, unknown>).sha = head;
  }
  return payload;
}

let delivery = 0;
/** A webhook event as `probot.receive` takes it. */
export type WebhookEvent = Parameters<Probot["receive"]>[0];
const event = (name: string, payload: Record<string, unknown>): WebhookEvent => ({ id: `d-${++delivery}`, name, payload }) as unknown as WebhookEvent;

export const Events = {
  pullRequest(w: World, head: string, action = "opened") {
    return event("pull_request", retarget(example("pull_request", action), w, head));
  },
  review(w: World, head: string, action = "submitted") {
    return event("pull_request_review", retarget(example("pull_request_review", action), w, head));
  },
  checkRunRerequested(w: World, head: string, pullRequests: number[] = [w.number], appId = APP_ID) {
    const payload = retarget(example("check_run", "rerequested"), w, head);
    const run = payload.check_run as Record<string, unknown>;
    run.head_sha = head;
    run.pull_requests = pullRequests.map((number) => ({ number }));
    run.app = { ...(run.app as object), id: appId };
    return event("check_run", payload);
  },
  checkSuite(w: World, head: string, action = "requested") {
    const payload = retarget(example("check_suite", action), w, head);
    const suite = payload.check_suite as Record<string, unknown>;
    suite.head_sha = head;
    suite.pull_requests = [{ number: w.number }];
    return event("check_suite", payload);
  },
};

/** An `issue_comment` webhook for a comment on the world's pull request. */
export function commentEvent(w: World, action: "created" | "edited" | "deleted" = "created"): WebhookEvent {
  const payload = example("issue_comment", action);
  const repository = payload.repository as Record<string, unknown>;
  repository.name = REPO;
  (repository.owner as Record<string, unknown>).login = OWNER;
  const issue = payload.issue as Record<string, unknown>;
  issue.number = w.number;
  issue.pull_request = { url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/${w.number}` };
  return event("issue_comment", payload);
}
