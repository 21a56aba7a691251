/**
 * `countersign audit OWNER/REPO`: change-management evidence (SOC 2, ISO 27001) — every merged
 * AI-authored pull request in a window, with its operators and how the gate ended on the merged head:
 * countersigned (by whom), overridden (by whom, why) or bypassed (what was missing).
 *
 * Built from GitHub alone: one paged GraphQL search for the merged pull requests (the window is split
 * in halves while GitHub's search reports more than its 1000-result cap), the project's own detector
 * and operator rules over each PR's commits (so the report agrees with the app), and the app's own
 * check run on the merged head (only runs posted by the app count: anyone can post a status of the
 * same name).
 */

import { z } from "zod";
import { DEFAULT_DETECTION_CONFIG, createDetector, type CommitDetection, type Detector } from "../detection/detect.js";
import type { DetectionConfig } from "../detection/config.js";
import type { Account, CommitFact, GitActor, PullRequestFacts } from "../gate/facts.js";
import { asPerson, findOperators } from "../gate/operators.js";
import { onePositional, parseFlags, UsageError, type Io } from "./io.js";
import {
  AppSlugSchema,
  CONFIG_PATH,
  CheckNameSchema,
  DEFAULT_APP_SLUG,
  RepoArgSchema,
  createGitHub,
  failure,
  readConfig,
  readConfigText,
  readRepository,
  resolveCheckName,
  usage,
  type CommandOptions,
  type ConfigReading,
  type GitHub,
  type RepoRef,
} from "./github-client.js";

export const AUDIT_HELP = `Usage: countersign audit OWNER/REPO [--since DATE] [--until DATE] [--format table|json|csv]

Every merged AI-authored pull request in a window (by merge time), with its tier, tools, operators
and the gate's outcome on the merged head: countersigned (by whom), override (by whom, why) or
bypassed (what was missing). Evidence for change management (SOC 2, ISO 27001).

Options:
  --since DATE         start of the window: YYYY-MM-DD (00:00 UTC) or an ISO 8601 time with a zone
                       (default: 30 days before --until)
  --until DATE         end of the window, inclusive: YYYY-MM-DD (to 23:59:59 UTC) or an ISO 8601 time
                       (default: now)
  --format FORMAT      table (default), json (an array of objects) or csv (RFC 4180, with a header)
  --check-name NAME    the check run to read when the repository's config sets no check_name
                       (default: countersign)
  --app-slug SLUG      only check runs posted by this GitHub App count (default: countersign)
  -h, --help           this help

Environment: GITHUB_TOKEN (required; read access to the repository's pull requests and checks),
GITHUB_API_URL (GitHub Enterprise, e.g. https://ghe.example.com/api/v3).
Exit status: 0 ok; 2 bad usage, or GitHub could not be read.`;

/** The stable record of one merged AI-authored pull request (JSON field names; CSV columns in this order). */
export interface AuditRecord {
  number: number;
  title: string;
  url: string;
  author: string | null;
  merged_at: string;
  merged_by: string | null;
  head_sha: string;
  /** From the `risk: <level>` label; null without one. */
  tier: string | null;
  tools: string[];
  operators: string[];
  outcome: "countersigned" | "override" | "bypassed";
  countersigners: string[];
  override_by: string | null;
  override_reason: string | null;
  /** For `bypassed`: what was missing — the check's title, or that there was no check. */
  missing: string | null;
  note: string | null;
  check_conclusion: string | null;
  check_title: string | null;
}

export const AUDIT_FIELDS: readonly (keyof AuditRecord)[] = [
  "number",
  "title",
  "url",
  "author",
  "merged_at",
  "merged_by",
  "head_sha",
  "tier",
  "tools",
  "operators",
  "outcome",
  "countersigners",
  "override_by",
  "override_reason",
  "missing",
  "note",
  "check_conclusion",
  "check_title",
];

