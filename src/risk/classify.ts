/**
 * The risk classifier: what a change touches → a risk tier, every rule that fired with its files,
 * and what the tier requires.
 *
 * Pure: no I/O. Imports only the *type* of its config, so callers that never parse a config (the CLI)
 * do not load zod. Globs are compiled once per config object (cached; treat configs as immutable).
 *
 * Semantics (see `rules.ts` for the rules, `config.ts` for custom rules):
 * 1. Each file is classified on its path, and for renames also on its previous path; the higher wins.
 *    A path matched by a custom rule takes that rule's level and nothing else. Otherwise every
 *    matching critical/high path rule fires; if none did, matching low path rules (docs, tests) fire;
 *    if none did either, the path is `low/comments-only` when the file's patch shows only comments,
 *    else `medium/code`.
 * 2. Change rules look at the whole change: destructive infrastructure patterns and large deletions.
 * 3. The change's tier is the highest level of any finding; an empty change is `low`.
 *
 * Every step is a maximum over files, or over monotone totals, so adding a file to a change never
 * lowers its tier. (One deliberate exception inside a rule: a Terraform rename stops being reported
 * when another file adds a `moved` block or declares the old address again, because then nothing is
 * destroyed; the renamed `.tf` files still match `critical/terraform`.)
 */
import type { RiskConfig } from "./config.js";
import { isCommentOnlyPatch } from "./comments.js";
import { GlobIndex } from "./glob-index.js";
import { CHANGE_RULES, PATH_RULES, TIERS, type Tier } from "./rules.js";
import { addressType, terraformBlocks } from "./terraform.js";

export type { Tier } from "./rules.js";

export interface ChangedFile {
  path: string;
  previousPath?: string | null;
  status: "added" | "modified" | "removed" | "renamed" | "copied" | "changed" | "unchanged";
  additions: number;
  deletions: number;
  /** The unified diff of this file (GitHub omits it for binary and very large files). */
  patch?: string | null;
}

export interface RiskFinding {
  /** A built-in rule id (`critical/terraform`) or `risk.rules[<index>]` for a custom rule. */
  rule: string;
  level: Tier;
  reason: string;
  /** The files that fired the rule, at most `MAX_FINDING_FILES`. */
  files: string[];
  /** How many more files fired it. */
  moreFiles: number;
}

export interface RiskVerdict {
  level: Tier;
  /** Highest level first. */
  findings: RiskFinding[];
  requirement: { approvals: number; teams: string[]; mode?: "enforce" | "observe" };
  /** One line, e.g. "critical: deletes `infra/prod/main.tf` and adds `infra/prod/cluster.tf`". */
  explanation: string;
}

/** The most files a finding lists; the rest are counted in `moreFiles`. */
/**
 * The defaults of the `risk` config section, as plain data (no zod), for the CLI; `config.ts`'s
 * schema produces the same value for an empty section (a test holds the two together).
 */
export const DEFAULT_RISK: RiskConfig = {
  rules: [],
  disable_rules: [],
  large_deletions: { lines: 500, ratio: 0.5 },
  tiers: { low: { approvals: 1, teams: [] }, medium: { approvals: 1, teams: [] }, high: { approvals: 2, teams: [] }, critical: { approvals: 2, teams: [] } },
};

export const MAX_FINDING_FILES = 20;

/** A file with fewer changed lines than this is never "mostly deletions". */
export const RATIO_MIN_CHANGED_LINES = 20;

/** 0 for low … 3 for critical. */
export function tierRank(tier: Tier): number {
  return TIERS.indexOf(tier);
}

// ---------------------------------------------------------------------------------------------------
// Compiling

interface CompiledPathRule {
  readonly id: string;
  readonly level: Tier;
  readonly reason: string;
  readonly order: number;
  readonly infrastructure: boolean;
  /** Index of the rule's `paths` in the built-in glob index; its `except` is the next set. */
  readonly set: number;
  readonly words: { readonly in: "path" | "file-name"; readonly set: ReadonlySet<string>; readonly hint: RegExp } | undefined;
}

interface CompiledCustomRule {
  readonly id: string;
  readonly level: Tier;
  readonly reason: string;
  readonly order: number;
}

