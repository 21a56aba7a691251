/**
 * What `countersign audit` and `countersign doctor` share: one Octokit for the GitHub API (token from
 * `GITHUB_TOKEN`, base URL from `GITHUB_API_URL` for GitHub Enterprise), the `OWNER/REPO` argument,
 * reading `.github/countersign.yml`, and turning GitHub's errors into one line a person can act on.
 *
 * Only these two commands import this module (and with it Octokit and zod): `countersign scan` stays light.
 */
import { Octokit } from "@octokit/rest";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { checkNameOf, parseConfig, type Config, type ConfigProblem } from "../config/schema.js";
import { UsageError } from "./io.js";

export type Env = Readonly<Record<string, string | undefined>>;

/** What a GitHub-reading command may be given besides its arguments and output streams (tests inject these). */
export interface CommandOptions {
  /** Environment variables (default: `process.env`). */
  readonly env?: Env;
  /** The current time (default: now). */
  readonly now?: Date;
  /** Whether stderr is a terminal, for progress output (default: `process.stderr.isTTY`). */
  readonly stderrIsTTY?: boolean;
}

export const DEFAULT_API_URL = "https://api.github.com";
export const CONFIG_PATH = ".github/countersign.yml";
export const DEFAULT_APP_SLUG = "countersign";
export const DEFAULT_CHECK_NAME = "countersign";
export const TOKEN_HELP = "set GITHUB_TOKEN to a token with repo read access, e.g. `export GITHUB_TOKEN=$(gh auth token)`";

export interface GitHub {
  readonly octokit: Octokit;
  /** The REST API base, e.g. https://api.github.com or https://ghe.example.com/api/v3. */
  readonly apiUrl: string;
}

const ApiUrlSchema = z
  .url({ protocol: /^https?$/, error: "GITHUB_API_URL must be an http(s) URL, e.g. https://ghe.example.com/api/v3" })
  .transform((url) => url.replace(/\/+$/, ""));

/** The one Octokit both commands use. Throws a UsageError (exit 2) without a usable token or URL. */
export function createGitHub(command: string, env: Env): GitHub {
  const token = (env.GITHUB_TOKEN ?? "").trim();
  if (token === "") throw new UsageError(`${command}: ${TOKEN_HELP}`);
  const rawUrl = (env.GITHUB_API_URL ?? "").trim();
  let apiUrl = DEFAULT_API_URL;
  if (rawUrl !== "") {
    const parsed = ApiUrlSchema.safeParse(rawUrl);
    if (!parsed.success) throw new UsageError(`${command}: ${parsed.error.issues[0]?.message ?? "GITHUB_API_URL is not a URL"} (got '${rawUrl}')`);
    apiUrl = parsed.data;
  }
  const silent = () => {};
  const octokit = new Octokit({
    auth: token,
    baseUrl: apiUrl,
    userAgent: "countersign-cli",
    // The commands report every failure themselves, once, in their own words.
    log: { debug: silent, info: silent, warn: silent, error: silent },
  });
  return { octokit, apiUrl };
}

/** An error's message (duck-typed: errors from other realms, e.g. node:util's, fail `instanceof Error`). */
export function errorText(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === "string" ? message : String(error);
}

// --- OWNER/REPO ---

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;

export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

export const RepoArgSchema = z.string().transform((value, ctx): RepoRef => {
  const parts = value.trim().split("/");
  const [owner, repo] = parts;
  if (parts.length !== 2 || owner === undefined || repo === undefined || !OWNER.test(owner) || !REPO.test(repo) || repo === "." || repo === "..") {
    ctx.addIssue({ code: "custom", message: `expected the repository as OWNER/REPO (e.g. octo-org/api), got '${value}'` });
    return z.NEVER;
  }
  return { owner, repo };
});

export const AppSlugSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62})$/, "--app-slug must be a GitHub App's slug: lower-case letters, digits and '-' (the name in https://github.com/apps/<slug>)");
export const CheckNameSchema = z.string().trim().min(1, "--check-name must not be empty").max(100, "--check-name must be at most 100 characters");