/** GitHub's search returns at most this many results for one query. */
export const SEARCH_CAP = 1000;
export const BYPASSED_LABEL = "countersign: bypassed";
const DEFAULT_DAYS = 30;

// --- The GraphQL documents (validated against GitHub's schema in test/cli/audit.test.ts) ---

const ACTOR = `name email user { login databaseId }`;
const COMMIT_FIELDS = `commit { oid message author { ${ACTOR} } committer { ${ACTOR} } authors(first: 20) { nodes { ${ACTOR} } } }`;
const SUITE_FIELDS = `app { slug } checkRuns(first: 20, filterBy: { checkName: $checkName }) { nodes { databaseId name status conclusion title summary } }`;

export const AUDIT_SEARCH_QUERY = /* GraphQL */ `
  query countersignAuditSearch($q: String!, $after: String, $checkName: String!) {
    search(type: ISSUE, query: $q, first: 100, after: $after) {
      issueCount
      pageInfo { hasNextPage endCursor }
      nodes {
        __typename
        ... on PullRequest {
          number
          title
          url
          mergedAt
          mergedBy { login }
          author { __typename login ... on User { databaseId } ... on Bot { databaseId } }
          body
          headRefOid
          labels(first: 100) { nodes { name } }
          timelineItems(itemTypes: [ASSIGNED_EVENT], first: 50) {
            nodes {
              ... on AssignedEvent {
                actor { login }
                assignee { __typename ... on User { login } ... on Bot { login } ... on Mannequin { login } }
              }
            }
          }
          headCommit: commits(last: 1) {
            nodes {
              commit {
                oid
                checkSuites(first: 20) {
                  pageInfo { hasNextPage endCursor }
                  nodes { ${SUITE_FIELDS} }
                }
              }
            }
          }
          commits(first: 100) {
            totalCount
            pageInfo { hasNextPage endCursor }
            nodes { ${COMMIT_FIELDS} }
          }
        }
      }
    }
  }
`;

/** The next 100 commits of a pull request with more than 100. */
export const AUDIT_COMMITS_QUERY = /* GraphQL */ `
  query countersignAuditCommits($owner: String!, $repo: String!, $number: Int!, $after: String!) {
    repository(owner: $owner, name: $repo) {
      pullRequest(number: $number) {
        commits(first: 100, after: $after) {
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { ${COMMIT_FIELDS} }
        }
      }
    }
  }
`;

/** The next check suites of a head commit with many (many workflows), when the app's was not among the first. */
export const AUDIT_CHECK_SUITES_QUERY = /* GraphQL */ `
  query countersignAuditCheckSuites($owner: String!, $repo: String!, $oid: GitObjectID!, $after: String!, $checkName: String!) {
    repository(owner: $owner, name: $repo) {
      object(oid: $oid) {
        ... on Commit {
          checkSuites(first: 100, after: $after) {
            pageInfo { hasNextPage endCursor }
            nodes { ${SUITE_FIELDS} }
          }
        }
      }
    }
  }
`;

export const AUDIT_QUERIES = { AUDIT_SEARCH_QUERY, AUDIT_COMMITS_QUERY, AUDIT_CHECK_SUITES_QUERY } as const;

// --- GitHub's answers, checked at the boundary ---

