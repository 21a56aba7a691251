/**
 * The detector: which commits and pull requests an AI wrote, with the evidence for each finding, and
 * which humans are accountable for each commit.
 *
 * Pure functions over plain data. `createDetector(config)` compiles the catalog (`catalog.ts`) and the
 * user's `detection` config (`config.ts`) into lookup tables once; the returned functions do no I/O.
 */
import {
  CO_AUTHOR_KEYS,
  IDENTITY_RULES,
  LINE_RULES,
  NON_HUMAN_EMAILS,
  PR_BODY_RULES,
  SUBJECT_RULES,
  TOOL_NAMES,
  TRAILER_RULES,
  type IdentityField,
  type IdentityRule,
  type LineRule,
  type SubjectRule,
  type TrailerRule,
} from "./catalog.js";
// Types only: the schema (and zod) stay out of the detector, so `countersign scan` starts light.
import type { DetectionConfig } from "./config.js";
import { parseTrailers } from "./trailers.js";

/**
 * The built-in defaults of the `detection` config section. `config.ts`'s schema produces the same
 * value for an empty section (a test holds the two together).
 */
export const DEFAULT_DETECTION_CONFIG: DetectionConfig = {
  trailers: [],
  identities: [],
  ignore: [],
  pr_body: [],
  labels: ["ai-generated", "ai-assisted"],
  disable_rules: [],
};

/** A person as git or GitHub records them. Any field may be missing (e.g. a PR author has no e-mail). */
export interface Person {
  readonly name?: string | null;
  readonly email?: string | null;
  /** GitHub login, when GitHub resolved the person to an account. */
  readonly login?: string | null;
  /** GitHub numeric account id (databaseId). */
  readonly id?: number | null;
  /** GitHub account type: `User`, `Bot`, `Organization`, `Mannequin`. */
  readonly type?: string | null;
}

export interface CommitFacts {
  readonly sha?: string;
  readonly message: string;
  readonly author: Person;
  readonly committer: Person;
}

export type EvidenceField = "author" | "committer" | "trailer" | "footer" | "subject" | "pr-author" | "pr-body" | "pr-label";

/** Why something was judged AI-authored: the rule, the tool, where, and the text that matched. */
export interface Evidence {
  readonly rule: string;
  readonly tool: string;
  readonly field: EvidenceField;
  readonly match: string;
}

/** A human accountable for a commit, and in which capacities. */
export interface Human {
  readonly name: string;
  readonly email: string;
  readonly login?: string;
  readonly id?: number;
  readonly roles: readonly ("author" | "committer" | "co-author")[];
}

export interface CommitDetection {
  readonly ai: boolean;
  readonly tools: readonly string[];
  readonly evidence: readonly Evidence[];
  readonly humans: readonly Human[];
}

export interface PullRequestFacts {
  readonly author: Person;
  readonly body: string | null;
  readonly labels: readonly string[];
}

export interface PullRequestDetection {
  /** True when the PR itself or any of its commits carries an AI signal. */
  readonly ai: boolean;
  readonly tools: readonly string[];
  /** PR-level evidence: the author, body markers, labels. Commit evidence stays with each commit. */
  readonly evidence: readonly Evidence[];
  /** Indexes (into the commits given) of the AI-authored commits. */
  readonly aiCommits: readonly number[];
}

export interface Detector {
  commit(commit: CommitFacts): CommitDetection;
  pullRequest(pr: PullRequestFacts, commits: readonly CommitDetection[]): PullRequestDetection;
  /** The identity rule an account or address matches, if it is an AI agent. */
  identity(person: Person, field: IdentityField): { rule: string; tool: string } | undefined;
  /** True for bots and automation (not people, not necessarily AI). */
  isAutomation(person: Person): boolean;
}

interface IdentityHit {
  readonly rule: string;
  readonly tool: string;
  readonly fields?: readonly IdentityField[] | undefined;
}

interface LoginEntry extends IdentityHit {
  readonly bot: boolean;
}