interface Compiled {
  /** Custom rules, in order; rule i's `paths` are set 2i of `customIndex`, its `except` set 2i + 1. */
  readonly custom: readonly CompiledCustomRule[];
  readonly customIndex: GlobIndex | undefined;
  /** Enabled critical and high path rules. */
  readonly upper: readonly CompiledPathRule[];
  /** Enabled low path rules. */
  readonly lower: readonly CompiledPathRule[];
  /** Enabled infrastructure rules (for the destructive patterns). */
  readonly infrastructure: readonly CompiledPathRule[];
  /** Enabled `low/docs` and `low/tests`: what large deletions do not count. */
  readonly docsOrTests: readonly CompiledPathRule[];
  readonly enabled: ReadonlySet<string>;
}

const ORDER = { change: 0, custom: 1_000, path: 100_000, fallback: 1_000_000 } as const;

/** Every built-in path rule, compiled once: rule i's `paths` are set 2i of `BUILT_IN_INDEX`, its `except` set 2i + 1. */
const BUILT_IN: readonly CompiledPathRule[] = PATH_RULES.map((rule, i) => ({
  id: rule.id,
  level: rule.level,
  reason: rule.reason,
  order: ORDER.path + i,
  infrastructure: rule.infrastructure === true,
  set: 2 * i,
  words: rule.words === undefined ? undefined : { in: rule.words.in, set: new Set(rule.words.words), hint: new RegExp(rule.words.words.join("|"), "i") },
}));

let builtInIndex: GlobIndex | undefined;
function builtIns(): GlobIndex {
  builtInIndex ??= new GlobIndex(
    PATH_RULES.flatMap((r) => [r.paths ?? [], r.except ?? []]),
    { nocase: true },
  );
  return builtInIndex;
}

const cache = new WeakMap<RiskConfig, Compiled>();

function compile(config: RiskConfig): Compiled {
  const cached = cache.get(config);
  if (cached !== undefined) return cached;
  const disabled = new Set<string>(config.disable_rules);
  const rules = BUILT_IN.filter((r) => !disabled.has(r.id));
  const compiled: Compiled = {
    custom: config.rules.map((rule, i) => ({ id: `risk.rules[${i}]`, level: rule.level, reason: rule.reason, order: ORDER.custom + i })),
    customIndex: config.rules.length === 0 ? undefined : new GlobIndex(config.rules.flatMap((r) => [r.paths, r.except]), { nocase: false }),
    upper: rules.filter((r) => r.level === "critical" || r.level === "high"),
    lower: rules.filter((r) => r.level === "low"),
    infrastructure: rules.filter((r) => r.infrastructure),
    docsOrTests: rules.filter((r) => r.id === "low/docs" || r.id === "low/tests"),
    enabled: new Set([...CHANGE_RULES.map((r) => r.id), ...PATH_RULES.map((r) => r.id)].filter((id) => !disabled.has(id))),
  };
  cache.set(config, compiled);
  return compiled;
}

// ---------------------------------------------------------------------------------------------------
// Path words

/**
 * `src/OAuth2Client/jwt_utils.ts` → src, o, auth, 2, client, jwt, utils, ts: split at anything but
 * ASCII letters and digits, at a lower-to-upper hump, before the last capital of a run followed by a
 * lower-case letter (`JWTToken` → jwt, token), and between letters and digits; lower-cased.
 */
export function pathWords(path: string): string[] {
  const words: string[] = [];
  let start = -1;
  let previous = 0; // 0 separator, 1 lower, 2 upper, 3 digit
  const flush = (end: number) => {
    if (start !== -1) words.push(path.slice(start, end).toLowerCase());
    start = -1;
  };
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    const kind = c >= 97 && c <= 122 ? 1 : c >= 65 && c <= 90 ? 2 : c >= 48 && c <= 57 ? 3 : 0;
    if (kind === 0) flush(i);
    else {
      const next = path.charCodeAt(i + 1);
      const nextIsLower = next >= 97 && next <= 122;
      if ((kind === 2 && (previous === 1 || previous === 3 || (previous === 2 && nextIsLower))) || (kind === 1 && previous === 3) || (kind === 3 && (previous === 1 || previous === 2))) flush(i);
      if (start === -1) start = i;
    }
    previous = kind;
  }
  flush(path.length);
  return words;
}

function fileName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function directory(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? "" : path.slice(0, slash);
}