const PageInfo = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() });
const Actor = z.object({ name: z.string().nullable(), email: z.string().nullable(), user: z.object({ login: z.string(), databaseId: z.number().nullable().optional() }).nullable() }).nullable();
const CommitNode = z.object({
  commit: z.object({ oid: z.string(), message: z.string(), author: Actor, committer: Actor, authors: z.object({ nodes: z.array(Actor) }) }),
});
const Commits = z.object({ totalCount: z.number(), pageInfo: PageInfo, nodes: z.array(CommitNode.nullable()) });
const CheckRun = z.object({ databaseId: z.number(), name: z.string(), status: z.string(), conclusion: z.string().nullable(), title: z.string().nullable(), summary: z.string().nullable() });
const Suites = z.object({
  pageInfo: PageInfo,
  nodes: z.array(z.object({ app: z.object({ slug: z.string() }).nullable(), checkRuns: z.object({ nodes: z.array(CheckRun.nullable()) }).nullable() }).nullable()),
});
const PullRequestNode = z.object({
  __typename: z.literal("PullRequest"),
  number: z.number(),
  title: z.string(),
  url: z.string(),
  mergedAt: z.string().nullable(),
  mergedBy: z.object({ login: z.string() }).nullable(),
  author: z.object({ __typename: z.string(), login: z.string(), databaseId: z.number().nullable().optional() }).nullable(),
  body: z.string().nullable(),
  headRefOid: z.string(),
  labels: z.object({ nodes: z.array(z.object({ name: z.string() }).nullable()) }).nullable(),
  timelineItems: z.object({
    nodes: z.array(z.object({ actor: z.object({ login: z.string() }).nullable().optional(), assignee: z.object({ login: z.string().optional() }).nullable().optional() }).nullable()),
  }),
  headCommit: z.object({ nodes: z.array(z.object({ commit: z.object({ oid: z.string(), checkSuites: Suites.nullable() }) }).nullable()) }),
  commits: Commits,
});
type PullRequestNode = z.infer<typeof PullRequestNode>;
const SearchPage = z.object({
  search: z.object({ issueCount: z.number(), pageInfo: PageInfo, nodes: z.array(z.looseObject({ __typename: z.string() }).nullable()) }),
});
const CommitsPage = z.object({ repository: z.object({ pullRequest: z.object({ commits: Commits }).nullable() }).nullable() });
const SuitesPage = z.object({ repository: z.object({ object: z.object({ checkSuites: Suites.nullable().optional() }).nullable() }).nullable() });

type CheckRunData = z.infer<typeof CheckRun>;

function shape<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  throw new UsageError(`audit: GitHub's answer for ${what} was not in the expected shape (${first ? `${first.path.join(".")}: ${first.message}` : "unknown"})`);
}

// --- Arguments ---

interface AuditOptions {
  readonly ref: RepoRef;
  readonly since: Date;
  readonly until: Date;
  readonly format: "table" | "json" | "csv";
  readonly checkName: string | undefined;
  readonly appSlug: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DAY = z.iso.date();
const ISO_TIME = z.iso.datetime({ offset: true });

/** `YYYY-MM-DD` (start or inclusive end of that day, UTC) or a full ISO 8601 time with a zone. */
function dateSchema(flag: string, endOfDay: boolean) {
  return z.string().transform((value, ctx): Date => {
    const v = value.trim();
    if (ISO_DAY.safeParse(v).success) return new Date(`${v}T${endOfDay ? "23:59:59.999" : "00:00:00.000"}Z`);
    if (!DAY.test(v) && ISO_TIME.safeParse(v).success) return new Date(v);
    ctx.addIssue({ code: "custom", message: `${flag} must be a date (YYYY-MM-DD) or an ISO 8601 time with a zone (e.g. 2024-05-01T09:00:00Z), got '${value}'` });
    return z.NEVER;
  });
}

const FormatSchema = z.enum(["table", "json", "csv"], { error: (issue) => `--format must be table, json or csv, got '${String(issue.input)}'` });

const ArgsSchema = z.object({
  ref: RepoArgSchema,
  since: dateSchema("--since", false).optional(),
  until: dateSchema("--until", true).optional(),
  format: FormatSchema.default("table"),
  checkName: CheckNameSchema.optional(),
  appSlug: AppSlugSchema.default(DEFAULT_APP_SLUG),
});

function parse(argv: readonly string[], now: Date): AuditOptions | "help" {
  const parsed = parseFlags("audit", argv, {
        since: { type: "string" },
        until: { type: "string" },
        format: { type: "string" },
        "check-name": { type: "string" },
        "app-slug": { type: "string" },
        help: { type: "boolean", short: "h" },
      });
  const { values, positionals } = parsed;
  if (values.help) return "help";
  const repository = onePositional("audit", positionals);
  const result = ArgsSchema.safeParse({
    ref: repository,
    since: values.since,
    until: values.until,
    format: values.format,
    checkName: values["check-name"],
    appSlug: values["app-slug"],
  });
  if (!result.success) throw usage("audit", result.error);
  const until = result.data.until ?? now;
  const since = result.data.since ?? new Date(until.getTime() - DEFAULT_DAYS * 24 * 3600 * 1000);
  if (since.getTime() > until.getTime()) throw new UsageError(`audit: --since (${iso(since)}) is after --until (${iso(until)})`);
  return { ref: result.data.ref, since, until, format: result.data.format, checkName: result.data.checkName, appSlug: result.data.appSlug };
}

/** A time as GitHub's search syntax takes it: whole seconds, UTC. */
export const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, "Z");

