/**
 * The end-to-end kit: a GitHub double on loopback (`test/support/github-http.ts`) serving a world,
 * the app as a real process (`test/support/app-process.ts`), and scenario steps that change the world
 * the way a person would and deliver the webhook GitHub would send for it — signed, over HTTP.
 *
 * Waiting is event-driven: `settle` returns once the app has logged an evaluation of the pull request
 * that started after the last webhook was sent, and then nothing more happened for that pull request
 * for a short quiet window (long enough for a queued trailing evaluation to show itself: with
 * Probot's throttling, a GraphQL query or write leaves at most once a second). Every wait has a
 * deadline. Nothing here sleeps to make a result right.
 */
import { createHash } from "node:crypto";
import { afterAll } from "@jest/globals";
import { appKeys, startApp, type AppProcess, type LogLine } from "../support/app-process.js";
import { GitHubHttpDouble } from "../support/github-http.js";
import { APP_ID, GitHubWorld, headOf, human, OWNER, pull, REPO, type CheckRunWrite, type PullState, type RepoState, type WorldCommit, type WorldReview } from "../support/github-world.js";
import { deliver, Webhooks, type Delivery, type WebhookEvent } from "../support/webhooks.js";

export const INSTALLATION_ID = 77;
export const CLAUDE = "Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>";
/** Longest a webhook may take to be answered (GitHub's delivery timeout is 10 s). */
export const GITHUB_WEBHOOK_TIMEOUT_MS = 10_000;

let commitCounter = 0;
const sha = (seed: string): string => createHash("sha1").update(`e2e ${seed} ${++commitCounter} ${process.hrtime.bigint()}`).digest("hex");

/** An AI-authored commit (a Claude Code co-author trailer) by `by`. */
export function aiCommit(by = "alice"): WorldCommit {
  return { sha: sha("ai"), message: `Recreate the environment\n\nDone by the agent.\n\n${CLAUDE}\n`, author: human(by) };
}

export function humanCommit(by = "alice"): WorldCommit {
  return { sha: sha("human"), message: "Fix a typo\n", author: human(by) };
}

/** Marks that make a pull request AI-authored, as the oracle sees them (independent of the app's detector). */
export const isAiPull = (p: PullState): boolean => p.commits.some((c) => c.message.includes(CLAUDE)) || p.labels.some((l) => /^ai-(generated|assisted)$/i.test(l));

/**
 * The oracle: may this pull request's check say `success` right now? For a pull request with AI
 * signals, only when someone who is not an operator, a human with write access, has approved the head
 * commit (their latest decisive review), or countersigned it by comment.
 */
export function mayPass(p: PullState, repo: RepoState, operators: readonly string[] = ["alice"]): boolean {
  if (!isAiPull(p)) return true;
  const head = headOf(p);
  const op = new Set(operators.map((o) => o.toLowerCase()));
  const latest = new Map<string, WorldReview>();
  for (const r of [...p.reviews].sort((a, b) => a.submittedAt.localeCompare(b.submittedAt) || a.id - b.id)) {
    if (r.login && (r.state === "APPROVED" || r.state === "CHANGES_REQUESTED" || r.state === "DISMISSED")) latest.set(r.login.toLowerCase(), r);
  }
  const byReview = [...latest.values()].some((r) => r.state === "APPROVED" && r.commit === head && (r.type ?? "User") === "User" && !op.has((r.login ?? "").toLowerCase()) && r.canPush !== false && !/\[bot\]$/i.test(r.login ?? ""));
  const canWrite = (login: string) => ["write", "maintain", "admin"].includes(repo.permissions[login] ?? "none");
  const byComment = p.comments.some(
    (c) => !c.byApp && !c.lastEditedAt && c.login !== null && (c.type ?? "User") === "User" && !op.has(c.login.toLowerCase()) && canWrite(c.login) && new RegExp(`^/(countersign|approve)( ${head.slice(0, 7)}[0-9a-f]*)?\\s*$`, "m").test(c.body),
  );
  return byReview || byComment;
}