const NOREPLY = /^(?:(\d+)\+)?([^@\s]+)@users\.noreply\.github\.com$/i;
const BOT_SUFFIX = /\[bot\]$/i;
const FOOTER_HINT = /Generated (?:with|by)|Link to Devin run|Ultraworked with/;

const lower = (s: string | null | undefined): string => (s ?? "").trim().toLowerCase();
const normLogin = (login: string): string => lower(login).replace(BOT_SUFFIX, "");

/** Parses `Name <email>` as written in a trailer; tolerates a missing `<>` around the address. */
export function parsePerson(value: string): { name: string; email: string } {
  const angle = /^(.*?)\s*<([^<>]*)>\s*$/.exec(value);
  if (angle) return { name: (angle[1] ?? "").trim(), email: (angle[2] ?? "").trim() };
  const bare = /^(.*?)\s+(\S+@\S+)$/.exec(value.trim());
  if (bare) return { name: (bare[1] ?? "").trim(), email: bare[2] ?? "" };
  return { name: value.trim(), email: "" };
}

/** The tool named in free text (`Assisted-by: gemini-cli`), or "Other". */
export function toolFromText(text: string): string {
  for (const [pattern, tool] of TOOL_NAMES) if (pattern.test(text)) return tool;
  return "Other";
}

function applies(hit: IdentityHit, field: IdentityField): boolean {
  return hit.fields === undefined || hit.fields.includes(field);
}

