/**
 * Webhook tests against a GitHub double built on nock: a small world (one repository, one pull
 * request with commits and reviews, the app's check run, labels, config) answers every REST route
 * and GraphQL query the app uses, and records every request, so tests assert exactly what was read
 * and written. Anything unexpected is answered 599 and shows up in `requests`.
 */
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
}

export interface World {
  number: number;
  author: { login: string; type: "User" | "Bot"; id: number };
  body: string;
  labels: string[];
  commits: WorldCommit[];
  reviews: WorldReview[];
  assignments: { actor: string; assignee: string }[];
  /** `.github/countersign.yml` in the repository (undefined: absent, also in the org's .github repo). */
  config?: string;
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
/** A fresh, valid 40-hex sha. */
export function nextSha(): string {
  sha++;
  return sha.toString(16).padStart(40, "a");
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

function reviewNode(r: WorldReview) {
  return {
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
      const operation = /query (\w+)/.exec(query)?.[1] ?? "graphql";
      this.requests.push({ method, path, operation, body: variables });
      if (operation === "countersignPullRequest" && w.graphqlFailures.times > 0) {
        w.graphqlFailures.times--;
        return [w.graphqlFailures.status, { message: "Server Error" }];
      }
      return [200, { data: this.graphql(operation, variables) }];
    }
    this.requests.push({ method, path, ...(body === undefined || body === "" ? {} : { body }) });
    if (method === "GET" && path === `${base}/contents/.github/countersign.yml`) {
      return w.config === undefined ? [404, { message: "Not Found" }] : [200, w.config, { "content-type": "text/plain; charset=utf-8" }];
    }
    if (method === "GET" && path === `/repos/${OWNER}/.github/contents/.github/countersign.yml`) return [404, { message: "Not Found" }];
    const perm = new RegExp(`^${base}/collaborators/([^/]+)/permission$`).exec(path);
    if (method === "GET" && perm) {
      const role = w.permissions[perm[1] ?? ""] ?? "none";
      const permission = role === "maintain" ? "write" : role === "triage" ? "read" : role;
      return [200, { permission, role_name: role, user: { login: perm[1] } }];
    }
    if (method === "POST" && path === `${base}/check-runs`) {
      const b = body as { name: string; head_sha: string; conclusion: string; status: string; output: { title: string; summary: string; text?: string } };
      const run: WorldCheckRun = { id: this.nextCheckRunId++, name: b.name, headSha: b.head_sha, status: b.status, conclusion: b.conclusion, title: b.output.title, summary: b.output.summary, text: b.output.text ?? null };
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
    if (method === "POST" && path === `${base}/labels`) {
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
      const runs = w.checkRuns.filter((r) => r.headSha === head && r.name === v.checkName && v.appId === APP_ID);
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
                  nodes: runs.length === 0 ? [] : [{ checkRuns: { nodes: runs.map((r) => ({ databaseId: r.id, status: r.status.toUpperCase(), conclusion: r.conclusion?.toUpperCase() ?? null, title: r.title, summary: r.summary, text: r.text })) } }],
                },
              },
            },
          ],
        },
        commits: page(w.commits, null, commitNode),
        reviews: page(w.reviews, null, reviewNode),
      };
    };
    if (operation === "countersignPullRequest") return { repository: { label: w.labelExists ? { name: String(v.label) } : null, pullRequest: pr() } };
    if (operation === "countersignCommitsPage") return { repository: { pullRequest: { commits: page(w.commits, v.after as string, commitNode) } } };
    if (operation === "countersignReviewsPage") return { repository: { pullRequest: { reviews: page(w.reviews, v.after as string, reviewNode) } } };
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
  await probot.load(createApp({ appId: APP_ID }));
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