export interface EnvOptions {
  repo?: Partial<RepoState>;
  pulls: PullState[];
  /** Operators, for the oracle (default: alice). */
  operators?: string[];
  logLevel?: string;
  /** App processes against the same double (default 1); with several, set REDIS_URL in `env`. */
  replicas?: number;
  /** Extra environment for the app processes. */
  env?: Record<string, string>;
}

export interface SentWebhook extends Delivery {
  pr: number | undefined;
  event: string;
}

/** One world, its GitHub double, and the app process talking to it. */
export class Env {
  readonly sent: SentWebhook[] = [];
  /** Check run writes the oracle says should not have happened (a `success` the PR had not earned). */
  readonly violations: string[] = [];

  private constructor(
    readonly world: GitHubWorld,
    readonly double: GitHubHttpDouble,
    readonly apps: AppProcess[],
  ) {}

  /** The first (or only) app process. */
  get app(): AppProcess {
    return this.apps[0] as AppProcess;
  }

  /** Polls `predicate` (every replica's output counts) until it holds, or fails naming `what`. */
  async waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (this.apps.length === 1) {
      await this.app.waitFor(() => predicate() || undefined, timeoutMs, what);
      return;
    }
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const dead = this.apps.find((a) => !a.alive);
      if (dead) throw new Error(`a replica exited while waiting for ${what}\n${dead.tail()}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.apps.map((a) => a.tail()).join("\n---\n")}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Every replica's `decision` lines (for one pull request). */
  decisions(pr?: number): LogLine[] {
    return this.apps.flatMap((a) => a.decisions(pr));
  }

  static async start(options: EnvOptions): Promise<Env> {
    const repo: RepoState = { permissions: {}, labelExists: false, ...options.repo };
    const world = new GitHubWorld({ repo, pulls: options.pulls }, { owner: OWNER, repo: REPO, appId: APP_ID });
    const double = await new GitHubHttpDouble(world, { publicKey: appKeys().publicKey }).start();
    const apps: AppProcess[] = [];
    try {
      for (let i = 0; i < (options.replicas ?? 1); i++) {
        apps.push(await startApp({ githubHost: double.host, appId: APP_ID, secret: apps[0]?.secret, ...(options.logLevel ? { logLevel: options.logLevel } : {}), ...(options.env ? { env: options.env } : {}) }));
      }
    } catch (error) {
      await Promise.allSettled(apps.map((a) => a.stop()));
      await double.close();
      throw error;
    }
    const env = new Env(world, double, apps);
    world.onCheckRunWrite.push((w: CheckRunWrite) => {
      const p = w.pr === undefined ? undefined : world.pull(w.pr);
      if (w.conclusion === "success" && p && headOf(p) === w.headSha && !mayPass(p, repo, options.operators)) {
        env.violations.push(`#${p.number}: check run ${w.id} written as success (${w.title}) on ${w.headSha.slice(0, 7)}, which has no eligible approval`);
      }
    });
    return env;
  }

  async stop(): Promise<void> {
    await Promise.all(this.apps.map((a) => a.stop()));
    await this.double.close();
  }

  pr(number: number): PullHandle {
    const p = this.world.pull(number);
    if (!p) throw new Error(`no pull request #${number} in the world`);
    return new PullHandle(this, p);
  }

  /** Delivers a webhook to the app, signed, and records how long it took to be answered. */
  async send(event: WebhookEvent, pr?: number, options: Parameters<typeof deliver>[3] & { replica?: number } = {}): Promise<SentWebhook> {
    const app = this.apps[options.replica ?? 0] ?? this.app;
    const d = await deliver(app.webhookUrl, app.secret, event, options);
    const sent = { ...d, pr, event: `${event.name}.${String(event.payload.action ?? "")}` };
    this.sent.push(sent);
    return sent;
  }

  /** When an evaluation logged by the app started (ms since the epoch). */
  static started(d: LogLine): number {
    return Number(d.time) - Number(d.duration_ms ?? 0);
  }

  /**
   * Waits until the app is done with this pull request: an evaluation that started after the last
   * webhook for it was sent has been logged (unless `evaluates: false`), then a quiet window passes
   * (after the last webhook's answer) without any request or evaluation for it.
   */
  async settle(pr: number, options: { evaluates?: boolean; timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    const sentForPr = this.sent.filter((s) => s.pr === pr);
    const lastSent = Math.max(0, ...sentForPr.map((s) => s.sentAt));
    // The quiet window starts no earlier than the last answer: the app works on a webhook after answering it.
    const lastAnswered = Math.max(0, ...sentForPr.map((s) => s.sentAt + s.ms));
    if (options.evaluates !== false) {
      await this.waitFor(() => this.decisions(pr).some((d) => Env.started(d) >= lastSent - 1), Math.max(1, deadline - Date.now()), `an evaluation of #${pr} started after the last webhook`);
    }
    for (;;) {
      const forPr = this.double.log.filter((r) => r.pr === pr);
      const lastActivity = Math.max(lastAnswered, ...forPr.map((r) => r.at + r.ms), ...this.decisions(pr).map((d) => Number(d.time)));
      // A pending trailing evaluation shows itself at once (nothing is spaced out unless GitHub's
      // budgets run low, which these tests never reach).
      const quietUntil = lastActivity + 300;
      const wait = quietUntil - Date.now();
      if (wait <= 0) return;
      if (Date.now() + wait > deadline) throw new Error(`#${pr} did not settle: still active at the deadline\n${this.app.tail()}`);
      await new Promise((r) => setTimeout(r, Math.min(wait, 250)));
    }
  }

  /** Waits until neither the double nor the app's log has seen anything for `quietMs` (all pull requests). */
  async quiet(quietMs = 500, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const last = Math.max(0, ...this.double.log.map((r) => r.at + r.ms), ...this.apps.flatMap((a) => a.lines.map((l) => Number(l.time ?? 0))));
      const wait = last + quietMs - Date.now();
      if (wait <= 0) return;
      if (Date.now() + wait > deadline) throw new Error(`the app did not go quiet\n${this.app.tail()}`);
      await new Promise((r) => setTimeout(r, Math.min(wait, 250)));
    }
  }

  /** Sends and waits for the app to be done with the pull request. */
  async step(event: WebhookEvent, pr: number, options: { evaluates?: boolean; timeoutMs?: number } = {}): Promise<SentWebhook> {
    const s = await this.send(event, pr);
    await this.settle(pr, options);
    return s;
  }

  /**
   * How many times each label was added to a pull request (from the requests' bodies: REST names,
   * or the publishing mutation's label node ids, `LA_<lower-cased name>` in the double).
   */
  labelAdds(pr: number): Map<string, number> {
    const adds = new Map<string, number>();
    const add = (l: string) => adds.set(l, (adds.get(l) ?? 0) + 1);
    for (const r of this.world.requests) {
      if (r.method === "POST" && r.path === `/repos/${OWNER}/${REPO}/issues/${pr}/labels`) for (const l of (r.body as { labels?: string[] } | undefined)?.labels ?? []) add(l);
      const input = (r.mutation ? (r.body as { addLabels?: { labelableId?: string; labelIds?: string[] } } | undefined)?.addLabels : undefined);
      if (input?.labelableId === `PR_${pr}`) for (const id of input.labelIds ?? []) add(id.replace(/^LA_/, ""));
    }
    return adds;
  }

  /** Everything that must hold whatever the scenario: no violations, no problems at the double, no crash, webhooks answered in time. */
  invariants(): string[] {
    const out = [...this.violations, ...this.double.problems.map((p) => `double: ${p}`)];
    for (const [i, a] of this.apps.entries()) for (const e of a.errors()) out.push(`app${i}: ${JSON.stringify(e).slice(0, 300)}`);
    for (const s of this.sent) {
      if (s.status !== 200 && s.status !== 202) out.push(`webhook ${s.event} answered ${s.status}`);
      if (s.ms >= GITHUB_WEBHOOK_TIMEOUT_MS) out.push(`webhook ${s.event} answered after ${Math.round(s.ms)} ms`);
    }
    for (const p of this.world.pulls) {
      const status = this.world.statusComments(p.number).length;
      if (status > 1) out.push(`#${p.number}: ${status} status comments`);
      const labels = new Map<string, number>();
      for (const l of p.labels) labels.set(l.toLowerCase(), (labels.get(l.toLowerCase()) ?? 0) + 1);
      for (const [l, n] of labels) if (n > 1) out.push(`#${p.number}: label ${l} ${n} times`);
      const heads = new Map<string, number>();
      for (const r of p.checkRuns) heads.set(`${r.headSha}/${r.name}`, (heads.get(`${r.headSha}/${r.name}`) ?? 0) + 1);
      for (const [h, n] of heads) if (n > 1) out.push(`#${p.number}: ${n} check runs for ${h}`);
    }
    return out;
  }
}