/** Compiles the catalog and the user's config into a detector. */
export function createDetector(config: DetectionConfig = DEFAULT_DETECTION_CONFIG): Detector {
  const disabled = new Set(config.disable_rules);
  const on = <T extends { id: string }>(rules: readonly T[]): T[] => rules.filter((r) => !disabled.has(r.id));

  const emails = new Map<string, IdentityHit>();
  const suffixes: (readonly [string, IdentityHit])[] = [];
  const ids = new Map<number, IdentityHit>();
  const logins = new Map<string, LoginEntry>();
  const names: (readonly [RegExp, IdentityHit])[] = [];
  const exactNames = new Map<string, IdentityHit>();

  const addIdentity = (rule: IdentityRule) => {
    const hit: IdentityHit = { rule: rule.id, tool: rule.tool, fields: rule.fields };
    for (const e of rule.emails ?? []) if (!emails.has(lower(e))) emails.set(lower(e), hit);
    for (const s of rule.emailSuffixes ?? []) suffixes.push([lower(s), hit]);
    for (const a of rule.accounts ?? []) {
      if (a.id !== undefined && !ids.has(a.id)) ids.set(a.id, hit);
      const key = normLogin(a.login);
      if (!logins.has(key)) logins.set(key, { ...hit, bot: a.bot === true });
    }
    for (const n of rule.names ?? []) names.push([n, hit]);
  };
  for (const rule of on(IDENTITY_RULES)) addIdentity(rule);
  config.identities.forEach((c, i) => {
    const hit: IdentityHit = { rule: `config/identities[${i}]`, tool: c.tool };
    if (c.email !== undefined) emails.set(lower(c.email), hit);
    if (c.id !== undefined) ids.set(c.id, hit);
    if (c.login !== undefined) logins.set(normLogin(c.login), { ...hit, bot: false });
    if (c.name !== undefined) exactNames.set(lower(c.name), hit);
  });

  const ignoredEmails = new Set(config.ignore.flatMap((i) => (i.email === undefined ? [] : [lower(i.email)])));
  const ignoredLogins = new Set(config.ignore.flatMap((i) => (i.login === undefined ? [] : [normLogin(i.login)])));
  const ignoredIds = new Set(config.ignore.flatMap((i) => (i.id === undefined ? [] : [i.id])));
  const ignoredNames = new Set(config.ignore.flatMap((i) => (i.name === undefined ? [] : [lower(i.name)])));

  const trailerRules = new Map<string, (TrailerRule & { contains?: string })[]>();
  const addTrailer = (rule: TrailerRule & { contains?: string }) => {
    for (const k of rule.keys) {
      const list = trailerRules.get(lower(k)) ?? [];
      list.push(rule);
      trailerRules.set(lower(k), list);
    }
  };
  for (const rule of on(TRAILER_RULES)) addTrailer(rule);
  config.trailers.forEach((t, i) =>
    addTrailer({ id: `config/trailers[${i}]`, tool: t.tool, keys: [t.key], source: "config", ...(t.value_contains === undefined ? {} : { contains: lower(t.value_contains) }) }),
  );

  const lineRules: readonly LineRule[] = on(LINE_RULES);
  const subjectRules: readonly SubjectRule[] = on(SUBJECT_RULES);
  const bodyRules = [
    ...on(PR_BODY_RULES).map((r) => ({ id: r.id, tool: r.tool, find: (body: string) => r.pattern.exec(body)?.[0].trim() })),
    ...config.pr_body.map((b, i) => ({ id: `config/pr_body[${i}]`, tool: b.tool, find: (body: string) => (body.includes(b.contains) ? b.contains : undefined) })),
  ];
  const aiLabels = new Set(config.labels.map(lower));

  /** The account a GitHub noreply address stands for. */
  const accountOf = (person: Person): { login?: string; id?: number } => {
    const login = person.login ?? undefined;
    const id = person.id ?? undefined;
    if (login !== undefined || id !== undefined) return { ...(login === undefined ? {} : { login }), ...(id === undefined ? {} : { id }) };
    const m = NOREPLY.exec((person.email ?? "").trim());
    if (!m) return {};
    return { ...(m[2] === undefined ? {} : { login: m[2] }), ...(m[1] === undefined ? {} : { id: Number(m[1]) }) };
  };

  const isBotAccount = (person: Person, login: string | undefined): boolean =>
    person.type === "Bot" || (login !== undefined && BOT_SUFFIX.test(login));

  const isIgnored = (person: Person): boolean => {
    if (ignoredEmails.size + ignoredLogins.size + ignoredIds.size + ignoredNames.size === 0) return false;
    const { login, id } = accountOf(person);
    return (
      ignoredEmails.has(lower(person.email)) ||
      (login !== undefined && ignoredLogins.has(normLogin(login))) ||
      (id !== undefined && ignoredIds.has(id)) ||
      (person.name != null && ignoredNames.has(lower(person.name)))
    );
  };

  const identity = (person: Person, field: IdentityField): { rule: string; tool: string } | undefined => {
    if (isIgnored(person)) return undefined;
    const found = (hit: IdentityHit | undefined) => (hit !== undefined && applies(hit, field) ? { rule: hit.rule, tool: hit.tool } : undefined);
    const email = lower(person.email);
    let hit = email === "" ? undefined : found(emails.get(email));
    if (hit) return hit;
    const { login, id } = accountOf(person);
    if (id !== undefined && (hit = found(ids.get(id)))) return hit;
    if (login !== undefined) {
      const entry = logins.get(normLogin(login));
      if (entry && (!entry.bot || isBotAccount(person, login)) && (hit = found(entry))) return hit;
    }
    if (email !== "") for (const [suffix, h] of suffixes) if (email.endsWith(suffix) && (hit = found(h))) return hit;
    const name = (person.name ?? "").trim();
    if (name !== "") {
      if ((hit = found(exactNames.get(name.toLowerCase())))) return hit;
      for (const [pattern, h] of names) if (pattern.test(name) && (hit = found(h))) return hit;
    }
    return undefined;
  };

  const isAutomation = (person: Person): boolean => {
    const { login } = accountOf(person);
    return isBotAccount(person, login) || NON_HUMAN_EMAILS.includes(lower(person.email));
  };

  const commit = (c: CommitFacts): CommitDetection => {
    const evidence: Evidence[] = [];
    const humans = new Map<string, { name: string; email: string; login?: string; id?: number; roles: ("author" | "committer" | "co-author")[] }>();
    const addHuman = (p: Person, role: "author" | "committer" | "co-author") => {
      if (isAutomation(p)) return;
      const email = (p.email ?? "").trim();
      const name = (p.name ?? "").trim();
      const key = email !== "" ? email.toLowerCase() : `name:${name.toLowerCase()}`;
      const existing = humans.get(key);
      if (existing) {
        if (!existing.roles.includes(role)) existing.roles.push(role);
        return;
      }
      humans.set(key, { name, email, ...(p.login ? { login: p.login } : {}), ...(p.id != null ? { id: p.id } : {}), roles: [role] });
    };

    for (const [role, person] of [["author", c.author], ["committer", c.committer]] as const) {
      const hit = identity(person, role);
      if (hit) evidence.push({ rule: hit.rule, tool: hit.tool, field: role, match: `${(person.name ?? "").trim()} <${(person.email ?? "").trim()}>` });
      else addHuman(person, role);
    }

    for (const t of parseTrailers(c.message)) {
      const key = t.key.toLowerCase();
      const line = `${t.key}: ${t.value}`;
      if (CO_AUTHOR_KEYS.includes(key)) {
        const person = parsePerson(t.value);
        const field: IdentityField = key === "co-authored-by" ? "co-author" : "sign-off";
        const hit = identity(person, field);
        if (hit) evidence.push({ rule: hit.rule, tool: hit.tool, field: "trailer", match: line });
        else if (field === "co-author" && person.email !== "") addHuman(person, "co-author");
      }
      for (const rule of trailerRules.get(key) ?? []) {
        if (rule.value !== undefined && !rule.value.test(t.value)) continue;
        if (rule.contains !== undefined && !t.value.toLowerCase().includes(rule.contains)) continue;
        evidence.push({ rule: rule.id, tool: rule.tool ?? toolFromText(t.value), field: "trailer", match: line });
      }
    }

    const newline = c.message.indexOf("\n");
    const subject = newline === -1 ? c.message : c.message.slice(0, newline);
    if (newline !== -1 && FOOTER_HINT.test(c.message)) {
      for (const raw of c.message.slice(newline + 1).split("\n")) {
        const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
        for (const rule of lineRules) if (rule.pattern.test(line)) evidence.push({ rule: rule.id, tool: rule.tool, field: "footer", match: line.trim() });
      }
    }
    for (const rule of subjectRules) {
      if (!rule.subject.test(subject)) continue;
      if (rule.bodyLine !== undefined && !c.message.split("\n").some((l) => rule.bodyLine?.test(l.replace(/\r$/, "")))) continue;
      evidence.push({ rule: rule.id, tool: rule.tool, field: "subject", match: subject.trim() });
    }

    const tools = [...new Set(evidence.map((e) => e.tool))];
    return { ai: evidence.length > 0, tools, evidence, humans: [...humans.values()] };
  };

  const pullRequest = (pr: PullRequestFacts, commits: readonly CommitDetection[]): PullRequestDetection => {
    const evidence: Evidence[] = [];
    const hit = identity(pr.author, "pr-author");
    if (hit) evidence.push({ rule: hit.rule, tool: hit.tool, field: "pr-author", match: `@${pr.author.login ?? pr.author.name ?? "?"}` });
    const body = pr.body ?? "";
    if (body !== "") {
      for (const rule of bodyRules) {
        const match = rule.find(body);
        if (match !== undefined) evidence.push({ rule: rule.id, tool: rule.tool, field: "pr-body", match });
      }
    }
    for (const label of pr.labels) if (aiLabels.has(lower(label))) evidence.push({ rule: "config/labels", tool: "Other", field: "pr-label", match: label });
    const aiCommits = commits.flatMap((d, i) => (d.ai ? [i] : []));
    const tools = [...new Set([...evidence.map((e) => e.tool), ...aiCommits.flatMap((i) => commits[i]?.tools ?? [])])];
    return { ai: evidence.length > 0 || aiCommits.length > 0, tools, evidence, aiCommits };
  };

  return { commit, pullRequest, identity, isAutomation };
}
