/**
 * `countersign doctor OWNER/REPO`: checks what admins get wrong when setting countersign up, one line
 * per check — `✔ …`, `✘ … — fix: …`, or `• …` for what cannot be verified with the given token.
 *
 *   1. the repository exists and the token can read it (and its default branch)
 *   2. `.github/countersign.yml` (or the organisation's default) parses and validates
 *   3. the check is required on the default branch (classic branch protection or rulesets)
 *   4. the requirement is pinned to the countersign app (not "any source", not another app)
 *   5. the organisation's `.github` defaults, and whether the app's installation can read them
 *
 * Exit status: 0 all ✔; 1 some ✘; 2 doctor could not check (bad usage, repository not readable, or
 * the token lacks a permission a check needs).
 */

import { z } from "zod";
import { onePositional, parseFlags, type Io } from "./io.js";
import {
  AppSlugSchema,
  CONFIG_PATH,
  CheckNameSchema,
  DEFAULT_APP_SLUG,
  REPO_NOT_FOUND_FIX,
  RepoArgSchema,
  createGitHub,
  failure,
  githubMessage,
  rateLimitReset,
  readConfig,
  readConfigText,
  resolveCheckName,
  statusOf,
  usage,
  type CommandOptions,
  type ConfigReading,
  type GitHub,
  type RepoRef,
} from "./github-client.js";

export const DOCTOR_HELP = `Usage: countersign doctor OWNER/REPO [--app-slug SLUG] [--check-name NAME]

Checks a repository's countersign setup, one line per check (✔ ok, ✘ wrong — with the fix, • cannot
be verified with this token): the repository is readable; .github/countersign.yml is valid; the check
is required on the default branch; only the countersign app can satisfy it; the organisation's
.github defaults and whether the app can read them.

Options:
  --app-slug SLUG      the countersign GitHub App's slug (default: countersign)
  --check-name NAME    the check to look for when the config sets no check_name (default: countersign)
  -h, --help           this help

Environment: GITHUB_TOKEN (required; reading branch protection needs a repository admin's token —
fine-grained: Administration: read), GITHUB_API_URL (GitHub Enterprise, e.g. https://ghe.example.com/api/v3).
Exit status: 0 all checks pass; 1 some check failed; 2 bad usage, or a check could not be run.`;

interface DoctorOptions {
  readonly ref: RepoRef;
  readonly appSlug: string;
  readonly checkName?: string | undefined;
}

const ArgsSchema = z.object({ ref: RepoArgSchema, appSlug: AppSlugSchema.default(DEFAULT_APP_SLUG), checkName: CheckNameSchema.optional() });

function parse(argv: readonly string[]): DoctorOptions | "help" {
  const parsed = parseFlags("doctor", argv, { "app-slug": { type: "string" }, "check-name": { type: "string" }, help: { type: "boolean", short: "h" } });
  const { values, positionals } = parsed;
  if (values.help) return "help";
  const repository = onePositional("doctor", positionals);
  const result = ArgsSchema.safeParse({ ref: repository, appSlug: values["app-slug"], checkName: values["check-name"] });
  if (!result.success) throw usage("doctor", result.error);
  return result.data;
}

// --- What GitHub says is required ---

/** One required status check: where it is required, its name, and the app pinned as its source (null: any source). */
export interface Requirement {
  readonly where: string;
  readonly context: string;
  readonly appId: number | null;
}

const ProtectionSchema = z.object({
  required_status_checks: z
    .object({
      contexts: z.array(z.string()).optional(),
      checks: z.array(z.object({ context: z.string(), app_id: z.number().nullable().optional() })).optional(),
    })
    .nullable()
    .optional(),
});

const RulesSchema = z.array(
  z.object({
    type: z.string(),
    ruleset_id: z.number().optional(),
    ruleset_source: z.string().optional(),
    parameters: z
      .object({ required_status_checks: z.array(z.object({ context: z.string(), integration_id: z.number().nullable().optional() })).optional() })
      .loose()
      .nullable()
      .optional(),
  }),
);

/** A pinned app id of -1 (or none) means "any source". */
const pinned = (id: number | null | undefined): number | null => (id === null || id === undefined || id < 0 ? null : id);

export function classicRequirements(data: unknown, branch: string): Requirement[] {
  const parsed = ProtectionSchema.safeParse(data);
  const checks = parsed.success ? parsed.data.required_status_checks : undefined;
  if (!checks) return [];
  const where = `branch protection of ${branch}`;
  if (checks.checks && checks.checks.length > 0) return checks.checks.map((c) => ({ where, context: c.context, appId: pinned(c.app_id) }));
  return (checks.contexts ?? []).map((context) => ({ where, context, appId: null }));
}