/** Steps on one pull request: each changes the world as GitHub would, and returns the webhook it sends. */
export class PullHandle {
  constructor(
    private readonly env: Env,
    readonly p: PullState,
  ) {}

  get number(): number {
    return this.p.number;
  }

  get head(): string {
    return headOf(this.p);
  }

  private target(head = this.head) {
    return { owner: OWNER, repo: REPO, number: this.p.number, head, installationId: INSTALLATION_ID };
  }

  get check() {
    return this.env.world.check(this.p.number);
  }

  get statusComments() {
    return this.env.world.statusComments(this.p.number);
  }

  opened(): WebhookEvent {
    return Webhooks.pullRequest(this.target(), "opened");
  }

  push(commit: WorldCommit): WebhookEvent {
    this.p.commits.push(commit);
    return Webhooks.pullRequest(this.target(), "synchronize");
  }

  /** A `synchronize` payload for an older head (as a late, out-of-order delivery would carry). */
  staleSynchronize(head: string): WebhookEvent {
    return Webhooks.pullRequest(this.target(head), "synchronize");
  }

  review(login: string, state: WorldReview["state"] = "APPROVED", more: Partial<WorldReview> = {}): WebhookEvent {
    const id = 100_000 + Math.floor(Math.random() * 800_000);
    this.p.reviews.push({ id, login, state, commit: this.head, submittedAt: new Date().toISOString(), ...more });
    return Webhooks.review(this.target(), "submitted", { login, state, commit: this.head });
  }

