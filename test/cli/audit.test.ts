import { afterEach, describe, expect, it } from "@jest/globals";
import { validate } from "@octokit/graphql-schema";
import nock from "nock";
import { AUDIT_QUERIES, audit, csvField, outcomeOf, type AuditRecord } from "../../src/cli/audit.js";
import { main } from "../../src/cli/main.js";
import { bufferIo } from "../helpers/git.js";

const API = "https://api.github.com";
const ENV = { GITHUB_TOKEN: "test-token" };
const NOW = new Date("2024-06-01T12:00:00Z");
const CONFIG = "/contents/.github%2Fcountersign.yml";

// --- A small world of merged pull requests, as GitHub's GraphQL API answers them ---

interface RunSpec {
  readonly conclusion: string | null;
  readonly title: string;
  readonly slug?: string;
  readonly status?: string;
}

interface PrSpec {
  readonly number: number;
  readonly title?: string;
  readonly ai?: boolean;
  readonly author?: string;
  readonly mergedAt?: string;
  readonly mergedBy?: string | null;
  readonly labels?: readonly string[];
  readonly runs?: readonly RunSpec[];
  readonly commits?: { readonly totalCount: number; readonly nodes: readonly unknown[]; readonly next?: string };
  readonly suitesNext?: string;
}

const actor = (name: string, login: string | null) => ({ name, email: `${name}@example.com`, user: login ? { login, databaseId: 1000 + login.length } : null });

function commit(sha: string, ai: boolean, login = "alice") {
  const message = ai ? `Add retries\n\nCo-Authored-By: Claude <noreply@anthropic.com>` : "Fix a typo";
  return { commit: { oid: sha, message, author: actor(login, login), committer: actor(login, login), authors: { nodes: [actor(login, login)] } } };
}

const sha = (n: number) => n.toString(16).padStart(40, "0");

function prNode(spec: PrSpec) {
  const head = sha(spec.number);
  const author = spec.author ?? "alice";
  let runId = spec.number * 10;
  return {
    __typename: "PullRequest",
    number: spec.number,
    title: spec.title ?? `Change ${spec.number}`,
    url: `https://github.com/octo/api/pull/${spec.number}`,
    mergedAt: spec.mergedAt ?? "2024-05-10T09:30:00Z",
    mergedBy: spec.mergedBy === null ? null : { login: spec.mergedBy ?? "maintainer" },
    author: { __typename: "User", login: author, databaseId: 7 },
    body: "",
    headRefOid: head,
    labels: { nodes: (spec.labels ?? []).map((name) => ({ name })) },
    timelineItems: { nodes: [] },
    headCommit: {
      nodes: [
        {
          commit: {
            oid: head,
            checkSuites: {
              pageInfo: { hasNextPage: spec.suitesNext !== undefined, endCursor: spec.suitesNext ?? null },
              nodes: (spec.runs ?? []).map((r) => ({
                app: { slug: r.slug ?? "countersign" },
                checkRuns: { nodes: [{ databaseId: runId++, name: "countersign", status: r.status ?? "COMPLETED", conclusion: r.conclusion, title: r.title, summary: "…" }] },
              })),
            },
          },
        },
      ],
    },
    commits: {
      totalCount: spec.commits?.totalCount ?? 1,
      pageInfo: { hasNextPage: spec.commits?.next !== undefined, endCursor: spec.commits?.next ?? null },
      nodes: spec.commits?.nodes ?? [commit(head, spec.ai ?? false, author)],
    },
  };
}

function searchPage(nodes: readonly unknown[], issueCount: number, next?: string) {
  return { data: { search: { issueCount, pageInfo: { hasNextPage: next !== undefined, endCursor: next ?? null }, nodes } } };
}

interface GraphqlCall {
  readonly operation: string;
  readonly variables: Record<string, unknown>;
}

/**
 * GraphQL answered by `answer` (one reply per request, in order of `replies` when it is a list), recording
 * each request's operation and variables.
 */