/** Does `rule` match `path`, given the built-in index's `hits` for it? */
function matchesRule(rule: CompiledPathRule, path: string, hits: Uint8Array): boolean {
  let hit = hits[rule.set] === 1;
  if (!hit && rule.words !== undefined) {
    const subject = rule.words.in === "path" ? path : fileName(path);
    if (rule.words.hint.test(subject)) {
      const set = rule.words.set;
      hit = pathWords(subject).some((w) => set.has(w));
    }
  }
  return hit && hits[rule.set + 1] !== 1;
}

// ---------------------------------------------------------------------------------------------------
// Classifying

interface FindingBuilder {
  readonly rule: string;
  readonly level: Tier;
  readonly order: number;
  reason: string;
  readonly files: Set<string>;
}

class Findings {
  private readonly byRule = new Map<string, FindingBuilder>();

  add(rule: string, level: Tier, order: number, reason: string, file: string): void {
    let finding = this.byRule.get(rule);
    if (finding === undefined) {
      finding = { rule, level, order, reason, files: new Set() };
      this.byRule.set(rule, finding);
    }
    finding.files.add(file);
  }

  /** Sets the reason of a change rule's finding (files already added). */
  describe(rule: string, reason: string): void {
    const finding = this.byRule.get(rule);
    if (finding !== undefined) finding.reason = reason;
  }

  list(): RiskFinding[] {
    return [...this.byRule.values()]
      .sort((a, b) => tierRank(b.level) - tierRank(a.level) || a.order - b.order)
      .map((f) => {
        const files = [...f.files];
        return { rule: f.rule, level: f.level, reason: f.reason, files: files.slice(0, MAX_FINDING_FILES), moreFiles: Math.max(0, files.length - MAX_FINDING_FILES) };
      });
  }
}

const CHANGE_RULE = new Map(CHANGE_RULES.map((r, i) => [r.id, { ...r, order: r.id === "medium/code" || r.id === "low/comments-only" ? ORDER.fallback + i : ORDER.change + i }]));

/** Change rules whose finding reason already names the files. */
const NAMING_RULES: ReadonlySet<string> = new Set(CHANGE_RULES.map((r) => r.id).filter((id) => id !== "medium/code" && id !== "low/comments-only"));

function changeRule(id: string): { id: string; level: Tier; reason: string; order: number } {
  const rule = CHANGE_RULE.get(id);
  if (rule === undefined) throw new Error(`unknown change rule ${id}`);
  return rule;
}

