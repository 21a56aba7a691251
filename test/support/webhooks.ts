/**
 * The webhooks GitHub would send: real example payloads (`@octokit/webhooks-examples`) retargeted at
 * a repository, pull request and head commit, and — for the end-to-end tests and the benchmark —
 * signed and POSTed to a running app the way GitHub delivers them.
 *
 * No jest, no nock: the benchmark imports this file too.
 */
import { createHmac, randomUUID } from "node:crypto";
import { request as httpRequest, type Agent } from "node:http";
import { createRequire } from "node:module";

/** A webhook event as `probot.receive` takes it (and as it is delivered over HTTP). */
export interface WebhookEvent {
  id: string;
  name: string;
  payload: Record<string, unknown>;
}

type Example = { name: string; examples: Record<string, unknown>[] };
// The package's main is a JSON file: required, so this works both under jest and in plain Node ESM.
const EXAMPLES = createRequire(import.meta.url)("@octokit/webhooks-examples") as Example[];

export function example(name: string, action?: string): Record<string, unknown> {
  const def = EXAMPLES.find((d) => d.name === name);
  const ex = def?.examples.find((e) => action === undefined || e.action === action);
  if (!ex) throw new Error(`no webhook example for ${name}.${action ?? ""}`);
  return structuredClone(ex);
}

/** Where an event points: the repository, pull request and head commit; the installation that receives it. */
export interface EventTarget {
  owner: string;
  repo: string;
  number: number;
  head: string;
  /** Set for events delivered to a real app (Probot authenticates as this installation). */
  installationId?: number;
}

const event = (name: string, payload: Record<string, unknown>): WebhookEvent => ({ id: randomUUID(), name, payload });

function retargetRepository(payload: Record<string, unknown>, t: EventTarget): Record<string, unknown> {
  const repository = payload.repository as Record<string, unknown>;
  repository.name = t.repo;
  repository.full_name = `${t.owner}/${t.repo}`;
  (repository.owner as Record<string, unknown>).login = t.owner;
  if (t.installationId !== undefined) payload.installation = { id: t.installationId, node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${t.installationId}` };
  return payload;
}

function retarget(payload: Record<string, unknown>, t: EventTarget): Record<string, unknown> {
  retargetRepository(payload, t);
  const pr = payload.pull_request as Record<string, unknown> | undefined;
  if (pr) {
    pr.number = t.number;
    pr.url = `https://api.github.com/repos/${t.owner}/${t.repo}/pulls/${t.number}`;
    (pr.head as Record<string, unknown>).sha = t.head;
  }
  return payload;
}

const user = (login: string, type: "User" | "Bot" = "User") => ({ login, id: 9000 + login.length, node_id: `U_${login}`, type, site_admin: false });

export const Webhooks = {
  pullRequest(t: EventTarget, action = "opened", more: { label?: string; merged?: boolean; sender?: string } = {}): WebhookEvent {
    const payload = retarget(example("pull_request", action === "merged" ? "closed" : action), t);
    const pr = payload.pull_request as Record<string, unknown>;
    if (more.label !== undefined) payload.label = { id: 1, name: more.label, color: "ededed", default: false };
    if (action === "closed" || action === "merged") {
      pr.state = "closed";
      pr.merged = more.merged ?? action === "merged";
    }
    if (more.sender !== undefined) payload.sender = user(more.sender);
    return event("pull_request", payload);
  },
  review(t: EventTarget, action = "submitted", more: { login?: string; state?: string; commit?: string } = {}): WebhookEvent {
    const payload = retarget(example("pull_request_review", action), t);
    const review = payload.review as Record<string, unknown>;
    if (more.login !== undefined) {
      review.user = user(more.login);
      payload.sender = user(more.login);
    }
    if (more.state !== undefined) review.state = more.state.toLowerCase();
    review.commit_id = more.commit ?? t.head;
    return event("pull_request_review", payload);
  },
  checkRunRerequested(t: EventTarget, pullRequests: number[] = [t.number], appId?: number): WebhookEvent {
    const payload = retarget(example("check_run", "rerequested"), t);
    const run = payload.check_run as Record<string, unknown>;
    run.head_sha = t.head;
    run.pull_requests = pullRequests.map((number) => ({ number }));
    if (appId !== undefined) run.app = { ...(run.app as object), id: appId };
    return event("check_run", payload);
  },
  checkSuite(t: EventTarget, action = "requested"): WebhookEvent {
    const payload = retarget(example("check_suite", action), t);
    const suite = payload.check_suite as Record<string, unknown>;
    suite.head_sha = t.head;
    suite.pull_requests = [{ number: t.number }];
    return event("check_suite", payload);
  },
  /** An `issue_comment` event for a comment on the pull request (`onPullRequest: false`: on a plain issue). */
  comment(t: Omit<EventTarget, "head">, action: "created" | "edited" | "deleted" = "created", more: { login?: string; body?: string; id?: number; onPullRequest?: boolean } = {}): WebhookEvent {
    const payload = retargetRepository(example("issue_comment", action), { ...t, head: "" });
    const issue = payload.issue as Record<string, unknown>;
    issue.number = t.number;
    if (more.onPullRequest === false) delete issue.pull_request;
    else issue.pull_request = { url: `https://api.github.com/repos/${t.owner}/${t.repo}/pulls/${t.number}` };
    const comment = payload.comment as Record<string, unknown>;
    if (more.login !== undefined) {
      comment.user = user(more.login);
      payload.sender = user(more.login);
    }
    if (more.body !== undefined) comment.body = more.body;
    if (more.id !== undefined) comment.id = more.id;
    return event("issue_comment", payload);
  },
};