  comment(login: string, body: string): WebhookEvent {
    const id = 100_000 + Math.floor(Math.random() * 800_000);
    this.p.comments.push({ id, login, body, createdAt: new Date().toISOString() });
    return Webhooks.comment(this.target(), "created", { login, body, id });
  }

  label(name: string, by = "carol"): WebhookEvent {
    if (!this.p.labels.includes(name)) this.p.labels.push(name);
    return Webhooks.pullRequest(this.target(), "labeled", { label: name, sender: by });
  }

  merge(by = "carol"): WebhookEvent {
    this.p.merged = true;
    this.p.mergedBy = by;
    this.p.state = "MERGED";
    return Webhooks.pullRequest(this.target(), "merged", { merged: true, sender: by });
  }

  /** The webhook of an action that changes nothing in the world (what redeliveries and no-op actions look like). */
  noop(kind: "opened" | "synchronize" | "labeled" | "review" | "comment" | "rerun" | "check_suite"): WebhookEvent {
    const t = this.target();
    switch (kind) {
      case "opened":
      case "synchronize":
        return Webhooks.pullRequest(t, kind);
      case "labeled":
        return Webhooks.pullRequest(t, "labeled", { label: this.p.labels[0] ?? "triage", sender: "carol" });
      case "review":
        return Webhooks.review(t, "submitted", { login: "carol", state: "COMMENTED" });
      case "comment":
        return Webhooks.comment(t, "created", { login: "dave", body: "thanks" });
      case "check_suite":
        return Webhooks.checkSuite(t, "requested");
      default:
        return this.rerun();
    }
  }

  rerun(): WebhookEvent {
    return Webhooks.checkRunRerequested(this.target(), [this.p.number], APP_ID);
  }
}

