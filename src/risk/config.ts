/**
 * The `risk` section of `.github/countersign.yml`: custom path rules, switched-off built-ins, the
 * large-deletion thresholds, and what each risk tier requires.
 *
 * How custom rules interact with the built-ins (`rules.ts`):
 * - Custom rules are checked first, in the order written; the FIRST custom rule whose `paths` match
 *   a path (and whose `except` does not) decides that path's level, INSTEAD of every built-in path
 *   rule (including `low/comments-only`). So a custom rule can lower a path (`infra/sandbox/**` →
 *   medium, generated code → low) as well as raise one (`src/billing/**` → critical).
 * - Change rules still apply to every file, custom or not: destructive infrastructure patterns
 *   (`critical/infrastructure-*`, `critical/terraform-resource-renamed`) and large deletions
 *   (`high/large-deletion`, `high/file-removed`). Switch those off with `disable_rules`.
 * - Custom globs are picomatch globs matched against the whole path from the repository root, dot
 *   files included, case-sensitively (as in CODEOWNERS). A glob without `**` matches from the root
 *   only: `*.gen.ts` matches `a.gen.ts`, not `src/a.gen.ts`.
 */
import picomatch from "picomatch";
import { z } from "zod";
import { RISK_RULE_IDS, TIERS, type Tier } from "./rules.js";
import { toProblems, type ParseResult } from "../detection/config.js";

const text = (what: string) => z.string({ error: (issue) => (issue.input === undefined ? `${what} is required` : `${what} must be a string`) }).trim().min(1, `${what} must not be empty`).max(200, `${what} must be at most 200 characters`);

/** Why `glob` cannot be used, or undefined when it can. */
export function globProblem(glob: string): string | undefined {
  if (glob.startsWith("/") || /^[A-Za-z]:/.test(glob) || glob.startsWith("~")) return `'${glob}' is an absolute path: write it relative to the repository root (e.g. 'infra/**')`;
  if (glob.startsWith("!")) return `'${glob}' is a negated glob: list the paths to leave out under 'except' instead`;
  if (glob.startsWith("./")) return `'${glob}' starts with './': drop it, paths are relative to the repository root`;
  if (glob.includes("\\")) return `'${glob}' contains a backslash: use '/' to separate directories`;
  if (glob.split("/").includes("..")) return `'${glob}' contains '..': paths cannot leave the repository`;
  const open: string[] = [];
  const pairs: Record<string, string> = { "}": "{", "]": "[", ")": "(" };
  for (const ch of glob) {
    if (ch === "{" || ch === "[" || ch === "(") open.push(ch);
    else if (ch === "}" || ch === "]" || ch === ")") {
      if (open.pop() !== pairs[ch]) return `'${glob}' has an unbalanced '${ch}': close every '{', '[' and '(' it opens`;
    }
  }
  if (open.length > 0) return `'${glob}' has an unclosed '${open[open.length - 1] ?? ""}': close every '{', '[' and '(' it opens`;
  try {
    picomatch.makeRe(glob, { dot: true, strictBrackets: true });
  } catch {
    return `'${glob}' is not a valid glob: see https://github.com/micromatch/picomatch#globbing-features`;
  }
  return undefined;
}

const glob = z
  .string({ error: "a path glob must be a string, e.g. 'infra/sandbox/**'" })
  .trim()
  .min(1, "a path glob must not be empty: write one such as 'infra/sandbox/**'")
  .max(300, "a path glob must be at most 300 characters")
  .superRefine((value, ctx) => {
    const problem = globProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });

/** The message for a value that is not a mapping (other issues keep their own messages). */
const mapping = (message: string) => ({ error: (issue: { code: string }) => (issue.code === "invalid_type" ? message : undefined) });

const tier = z.enum(TIERS, { error: `level must be one of ${TIERS.join(", ")}` });

export const RiskRuleSchema = z.strictObject(
  {
    /** Globs for the paths this rule decides (any one matching is enough). */
    paths: z
      .array(glob, { error: "paths must be a list of globs, e.g. ['infra/sandbox/**']" })
      .min(1, "paths must list at least one glob, e.g. ['infra/sandbox/**']")
      .describe("Globs (from the repository root, case-sensitive) for the paths this rule decides."),
    /** Globs this rule leaves to the next rules even when `paths` matches. */
    except: z.array(glob, { error: "except must be a list of globs" }).default([]).describe("Globs left to the next rules even when paths match."),
    /** The level for matching paths, instead of the built-in path rules. */
    level: tier.describe("The risk level of matching paths, instead of the built-in path rules' level."),
    /** Shown to reviewers next to the files. */
    reason: text("reason").describe("Why these paths carry this risk; shown on the check next to the files."),
  },
  mapping("a rule must be a mapping like { paths: ['infra/sandbox/**'], level: medium, reason: 'sandbox infrastructure' }"),
);