export function rulesetRequirements(data: unknown): Requirement[] {
  const parsed = RulesSchema.safeParse(data);
  if (!parsed.success) return [];
  return parsed.data
    .filter((r) => r.type === "required_status_checks")
    .flatMap((r) => {
      const where = `ruleset ${r.ruleset_id ?? "?"}${r.ruleset_source ? ` of ${r.ruleset_source}` : ""}`;
      return (r.parameters?.required_status_checks ?? []).map((c) => ({ where, context: c.context, appId: pinned(c.integration_id) }));
    });
}

const REQUIRE_FIX = (checkName: string, slug: string) =>
  `Settings → Rules → Rulesets → New branch ruleset → target the default branch → enable "Require status checks to pass" → Add checks → ${checkName} → source: the ${slug} app → Create (or Settings → Branches → a rule for the default branch → "Require status checks to pass before merging" → ${checkName}, source: the ${slug} app)`;

// --- The command ---

type Mark = "✔" | "✘" | "•";

/** 403 that is a permission refusal (not the rate limit, which is an error of its own). */
const denied = (error: unknown): boolean => statusOf(error) === 403 && rateLimitReset(error) === undefined;

export async function doctor(argv: readonly string[], io: Io, options: CommandOptions = {}): Promise<number> {
  const parsed = parse(argv);
  if (parsed === "help") {
    await io.out(`${DOCTOR_HELP}\n`);
    return 0;
  }
  const { ref, appSlug } = parsed;
  const gh = createGitHub("doctor", options.env ?? process.env);
  const full = `${ref.owner}/${ref.repo}`;
  let failed = false;
  let blocked = false;
  const line = async (mark: Mark, text: string, fix?: string) => {
    if (mark === "✘") failed = true;
    await io.out(`${mark} ${text}${fix ? ` — fix: ${fix}` : ""}\n`);
  };

  // 1. The repository, readable by this token; its default branch.
  let branch: string;
  let ownerType: string;
  try {
    const { data } = await gh.octokit.request("GET /repos/{owner}/{repo}", { owner: ref.owner, repo: ref.repo });
    branch = data.default_branch;
    ownerType = data.owner.type;
  } catch (error) {
    if (statusOf(error) === 404) {
      await line("✘", `repository ${full} not found, or GITHUB_TOKEN cannot see it`, REPO_NOT_FOUND_FIX);
      return 2;
    }
    if (denied(error)) {
      await line("✘", `GitHub refused to show repository ${full} (403 ${githubMessage(error)})`, "use a token with read access to it (fine-grained: Metadata: read), authorized for the organisation's SAML single sign-on if it uses it");
      return 2;
    }
    throw failure("doctor", gh, error, { what: `repository ${full}`, needs: "read access to it" });
  }
  await line("✔", `repository ${full} is readable (default branch: ${branch})`);

  // 2. The config that applies: the repository's own file, else the organisation's `.github` default.
  const org: RepoRef = { owner: ref.owner, repo: ".github" };
  let repoText: string | null;
  try {
    repoText = await readConfigText(gh, ref);
  } catch (error) {
    if (!denied(error)) throw failure("doctor", gh, error, { what: `${CONFIG_PATH} of ${full}`, needs: "Contents: read" });
    await line("✘", `cannot read ${CONFIG_PATH} of ${full} (403 ${githubMessage(error)})`, "use a token that can read the repository's contents (fine-grained: Contents: read)");
    return 2;
  }
  let orgText: string | null = null;
  let orgUnreadable: string | null = null;
  if (ref.repo !== ".github") {
    try {
      orgText = await readConfigText(gh, org);
    } catch (error) {
      if (!denied(error)) throw failure("doctor", gh, error, { what: `${CONFIG_PATH} of ${org.owner}/.github`, needs: "Contents: read" });
      orgUnreadable = githubMessage(error);
    }
  }
  let reading: ConfigReading | null = null;
  if (repoText !== null) {
    reading = readConfig(repoText);
    await reportConfig(line, reading, `${CONFIG_PATH} on ${branch}`, `correct it on ${branch}`);
  } else if (orgText !== null) {
    reading = readConfig(orgText);
    await reportConfig(line, reading, `${org.owner}/.github's ${CONFIG_PATH} (the organisation default; ${full} has no file of its own)`, `correct it in ${org.owner}/.github`);
  } else {
    await line("✔", `no ${CONFIG_PATH}: defaults apply`);
  }
  const { name: checkName, fromConfig } = resolveCheckName(reading, parsed.checkName);
  if (fromConfig && parsed.checkName !== undefined && parsed.checkName !== checkName) await line("•", `--check-name ${parsed.checkName} ignored: the config's check_name is ${checkName}`);

  // 3. Required on the default branch: classic branch protection and/or rulesets.
  const requirements: Requirement[] = [];
  const unreadable: string[] = [];
  try {
    const { data } = await gh.octokit.request("GET /repos/{owner}/{repo}/branches/{branch}/protection", { owner: ref.owner, repo: ref.repo, branch });
    requirements.push(...classicRequirements(data, branch));
  } catch (error) {
    if (denied(error)) unreadable.push(`branch protection (403 ${githubMessage(error)}: reading it needs a repository admin's token; fine-grained: Administration: read)`);
    else if (statusOf(error) !== 404) throw failure("doctor", gh, error, { what: `branch protection of ${branch}`, needs: "admin access to the repository (fine-grained: Administration: read)" });
    // 404: the branch is not protected.
  }
  try {
    const rules = await gh.octokit.paginate("GET /repos/{owner}/{repo}/rules/branches/{branch}", { owner: ref.owner, repo: ref.repo, branch, per_page: 100 });
    requirements.push(...rulesetRequirements(rules));
  } catch (error) {
    if (denied(error)) unreadable.push(`rulesets (403 ${githubMessage(error)})`);
    else if (statusOf(error) !== 404) throw failure("doctor", gh, error, { what: `rules of ${branch}`, needs: "read access to the repository" });
  }
  const required = requirements.filter((r) => r.context === checkName);

  // 4. This app is the source the requirement expects.
  let appId: number | null = null;
  let appLookup: string | null = null;
  try {
    const { data } = await gh.octokit.request("GET /apps/{app_slug}", { app_slug: appSlug });
    appId = data?.id ?? null;
  } catch (error) {
    if (statusOf(error) !== 404 && !denied(error)) throw failure("doctor", gh, error, { what: `GitHub App ${appSlug}`, needs: "read access" });
    appLookup = `GET /apps/${appSlug} answered ${statusOf(error)} ${githubMessage(error)}`;
  }

  if (required.length === 0) {
    const ours = appId === null ? [] : requirements.filter((r) => r.appId === appId);
    const hint = ours.length > 0 ? ` (the checks pinned to the ${appSlug} app are named ${[...new Set(ours.map((r) => r.context))].join(", ")}: require ${checkName} instead, or set check_name)` : "";
    if (unreadable.length > 0) {
      blocked = true;
      await line("✘", `cannot tell whether ${checkName} is required on ${branch}: no readable rule requires it, and GitHub refused the ${unreadable.join(" and the ")}`, `run doctor with a repository admin's token (fine-grained: Administration: read), or see for yourself: ${REQUIRE_FIX(checkName, appSlug)}`);
    } else {
      await line("✘", `${checkName} is not a required check on ${branch}: pull requests can merge without countersign's approval${hint}`, REQUIRE_FIX(checkName, appSlug));
    }
    await line("•", `which app may satisfy ${checkName}: not checked, it is not required`);
  } else {
    const wheres = [...new Set(required.map((r) => r.where))].join(", ");
    await line("✔", `${checkName} is required on ${branch} (${wheres})`);
    if (appId === null) {
      await line("✘", `cannot look up the GitHub App '${appSlug}' (${appLookup ?? "no id"}), so cannot tell whether it is the check's expected source`, `pass --app-slug with the app's slug (https://github.com/apps/<slug>); a private app is visible only to its owner's tokens`);
    } else if (required.some((r) => r.appId === appId)) {
      const where = [...new Set(required.filter((r) => r.appId === appId).map((r) => r.where))].join(", ");
      await line("✔", `only the ${appSlug} app (id ${appId}) can satisfy ${checkName} (${where})`);
    } else if (required.some((r) => r.appId === null)) {
      const where = [...new Set(required.filter((r) => r.appId === null).map((r) => r.where))].join(", ");
      await line(
        "✘",
        `${checkName} is required from any source (${where}): anyone with write access can post a commit status named ${checkName} and pass the gate`,
        `pin the source: in the ruleset's or branch protection's required checks, choose the ${appSlug} app as the source of ${checkName}, not "any source"`,
      );
    } else {
      const others = [...new Set(required.map((r) => r.appId))].join(", ");
      await line("✘", `${checkName} is required from another app (id ${others}), not ${appSlug} (id ${appId}): countersign's own check run cannot satisfy it`, `choose the ${appSlug} app as the source of ${checkName} in the rule that requires it`);
    }
    if (unreadable.length > 0) await line("•", `not read: ${unreadable.join("; ")}; the requirement above is enough on its own`);
  }

  // 5. The organisation's `.github` defaults, and whether the app's installation can read them.
  await checkOrgDefaults(gh, line, { ref, org, appSlug, ownerType, orgText, orgUnreadable, repoHasFile: repoText !== null, extendsFrom: reading && reading.kind !== "yaml-error" ? reading.extendsFrom : null });

  return blocked ? 2 : failed ? 1 : 0;
}