// --- The gate's outcome, read from the app's check run on the merged head ---

export interface RunSeen {
  readonly status: string;
  readonly conclusion: string | null;
  readonly title: string | null;
}

const LOGIN = "[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}(?:\\[bot\\])?";
const COUNTERSIGNED = /^Countersigned by\s+(.*)$/s;
const OVERRIDDEN = new RegExp(`^Overridden by @(${LOGIN})(?::\\s*(.*))?$`, "s");
const NOT_AI_TITLE = "No AI-authored changes detected";

type Outcome = Pick<AuditRecord, "outcome" | "countersigners" | "override_by" | "override_reason" | "missing" | "note">;

/**
 * How the gate ended for an AI-authored pull request, from the app's latest check run on the merged
 * head (`null`: there was none) and the PR's labels. Never drops a PR: anything that is not a
 * recognisable countersignature or override is `bypassed`, with what was missing.
 */
export function outcomeOf(run: RunSeen | null, labels: readonly string[], checkName: string, bypassedLabel = BYPASSED_LABEL): Outcome {
  const none = { countersigners: [], override_by: null, override_reason: null, note: null };
  const labelled = labels.some((l) => l.trim().toLowerCase() === bypassedLabel.trim().toLowerCase());
  if (run === null) {
    return { ...none, outcome: "bypassed", missing: `no ${checkName} check on the merged head`, note: labelled ? `labelled '${bypassedLabel}'` : null };
  }
  const title = run.title ?? "";
  const conclusion = run.conclusion;
  // As the app's own bypass detection: only a `success` titled "Countersigned by" / "Overridden by" passed the gate.
  const override = conclusion === "success" ? OVERRIDDEN.exec(title) : null;
  const countersigned = conclusion === "success" ? COUNTERSIGNED.exec(title) : null;
  if (labelled) {
    // Whatever the check says, countersign marked the merge as going around the gate.
    if (conclusion === "success") return { ...none, outcome: "bypassed", missing: `labelled '${bypassedLabel}'`, note: title ? `the check reads: ${title}` : null };
    return { ...none, outcome: "bypassed", missing: title || describe(run), note: `labelled '${bypassedLabel}'` };
  }
  if (override) return { ...none, outcome: "override", override_by: override[1] ?? "", override_reason: (override[2] ?? "").trim() || null, missing: null };
  if (countersigned) {
    const logins = [...(countersigned[1] ?? "").matchAll(new RegExp(`@(${LOGIN})`, "g"))].map((m) => m[1] ?? "");
    return { ...none, outcome: "countersigned", countersigners: logins, missing: null, note: logins.length === 0 ? "the check passed, but its title names no countersigner" : null };
  }
  if (conclusion === "success" && title === NOT_AI_TITLE) {
    return { ...none, outcome: "bypassed", missing: title, note: "the check disagreed: it found no AI-authored changes, countersign's detector finds some" };
  }
  if (conclusion === "success") {
    return { ...none, outcome: "bypassed", missing: title || describe(run), note: "the check passed with a title countersign audit does not recognise as a countersignature or override" };
  }
  return { ...none, outcome: "bypassed", missing: title || describe(run) };
}