function graphql(replies: ((call: GraphqlCall) => unknown) | unknown[], { times = 1, base = API, path = "/graphql" } = {}) {
  const calls: GraphqlCall[] = [];
  const queue = Array.isArray(replies) ? [...replies] : null;
  const count = queue ? queue.length : times;
  const scope = nock(base)
    .post(path)
    .times(count)
    .reply(200, (_uri, body) => {
      const { query, variables } = body as { query: string; variables: Record<string, unknown> };
      const call = { operation: /query (\w+)/.exec(query)?.[1] ?? "?", variables };
      calls.push(call);
      return queue ? queue.shift() : (replies as (c: GraphqlCall) => unknown)(call);
    });
  return { scope, calls };
}

/** The REST reads before the search: the repository, then its config (none) and the organisation's (none). */
function repository(base = API, prefix = "") {
  return nock(base)
    .get(`${prefix}/repos/octo/api`)
    .reply(200, { default_branch: "main", owner: { login: "octo", type: "Organization" } })
    .get(`${prefix}/repos/octo/api${CONFIG}`)
    .reply(404, { message: "Not Found" })
    .get(`${prefix}/repos/octo/.github${CONFIG}`)
    .reply(404, { message: "Not Found" });
}

async function run(argv: readonly string[], options: { tty?: boolean; env?: Record<string, string> } = {}) {
  const io = bufferIo();
  const code = await audit(argv, io, { env: options.env ?? ENV, now: NOW, stderrIsTTY: options.tty ?? false });
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** Through `main`, as the binary runs it (exit codes of usage errors), with `env` as the process environment. */
async function runMain(argv: readonly string[], env: Record<string, string | undefined> = ENV) {
  const saved = { GITHUB_TOKEN: process.env.GITHUB_TOKEN, GITHUB_API_URL: process.env.GITHUB_API_URL };
  process.env.GITHUB_TOKEN = env.GITHUB_TOKEN;
  if (env.GITHUB_TOKEN === undefined) delete process.env.GITHUB_TOKEN;
  delete process.env.GITHUB_API_URL;
  try {
    const io = bufferIo();
    const code = await main(argv, io);
    return { code, stdout: io.stdout(), stderr: io.stderr() };
  } finally {
    if (saved.GITHUB_TOKEN === undefined) delete process.env.GITHUB_TOKEN;
    else process.env.GITHUB_TOKEN = saved.GITHUB_TOKEN;
    if (saved.GITHUB_API_URL === undefined) delete process.env.GITHUB_API_URL;
    else process.env.GITHUB_API_URL = saved.GITHUB_API_URL;
  }
}

afterEach(() => {
  nock.cleanAll();
});

const WINDOW = ["--since", "2024-05-01", "--until", "2024-05-31"];
const Q = "repo:octo/api is:pr is:merged merged:2024-05-01T00:00:00Z..2024-05-31T23:59:59Z";

describe("countersign audit: its GraphQL documents", () => {
  it.each(Object.entries(AUDIT_QUERIES))("%s is valid against GitHub's schema", (_name, query) => {
    expect(validate(query)).toEqual([]);
  });
});

describe("countersign audit: reading GitHub", () => {
  it("pages the search 100 at a time across 3 pages (250 merged PRs), showing progress on a TTY only", async () => {
    const all = Array.from({ length: 250 }, (_, i) => prNode({ number: i + 1, ai: (i + 1) % 50 === 0, runs: [{ conclusion: "SUCCESS", title: "Countersigned by @bob" }] }));
    const pages = [searchPage(all.slice(0, 100), 250, "c1"), searchPage(all.slice(100, 200), 250, "c2"), searchPage(all.slice(200), 250)];

    for (const tty of [true, false]) {
      const rest = repository();
      const { scope, calls } = graphql(pages);
      const result = await run([...WINDOW, "octo/api", "--format", "json"], { tty });
      expect(result.code).toBe(0);
      const records = JSON.parse(result.stdout) as AuditRecord[];
      expect(records.map((r) => r.number)).toEqual([50, 100, 150, 200, 250]);
      expect(calls).toEqual([
        { operation: "countersignAuditSearch", variables: { q: Q, after: null, checkName: "countersign" } },
        { operation: "countersignAuditSearch", variables: { q: Q, after: "c1", checkName: "countersign" } },
        { operation: "countersignAuditSearch", variables: { q: Q, after: "c2", checkName: "countersign" } },
      ]);
      expect(result.stderr).toBe(tty ? "\rfetched 100 merged PRs…\rfetched 200 merged PRs…\rfetched 250 merged PRs…\r\x1b[K" : "");
      expect(scope.isDone() && rest.isDone()).toBe(true);
    }
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("splits the window in halves while the search finds more than 1000, so nothing is dropped", async () => {
    repository();
    const { calls } = graphql(({ variables }) => {
      const q = String(variables.q);
      if (q.endsWith("2024-05-01T00:00:00Z..2024-05-02T23:59:59Z")) return searchPage([prNode({ number: 1, ai: true })], 1500, "ignored");
      if (q.endsWith("2024-05-01T00:00:00Z..2024-05-01T23:59:59Z")) return searchPage([prNode({ number: 1, ai: true, mergedAt: "2024-05-01T08:00:00Z" }), prNode({ number: 2, ai: true, mergedAt: "2024-05-01T09:00:00Z" })], 2);
      if (q.endsWith("2024-05-02T00:00:00Z..2024-05-02T23:59:59Z")) return searchPage([prNode({ number: 3, ai: true, mergedAt: "2024-05-02T10:00:00Z" })], 1);
      throw new Error(`unexpected search ${q}`);
    }, { times: 3 });
    const result = await run(["octo/api", "--since", "2024-05-01", "--until", "2024-05-02", "--format", "json"]);
    expect(result.code).toBe(0);
    expect(calls.map((c) => c.variables.q)).toEqual([
      "repo:octo/api is:pr is:merged merged:2024-05-01T00:00:00Z..2024-05-02T23:59:59Z",
      "repo:octo/api is:pr is:merged merged:2024-05-01T00:00:00Z..2024-05-01T23:59:59Z",
      "repo:octo/api is:pr is:merged merged:2024-05-02T00:00:00Z..2024-05-02T23:59:59Z",
    ]);
    expect((JSON.parse(result.stdout) as AuditRecord[]).map((r) => [r.number, r.merged_at])).toEqual([
      [1, "2024-05-01T08:00:00Z"],
      [2, "2024-05-01T09:00:00Z"],
      [3, "2024-05-02T10:00:00Z"],
    ]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("pages the commits of a PR with more than 100, and the head's check suites until the app's run is found", async () => {
    repository();
    const first = Array.from({ length: 100 }, (_, i) => commit(sha(1000 + i), false));
    const big = prNode({ number: 7, commits: { totalCount: 150, nodes: first, next: "k1" }, suitesNext: "s1", runs: [{ conclusion: "SUCCESS", title: "CI passed", slug: "github-actions" }] });
    const rest = Array.from({ length: 50 }, (_, i) => commit(sha(2000 + i), i === 49));
    const { calls } = graphql([
      searchPage([big], 1),
      { data: { repository: { pullRequest: { commits: { totalCount: 150, pageInfo: { hasNextPage: false, endCursor: "k2" }, nodes: rest } } } } },
      {
        data: {
          repository: {
            object: {
              checkSuites: {
                pageInfo: { hasNextPage: false, endCursor: "s2" },
                nodes: [{ app: { slug: "countersign" }, checkRuns: { nodes: [{ databaseId: 9, name: "countersign", status: "COMPLETED", conclusion: "SUCCESS", title: "Countersigned by @dave", summary: "" }] } }],
              },
            },
          },
        },
      },
    ]);
    const result = await run([...WINDOW, "octo/api", "--format", "json"]);
    expect(calls).toEqual([
      { operation: "countersignAuditSearch", variables: { q: Q, after: null, checkName: "countersign" } },
      { operation: "countersignAuditCommits", variables: { owner: "octo", repo: "api", number: 7, after: "k1" } },
      { operation: "countersignAuditCheckSuites", variables: { owner: "octo", repo: "api", oid: sha(7), after: "s1", checkName: "countersign" } },
    ]);
    const [record] = JSON.parse(result.stdout) as AuditRecord[];
    expect(record).toMatchObject({ number: 7, tools: ["Claude Code"], operators: ["alice"], outcome: "countersigned", countersigners: ["dave"], note: null });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("reads GitHub Enterprise at GITHUB_API_URL (REST under /api/v3, GraphQL at /api/graphql)", async () => {
    const GHE = "https://ghe.example.com";
    repository(GHE, "/api/v3");
    const { calls } = graphql([searchPage([prNode({ number: 5, ai: true, runs: [{ conclusion: "SUCCESS", title: "Countersigned by @bob" }] })], 1)], { base: GHE, path: "/api/graphql" });
    const result = await run([...WINDOW, "octo/api", "--format", "csv"], { env: { ...ENV, GITHUB_API_URL: `${GHE}/api/v3/` } });
    expect(result.code).toBe(0);
    expect(calls).toHaveLength(1);
    expect(result.stdout.split("\r\n")[1]).toMatch(/^5,Change 5,/);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("uses the repository's detection config and check_name, as the app does", async () => {
    nock(API)
      .get("/repos/octo/api")
      .reply(200, { default_branch: "main", owner: { login: "octo", type: "Organization" } })
      .get(`/repos/octo/api${CONFIG}`)
      .reply(200, "check_name: ai-gate\ndetection:\n  identities:\n    - email: robot@acme.example\n      tool: Acme Agent\n", { "content-type": "application/vnd.github.raw; charset=utf-8" });
    const node = prNode({ number: 9, commits: { totalCount: 1, nodes: [{ commit: { oid: sha(9), message: "Tidy", author: { name: "Robot", email: "robot@acme.example", user: null }, committer: actor("alice", "alice"), authors: { nodes: [] } } }] } });
    const { calls } = graphql([searchPage([node], 1)]);
    const result = await run([...WINDOW, "octo/api", "--format", "json"]);
    expect(calls[0]?.variables.checkName).toBe("ai-gate");
    expect(JSON.parse(result.stdout)).toEqual([expect.objectContaining({ number: 9, tools: ["Acme Agent"], outcome: "bypassed", missing: "no ai-gate check on the merged head" })]);
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe("countersign audit: warnings go to stderr, the report still comes", () => {
  it("an invalid config: the built-in detection rules are used", async () => {
    nock(API)
      .get("/repos/octo/api")
      .reply(200, { default_branch: "main", owner: { login: "octo", type: "Organization" } })
      .get(`/repos/octo/api${CONFIG}`)
      .reply(200, "required_approvals: 0\n", { "content-type": "application/octet-stream" });
    graphql([searchPage([prNode({ number: 1, ai: true, runs: [{ conclusion: "SUCCESS", title: "Countersigned by @bob" }] })], 1)]);
    const result = await run([...WINDOW, "octo/api", "--format", "json"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("countersign: audit: warning: octo/api's .github/countersign.yml is invalid (required_approvals: required_approvals must be at least 1 (use mode: observe to stop enforcing)); using the built-in detection rules\n");
    expect((JSON.parse(result.stdout) as AuditRecord[]).map((r) => r.outcome)).toEqual(["countersigned"]);
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe("countersign audit: outcomes and formats", () => {
  const world = () => [
    prNode({ number: 101, title: 'Add retries, "safely"', labels: ["risk: high", "ai-authored"], mergedAt: "2024-05-02T10:00:00Z", mergedBy: "carol", ai: true, runs: [{ conclusion: "SUCCESS", title: "Countersigned by @bob and @dave" }] }),
    prNode({ number: 102, title: "Hotfix the login page", mergedAt: "2024-05-03T11:15:00Z", ai: true, runs: [{ conclusion: "SUCCESS", title: "Overridden by @lead: outage INC-42, reviewed after merge" }] }),
    prNode({ number: 103, title: "Bump the parser", labels: ["countersign: bypassed"], mergedAt: "2024-05-04T12:00:00Z", mergedBy: "alice", ai: true, runs: [{ conclusion: "ACTION_REQUIRED", title: "Needs 1 more approval from someone other than @alice" }] }),
    // A status of the same name from another app does not count.
    prNode({ number: 104, title: "Refactor the cache", mergedAt: "2024-05-05T08:00:00Z", mergedBy: null, ai: true, runs: [{ conclusion: "SUCCESS", title: "Countersigned by @mallory", slug: "impostor" }] }),
    prNode({ number: 105, title: "Human work", mergedAt: "2024-05-06T08:00:00Z", ai: false, runs: [{ conclusion: "SUCCESS", title: "No AI-authored changes detected" }] }),
    prNode({ number: 106, title: "Docs", mergedAt: "2024-05-07T08:00:00Z", ai: true, runs: [{ conclusion: "SUCCESS", title: "No AI-authored changes detected" }] }),
  ];

  async function audited(format: string) {
    repository();
    graphql([searchPage(world(), 6)]);
    const result = await run([...WINDOW, "octo/api", ...(format === "" ? [] : ["--format", format])]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(nock.pendingMocks()).toEqual([]);
    return result.stdout;
  }

  it("table (the default): aligned columns, then a summary", async () => {
    expect((await audited("")).split("\n")).toEqual([
      "PR    MERGED (UTC)      MERGED BY    TIER  TOOLS        OPERATORS  TITLE                  OUTCOME",
      "#101  2024-05-02 10:00  @carol       high  Claude Code  @alice     Add retries, \"safely\"  countersigned by @bob, @dave",
      "#102  2024-05-03 11:15  @maintainer  -     Claude Code  @alice     Hotfix the login page  override by @lead: outage INC-42, reviewed after merge",
      "#103  2024-05-04 12:00  @alice       -     Claude Code  @alice     Bump the parser        bypassed: Needs 1 more approval from someone other than @alice (labelled 'countersign: bypassed')",
      "#104  2024-05-05 08:00  -            -     Claude Code  @alice     Refactor the cache     bypassed: no countersign check on the merged head",
      "#106  2024-05-07 08:00  @maintainer  -     Claude Code  @alice     Docs                   bypassed: No AI-authored changes detected (the check disagreed: it found no AI-authored changes, countersign's detector finds some)",
      "",
      "5 AI-authored pull requests merged in octo/api from 2024-05-01T00:00:00Z to 2024-05-31T23:59:59Z (of 6 merged): 1 countersigned, 1 override, 3 bypassed",
      "",
    ]);
  });

  it("json: an array of records with stable snake_case fields; the human PR is not in it", async () => {
    const records = JSON.parse(await audited("json")) as AuditRecord[];
    expect(records.map((r) => r.number)).toEqual([101, 102, 103, 104, 106]);
    expect(records[0]).toEqual({
      number: 101,
      title: 'Add retries, "safely"',
      url: "https://github.com/octo/api/pull/101",
      author: "alice",
      merged_at: "2024-05-02T10:00:00Z",
      merged_by: "carol",
      head_sha: sha(101),
      tier: "high",
      tools: ["Claude Code"],
      operators: ["alice"],
      outcome: "countersigned",
      countersigners: ["bob", "dave"],
      override_by: null,
      override_reason: null,
      missing: null,
      note: null,
      check_conclusion: "success",
      check_title: "Countersigned by @bob and @dave",
    });
    expect(records[1]).toMatchObject({ outcome: "override", override_by: "lead", override_reason: "outage INC-42, reviewed after merge", countersigners: [], missing: null });
    expect(records[2]).toMatchObject({ outcome: "bypassed", missing: "Needs 1 more approval from someone other than @alice", check_conclusion: "action_required" });
    expect(records[3]).toMatchObject({ outcome: "bypassed", missing: "no countersign check on the merged head", merged_by: null, check_conclusion: null, check_title: null });
    expect(records[4]).toMatchObject({ outcome: "bypassed", missing: "No AI-authored changes detected", note: expect.stringContaining("the check disagreed") });
  });

  it("csv: RFC 4180, a header row, CRLF line ends, a title with a comma and a quote quoted", async () => {
    const csv = await audited("csv");
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe("number,title,url,author,merged_at,merged_by,head_sha,tier,tools,operators,outcome,countersigners,override_by,override_reason,missing,note,check_conclusion,check_title");
    expect(lines[1]).toBe(`101,"Add retries, ""safely""",https://github.com/octo/api/pull/101,alice,2024-05-02T10:00:00Z,carol,${sha(101)},high,Claude Code,alice,countersigned,bob; dave,,,,,success,Countersigned by @bob and @dave`);
    expect(lines[2]).toBe(`102,Hotfix the login page,https://github.com/octo/api/pull/102,alice,2024-05-03T11:15:00Z,maintainer,${sha(102)},,Claude Code,alice,override,,lead,"outage INC-42, reviewed after merge",,,success,Overridden by @lead: outage INC-42, reviewed after merge`.replace(
      "success,Overridden by @lead: outage INC-42, reviewed after merge",
      'success,"Overridden by @lead: outage INC-42, reviewed after merge"',
    ));
    expect(lines).toHaveLength(7); // header, 5 records, and the empty string after the last CRLF
    expect(lines[6]).toBe("");
    expect(csvField('a "b"\nc')).toBe('"a ""b""\nc"');
    expect(csvField("plain")).toBe("plain");
  });

  it("an empty window: the table is just the summary; json is []; csv is the header", async () => {
    for (const [format, expected] of [
      ["table", "0 AI-authored pull requests merged in octo/api from 2024-05-01T00:00:00Z to 2024-05-31T23:59:59Z (of 0 merged): 0 countersigned, 0 override, 0 bypassed\n"],
      ["json", "[]\n"],
      ["csv", "number,title,url,author,merged_at,merged_by,head_sha,tier,tools,operators,outcome,countersigners,override_by,override_reason,missing,note,check_conclusion,check_title\r\n"],
    ] as const) {
      repository();
      graphql([searchPage([], 0)]);
      expect((await run([...WINDOW, "octo/api", "--format", format])).stdout).toBe(expected);
    }
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("defaults to the last 30 days up to now", async () => {
    repository();
    const { calls } = graphql([searchPage([], 0)]);
    await run(["octo/api"]);
    expect(calls[0]?.variables.q).toBe("repo:octo/api is:pr is:merged merged:2024-05-02T12:00:00Z..2024-06-01T12:00:00Z");
  });

  it("reads an outcome from the check run alone", () => {
    expect(outcomeOf({ status: "completed", conclusion: "success", title: "Countersigned by @a, @b and @c" }, [], "countersign")).toMatchObject({ outcome: "countersigned", countersigners: ["a", "b", "c"] });
    expect(outcomeOf({ status: "in_progress", conclusion: null, title: null }, [], "countersign")).toMatchObject({ outcome: "bypassed", missing: "the check was in_progress when the PR merged" });
    expect(outcomeOf({ status: "completed", conclusion: "neutral", title: "[observe] Needs 1 more approval from a human reviewer" }, [], "countersign")).toMatchObject({ outcome: "bypassed", missing: "[observe] Needs 1 more approval from a human reviewer" });
    expect(outcomeOf({ status: "completed", conclusion: "success", title: "Countersigned by @bob" }, ["Countersign: Bypassed"], "countersign")).toMatchObject({ outcome: "bypassed", countersigners: [], missing: "labelled 'countersign: bypassed'", note: "the check reads: Countersigned by @bob" });
    // Only a `success` passes, as in the app's own bypass detection; the label name follows labels.bypassed.
    expect(outcomeOf({ status: "completed", conclusion: "neutral", title: "Overridden by @lead: because" }, [], "countersign")).toMatchObject({ outcome: "bypassed", missing: "Overridden by @lead: because" });
    expect(outcomeOf({ status: "completed", conclusion: "success", title: "Overridden by @lead" }, [], "countersign")).toMatchObject({ outcome: "override", override_by: "lead", override_reason: null });
    expect(outcomeOf({ status: "completed", conclusion: "success", title: "Countersigned by @bob" }, ["gate: skipped"], "countersign", "gate: skipped")).toMatchObject({ outcome: "bypassed", missing: "labelled 'gate: skipped'" });
  });
});

describe("countersign audit: user errors exit 2 with one clear line", () => {
  it.each([
    [["audit", "octo/api"], {}, "countersign: audit: set GITHUB_TOKEN to a token with repo read access, e.g. `export GITHUB_TOKEN=$(gh auth token)`\n"],
    [["audit", "octo"], ENV, "countersign: audit: expected the repository as OWNER/REPO (e.g. octo-org/api), got 'octo' (see countersign audit --help)\n"],
    [["audit", "octo_corp/api"], ENV, "countersign: audit: expected the repository as OWNER/REPO (e.g. octo-org/api), got 'octo_corp/api' (see countersign audit --help)\n"],
    [["audit", "octo/api/pulls"], ENV, "countersign: audit: expected the repository as OWNER/REPO (e.g. octo-org/api), got 'octo/api/pulls' (see countersign audit --help)\n"],
    [["audit", "octo/api", "extra"], ENV, "countersign: audit: unexpected argument 'extra' (one repository per run; see countersign audit --help)\n"],
    [["audit"], ENV, "countersign: audit: which repository? give it as OWNER/REPO (see countersign audit --help)\n"],
    [["audit", "octo/api", "--since", "2024-13-01"], ENV, "countersign: audit: --since must be a date (YYYY-MM-DD) or an ISO 8601 time with a zone (e.g. 2024-05-01T09:00:00Z), got '2024-13-01' (see countersign audit --help)\n"],
    [["audit", "octo/api", "--until", "2024-05-01T10:00:00"], ENV, "countersign: audit: --until must be a date (YYYY-MM-DD) or an ISO 8601 time with a zone (e.g. 2024-05-01T09:00:00Z), got '2024-05-01T10:00:00' (see countersign audit --help)\n"],
    [["audit", "octo/api", "--since", "2024-06-01", "--until", "2024-05-01"], ENV, "countersign: audit: --since (2024-06-01T00:00:00Z) is after --until (2024-05-01T23:59:59Z)\n"],
    [["audit", "octo/api", "--format", "xml"], ENV, "countersign: audit: --format must be table, json or csv, got 'xml' (see countersign audit --help)\n"],
    [["audit", "octo/api", "--colour"], ENV, "countersign: audit: Unknown option '--colour' (see countersign audit --help)\n"],
  ])("%j", async (argv, env, message) => {
    const result = await runMain(argv, env as Record<string, string>);
    expect([result.code, result.stderr, result.stdout]).toEqual([2, message, ""]);
  });

  it("a repository that does not exist, or the token cannot see (404)", async () => {
    nock(API).get("/repos/octo/nope").reply(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
    const result = await runMain(["audit", "octo/nope"]);
    expect([result.code, result.stderr]).toEqual([
      2,
      "countersign: audit: repository octo/nope not found, or GITHUB_TOKEN cannot see it: check the spelling; for a private repository use a token that can read it (classic: the repo scope; fine-grained: this repository with Metadata: read), and authorize it for SAML single sign-on if the organisation uses it\n",
    ]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("a token GitHub rejects (401), and one without permission to read pull requests (403)", async () => {
    nock(API).get("/repos/octo/api").reply(401, { message: "Bad credentials" });
    expect((await runMain(["audit", "octo/api"])).stderr).toBe("countersign: audit: GitHub rejected GITHUB_TOKEN (401 Bad credentials): it is expired, revoked or mistyped; set GITHUB_TOKEN to a token with repo read access, e.g. `export GITHUB_TOKEN=$(gh auth token)`\n");

    repository();
    nock(API).post("/graphql").reply(403, { message: "Resource not accessible by personal access token" });
    const result = await runMain(["audit", "octo/api"]);
    expect([result.code, result.stderr]).toEqual([
      2,
      "countersign: audit: GitHub refused to show the merged pull requests (403 Resource not accessible by personal access token): the token needs read access to the repository's pull requests and checks (fine-grained: Pull requests: read, Contents: read)\n",
    ]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("a spent rate limit says when to retry", async () => {
    nock(API).get("/repos/octo/api").reply(403, { message: "API rate limit exceeded for user ID 1." }, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1717243200" });
    expect((await runMain(["audit", "octo/api"])).stderr).toBe("countersign: audit: GitHub's API rate limit for this token is used up (API rate limit exceeded for user ID 1.); try again after 2024-06-01T12:00:00Z\n");
  });

  it("prints its help", async () => {
    const result = await runMain(["audit", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: countersign audit OWNER/REPO [--since DATE] [--until DATE] [--format table|json|csv]");
  });
});