export { headOf, human, pull };

/**
 * Sends events with at most `concurrency` in flight. With several replicas, event i goes to replica
 * i mod replicas: the events of one pull request are sprayed across them, as a load balancer would.
 */
export async function sendAll(e: Env, events: { event: WebhookEvent; pr: number }[], concurrency = 16): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < events.length) {
      const i = next++;
      const item = events[i];
      if (item) await e.send(item.event, item.pr, { replica: i % e.apps.length });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, events.length) }, worker));
}

/** A deterministic shuffle (a fixed seed: the same interleaving on every run). */
export function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** The pull request queries the double answered (one per evaluation). */
export const mainQueries = (e: Env, pr: number) => e.double.apiRequests(pr).filter((r) => r.operation === "countersignPullRequest").length;
/** Every write the double received (for one pull request). */
/** REST writes and GraphQL mutations (`fields` names the mutations in one). */
export const writesOf = (e: Env, pr?: number) => e.double.apiRequests(pr).filter((r) => r.method !== "GET" && (r.operation === undefined || r.mutation === true));

/** The kinds of pull request in the interleaved scenarios (by number, round-robin). */
export const SCENARIO_KINDS = ["human", "approved", "operator-only", "stale-then-comment"] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];
export const scenarioKind = (n: number): ScenarioKind => SCENARIO_KINDS[(n - 1) % SCENARIO_KINDS.length] ?? "human";

/** N pull requests: human ones by @bob, AI-authored ones operated by @alice. */
export function scenarioPulls(n: number): PullState[] {
  return Array.from({ length: n }, (_, i) => {
    const human = scenarioKind(i + 1) === "human";
    return pull(i + 1, { commits: human ? [humanCommit("bob")] : [aiCommit("alice")], author: { login: human ? "bob" : "alice", type: "User", id: 1001 } });
  });
}

/**
 * Three waves of events for the scenario's pull requests, changing the world as they are built:
 * every PR opened and redelivered; reviews, pushes followed by the stale synchronize of the head
 * they replaced, labels; comments, and a pinned `/countersign` where an approval went stale.
 */
export function scenarioWaves(prs: PullHandle[]): { event: WebhookEvent; pr: number }[][] {
  const wave1 = prs.flatMap((pr) => {
    const opened = pr.opened();
    return [
      { event: opened, pr: pr.number },
      { event: opened, pr: pr.number },
    ];
  });
  const wave2 = prs.flatMap((pr) => {
    const out: { event: WebhookEvent; pr: number }[] = [];
    const kind = scenarioKind(pr.number);
    if (kind === "approved") out.push({ event: pr.review("carol"), pr: pr.number });
    if (kind === "operator-only") out.push({ event: pr.review("alice"), pr: pr.number });
    if (kind === "stale-then-comment" || kind === "human") {
      if (kind === "stale-then-comment") out.push({ event: pr.review("carol"), pr: pr.number });
      const old = pr.head;
      out.push({ event: pr.push(kind === "human" ? humanCommit("bob") : aiCommit("alice")), pr: pr.number });
      out.push({ event: pr.staleSynchronize(old), pr: pr.number });
    }
    out.push({ event: pr.label("triage"), pr: pr.number });
    return out;
  });
  const wave3 = prs.flatMap((pr) => {
    const out = [{ event: pr.comment("dave", "Thanks for this!"), pr: pr.number }];
    if (scenarioKind(pr.number) === "stale-then-comment") out.push({ event: pr.comment("erin", `/countersign ${pr.head.slice(0, 7)}`), pr: pr.number });
    return out;
  });
  return [wave1, wave2, wave3];
}

/** For one test file: starts environments, and stops every one of them after the file's tests. */
export function envsForFile(): (options: EnvOptions) => Promise<Env> {
  const started = new Set<Env>();
  afterAll(async () => {
    await Promise.allSettled([...started].map((e) => e.stop()));
  });
  return async (options) => {
    const e = await Env.start(options);
    started.add(e);
    return e;
  };
}