type LineFn = (mark: Mark, text: string, fix?: string) => Promise<void>;

async function reportConfig(line: LineFn, reading: ConfigReading, what: string, fix: string): Promise<void> {
  const how = `${fix} (every key is documented in the README's Configuration section); until then the check fails on every pull request`;
  if (reading.kind === "yaml-error") {
    await line("✘", `${what} is not valid YAML: ${reading.message}`, how);
    return;
  }
  if (reading.kind === "invalid") {
    for (const p of reading.problems) await line("✘", `${what}: ${p.path}: ${p.message}`, how);
  } else {
    await line("✔", `${what} is valid`);
    if (!reading.config.enabled) await line("•", "enabled: false — countersign is off for this repository: its check is neutral and enforces nothing");
    else if (reading.config.mode === "observe") await line("•", "mode: observe — the check is computed and shown but never blocks (neutral)");
  }
  if (reading.extendsFrom !== null) await line("•", `it uses _extends: ${reading.extendsFrom}; doctor validated only this file`);
}

interface OrgContext {
  readonly ref: RepoRef;
  readonly org: RepoRef;
  readonly appSlug: string;
  readonly ownerType: string;
  readonly orgText: string | null;
  readonly orgUnreadable: string | null;
  readonly repoHasFile: boolean;
  readonly extendsFrom: string | null;
}

