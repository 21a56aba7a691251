/**
 * Webhook tests against a GitHub double built on nock: a small world (one repository, one pull
 * request with commits and reviews, the app's check run, labels, config) answers every REST route
 * and GraphQL query the app uses, and records every request, so tests assert exactly what was read
 * and written. Anything unexpected is answered 599 and shows up in `requests`.
 *
 * The world and its routes live in `test/support/github-world.ts`, shared with the end-to-end
 * tests' HTTP double (`test/support/github-http.ts`); this file serves them through nock.
 */
import nock from "nock";
import { pino } from "pino";
import { Probot } from "probot";
import { createApp } from "../../src/app/index.js";
import { CountersignOctokit } from "../../src/github/octokit.js";
import { appKeys } from "../support/app-process.js";
import { jsonLines } from "../helpers/logs.js";
import type { Pacer } from "../../src/github/pacing.js";
import { APP_ID, GitHubWorld, OWNER, REPO, world as baseWorld, type RecordedRequest, type World, type WorldCheckRun } from "../support/github-world.js";
import { pushWebhook, Webhooks, type PushOptions, type WebhookEvent as SupportWebhookEvent } from "../support/webhooks.js";

export { APP_ID, OWNER, REPO, human, nextSha } from "../support/github-world.js";
export type { BranchCommit, RecordedRequest, World, WorldActor, WorldCheckRun, WorldComment, WorldCommit, WorldReview } from "../support/github-world.js";

/** A pull request (#7 by @alice, no commits yet) in a repository with no config. */
export function world(partial: Partial<World> = {}): World {
  return baseWorld({ issues: [], ...partial });
}

export const API = "https://api.github.com";

export class GitHubDouble {
  private readonly world: GitHubWorld;

  constructor(readonly w: World) {
    this.world = new GitHubWorld({ repo: w, pulls: [w] });
    this.world.now = "2026-11-26T12:00:00Z";
    const scope = nock(API).persist();
    const handle = (method: string) =>
      (uri: string, body: unknown): nock.ReplyFnResult => {
        // An app authenticating as an installation (makeProbot with `appAuth`): not a request of the app's own.
        if (method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(uri)) return [201, { token: "ghs_installation", expires_at: "2099-01-01T00:00:00Z" }];
        const reply = this.world.route(method, decodeURIComponent(uri.split("?")[0] ?? uri), body, new URLSearchParams(uri.split("?")[1] ?? ""));
        return reply.headers ? [reply.status, reply.body as nock.Body, reply.headers] : [reply.status, reply.body as nock.Body];
      };
    scope.get(/.*/).reply(handle("GET"));
    scope.post(/.*/).reply(handle("POST"));
    scope.patch(/.*/).reply(handle("PATCH"));
    scope.delete(/.*/).reply(handle("DELETE"));
  }

  /** Every request the app made, in order. */
  get requests(): RecordedRequest[] {
    return this.world.requests;
  }

  /** The clock the double stamps new check runs and comments with (ISO). */
  get now(): string {
    return this.world.now ?? "";
  }
  set now(value: string) {
    this.world.now = value;
  }

  get head(): string {
    const last = this.w.commits[this.w.commits.length - 1];
    if (!last) throw new Error("world has no commits");
    return last.sha;
  }

  /** The latest check run this app published on the head commit. */
  get check(): WorldCheckRun | undefined {
    return this.world.check(this.w.number);
  }

  writes(): RecordedRequest[] {
    return this.world.writes();
  }

  summary(): string[] {
    return this.world.summary();
  }

  reset(): void {
    this.world.reset();
  }
}

/** Log lines the app wrote, parsed. */
export interface CapturedLogs {
  lines: Record<string, unknown>[];
  decisions(): Record<string, unknown>[];
}

/**
 * `pacer`: how requests are paced (default: as in production, by GitHub's documented budgets).
 * `onOctokit`: called for every Octokit constructed. `appAuth`: authenticate as a GitHub App (a JWT, then
 * installation tokens), as in production, instead of with one token shared by every webhook.
 *
 * A Probot with countersign loaded, answering webhooks once evaluated. The app's own re-evaluations
 * after a publish that did not complete are off unless `publishRetryDelay` is given: a test's app
 * must not wake up during a later test.
 */
export async function makeProbot(options: { pacer?: Pacer; publishRetryDelay?: (attempt: number) => number | undefined; onOctokit?: () => void; appAuth?: boolean } = {}): Promise<{ probot: Probot; logs: CapturedLogs }> {
  const { sink, lines } = jsonLines();
  const probot = new Probot({
    ...(options.appAuth ? { appId: APP_ID, privateKey: appKeys().privateKey } : { githubToken: "test-token" }),
    log: pino({ level: "info" }, sink),
    // The production Octokit and its plugins (no throttling or retry: prepareClient's), on Node's fetch,
    // which nock intercepts in jest's workers too (fetch.ts is tested against real servers instead).
    Octokit: CountersignOctokit.defaults((instanceOptions: { request?: object }) => {
      options.onOctokit?.();
      return { ...instanceOptions, request: { ...instanceOptions.request, fetch: globalThis.fetch } };
    }),
  });
  await probot.load(createApp({ appId: APP_ID, waitForEvaluations: true, publishRetryDelay: options.publishRetryDelay ?? (() => undefined), ...(options.pacer ? { pacer: options.pacer } : {}) }));
  return { probot, logs: { lines, decisions: () => lines.filter((l) => l.event === "decision") } };
}

/** A webhook event as `probot.receive` takes it. */
export type WebhookEvent = Parameters<Probot["receive"]>[0];
const asEvent = (e: SupportWebhookEvent): WebhookEvent => e as unknown as WebhookEvent;
/** The installation the harness's webhooks are delivered to (as GitHub delivers every app webhook). */
export const INSTALLATION = 77;
const target = (w: World, head: string) => ({ owner: OWNER, repo: REPO, number: w.number, head, installationId: INSTALLATION });

export const Events = {
  pullRequest(w: World, head: string, action = "opened") {
    return asEvent(Webhooks.pullRequest(target(w, head), action));
  },
  review(w: World, head: string, action = "submitted") {
    return asEvent(Webhooks.review(target(w, head), action));
  },
  checkRunRerequested(w: World, head: string, pullRequests: number[] = [w.number], appId = APP_ID) {
    return asEvent(Webhooks.checkRunRerequested(target(w, head), pullRequests, appId));
  },
  checkSuite(w: World, head: string, action = "requested") {
    return asEvent(Webhooks.checkSuite(target(w, head), action));
  },
};

/** An `issue_comment` webhook for a comment on the world's pull request. */
export function commentEvent(w: World, action: "created" | "edited" | "deleted" = "created"): WebhookEvent {
  return asEvent(Webhooks.comment({ owner: OWNER, repo: REPO, number: w.number, installationId: INSTALLATION }, action));
}

/** A `push` webhook to the world's repository (default branch `main`). */
export function pushEvent(before: string, after: string, shas: string[], more: PushOptions = {}): WebhookEvent {
  return asEvent(pushWebhook({ owner: OWNER, repo: REPO }, before, after, shas, more));
}
