/**
 * `.github/countersign.yml`: the whole configuration file, validated with zod.
 *
 * Every key has a default, so an empty or missing file is a valid configuration. The README documents
 * every key (a test holds it to this schema), and `schema/countersign.schema.json` is generated from
 * it for editors (`npm run schema`; a test fails when it is out of date).
 */
import { z } from "zod";
import { DetectionConfigSchema, toProblems, type ConfigProblem, type ParseResult } from "../detection/config.js";
import { RiskConfigSchema } from "../risk/config.js";

export const PERMISSIONS = ["read", "triage", "write", "maintain", "admin"] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const LabelsConfigSchema = z
  .strictObject({
    /** Keep the labels below in sync with the verdict. */
    enabled: z.boolean({ error: "labels.enabled must be true or false" }).default(true).describe("Keep the labels in sync with the verdict."),
    /** The label on AI-authored pull requests. */
    ai_authored: z.string().trim().min(1, "labels.ai_authored must not be empty").max(50, "labels.ai_authored must be at most 50 characters (GitHub's limit)").default("ai-authored").describe("The label on AI-authored pull requests (created with a colour and description when missing)."),
    bypassed: z.string().trim().min(1, "labels.bypassed must not be empty").max(50, "labels.bypassed must be at most 50 characters").default("countersign: bypassed").describe("The label on AI-authored pull requests merged without a countersign."),
    overridden: z.string().trim().min(1, "labels.overridden must not be empty").max(50, "labels.overridden must be at most 50 characters").default("countersign: overridden").describe("The label on pull requests whose gate was overridden (break-glass)."),
  })
  .prefault({});

const COMMAND_WORD = /^[a-z][a-z0-9-]{1,29}$/;

export const CommandsConfigSchema = z
  .strictObject({
    enabled: z.boolean({ error: "commands.enabled must be true or false" }).default(true).describe("Accept /countersign commands in PR comments and review bodies."),
    words: z
      .array(z.string().regex(COMMAND_WORD, "each command word is 2-30 lower-case letters, digits or '-', starting with a letter (typed as /word)"), { error: "commands.words must be a list of words" })
      .min(1, "commands.words needs at least one word (or set commands.enabled: false)")
      .default(["countersign", "approve"])
      .describe("The command words: /countersign approves, /countersign revoke withdraws, /countersign status refreshes."),
  })
  .prefault({});

const TEAM = /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const teamList = (key: string) =>
  z
    .array(z.string().trim().regex(TEAM, `each entry of ${key} is a team as org/team-slug, e.g. acme/sre`), { error: `${key} must be a list of teams (org/team-slug)` })
    .default([]);

export const OverrideConfigSchema = z
  .strictObject({
    enabled: z.boolean({ error: "override.enabled must be true or false" }).default(true).describe("Allow break-glass overrides with /countersign override <reason>."),
    teams: teamList("override.teams").describe("Teams (org/team-slug) whose members may override, besides repository admins."),
    min_reason_length: z.number({ error: "override.min_reason_length must be a number" }).int().min(1, "override.min_reason_length must be at least 1").max(500).default(10).describe("The shortest reason accepted."),
    allow_operator: z.boolean({ error: "override.allow_operator must be true or false" }).default(false).describe("Let an operator override their own change."),
    open_issue: z.boolean({ error: "override.open_issue must be true or false" }).default(false).describe("Open an issue recording each override for after-the-fact review."),
  })
  .prefault({});

export const BypassConfigSchema = z
  .strictObject({
    open_issue: z.boolean({ error: "bypass.open_issue must be true or false" }).default(false).describe("Open an issue for every change that went around the gate."),
    branches: z
      .array(z.string().trim().min(1, "bypass.branches entries must not be empty"), { error: "bypass.branches must be a list of branch names" })
      .default([])
      .describe("Branches watched for direct pushes besides the default branch."),
  })
  .prefault({});

export const ConfigSchema = z
  .strictObject({
    /** Turn countersign off for this repository: the check reports `neutral` and nothing is enforced. */
    enabled: z.boolean({ error: "enabled must be true or false" }).default(true).describe("false turns countersign off for the repository: the check reports neutral and nothing is enforced."),
    /** `enforce`: the check blocks until countersigned. `observe`: everything is computed and shown, the check concludes `neutral`. */
    mode: z.enum(["enforce", "observe"], { error: "mode must be 'enforce' or 'observe'" }).default("enforce").describe("enforce: the check blocks until countersigned. observe: everything is computed and shown, but the check concludes neutral."),
    /** The check run's name: the name to mark as required in branch protection or rulesets. */
    check_name: z
      .string({ error: "check_name must be a string" })
      .trim()
      .min(1, "check_name must not be empty")
      .max(100, "check_name must be at most 100 characters")
      .default("countersign")
      .describe("The check run's name: the name to mark as required in branch protection or rulesets."),
    /** How many humans other than the operators must approve the head commit. */
    required_approvals: z
      .number({ error: "required_approvals must be a number" })
      .int("required_approvals must be a whole number")
      .min(1, "required_approvals must be at least 1 (use mode: observe to stop enforcing)")
      .max(10, "required_approvals must be at most 10")
      .default(1)
      .describe("How many humans other than the operators must approve the head commit."),
    /** The least repository permission a countersigner needs. */
    min_permission: z.enum(PERMISSIONS, { error: `min_permission must be one of ${PERMISSIONS.join(", ")}` }).default("write").describe("The least repository permission a countersigner needs."),
    /**
     * Fail closed when an AI-authored commit names a human (author, committer, co-author) whose e-mail
     * GitHub cannot link to an account: that person could otherwise approve their own change.
     */
    require_resolvable_operators: z
      .boolean({ error: "require_resolvable_operators must be true or false" })
      .default(true)
      .describe("Fail closed when an AI-authored commit names a human whose e-mail GitHub cannot link to an account."),
    commands: CommandsConfigSchema.describe("Countersigning by comment."),
    override: OverrideConfigSchema.describe("Break-glass overrides."),
    bypass: BypassConfigSchema.describe("Changes that went around the gate."),
    status_comment: z.boolean({ error: "status_comment must be true or false" }).default(true).describe("Keep one status comment on AI-authored pull requests, edited in place."),
    detection: DetectionConfigSchema.describe("Extend or trim the built-in AI signal catalog."),
    risk: RiskConfigSchema.describe("Risk tiers: what a change touches, and what each tier requires."),
    labels: LabelsConfigSchema.describe("The labels countersign keeps in sync."),
  })
  .prefault({});

export type Config = z.output<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

export const DEFAULT_CONFIG: Config = ConfigSchema.parse(undefined);

/** Validates a parsed configuration document (`null` for a missing file). Never throws. */
export function parseConfig(input: unknown): ParseResult<Config> {
  if (input !== null && input !== undefined && (typeof input !== "object" || Array.isArray(input))) {
    return { ok: false, problems: [{ path: "(top level)", message: "the file must be a YAML mapping of keys (see the README's Configuration section)" }] };
  }
  const result = ConfigSchema.safeParse(input ?? {});
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: toProblems(result.error) };
}

/**
 * The check name to report under even when the file is invalid, so a broken config still fails the
 * check that branch protection requires.
 */
export function checkNameOf(input: unknown): string {
  if (input !== null && typeof input === "object" && !Array.isArray(input)) {
    const name = (input as Record<string, unknown>).check_name;
    if (typeof name === "string" && name.trim() !== "" && name.length <= 100) return name.trim();
  }
  return DEFAULT_CONFIG.check_name;
}

export type { ConfigProblem };