/** The first zod issue as a one-line usage error. */
export function usage(command: string, error: z.ZodError): UsageError {
  const issue = error.issues[0];
  return new UsageError(`${command}: ${issue?.message ?? "invalid arguments"} (see countersign ${command} --help)`);
}

// --- GitHub's errors, in words ---

interface ErrorLike {
  readonly status?: unknown;
  readonly message?: unknown;
  readonly name?: unknown;
  readonly response?: { readonly headers?: Record<string, string | number | undefined>; readonly data?: unknown } | undefined;
  readonly errors?: unknown;
}

/** The HTTP status of a failed Octokit request, or undefined (no answer: a network error, or not an HTTP error). */
export function statusOf(error: unknown): number | undefined {
  const e = error as ErrorLike | null;
  if (typeof e !== "object" || e === null || typeof e.status !== "number") return undefined;
  // Octokit reports "could not connect" as a 500 without a response.
  return e.response === undefined ? undefined : e.status;
}

/** GitHub's own message for a failed request (its `message`, without the documentation link). */
export function githubMessage(error: unknown): string {
  const e = error as ErrorLike | null;
  const data = e?.response?.data;
  if (typeof data === "object" && data !== null && typeof (data as { message?: unknown }).message === "string") return (data as { message: string }).message;
  if (Array.isArray(e?.errors)) {
    const first = (e.errors as { message?: unknown }[])[0];
    if (typeof first?.message === "string") return first.message;
  }
  const message = typeof e?.message === "string" ? e.message : String(error);
  return message.split("\n")[0]?.replace(/ - https:\/\/docs\.github\.com\S*$/, "") ?? message;
}

/** True when GitHub refused because the rate limit is spent (403 or 429 with no requests left). */
export function rateLimitReset(error: unknown): Date | undefined {
  const e = error as ErrorLike | null;
  const status = statusOf(error);
  const headers = e?.response?.headers ?? {};
  const limited =
    status === 429 ||
    (status === 403 && (String(headers["x-ratelimit-remaining"]) === "0" || /rate limit/i.test(githubMessage(error)))) ||
    (Array.isArray(e?.errors) && (e.errors as { type?: unknown }[]).some((x) => x.type === "RATE_LIMITED"));
  if (!limited) return undefined;
  const reset = Number(headers["x-ratelimit-reset"]);
  return Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : new Date(Number.NaN);
}

export interface FailureContext {
  /** What was being read, e.g. "branch protection of main". */
  readonly what: string;
  /** The access it needs, named as GitHub's token settings name it, for a 403. */
  readonly needs: string;
}

/**
 * A failed request as a UsageError (exit 2): bad credentials, rate limit, no permission (naming the
 * permission), no answer. A 404 is left to the caller, which knows what it means there.
 */
export function failure(command: string, gh: GitHub, error: unknown, context: FailureContext): UsageError {
  if (error instanceof UsageError) return error;
  const status = statusOf(error);
  const said = githubMessage(error);
  if (status === 401) return new UsageError(`${command}: GitHub rejected GITHUB_TOKEN (401 ${said}): it is expired, revoked or mistyped; ${TOKEN_HELP}`);
  const reset = rateLimitReset(error);
  if (reset !== undefined) {
    const when = Number.isNaN(reset.getTime()) ? "later" : `after ${reset.toISOString().replace(/\.\d{3}Z$/, "Z")}`;
    return new UsageError(`${command}: GitHub's API rate limit for this token is used up (${said}); try again ${when}`);
  }
  if (status === 403) return new UsageError(`${command}: GitHub refused to show the ${context.what} (403 ${said}): the token needs ${context.needs}`);
  if (status === undefined && (error as ErrorLike | null)?.name === "HttpError") {
    return new UsageError(`${command}: cannot reach the GitHub API at ${gh.apiUrl} (${said}); check the network, or GITHUB_API_URL for GitHub Enterprise`);
  }
  if (status !== undefined) return new UsageError(`${command}: GitHub answered HTTP ${status} for the ${context.what}: ${said}`);
  return new UsageError(`${command}: reading the ${context.what} failed: ${said}`);
}