function describe(run: RunSeen): string {
  return run.conclusion === null ? `the check was ${run.status} when the PR merged` : `the check concluded ${run.conclusion}`;
}

/** The tier from a `risk: <level>` label. */
export function tierOf(labels: readonly string[]): string | null {
  for (const label of labels) {
    const m = /^\s*risk:\s*(\S.*?)\s*$/i.exec(label);
    if (m?.[1]) return m[1];
  }
  return null;
}

// --- Reading GitHub ---

interface Fetcher {
  readonly gh: GitHub;
  readonly ref: RepoRef;
  readonly checkName: string;
  readonly appSlug: string;
  readonly bypassedLabel: string;
  readonly detector: Detector;
  readonly progress: (fetched: number) => void;
  readonly warn: (message: string) => void;
}

interface Collected {
  readonly records: AuditRecord[];
  merged: number;
}

async function graphql(f: Fetcher, query: string, variables: Record<string, unknown>, what: string): Promise<unknown> {
  try {
    return await f.gh.octokit.graphql(query, variables);
  } catch (error) {
    throw failure("audit", f.gh, error, { what, needs: "read access to the repository's pull requests and checks (fine-grained: Pull requests: read, Contents: read)" });
  }
}

/** The window [since, until] in whole seconds, split in halves while the search finds more than it can list. */
async function collectWindow(f: Fetcher, since: number, until: number, out: Collected, seen: Set<number>): Promise<void> {
  const q = `repo:${f.ref.owner}/${f.ref.repo} is:pr is:merged merged:${iso(new Date(since * 1000))}..${iso(new Date(until * 1000))}`;
  let after: string | null = null;
  let listed = 0;
  let issueCount: number;
  for (;;) {
    const page: z.infer<typeof SearchPage> = shape(SearchPage, await graphql(f, AUDIT_SEARCH_QUERY, { q, after, checkName: f.checkName }, "merged pull requests"), "the search for merged pull requests");
    issueCount = page.search.issueCount;
    if (after === null && issueCount > SEARCH_CAP) {
      if (until <= since) throw new UsageError(`audit: GitHub's search finds ${issueCount} pull requests merged in the same second (${iso(new Date(since * 1000))}); it lists at most ${SEARCH_CAP}`);
      const mid = Math.floor((since + until) / 2);
      await collectWindow(f, since, mid, out, seen);
      await collectWindow(f, mid + 1, until, out, seen);
      return;
    }
    for (const raw of page.search.nodes) {
      if (raw === null || raw.__typename !== "PullRequest") continue;
      const node = shape(PullRequestNode, raw, "a merged pull request");
      listed++;
      if (seen.has(node.number)) continue;
      seen.add(node.number);
      out.merged++;
      const record = await recordOf(f, node, since, until);
      if (record) out.records.push(record);
    }
    f.progress(out.merged);
    if (!page.search.pageInfo.hasNextPage) break;
    after = page.search.pageInfo.endCursor;
    if (!after) throw new UsageError("audit: GitHub reported more search results but gave no cursor to fetch them");
  }
  if (listed < Math.min(issueCount, SEARCH_CAP)) f.warn(`GitHub's search counts ${issueCount} pull requests merged in ${q.split("merged:")[1] ?? ""} but listed ${listed}; the report may miss some (run it again, or narrow --since/--until)`);
}

const toActor = (a: z.infer<typeof Actor>): GitActor => ({ name: a?.name ?? "", email: a?.email ?? "", user: a?.user ? { login: a.user.login, id: a.user.databaseId ?? null } : null });

function toCommit(n: z.infer<typeof CommitNode>): CommitFact {
  return { sha: n.commit.oid, message: n.commit.message, author: toActor(n.commit.author), committer: toActor(n.commit.committer), authors: n.commit.authors.nodes.map(toActor) };
}