async function checkOrgDefaults(gh: GitHub, line: LineFn, c: OrgContext): Promise<void> {
  const orgRepo = `${c.org.owner}/.github`;
  if (c.ref.repo === ".github") return;
  if (c.orgUnreadable !== null) {
    await line("•", `cannot verify the organisation defaults: GitHub refused to show ${orgRepo}'s ${CONFIG_PATH} (403 ${c.orgUnreadable})`);
    return;
  }
  if (c.orgText === null) {
    await line("•", `no organisation defaults: ${orgRepo} has no ${CONFIG_PATH} (or this token cannot see it)`);
    return;
  }
  if (c.repoHasFile && c.extendsFrom === null) {
    await line("•", `${orgRepo} has organisation defaults (${CONFIG_PATH}); this repository's own file takes precedence`);
    return;
  }
  await line("•", `${orgRepo} has organisation defaults (${CONFIG_PATH}) that apply to this repository — if the ${c.appSlug} app can read ${orgRepo}`);
  const manage = `check the installation's "Repository access" (organisation Settings → GitHub Apps → ${c.appSlug} → Configure)`;
  if (c.ownerType !== "Organization") {
    // GET /users/{user}/installation and GET /repos/{owner}/.github/installation answer only the app itself (a JWT).
    await line("•", `cannot verify whether the ${c.appSlug} app's installation includes ${orgRepo} (needs the app's own credentials: GitHub shows a personal account's installations only to the app) — check Settings → Applications → ${c.appSlug} → Configure`);
    return;
  }
  let installations: { app_slug: string; repository_selection: string }[];
  try {
    installations = (await gh.octokit.paginate("GET /orgs/{org}/installations", { org: c.org.owner, per_page: 100 })) as { app_slug: string; repository_selection: string }[];
  } catch (error) {
    const status = statusOf(error);
    if (status !== 403 && status !== 404 && status !== 401) throw failure("doctor", gh, error, { what: `app installations of ${c.org.owner}`, needs: "an organisation owner's token" });
    await line("•", `cannot verify whether the ${c.appSlug} app's installation includes ${orgRepo} (needs an organisation owner's token to list the organisation's app installations; GET /orgs/${c.org.owner}/installations answered ${status ?? "?"}) — ${manage}`);
    return;
  }
  const installation = installations.find((i) => i.app_slug === c.appSlug);
  if (!installation) {
    await line("✘", `the ${c.appSlug} app is not installed on ${c.org.owner}`, `install it on the organisation (https://github.com/apps/${c.appSlug}) with access to ${c.ref.repo} and .github`);
  } else if (installation.repository_selection === "all") {
    await line("✔", `the ${c.appSlug} app is installed on all of ${c.org.owner}'s repositories, ${orgRepo} included: it reads the organisation defaults`);
  } else {
    // Listing a selected-repositories installation needs the app's own tokens (GET /installation/repositories)
    // or a user-to-server token of that app (GET /user/installations/{id}/repositories): a PAT or `gh` token cannot.
    await line("•", `cannot verify whether the ${c.appSlug} app's installation includes ${orgRepo}: it is limited to selected repositories, which GitHub lists only to the app itself — ${manage}`);
  }
}