export interface PushOptions {
  branch?: string;
  forced?: boolean;
  deleted?: boolean;
  created?: boolean;
  pusher?: string;
  defaultBranch?: string;
}

/** A `push` event: `before` → `after` on a branch (default `main`, the default branch), with these commits. */
export function pushWebhook(t: Omit<EventTarget, "number" | "head">, before: string, after: string, shas: string[], more: PushOptions = {}): WebhookEvent {
  const payload = retargetRepository(example("push"), { ...t, number: 0, head: "" });
  const branch = more.branch ?? "main";
  const repository = payload.repository as Record<string, unknown>;
  repository.default_branch = more.defaultBranch ?? "main";
  Object.assign(payload, {
    ref: `refs/heads/${branch}`,
    before,
    after: more.deleted ? "0".repeat(40) : after,
    forced: more.forced ?? false,
    deleted: more.deleted ?? false,
    created: more.created ?? false,
    base_ref: null,
    compare: `https://github.com/${t.owner}/${t.repo}/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
    commits: shas.map((id) => ({ id, tree_id: id, distinct: true, message: "", timestamp: "2026-11-26T12:00:00Z", url: `https://github.com/${t.owner}/${t.repo}/commit/${id}`, author: { name: "A", email: "a@example.com" }, committer: { name: "A", email: "a@example.com" }, added: [], removed: [], modified: [] })),
    head_commit: null,
  });
  if (more.pusher !== undefined) {
    payload.pusher = { name: more.pusher, email: `${more.pusher}@example.com` };
    payload.sender = user(more.pusher);
  }
  return event("push", payload);
}

export const signature = (secret: string, body: string): string => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

export interface Delivery {
  status: number;
  /** From sending the request to the end of the response (ms). */
  ms: number;
  /** When it was sent (ms since the epoch). */
  sentAt: number;
  text: string;
}

export interface DeliverOptions {
  /** The signature header to send: default a correct one; null: none. */
  signature?: string | null;
  /** Send this body instead of the event's payload (still signed as `signature` says). */
  body?: string;
  /** Give up after this long (ms); default 30 s. */
  timeoutMs?: number;
  agent?: Agent;
}

/** POSTs the event to the app's webhook URL exactly as GitHub delivers it. */
export function deliver(url: string, secret: string, e: WebhookEvent, options: DeliverOptions = {}): Promise<Delivery> {
  const body = options.body ?? JSON.stringify(e.payload);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "GitHub-Hookshot/e2e",
    "x-github-event": e.name,
    "x-github-delivery": e.id,
    "x-github-hook-id": "1",
    "x-github-hook-installation-target-type": "integration",
    "content-length": String(Buffer.byteLength(body)),
  };
  const sig = options.signature === undefined ? signature(secret, body) : options.signature;
  if (sig !== null) headers["x-hub-signature-256"] = sig;
  const sentAt = Date.now();
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", headers, agent: options.agent, timeout: options.timeoutMs ?? 30_000 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - started) / 1e6, sentAt, text }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer to webhook ${e.name} ${e.id} within ${options.timeoutMs ?? 30_000} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}