async function commitsOf(f: Fetcher, node: PullRequestNode): Promise<{ commits: CommitFact[]; complete: boolean }> {
  const nodes = [...node.commits.nodes];
  let page = node.commits;
  while (page.pageInfo.hasNextPage && page.pageInfo.endCursor) {
    const more = shape(CommitsPage, await graphql(f, AUDIT_COMMITS_QUERY, { owner: f.ref.owner, repo: f.ref.repo, number: node.number, after: page.pageInfo.endCursor }, `the commits of #${node.number}`), `the commits of #${node.number}`);
    const next = more.repository?.pullRequest?.commits;
    if (!next || next.nodes.length === 0) break;
    nodes.push(...next.nodes);
    page = next;
  }
  const commits = nodes.flatMap((n) => (n ? [toCommit(n)] : []));
  return { commits, complete: commits.length === node.commits.totalCount };
}

/** The app's latest run of the check on the merged head (paging the head's check suites if needed). */
async function runOf(f: Fetcher, node: PullRequestNode): Promise<CheckRunData | null> {
  const head = node.headCommit.nodes[0]?.commit;
  if (!head || head.oid !== node.headRefOid) return null;
  const runs: CheckRunData[] = [];
  const take = (suites: z.infer<typeof Suites>) => {
    for (const suite of suites.nodes) {
      if (suite?.app?.slug !== f.appSlug) continue;
      for (const run of suite.checkRuns?.nodes ?? []) if (run && run.name === f.checkName) runs.push(run);
    }
  };
  let suites = head.checkSuites;
  if (suites) take(suites);
  while (runs.length === 0 && suites?.pageInfo.hasNextPage && suites.pageInfo.endCursor) {
    const vars = { owner: f.ref.owner, repo: f.ref.repo, oid: head.oid, after: suites.pageInfo.endCursor, checkName: f.checkName };
    suites = shape(SuitesPage, await graphql(f, AUDIT_CHECK_SUITES_QUERY, vars, `the checks of #${node.number}`), `the checks of #${node.number}`).repository?.object?.checkSuites ?? null;
    if (suites) take(suites);
  }
  return runs.sort((a, b) => b.databaseId - a.databaseId)[0] ?? null;
}

async function recordOf(f: Fetcher, node: PullRequestNode, since: number, until: number): Promise<AuditRecord | null> {
  if (node.mergedAt === null) return null;
  const mergedAt = Date.parse(node.mergedAt) / 1000;
  if (!(mergedAt >= since && mergedAt <= until + 0.999)) return null;

  const labels = (node.labels?.nodes ?? []).flatMap((l) => (l ? [l.name] : []));
  const author: Account | null = node.author ? { login: node.author.login, type: node.author.__typename, id: node.author.databaseId ?? null } : null;
  const { commits, complete } = await commitsOf(f, node);
  const detected: { fact: CommitFact; detection: CommitDetection }[] = commits.map((fact) => ({
    fact,
    detection: f.detector.commit({ sha: fact.sha, message: fact.message, author: fact.author, committer: fact.committer }),
  }));
  const body = node.body ?? "";
  const pr = f.detector.pullRequest({ author: author ? asPerson(author) : {}, body, labels }, detected.map((c) => c.detection));
  if (!pr.ai) {
    if (!complete) f.warn(`#${node.number}: GitHub listed ${commits.length} of its ${node.commits.totalCount} commits and none of those is AI-authored; it is left out of the report`);
    return null;
  }
  const facts: PullRequestFacts = {
    owner: f.ref.owner,
    repo: f.ref.repo,
    number: node.number,
    url: node.url,
    state: "MERGED",
    merged: true,
    mergedBy: node.mergedBy?.login ?? null,
    author,
    body,
    labels,
    baseRef: "",
    headRef: "",
    headSha: node.headRefOid,
    commits,
    reviews: [],
    assignments: node.timelineItems.nodes.flatMap((n) => (n ? [{ actor: n.actor?.login ?? null, assignee: n.assignee?.login ?? null }] : [])),
    permissions: new Map(),
    teamMembership: new Map(),
    existingCheckRun: null,
    comments: [],
    changedFiles: 0,
    files: null,
  };
  const { operators } = findOperators(facts, detected, pr, f.detector);
  const run = await runOf(f, node);
  const seen: RunSeen | null = run ? { status: run.status.toLowerCase(), conclusion: run.conclusion?.toLowerCase() ?? null, title: run.title } : null;
  const outcome = outcomeOf(seen, labels, f.checkName, f.bypassedLabel);
  const incomplete = complete ? null : `GitHub listed ${commits.length} of the ${node.commits.totalCount} commits; tools and operators are from those`;
  return {
    number: node.number,
    title: node.title,
    url: node.url,
    author: node.author?.login ?? null,
    merged_at: node.mergedAt,
    merged_by: node.mergedBy?.login ?? null,
    head_sha: node.headRefOid,
    tier: tierOf(labels),
    tools: [...pr.tools],
    operators: operators.map((o) => o.login),
    ...outcome,
    note: [outcome.note, incomplete].filter((n): n is string => n !== null).join("; ") || null,
    check_conclusion: seen?.conclusion ?? null,
    check_title: seen?.title ?? null,
  };
}