function count(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** A path as inline code on one line: control characters escaped, backticks fenced. */
export function code(path: string): string {
  const clean = path.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return clean.includes("`") ? `\`\` ${clean} \`\`` : `\`${clean}\``;
}

/** "`a`", "`a` and `b`", "`a`, `b`, `c` and 4 more" (`total` counts items not passed in). */
function names(items: readonly string[], max = 3, total = items.length): string {
  const shown = items.slice(0, max).map(code);
  const more = total - shown.length;
  if (more > 0) return `${shown.join(", ")} and ${more} more`;
  if (shown.length <= 1) return shown.join("");
  return `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1] ?? ""}`;
}

/** Classifies one path: the rules it fires (custom, critical/high, or low), or none (the fallback). */
function pathRules(c: Compiled, path: string, hits: Uint8Array): readonly { id: string; level: Tier; reason: string; order: number }[] {
  if (c.customIndex !== undefined) {
    const custom = c.customIndex.match(path);
    const first = c.custom.findIndex((_, i) => custom[2 * i] === 1 && custom[2 * i + 1] !== 1);
    const rule = c.custom[first];
    if (rule !== undefined) return [rule];
  }
  const fired = c.upper.filter((rule) => matchesRule(rule, path, hits));
  return fired.length > 0 ? fired : c.lower.filter((rule) => matchesRule(rule, path, hits));
}

/** Is `path` matched by any of `rules`? */
function matchesAny(rules: readonly CompiledPathRule[], path: string, hits: Uint8Array): boolean {
  return rules.some((rule) => matchesRule(rule, path, hits));
}

/** Classifies a change. Never throws. */
export function classify(files: readonly ChangedFile[], config: RiskConfig): RiskVerdict {
  const c = compile(config);
  const findings = new Findings();
  const on = (id: string) => c.enabled.has(id);
  const index = builtIns();
  // The built-in index's answer for each file's path, computed once.
  const hitsOf = files.map((file) => index.match(file.path));

  // 1. Paths.
  files.forEach((file, n) => {
    const paths = file.status === "renamed" && typeof file.previousPath === "string" && file.previousPath !== file.path ? [file.path, file.previousPath] : [file.path];
    let commentsOnly: boolean | undefined;
    for (const path of paths) {
      const fired = pathRules(c, path, path === file.path ? (hitsOf[n] ?? index.match(path)) : index.match(path));
      for (const rule of fired) findings.add(rule.id, rule.level, rule.order, rule.reason, path);
      if (fired.length > 0) continue;
      commentsOnly ??= on("low/comments-only") && typeof file.patch === "string" && file.patch !== "" && isCommentOnlyPatch(file.path, file.patch);
      const fallback = changeRule(commentsOnly ? "low/comments-only" : "medium/code");
      findings.add(fallback.id, fallback.level, fallback.order, fallback.reason, path);
    }
  });

  // 2. Destructive infrastructure patterns.
  const removedInfra = new Map<string, string[]>();
  const addedInfra = new Map<string, string[]>();
  files.forEach((file, n) => {
    const target = file.status === "removed" ? removedInfra : file.status === "added" || file.status === "copied" ? addedInfra : undefined;
    if (target === undefined || !matchesAny(c.infrastructure, file.path, hitsOf[n] ?? index.match(file.path))) return;
    const dir = directory(file.path);
    target.set(dir, [...(target.get(dir) ?? []), file.path]);
  });
  if (on("critical/infrastructure-deleted") && removedInfra.size > 0) {
    const rule = changeRule("critical/infrastructure-deleted");
    const deleted = [...removedInfra.values()].flat();
    for (const path of deleted) findings.add(rule.id, rule.level, rule.order, "", path);
    findings.describe(rule.id, `deletes infrastructure file${deleted.length > 1 ? "s" : ""} ${names(deleted)}`);
  }
  if (on("critical/infrastructure-recreated")) {
    const rule = changeRule("critical/infrastructure-recreated");
    const parts: string[] = [];
    for (const [dir, removed] of [...removedInfra].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const added = addedInfra.get(dir);
      if (added === undefined) continue;
      for (const path of [...removed, ...added]) findings.add(rule.id, rule.level, rule.order, "", path);
      parts.push(`deletes ${names(removed)} and adds ${names(added)}`);
    }
    if (parts.length > 0) findings.describe(rule.id, parts.length > 3 ? `${parts.slice(0, 3).join("; ")}; and ${parts.length - 3} more directories` : parts.join("; "));
  }
  if (on("critical/terraform-resource-renamed")) terraformRenames(files, findings);

  // 3. Large deletions (tests and docs do not count).
  const { lines, ratio } = config.large_deletions;
  const counted = files.filter((f, n) => !matchesAny(c.docsOrTests, f.path, hitsOf[n] ?? index.match(f.path)));
  if (on("high/large-deletion")) {
    const rule = changeRule("high/large-deletion");
    const total = counted.reduce((sum, f) => sum + count(f.deletions), 0);
    const parts: string[] = [];
    if (total > lines) {
      const deleting = counted.filter((f) => count(f.deletions) > 0).sort((a, b) => count(b.deletions) - count(a.deletions));
      for (const f of deleting) findings.add(rule.id, rule.level, rule.order, "", f.path);
      parts.push(`deletes ${total} lines (more than ${lines})`);
    }
    const mostlyDeleted = counted.filter((f) => {
      const changed = count(f.additions) + count(f.deletions);
      return f.status !== "removed" && changed >= RATIO_MIN_CHANGED_LINES && count(f.deletions) / changed > ratio;
    });
    if (mostlyDeleted.length > 0) {
      for (const f of mostlyDeleted) findings.add(rule.id, rule.level, rule.order, "", f.path);
      parts.push(`mostly deletions in ${names(mostlyDeleted.map((f) => f.path))}`);
    }
    if (parts.length > 0) findings.describe(rule.id, parts.join("; "));
  }
  if (on("high/file-removed")) {
    const rule = changeRule("high/file-removed");
    const removed = counted.filter((f) => f.status === "removed").map((f) => f.path);
    for (const path of removed) findings.add(rule.id, rule.level, rule.order, "", path);
    if (removed.length > 0) findings.describe(rule.id, `removes ${names(removed)}`);
  }

  // 4. The verdict.
  const list = findings.list();
  const top = list[0];
  const level: Tier = top?.level ?? "low";
  const tier = config.tiers[level];
  const requirement: RiskVerdict["requirement"] = { approvals: tier.approvals, teams: [...tier.teams] };
  if (tier.mode !== undefined) requirement.mode = tier.mode;
  return { level, findings: list, requirement, explanation: explain(level, top) };
}

function explain(level: Tier, top: RiskFinding | undefined): string {
  if (top === undefined) return `${level}: no files changed`;
  // Change rules name their files in the reason; path rules get their first files appended.
  if (NAMING_RULES.has(top.rule)) return `${level}: ${oneLine(top.reason)}`;
  return `${level}: ${oneLine(top.reason)} (${names(top.files, 2, top.files.length + top.moreFiles)})`;
}

/**
 * The requirement in words: "needs 2 approvals, one from @acme/sre", "needs 1 approval from a member
 * of each of @acme/sre and @acme/dba", "needs 1 approval (observe mode: not enforced)".
 */
export function describeRequirement(verdict: Pick<RiskVerdict, "requirement">): string {
  const { approvals, teams, mode } = verdict.requirement;
  const at = teams.map((t) => `@${t}`);
  let text = `needs ${approvals} approval${approvals === 1 ? "" : "s"}`;
  const list = at.length <= 1 ? at.join("") : `${at.slice(0, -1).join(", ")} and ${at[at.length - 1] ?? ""}`;
  if (at.length === 1) text += approvals === 1 ? ` from ${list}` : `, one from ${list}`;
  else if (at.length > 1) text += approvals === 1 ? ` from a member of each of ${list}` : `, including one from each of ${list}`;
  if (mode === "observe") text += " (observe mode: not enforced)";
  return text;
}

function oneLine(text: string): string {
  return text.replace(/[\r\n\u0085\u2028\u2029]+/g, " ");
}

/** `critical/terraform-resource-renamed`: per directory (Terraform module), across all its `.tf` patches. */
function terraformRenames(files: readonly ChangedFile[], findings: Findings): void {
  interface Module {
    removed: Set<string>;
    added: Set<string>;
    moved: Map<string, string>;
    files: Map<string, string[]>;
  }
  const modules = new Map<string, Module>();
  for (const file of files) {
    if (!file.path.toLowerCase().endsWith(".tf") || typeof file.patch !== "string" || file.patch === "") continue;
    const blocks = terraformBlocks(file.patch);
    if (blocks.removed.length === 0 && blocks.added.length === 0 && blocks.moved.length === 0) continue;
    const dir = directory(file.path);
    let m = modules.get(dir);
    if (m === undefined) {
      m = { removed: new Set(), added: new Set(), moved: new Map(), files: new Map() };
      modules.set(dir, m);
    }
    for (const a of blocks.removed) {
      m.removed.add(a);
      m.files.set(a, [...(m.files.get(a) ?? []), file.path]);
    }
    for (const a of blocks.added) {
      m.added.add(a);
      m.files.set(a, [...(m.files.get(a) ?? []), file.path]);
    }
    for (const [from, to] of blocks.moved) m.moved.set(from, to);
  }
  const rule = changeRule("critical/terraform-resource-renamed");
  const parts: string[] = [];
  for (const [dir, m] of [...modules].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const gone = [...m.removed].filter((a) => !m.added.has(a));
    const fresh = [...m.added].filter((a) => !m.removed.has(a));
    // A `moved` block keeps the object: drop both ends.
    for (const [from, to] of m.moved) {
      const g = gone.indexOf(from);
      const f = fresh.indexOf(to);
      if (g !== -1 && f !== -1) {
        gone.splice(g, 1);
        fresh.splice(f, 1);
      }
    }
    const renames: string[] = [];
    for (const type of new Set(gone.map(addressType))) {
      const from = gone.filter((a) => addressType(a) === type);
      const to = fresh.filter((a) => addressType(a) === type);
      if (to.length === 0) continue;
      for (const a of [...from, ...to]) for (const path of m.files.get(a) ?? []) findings.add(rule.id, rule.level, rule.order, "", path);
      renames.push(from.length === to.length ? from.map((a, i) => `${code(a)} to ${code(to[i] ?? "")}`).join(", ") : `${names(from)} to ${names(to)}`);
    }
    if (renames.length > 0) parts.push(`renames ${renames.join(", ")} in ${dir === "" ? "the root module" : code(dir)}`);
  }
  if (parts.length > 0) findings.describe(rule.id, `${parts.join("; ")}: Terraform destroys and recreates them unless a \`moved\` block says otherwise`);
}