export const REPO_NOT_FOUND_FIX =
  "check the spelling; for a private repository use a token that can read it (classic: the repo scope; fine-grained: this repository with Metadata: read), and authorize it for SAML single sign-on if the organisation uses it";

/** `GET /repos/{owner}/{repo}`: the repository's default branch and owner type, or a UsageError (404 included). */
export async function readRepository(command: string, gh: GitHub, ref: RepoRef): Promise<{ defaultBranch: string; ownerType: string }> {
  try {
    const { data } = await gh.octokit.request("GET /repos/{owner}/{repo}", { owner: ref.owner, repo: ref.repo });
    return { defaultBranch: data.default_branch, ownerType: data.owner.type };
  } catch (error) {
    if (statusOf(error) === 404) throw new UsageError(`${command}: repository ${ref.owner}/${ref.repo} not found, or GITHUB_TOKEN cannot see it: ${REPO_NOT_FOUND_FIX}`);
    throw failure(command, gh, error, { what: `repository ${ref.owner}/${ref.repo}`, needs: "read access to it (fine-grained: Metadata: read)" });
  }
}

// --- .github/countersign.yml ---

/** The raw text of `.github/countersign.yml` on the default branch, or null when there is none (404). Throws what Octokit throws otherwise. */
export async function readConfigText(gh: GitHub, ref: RepoRef): Promise<string | null> {
  try {
    const { data } = await gh.octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { owner: ref.owner, repo: ref.repo, path: CONFIG_PATH, mediaType: { format: "raw" } });
    const body: unknown = data;
    if (typeof body === "string") return body;
    // Octokit hands over bytes when the answer names no charset.
    if (Object.prototype.toString.call(body) === "[object ArrayBuffer]") return Buffer.from(body as ArrayBuffer).toString("utf8");
    if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
    // A server that ignored the raw media type: the JSON form, base64-encoded.
    const file = body as { type?: unknown; encoding?: unknown; content?: unknown } | null;
    if (file?.type === "file" && file.encoding === "base64" && typeof file.content === "string") return Buffer.from(file.content, "base64").toString("utf8");
    // A directory of that name comes back as a JSON listing: not a config file.
    return null;
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

export type ConfigReading =
  | { readonly kind: "valid"; readonly config: Config; readonly raw: Record<string, unknown>; readonly extendsFrom: string | null }
  | { readonly kind: "invalid"; readonly problems: readonly ConfigProblem[]; readonly raw: unknown; readonly extendsFrom: string | null }
  | { readonly kind: "yaml-error"; readonly message: string };

/** Parses and validates a config file's text as the app does (Probot's `_extends` key is noted, not followed). */
export function readConfig(text: string): ConfigReading {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    return { kind: "yaml-error", message: (errorText(error).split("\n")[0] ?? "").trim() };
  }
  let extendsFrom: string | null = null;
  if (doc !== null && typeof doc === "object" && !Array.isArray(doc) && "_extends" in doc) {
    const { _extends, ...rest } = doc as Record<string, unknown>;
    extendsFrom = String(_extends);
    doc = rest;
  }
  const parsed = parseConfig(doc);
  if (!parsed.ok) return { kind: "invalid", problems: parsed.problems, raw: doc, extendsFrom };
  return { kind: "valid", config: parsed.value, raw: (doc ?? {}) as Record<string, unknown>, extendsFrom };
}

/**
 * The check name to look for: the config's explicit `check_name` (what the app publishes under), else
 * `--check-name`, else `countersign`.
 */
export function resolveCheckName(reading: ConfigReading | null, flag: string | undefined): { name: string; fromConfig: boolean } {
  const raw = reading && reading.kind !== "yaml-error" ? reading.raw : null;
  if (raw !== null && typeof raw === "object" && !Array.isArray(raw) && "check_name" in raw) return { name: checkNameOf(raw), fromConfig: true };
  return { name: flag ?? DEFAULT_CHECK_NAME, fromConfig: false };
}