/** The repository's detection config and check name, as the app would read them (best effort: problems are warnings). */
async function configFor(gh: GitHub, ref: RepoRef, flag: string | undefined, warn: (m: string) => void): Promise<{ detection: DetectionConfig; checkName: string; bypassedLabel: string }> {
  let reading: ConfigReading | null = null;
  let where = "";
  for (const source of [ref, { owner: ref.owner, repo: ".github" }]) {
    let text: string | null;
    try {
      text = await readConfigText(gh, source);
    } catch (error) {
      warn(`cannot read ${source.owner}/${source.repo}'s ${CONFIG_PATH} (${failure("audit", gh, error, { what: "config", needs: "Contents: read" }).message.replace(/^audit: /, "")}); using the built-in detection rules`);
      break;
    }
    if (text === null) continue;
    reading = readConfig(text);
    where = `${source.owner}/${source.repo}'s ${CONFIG_PATH}`;
    break;
  }
  const { name, fromConfig } = resolveCheckName(reading, flag);
  if (fromConfig && flag !== undefined && flag !== name) warn(`--check-name ${flag} ignored: ${where} sets check_name: ${name}`);
  if (reading?.kind === "yaml-error") warn(`${where} is not valid YAML (${reading.message}); using the built-in detection rules`);
  if (reading?.kind === "invalid") warn(`${where} is invalid (${reading.problems.map((p) => `${p.path}: ${p.message}`).join("; ")}); using the built-in detection rules`);
  if (reading && reading.kind !== "yaml-error" && reading.extendsFrom !== null) warn(`${where} uses _extends: ${reading.extendsFrom}; audit reads only this file`);
  const valid = reading?.kind === "valid" ? reading.config : null;
  // `labels.bypassed` (the label the app puts on PRs merged without a countersign), where the config has it.
  const bypassed = (valid?.labels as { bypassed?: unknown } | undefined)?.bypassed;
  return { detection: valid?.detection ?? DEFAULT_DETECTION_CONFIG, checkName: name, bypassedLabel: typeof bypassed === "string" ? bypassed : BYPASSED_LABEL };
}

