/**
 * The whole handler, fuzzed: `probot.receive` with the app loaded, GitHub played by the nock double of
 * test/app/harness.ts. Arbitrary commit messages, comment and review bodies, PR bodies, labels and
 * config files (YAML-ish text), and webhook payloads mutated at arbitrary paths: the handler never
 * throws, never logs a crash, and every evaluation ends in exactly one `decision` with a conclusion.
 */
import nock from "nock";
import { afterEach, describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import type { Probot } from "probot";
import { MemoryBuckets, Pacer, realClock, type BudgetName, type Budget } from "../../src/github/pacing.js";
import { Events, GitHubDouble, human, makeProbot, nextSha, OWNER, pushEvent, REPO, world, commentEvent, type CapturedLogs, type World, type WebhookEvent } from "../app/harness.js";
import { example } from "../support/webhooks.js";

afterEach(() => {
  nock.cleanAll();
});

const CONCLUSIONS = ["success", "action_required", "failure", "neutral"];
/** Crashes: countersign's own crash events, and errors escaping a handler (Probot logs those, at error level, with no `event`). */
const crashes = (logs: CapturedLogs, from: number) => logs.lines.slice(from).filter((l) => l.event === "evaluation_crashed" || l.event === "push_check_crashed" || (typeof l.level === "number" && l.level >= 50 && l.event === undefined));

const pieces = (list: readonly string[]) => fc.array(fc.oneof(fc.constantFrom(...list), fc.string({ unit: "binary", maxLength: 16 })), { maxLength: 24 }).map((p) => p.join(""));
const message = pieces(["Fix it\n\n", "Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>", "Co-authored-by: Bob <bob@example.com>", "Assisted-by: Copilot", "\n", ": ", "🤖 Generated with [Claude Code](https://claude.com/claude-code)", "Signed-off-by: A <a@b.c>"]);
const body = pieces(["/countersign", "/approve", " revoke", " status", " override ", "\n", "```", "> ", "<!-- countersign:status -->", "@alice", "<!-- START COPILOT CODING AGENT SUFFIX -->"]);
const configText = fc.oneof(
  fc.constant(undefined),
  pieces(["mode: observe\n", "required_approvals: 2\n", "required_approvals: 0\n", "enabled: false\n", "labels:\n  enabled: false\n", "commands:\n  words: [ok]\n", "check_name: gate\n", "detection:\n  labels: [bug]\n", "min_permission: read\n", "_extends: .github\n", "{", "[", ": ", "\n", "&a x\n", "*a\n"]),
);
const login = fc.constantFrom("alice", "carol", "dave", "Copilot", "renovate", "ALICE");

const worldArb: fc.Arbitrary<World> = fc
  .record({
    messages: fc.array(message, { minLength: 1, maxLength: 3 }),
    prBody: body,
    labels: fc.array(fc.oneof(fc.constantFrom("ai-generated", "ai-authored", "bug"), fc.string({ maxLength: 20 })), { maxLength: 3 }),
    comments: fc.array(fc.tuple(login, body, fc.boolean()), { maxLength: 4 }),
    reviews: fc.array(fc.tuple(login, fc.constantFrom("APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING") as fc.Arbitrary<"APPROVED">, body, fc.boolean()), { maxLength: 3 }),
    config: configText,
    orgConfig: configText,
  })
  .map((g) => {
    const commits = g.messages.map((m) => ({ sha: nextSha(), message: m, author: human("alice") }));
    const head = commits[commits.length - 1]?.sha ?? "";
    return world({
      commits,
      body: g.prBody,
      labels: [...new Set(g.labels)],
      comments: g.comments.map(([l, b, edited], i) => ({ id: 500 + i, login: l, type: l === "renovate" || l === "Copilot" ? ("Bot" as const) : ("User" as const), body: b, createdAt: `2026-11-26T12:${String(10 + i).padStart(2, "0")}:00Z`, ...(edited ? { lastEditedAt: "2026-11-26T12:59:00Z", editor: "mallory", history: [{ editor: l, editedAt: "2026-11-26T12:10:00Z", text: "/countersign" }] } : {}) })),
      reviews: g.reviews.map(([l, state, b, onHead], i) => ({ id: 800 + i, login: l, type: l === "renovate" || l === "Copilot" ? ("Bot" as const) : ("User" as const), state, commit: onHead ? head : nextSha(), submittedAt: `2026-11-26T12:${String(20 + i).padStart(2, "0")}:00Z`, body: b })),
      permissions: { carol: "write", dave: "read", alice: "admin" },
      ...(g.config === undefined ? {} : { config: g.config }),
      ...(g.orgConfig === undefined ? {} : { orgConfig: g.orgConfig }),
    });
  });

const UNLIMITED_BUDGETS: Record<BudgetName, Budget> = {
  rest: { points: 1e9, windowMs: 1 },
  graphql: { points: 1e9, windowMs: 1 },
  content: { points: 1e9, windowMs: 1 },
  contentHourly: { points: 1e9, windowMs: 1 },
};

let shared: { probot: Probot; logs: CapturedLogs } | undefined;
async function app() {
  // Thousands of evaluations through one app: GitHub's content budget (80 comments a minute) would
  // pace them for minutes; pacing has its own tests (test/github/pacing.test.ts).
  shared ??= await makeProbot({ pacer: new Pacer(new MemoryBuckets(), realClock, UNLIMITED_BUDGETS) });
  return shared;
}

describe("the handler never throws", () => {
  it("on arbitrary commits, comments, reviews, PR bodies, labels and config files: one decision per evaluation", async () => {
    const { probot, logs } = await app();
    await fc.assert(
      fc.asyncProperty(worldArb, fc.constantFrom("opened", "comment", "review", "rerun"), async (w, kind) => {
        nock.cleanAll();
        const gh = new GitHubDouble(w);
        const from = logs.lines.length;
        const event = kind === "comment" ? commentEvent(w) : kind === "review" ? Events.review(w, gh.head) : kind === "rerun" ? Events.checkRunRerequested(w, gh.head) : Events.pullRequest(w, gh.head);
        await probot.receive(event);
        const decisions = logs.lines.slice(from).filter((l) => l.event === "decision");
        expect(decisions).toHaveLength(1);
        expect(CONCLUSIONS).toContain(decisions[0]?.conclusion);
        expect(crashes(logs, from)).toEqual([]);
      }),
      { seed: 3101, numRuns: 120 },
    );
  });

  /** A real payload with arbitrary values written at arbitrary paths (and some paths deleted). */
  function mutatedEvent(name: string, action: string | undefined, w: World): fc.Arbitrary<WebhookEvent> {
    const base = name === "push" ? (pushEvent(nextSha(), w.commits[0]?.sha ?? nextSha(), [w.commits[0]?.sha ?? nextSha()]).payload as unknown as Record<string, unknown>) : example(name, action);
    if (name !== "push") {
      const repository = base.repository as Record<string, unknown>;
      repository.name = REPO;
      (repository.owner as Record<string, unknown>).login = OWNER;
      const pr = (base.pull_request ?? base.issue) as Record<string, unknown> | undefined;
      if (pr) pr.number = w.number;
      if (base.pull_request) ((base.pull_request as Record<string, unknown>).head as Record<string, unknown>).sha = w.commits[0]?.sha;
      if (base.issue) (base.issue as Record<string, unknown>).pull_request = { url: "x" };
    }
    const paths: string[][] = [];
    const walk = (v: unknown, path: string[]) => {
      if (path.length > 3 || v === null || typeof v !== "object") return;
      for (const [k, child] of Object.entries(v)) {
        if (k === "installation") continue;
        paths.push([...path, k]);
        walk(child, [...path, k]);
      }
    };
    walk(base, []);
    const edit = fc.record({ path: fc.constantFrom(...paths), value: fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.constantFrom(0, -7, 7, 1.5, "", "0".repeat(40), "main", "refs/heads/main", null, [], {}, true)) });
    return fc.array(edit, { maxLength: 5 }).map((edits) => {
      const payload = structuredClone(base);
      for (const { path, value } of edits) {
        let node: Record<string, unknown> | undefined = payload;
        for (const k of path.slice(0, -1)) node = node && typeof node[k] === "object" && node[k] !== null ? (node[k] as Record<string, unknown>) : undefined;
        const last = path[path.length - 1];
        if (!node || last === undefined) continue;
        if (value === undefined) Reflect.deleteProperty(node, last);
        else node[last] = value;
      }
      return { id: `fuzz-${Math.random()}`, name, payload } as unknown as WebhookEvent;
    });
  }

  const events: [string, string | undefined][] = [
    ["pull_request", "opened"],
    ["pull_request", "synchronize"],
    ["pull_request", "closed"],
    ["pull_request", "labeled"],
    ["pull_request_review", "submitted"],
    ["pull_request_review", "dismissed"],
    ["issue_comment", "created"],
    ["issue_comment", "deleted"],
    ["check_run", "rerequested"],
    ["check_suite", "requested"],
    ["push", undefined],
  ];

  it("on webhook payloads of every subscribed event, mutated at arbitrary paths", async () => {
    const { probot, logs } = await app();
    const w = world({ commits: [{ sha: nextSha(), message: "Fix a typo\n", author: human("alice") }], branchCommits: {} });
    const arb = fc.oneof(...events.map(([name, action]) => mutatedEvent(name, action, w)));
    await fc.assert(
      fc.asyncProperty(arb, async (event) => {
        nock.cleanAll();
        new GitHubDouble(structuredClone(w));
        const from = logs.lines.length;
        await probot.receive(event);
        expect(crashes(logs, from)).toEqual([]);
        for (const d of logs.lines.slice(from).filter((l) => l.event === "decision")) expect(CONCLUSIONS).toContain(d.conclusion);
      }),
      { seed: 3201, numRuns: 250 },
    );
  });
});