/** `org/team-slug` (a leading `@` is accepted and dropped), compared in lower case. */
const team = z
  .string({ error: "a team must be a string like 'acme/sre'" })
  .trim()
  .transform((t) => (t.startsWith("@") ? t.slice(1) : t))
  .pipe(z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, "a team must be written 'org/team-slug', e.g. 'acme/sre' (the slug from the team's URL)"))
  .transform((t) => t.toLowerCase());

const tierRequirement = (name: Tier, approvals: number) =>
  z
    .strictObject(
      {
        /** Humans other than the operators who must approve the head commit. */
        approvals: z
          .number({ error: "approvals must be a number" })
          .int("approvals must be a whole number")
          .min(1, "approvals must be at least 1 (use mode: observe to stop enforcing)")
          .max(10, "approvals must be at most 10")
          .default(approvals)
          .describe("How many humans other than the operators must approve the head commit."),
        /** At least one approver must be a member of each team. */
        teams: z
          .array(team, { error: "teams must be a list like ['acme/sre']" })
          .default([])
          .transform((teams) => [...new Set(teams)])
          .describe("Teams ('org/team-slug'): at least one approver must be a member of each."),
        /** Overrides the global `mode` for changes of this tier; unset means the global mode. */
        mode: z
          .enum(["enforce", "observe"], { error: "mode must be 'enforce' or 'observe' (or left out to use the global mode)" })
          .optional()
          .describe("enforce or observe for changes of this tier; the global mode when left out."),
      },
      mapping(`tiers.${name} must be a mapping like { approvals: ${approvals} }`),
    )
    .prefault({});

const LargeDeletionsSchema = z
  .strictObject(
    {
      /** More deleted lines than this in total (outside tests and docs). */
      lines: z
        .number({ error: "lines must be a number" })
        .int("lines must be a whole number")
        .min(1, "lines must be at least 1 (disable high/large-deletion to turn the check off)")
        .max(10_000_000, "lines must be at most 10000000")
        .default(500)
        .describe("A change deleting more lines than this in total (outside tests and docs) is high."),
      /** A file with more than this share of its changed lines deleted (at least 20 changed lines). */
      ratio: z
        .number({ error: "ratio must be a number" })
        .gt(0, "ratio must be more than 0: it is the share of a file's changed lines that are deletions, e.g. 0.5")
        .lt(1, "ratio must be less than 1: it is the share of a file's changed lines that are deletions, e.g. 0.5 (disable high/large-deletion to turn the check off)")
        .default(0.5)
        .describe("A file with at least 20 changed lines of which more than this share are deletions is high."),
    },
    mapping("large_deletions must be a mapping like { lines: 500, ratio: 0.5 }"),
  )
  .prefault({});

const TiersSchema = z
  .strictObject(
    {
      low: tierRequirement("low", 1),
      medium: tierRequirement("medium", 1),
      high: tierRequirement("high", 2),
      critical: tierRequirement("critical", 2),
    },
    mapping("tiers must be a mapping with any of low, medium, high, critical"),
  )
  .prefault({});

export const RiskConfigSchema = z
  .strictObject(
    {
      /** Custom path rules, checked before the built-ins; the first match decides a path's level. */
      rules: z
        .array(RiskRuleSchema, { error: "rules must be a list of { paths, level, reason }" })
        .default([])
        .describe("Custom path rules, checked before the built-ins; the first one matching a path decides its level (lower or higher)."),
      /** Built-in rule ids to switch off. */
      disable_rules: z
        .array(
          z.enum(RISK_RULE_IDS as [string, ...string[]], {
            error: (issue) => `unknown risk rule id '${String(issue.input)}': use one of ${RISK_RULE_IDS.join(", ")} (medium/code, the fallback, cannot be disabled)`,
          }),
          { error: "disable_rules must be a list of rule ids, e.g. ['high/build-scripts']" },
        )
        .default([])
        .describe("Built-in risk rule ids to switch off, e.g. high/build-scripts."),
      /** When deletions make a change `high`. */
      large_deletions: LargeDeletionsSchema.describe("When deletions make a change high."),
      /** What each tier requires. */
      tiers: TiersSchema.describe("What each risk tier requires: approvals, teams, mode."),
    },
    mapping("risk must be a mapping with any of rules, disable_rules, large_deletions, tiers"),
  )
  .prefault({});

export type RiskConfig = z.output<typeof RiskConfigSchema>;
export type RiskConfigInput = z.input<typeof RiskConfigSchema>;
export type RiskRule = z.output<typeof RiskRuleSchema>;
export type TierRequirement = RiskConfig["tiers"][Tier];

export const DEFAULT_RISK_CONFIG: RiskConfig = RiskConfigSchema.parse(undefined);

/** Validates a `risk` section (already parsed from YAML). Never throws. */
export function parseRiskConfig(input: unknown, prefix = "risk"): ParseResult<RiskConfig> {
  const result = RiskConfigSchema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: toProblems(result.error, prefix) };
}