// --- Output ---

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;
/** Text safe to print in a terminal: no control characters, escape sequences or direction overrides. */
const clean = (s: string): string => s.replace(CONTROL, " ");
const width = (s: string): number => [...s].length;
function clip(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join("")}…`;
}
const at = (login: string | null): string => (login === null ? "-" : `@${login}`);

export function outcomeText(r: AuditRecord): string {
  if (r.outcome === "countersigned") return `countersigned by ${r.countersigners.map(at).join(", ") || "?"}`;
  if (r.outcome === "override") return `override by ${at(r.override_by)}${r.override_reason ? `: ${r.override_reason}` : ""}`;
  return `bypassed: ${r.missing ?? "?"}${r.note ? ` (${r.note})` : ""}`;
}

const TABLE_HEADER = ["PR", "MERGED (UTC)", "MERGED BY", "TIER", "TOOLS", "OPERATORS", "TITLE", "OUTCOME"];

export function renderTable(records: readonly AuditRecord[]): string {
  const rows = records.map((r) => [
    `#${r.number}`,
    r.merged_at.replace("T", " ").slice(0, 16),
    at(r.merged_by),
    r.tier ?? "-",
    r.tools.join(", ") || "-",
    r.operators.map(at).join(", ") || "-",
    clip(r.title, 50),
    outcomeText(r),
  ].map(clean));
  const all = [TABLE_HEADER, ...rows];
  const widths = TABLE_HEADER.map((_, i) => Math.max(...all.map((row) => width(row[i] ?? ""))));
  return all.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - width(cell)))).join("  ").trimEnd() + "\n").join("");
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break; quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function renderCsv(records: readonly AuditRecord[]): string {
  const cell = (v: AuditRecord[keyof AuditRecord]): string => (v === null ? "" : Array.isArray(v) ? v.join("; ") : String(v));
  const lines = [AUDIT_FIELDS.join(","), ...records.map((r) => AUDIT_FIELDS.map((f) => csvField(cell(r[f]))).join(","))];
  return lines.map((l) => `${l}\r\n`).join("");
}

function summary(records: readonly AuditRecord[], merged: number, ref: RepoRef, since: Date, until: Date): string {
  const count = (o: AuditRecord["outcome"]) => records.filter((r) => r.outcome === o).length;
  const n = records.length;
  return `${n} AI-authored pull request${n === 1 ? "" : "s"} merged in ${ref.owner}/${ref.repo} from ${iso(since)} to ${iso(until)} (of ${merged} merged): ${count("countersigned")} countersigned, ${count("override")} override, ${count("bypassed")} bypassed\n`;
}

// --- The command ---

export async function audit(argv: readonly string[], io: Io, options: CommandOptions = {}): Promise<number> {
  const parsed = parse(argv, options.now ?? new Date());
  if (parsed === "help") {
    await io.out(`${AUDIT_HELP}\n`);
    return 0;
  }
  const gh = createGitHub("audit", options.env ?? process.env);
  const tty = options.stderrIsTTY ?? process.stderr.isTTY === true;
  let progressShown = false;
  const clearProgress = () => {
    if (progressShown) io.err("\r\x1b[K");
    progressShown = false;
  };
  const warn = (message: string) => {
    clearProgress();
    io.err(`countersign: audit: warning: ${message}\n`);
  };

  await readRepository("audit", gh, parsed.ref);
  const { detection, checkName, bypassedLabel } = await configFor(gh, parsed.ref, parsed.checkName, warn);
  const fetcher: Fetcher = {
    gh,
    ref: parsed.ref,
    checkName,
    appSlug: parsed.appSlug,
    bypassedLabel,
    detector: createDetector(detection),
    warn,
    progress: (fetched) => {
      if (!tty) return;
      io.err(`\rfetched ${fetched} merged PR${fetched === 1 ? "" : "s"}…`);
      progressShown = true;
    },
  };
  const collected: Collected = { records: [], merged: 0 };
  try {
    await collectWindow(fetcher, Math.floor(parsed.since.getTime() / 1000), Math.floor(parsed.until.getTime() / 1000), collected, new Set());
  } finally {
    clearProgress();
  }
  const records = collected.records.sort((a, b) => a.merged_at.localeCompare(b.merged_at) || a.number - b.number);

  if (parsed.format === "json") await io.out(`${JSON.stringify(records, null, 2)}\n`);
  else if (parsed.format === "csv") await io.out(renderCsv(records));
  else await io.out(`${records.length > 0 ? `${renderTable(records)}\n` : ""}${summary(records, collected.merged, parsed.ref, parsed.since, parsed.until)}`);
  return 0;
}
