import { afterEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { doctor } from "../../src/cli/doctor.js";
import { main } from "../../src/cli/main.js";
import { bufferIo } from "../helpers/git.js";

const API = "https://api.github.com";
const ENV = { GITHUB_TOKEN: "test-token" };
const CONFIG = "/contents/.github%2Fcountersign.yml";
const APP_ID = 4242;
const RAW = { "content-type": "application/vnd.github.raw; charset=utf-8" };

type Reply = readonly [number, unknown];

interface World {
  readonly ownerType?: string;
  /** The repository's .github/countersign.yml (null: none). */
  readonly config?: string | null;
  /** The organisation's .github/countersign.yml (null: none; a number: that status). */
  readonly orgConfig?: string | null | number;
  readonly protection?: Reply;
  readonly rules?: Reply;
  readonly app?: Reply;
  readonly installations?: Reply;
}

const NOT_FOUND = { message: "Not Found", documentation_url: "https://docs.github.com/rest" };
const rule = (context: string, integrationId?: number) => ({
  type: "required_status_checks",
  ruleset_source_type: "Repository",
  ruleset_source: "octo/api",
  ruleset_id: 11,
  parameters: { strict_required_status_checks_policy: false, required_status_checks: [{ context, ...(integrationId === undefined ? {} : { integration_id: integrationId }) }] },
});
const PINNED_RULES: Reply = [200, [{ type: "pull_request", ruleset_id: 11, ruleset_source: "octo/api" }, rule("countersign", APP_ID)]];

/** GitHub's REST API as doctor reads it, in doctor's order; every scope must be consumed. */
function github(w: World = {}) {
  const scope = nock(API).get("/repos/octo/api").reply(200, { default_branch: "main", owner: { login: "octo", type: w.ownerType ?? "Organization" } });
  const config = w.config === undefined ? "mode: enforce\nrequired_approvals: 1\n" : w.config;
  if (config === null) scope.get(`/repos/octo/api${CONFIG}`).reply(404, NOT_FOUND);
  else scope.get(`/repos/octo/api${CONFIG}`).reply(200, config, RAW);
  const org = w.orgConfig === undefined ? null : w.orgConfig;
  if (org === null) scope.get(`/repos/octo/.github${CONFIG}`).reply(404, NOT_FOUND);
  else if (typeof org === "number") scope.get(`/repos/octo/.github${CONFIG}`).reply(org, { message: "Resource not accessible by personal access token" });
  else scope.get(`/repos/octo/.github${CONFIG}`).reply(200, org, RAW);
  const [pStatus, pBody] = w.protection ?? [404, { message: "Branch not protected" }];
  scope.get("/repos/octo/api/branches/main/protection").reply(pStatus, pBody as nock.Body);
  const [rStatus, rBody] = w.rules ?? PINNED_RULES;
  scope.get("/repos/octo/api/rules/branches/main").query({ per_page: 100 }).reply(rStatus, rBody as nock.Body);
  const [aStatus, aBody] = w.app ?? [200, { id: APP_ID, slug: "countersign", name: "countersign" }];
  scope.get("/apps/countersign").reply(aStatus, aBody as nock.Body);
  if (w.installations) scope.get("/orgs/octo/installations").query({ per_page: 100 }).reply(w.installations[0], w.installations[1] as nock.Body);
  return scope;
}

async function run(argv: readonly string[], env: Record<string, string> = ENV) {
  const io = bufferIo();
  const code = await doctor(argv, io, { env });
  expect(nock.pendingMocks()).toEqual([]);
  return { code, lines: io.stdout().split("\n").slice(0, -1), stdout: io.stdout(), stderr: io.stderr() };
}

afterEach(() => {
  nock.cleanAll();
});

const REPO_OK = "✔ repository octo/api is readable (default branch: main)";
const CONFIG_OK = "✔ .github/countersign.yml on main is valid";
const NO_ORG = "• no organisation defaults: octo/.github has no .github/countersign.yml (or this token cannot see it)";
const REQUIRE_FIX =
  'Settings → Rules → Rulesets → New branch ruleset → target the default branch → enable "Require status checks to pass" → Add checks → countersign → source: the countersign app → Create (or Settings → Branches → a rule for the default branch → "Require status checks to pass before merging" → countersign, source: the countersign app)';

describe("countersign doctor", () => {
  it("all ✔ through a ruleset that requires the check from the countersign app: exit 0", async () => {
    github();
    const result = await run(["octo/api"]);
    expect(result.lines).toEqual([
      REPO_OK,
      CONFIG_OK,
      "✔ countersign is required on main (ruleset 11 of octo/api)",
      "✔ only the countersign app (id 4242) can satisfy countersign (ruleset 11 of octo/api)",
      NO_ORG,
    ]);
    expect([result.code, result.stderr]).toEqual([0, ""]);
  });

  it("all ✔ through classic branch protection pinned to the app, with no config file: exit 0", async () => {
    github({
      config: null,
      protection: [200, { url: "…", required_status_checks: { strict: true, contexts: ["countersign", "ci"], checks: [{ context: "countersign", app_id: APP_ID }, { context: "ci", app_id: 15368 }] } }],
      rules: [200, []],
    });
    const result = await run(["octo/api"]);
    expect(result.lines).toEqual([
      REPO_OK,
      "✔ no .github/countersign.yml: defaults apply",
      "✔ countersign is required on main (branch protection of main)",
      "✔ only the countersign app (id 4242) can satisfy countersign (branch protection of main)",
      NO_ORG,
    ]);
    expect(result.code).toBe(0);
  });

  it("✘ not required (no protection, no ruleset): exit 1, with the README's steps as the fix", async () => {
    github({ rules: [200, []] });
    const result = await run(["octo/api"]);
    expect(result.lines).toEqual([
      REPO_OK,
      CONFIG_OK,
      `✘ countersign is not a required check on main: pull requests can merge without countersign's approval — fix: ${REQUIRE_FIX}`,
      "• which app may satisfy countersign: not checked, it is not required",
      NO_ORG,
    ]);
    expect(result.code).toBe(1);
  });

  it("✘ required but from any source: anyone with write access could forge it", async () => {
    github({ protection: [200, { required_status_checks: { strict: false, contexts: ["countersign"], checks: [{ context: "countersign", app_id: null }] } }], rules: [200, []] });
    const result = await run(["octo/api"]);
    expect(result.lines.slice(2, 4)).toEqual([
      "✔ countersign is required on main (branch protection of main)",
      '✘ countersign is required from any source (branch protection of main): anyone with write access can post a commit status named countersign and pass the gate — fix: pin the source: in the ruleset\'s or branch protection\'s required checks, choose the countersign app as the source of countersign, not "any source"',
    ]);
    expect(result.code).toBe(1);

    github({ rules: [200, [rule("countersign")]] });
    expect((await run(["octo/api"])).lines[3]).toMatch(/^✘ countersign is required from any source \(ruleset 11 of octo\/api\)/);
  });

  it("✘ required but pinned to another app", async () => {
    github({ rules: [200, [rule("countersign", 15368)]] });
    const result = await run(["octo/api"]);
    expect(result.lines[3]).toBe(
      "✘ countersign is required from another app (id 15368), not countersign (id 4242): countersign's own check run cannot satisfy it — fix: choose the countersign app as the source of countersign in the rule that requires it",
    );
    expect(result.code).toBe(1);
  });

  it("✘ a bad config: one line per problem, with its path; the check name comes from the config", async () => {
    github({ config: "check_name: ai-gate\nrequired_approvals: 0\nlabels:\n  colour: red\n", rules: [200, [rule("ai-gate", APP_ID)]] });
    const result = await run(["octo/api", "--check-name", "other"]);
    const fix = "correct it on main (every key is documented in the README's Configuration section); until then the check fails on every pull request";
    expect(result.lines).toEqual([
      REPO_OK,
      `✘ .github/countersign.yml on main: required_approvals: required_approvals must be at least 1 (use mode: observe to stop enforcing) — fix: ${fix}`,
      `✘ .github/countersign.yml on main: labels: unknown key 'colour': remove it or check the spelling — fix: ${fix}`,
      "• --check-name other ignored: the config's check_name is ai-gate",
      "✔ ai-gate is required on main (ruleset 11 of octo/api)",
      "✔ only the countersign app (id 4242) can satisfy ai-gate (ruleset 11 of octo/api)",
      NO_ORG,
    ]);
    expect(result.code).toBe(1);
  });

  it("reads the config in whatever form GitHub answers (text, bytes, or the base64 JSON form)", async () => {
    for (const [body, headers] of [
      ["mode: observe\n", { "content-type": "application/octet-stream" }],
      [{ type: "file", encoding: "base64", content: Buffer.from("mode: observe\n").toString("base64") }, { "content-type": "application/json" }],
    ] as const) {
      const scope = nock(API).get("/repos/octo/api").reply(200, { default_branch: "main", owner: { login: "octo", type: "Organization" } });
      scope.get(`/repos/octo/api${CONFIG}`).reply(200, body as nock.Body, headers);
      scope.get(`/repos/octo/.github${CONFIG}`).reply(404, NOT_FOUND);
      scope.get("/repos/octo/api/branches/main/protection").reply(404, { message: "Branch not protected" });
      scope.get("/repos/octo/api/rules/branches/main").query({ per_page: 100 }).reply(200, PINNED_RULES[1] as nock.Body);
      scope.get("/apps/countersign").reply(200, { id: APP_ID });
      const result = await run(["octo/api"]);
      expect(result.lines.slice(1, 3)).toEqual([CONFIG_OK, "• mode: observe — the check is computed and shown but never blocks (neutral)"]);
    }
  });

  it("✘ a config that is not YAML", async () => {
    github({ config: "mode: [enforce\n" });
    const result = await run(["octo/api"]);
    expect(result.lines[1]).toMatch(/^✘ \.github\/countersign\.yml on main is not valid YAML: .+ — fix: correct it on main/);
    expect(result.code).toBe(1);
  });

  it("✘ the repository is missing (or invisible): exit 2, nothing else is asked", async () => {
    nock(API).get("/repos/octo/nope").reply(404, NOT_FOUND);
    const io = bufferIo();
    const code = await doctor(["octo/nope"], io, { env: ENV });
    expect(io.stdout()).toBe(
      "✘ repository octo/nope not found, or GITHUB_TOKEN cannot see it — fix: check the spelling; for a private repository use a token that can read it (classic: the repo scope; fine-grained: this repository with Metadata: read), and authorize it for SAML single sign-on if the organisation uses it\n",
    );
    expect(code).toBe(2);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("✘ branch protection refused (403) and no ruleset requires the check: exit 2, naming the permission", async () => {
    github({ protection: [403, { message: "Must have admin rights to Repository." }], rules: [200, []] });
    const result = await run(["octo/api"]);
    expect(result.lines[2]).toBe(
      "✘ cannot tell whether countersign is required on main: no readable rule requires it, and GitHub refused the branch protection (403 Must have admin rights to Repository.: reading it needs a repository admin's token; fine-grained: Administration: read) — fix: run doctor with a repository admin's token (fine-grained: Administration: read), or see for yourself: " +
        REQUIRE_FIX,
    );
    expect(result.code).toBe(2);
  });

  it("branch protection refused (403) but a ruleset pins the check to the app: ✔, with a note", async () => {
    github({ protection: [403, { message: "Must have admin rights to Repository." }] });
    const result = await run(["octo/api"]);
    expect(result.lines.slice(2)).toEqual([
      "✔ countersign is required on main (ruleset 11 of octo/api)",
      "✔ only the countersign app (id 4242) can satisfy countersign (ruleset 11 of octo/api)",
      "• not read: branch protection (403 Must have admin rights to Repository.: reading it needs a repository admin's token; fine-grained: Administration: read); the requirement above is enough on its own",
      NO_ORG,
    ]);
    expect(result.code).toBe(0);
  });

  it("✘ an app slug GitHub does not know", async () => {
    github({ app: [404, NOT_FOUND] });
    const result = await run(["octo/api"]);
    expect(result.lines[3]).toBe(
      "✘ cannot look up the GitHub App 'countersign' (GET /apps/countersign answered 404 Not Found), so cannot tell whether it is the check's expected source — fix: pass --app-slug with the app's slug (https://github.com/apps/<slug>); a private app is visible only to its owner's tokens",
    );
    expect(result.code).toBe(1);
  });

  describe("the organisation's .github defaults", () => {
    const ORG_CONFIG = "required_approvals: 2\n";
    const APPLY = "• octo/.github has organisation defaults (.github/countersign.yml) that apply to this repository — if the countersign app can read octo/.github";

    it("validated when they apply, and ✔ when the app is installed on all repositories", async () => {
      github({ config: null, orgConfig: ORG_CONFIG, installations: [200, { total_count: 2, installations: [{ id: 1, app_slug: "other", repository_selection: "all" }, { id: 2, app_slug: "countersign", app_id: APP_ID, repository_selection: "all" }] }] });
      const result = await run(["octo/api"]);
      expect(result.lines).toEqual([
        REPO_OK,
        "✔ octo/.github's .github/countersign.yml (the organisation default; octo/api has no file of its own) is valid",
        "✔ countersign is required on main (ruleset 11 of octo/api)",
        "✔ only the countersign app (id 4242) can satisfy countersign (ruleset 11 of octo/api)",
        APPLY,
        "✔ the countersign app is installed on all of octo's repositories, octo/.github included: it reads the organisation defaults",
      ]);
      expect(result.code).toBe(0);
    });

    it("• cannot verify an installation on selected repositories (GitHub lists them only to the app)", async () => {
      github({ config: null, orgConfig: ORG_CONFIG, installations: [200, { total_count: 1, installations: [{ id: 2, app_slug: "countersign", repository_selection: "selected" }] }] });
      const result = await run(["octo/api"]);
      expect(result.lines[5]).toBe(
        "• cannot verify whether the countersign app's installation includes octo/.github: it is limited to selected repositories, which GitHub lists only to the app itself — check the installation's \"Repository access\" (organisation Settings → GitHub Apps → countersign → Configure)",
      );
      expect(result.code).toBe(0);
    });

    it("• cannot verify without an organisation owner's token; ✘ when the app is not installed at all", async () => {
      github({ config: null, orgConfig: ORG_CONFIG, installations: [403, { message: "You must be an organization owner" }] });
      const denied = await run(["octo/api"]);
      expect(denied.lines[5]).toMatch(/^• cannot verify whether the countersign app's installation includes octo\/\.github \(needs an organisation owner's token .*answered 403\)/);
      expect(denied.code).toBe(0);

      github({ config: null, orgConfig: ORG_CONFIG, installations: [200, { total_count: 0, installations: [] }] });
      const missing = await run(["octo/api"]);
      expect(missing.lines[5]).toBe("✘ the countersign app is not installed on octo — fix: install it on the organisation (https://github.com/apps/countersign) with access to api and .github");
      expect(missing.code).toBe(1);
    });

    it("a personal account: • cannot verify (only the app can list its installations)", async () => {
      github({ ownerType: "User", config: null, orgConfig: ORG_CONFIG });
      const result = await run(["octo/api"]);
      expect(result.lines[5]).toMatch(/^• cannot verify whether the countersign app's installation includes octo\/\.github \(needs the app's own credentials/);
      expect(result.code).toBe(0);
    });

    it("noted, not checked, when the repository's own file takes precedence", async () => {
      github({ orgConfig: ORG_CONFIG });
      const result = await run(["octo/api"]);
      expect(result.lines[4]).toBe("• octo/.github has organisation defaults (.github/countersign.yml); this repository's own file takes precedence");
      expect(result.code).toBe(0);
    });
  });

  describe("user errors exit 2", () => {
    async function viaMain(argv: readonly string[], token: string | undefined) {
      const saved = process.env.GITHUB_TOKEN;
      if (token === undefined) delete process.env.GITHUB_TOKEN;
      else process.env.GITHUB_TOKEN = token;
      try {
        const io = bufferIo();
        return { code: await main(argv, io), stderr: io.stderr(), stdout: io.stdout() };
      } finally {
        if (saved === undefined) delete process.env.GITHUB_TOKEN;
        else process.env.GITHUB_TOKEN = saved;
      }
    }

    it.each([
      [["doctor", "octo/api"], undefined, "countersign: doctor: set GITHUB_TOKEN to a token with repo read access, e.g. `export GITHUB_TOKEN=$(gh auth token)`\n"],
      [["doctor", "octo"], "t", "countersign: doctor: expected the repository as OWNER/REPO (e.g. octo-org/api), got 'octo' (see countersign doctor --help)\n"],
      [["doctor", "octo/api", "--app-slug", "Counter Sign"], "t", "countersign: doctor: --app-slug must be a GitHub App's slug: lower-case letters, digits and '-' (the name in https://github.com/apps/<slug>) (see countersign doctor --help)\n"],
      [["doctor", "octo/api", "--check-name", " "], "t", "countersign: doctor: --check-name must not be empty (see countersign doctor --help)\n"],
    ])("%j", async (argv, token, message) => {
      expect(await viaMain(argv, token)).toEqual({ code: 2, stderr: message, stdout: "" });
    });

    it("a token GitHub rejects (401)", async () => {
      nock(API).get("/repos/octo/api").reply(401, { message: "Bad credentials" });
      const result = await viaMain(["doctor", "octo/api"], "expired");
      expect([result.code, result.stderr]).toEqual([2, "countersign: doctor: GitHub rejected GITHUB_TOKEN (401 Bad credentials): it is expired, revoked or mistyped; set GITHUB_TOKEN to a token with repo read access, e.g. `export GITHUB_TOKEN=$(gh auth token)`\n"]);
      expect(nock.pendingMocks()).toEqual([]);
    });

    it("prints its help", async () => {
      const result = await viaMain(["doctor", "-h"], undefined);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("Usage: countersign doctor OWNER/REPO [--app-slug SLUG] [--check-name NAME]");
    });
  });
});
