/**
 * The `detection` section of `.github/countersign.yml`: how users extend or trim the signal catalog.
 *
 * Matching from config is deliberately literal (exact keys, exact addresses and logins, substrings of
 * values): no user-supplied regular expressions run inside the app, so a config file can never make
 * an evaluation slow, and what a rule matches is obvious from reading it.
 */
import { z } from "zod";
import { IDENTITY_RULES, LINE_RULES, PR_BODY_RULES, SUBJECT_RULES, TRAILER_RULES } from "./catalog.js";

/** Every built-in rule id, for `disable_rules`. */
export const BUILT_IN_RULE_IDS: readonly string[] = [...IDENTITY_RULES, ...TRAILER_RULES, ...LINE_RULES, ...SUBJECT_RULES, ...PR_BODY_RULES].map((r) => r.id);

const text = (what: string) => z.string({ error: (issue) => (issue.input === undefined ? `${what} is required` : `${what} must be a string`) }).trim().min(1, `${what} must not be empty`).max(200, `${what} must be at most 200 characters`);

const trailerKey = text("key").regex(/^[A-Za-z0-9-]+$/, "key must be a git trailer key: letters, digits and '-' only (e.g. X-AI-Agent)");

export const TrailerSignalSchema = z.strictObject({
  /** Trailer key, matched case-insensitively (e.g. `X-AI-Agent`). */
  key: trailerKey,
  /** When set, the trailer's value must contain this text (case-insensitive). */
  value_contains: text("value_contains").optional(),
  /** The tool to report. */
  tool: text("tool"),
});

const identityMatchers = {
  /** Exact e-mail address (case-insensitive). */
  email: text("email").regex(/@/, "email must be an e-mail address").optional(),
  /** GitHub login as GitHub shows it, e.g. `acme-agent[bot]` (case-insensitive). */
  login: text("login").optional(),
  /** GitHub numeric account id. */
  id: z.number({ error: "id must be a number" }).int().positive().optional(),
  /** Exact name (case-insensitive) as written in the commit or trailer. */
  name: text("name").optional(),
};

const atLeastOne = (v: { email?: string | undefined; login?: string | undefined; id?: number | undefined; name?: string | undefined }) =>
  v.email !== undefined || v.login !== undefined || v.id !== undefined || v.name !== undefined;
const atLeastOneMessage = { message: "give at least one of email, login, id or name" };

export const IdentitySignalSchema = z.strictObject({ ...identityMatchers, tool: text("tool") }).refine(atLeastOne, atLeastOneMessage);
export const IgnoredIdentitySchema = z.strictObject(identityMatchers).refine(atLeastOne, atLeastOneMessage);

export const BodySignalSchema = z.strictObject({
  /** Text that, found in a pull request body, marks it AI-authored (case-sensitive substring). */
  contains: text("contains"),
  tool: text("tool"),
});

export const DetectionConfigSchema = z
  .strictObject({
    /** Extra trailers that mark a commit AI-authored. */
    trailers: z.array(TrailerSignalSchema).default([]).describe("Extra trailers that mark a commit AI-authored."),
    /** Extra identities (authors, committers, co-authors, PR authors) that are AI agents. */
    identities: z.array(IdentitySignalSchema).default([]).describe("Extra AI identities: authors, committers, co-authors, PR authors."),
    /** Identities never treated as AI, even when a built-in rule matches them. */
    ignore: z.array(IgnoredIdentitySchema).default([]).describe("Identities never treated as AI, even when a built-in rule matches them."),
    /** Extra pull request body markers. */
    pr_body: z.array(BodySignalSchema).default([]).describe("Extra pull request body markers (case-sensitive substrings)."),
    /** Pull request labels that mark a PR AI-authored (case-insensitive). */
    labels: z.array(text("label")).default(["ai-generated", "ai-assisted"]).describe("Pull request labels that mark a PR AI-authored (case-insensitive)."),
    /** Built-in rule ids to switch off (list them with `countersign rules`). */
    disable_rules: z
      .array(
        z.enum(BUILT_IN_RULE_IDS as [string, ...string[]], {
          error: (issue) => `unknown rule id '${String(issue.input)}': list the built-in ids with 'countersign rules'`,
        }),
      )
      .default([])
      .describe("Built-in rule ids to switch off (list them with `countersign rules`)."),
  })
  .prefault({});

export type DetectionConfig = z.output<typeof DetectionConfigSchema>;
export type DetectionConfigInput = z.input<typeof DetectionConfigSchema>;

/** One problem in a config file: where it is and what to do. */
export interface ConfigProblem {
  /** Dotted path in the YAML document, e.g. `detection.identities[2].email`. */
  readonly path: string;
  readonly message: string;
}

/** Renders zod issues as problems with YAML-style paths under `prefix`. */
export function toProblems(error: z.ZodError, prefix = ""): ConfigProblem[] {
  return error.issues.map((issue) => {
    let path = prefix;
    for (const part of issue.path) {
      if (typeof part === "number") path += `[${part}]`;
      else path += path === "" ? String(part) : `.${String(part)}`;
    }
    const message = issue.code === "unrecognized_keys" ? `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `'${k}'`).join(", ")}: remove ${issue.keys.length > 1 ? "them" : "it"} or check the spelling` : issue.message;
    return { path: path === "" ? "(top level)" : path, message };
  });
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problems: ConfigProblem[] };

/** Validates a `detection` section (already parsed from YAML). Never throws. */
export function parseDetectionConfig(input: unknown, prefix = "detection"): ParseResult<DetectionConfig> {
  const result = DetectionConfigSchema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: toProblems(result.error, prefix) };
}
