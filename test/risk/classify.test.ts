import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { classify, describeRequirement, MAX_FINDING_FILES, tierRank, type ChangedFile, type RiskVerdict } from "../../src/risk/classify.js";
import { DEFAULT_RISK_CONFIG, RiskConfigSchema, type RiskConfigInput } from "../../src/risk/config.js";
import { TIERS } from "../../src/risk/rules.js";

const config = (input: RiskConfigInput) => RiskConfigSchema.parse(input);
const file = (path: string, over: Partial<ChangedFile> = {}): ChangedFile => ({ path, status: "modified", additions: 1, deletions: 0, ...over });
const rules = (v: RiskVerdict) => v.findings.map((f) => f.rule);
const finding = (v: RiskVerdict, rule: string) => v.findings.find((f) => f.rule === rule);
const run = (files: ChangedFile[], cfg = DEFAULT_RISK_CONFIG) => classify(files, cfg);

/** A unified diff hunk from lines already prefixed with ' ', '+' or '-'. */
const patch = (...lines: string[]) => `@@ -1,${lines.length} +1,${lines.length} @@\n${lines.join("\n")}`;

describe("classify: tiers", () => {
  it("calls an empty change low", () => {
    expect(run([])).toEqual({ level: "low", findings: [], requirement: { approvals: 1, teams: [] }, explanation: "low: no files changed" });
  });

  it("lets the highest tier win and reports every rule that fired, highest first", () => {
    const v = run([file("README.md"), file("src/a.ts"), file("package.json"), file("infra/main.tf")]);
    expect(v.level).toBe("critical");
    expect(rules(v)).toEqual(["critical/terraform", "high/dependencies", "medium/code", "low/docs"]);
    expect(v.explanation).toBe("critical: Terraform configuration (`infra/main.tf`)");
    expect(v.requirement).toEqual({ approvals: 2, teams: [] });
  });

  it("calls docs-only and test-only changes low", () => {
    expect(run([file("README.md"), file("docs/guide.md")]).level).toBe("low");
    expect(run([file("test/a.test.ts"), file("src/b.spec.ts")]).level).toBe("low");
    expect(run([file("README.md"), file("test/a.test.ts")]).explanation).toBe("low: documentation (`README.md`)");
  });

  it("caps the files of a finding at 20 and counts the rest", () => {
    const files = Array.from({ length: 25 }, (_, i) => file(`src/f${i}.ts`));
    const code = finding(run(files), "medium/code");
    expect(code?.files).toHaveLength(MAX_FINDING_FILES);
    expect(code?.moreFiles).toBe(5);
    expect(run(files).explanation).toBe("medium: code or other files (`src/f0.ts`, `src/f1.ts` and 23 more)");
  });

  it("classifies a rename on both paths: moving a file out of infrastructure is still critical", () => {
    const v = run([file("archive/main.txt", { status: "renamed", previousPath: "infra/main.tf" })]);
    expect(v.level).toBe("critical");
    expect(finding(v, "critical/terraform")?.files).toEqual(["infra/main.tf"]);
    expect(finding(v, "low/docs")?.files).toEqual(["archive/main.txt"]);
  });

  it("ranks tiers", () => {
    expect(TIERS.map(tierRank)).toEqual([0, 1, 2, 3]);
  });

  it("keeps the explanation on one line whatever the paths hold", () => {
    const v = run([file("infra/a\nb`c.tf")]);
    expect(v.explanation).toBe("critical: Terraform configuration (`` infra/a\\u000ab`c.tf ``)");
  });
});

describe("classify: destructive patterns", () => {
  it("calls deleting an infrastructure file critical, naming it", () => {
    const v = run([file("deploy/k8s/api.yaml", { status: "removed", additions: 0, deletions: 3 })]);
    expect(v.level).toBe("critical");
    expect(v.findings[0]).toEqual({ rule: "critical/infrastructure-deleted", level: "critical", reason: "deletes infrastructure file `deploy/k8s/api.yaml`", files: ["deploy/k8s/api.yaml"], moreFiles: 0 });
    expect(v.explanation).toBe("critical: deletes infrastructure file `deploy/k8s/api.yaml`");
  });

  it("names delete-and-recreate in the same directory", () => {
    const v = run([file("infra/prod/main.tf", { status: "removed", additions: 0, deletions: 40 }), file("infra/prod/cluster.tf", { status: "added", additions: 40 }), file("infra/staging/new.tf", { status: "added" })]);
    expect(v.findings[0]).toEqual({
      rule: "critical/infrastructure-recreated",
      level: "critical",
      reason: "deletes `infra/prod/main.tf` and adds `infra/prod/cluster.tf`",
      files: ["infra/prod/main.tf", "infra/prod/cluster.tf"],
      moreFiles: 0,
    });
    expect(v.explanation).toBe("critical: deletes `infra/prod/main.tf` and adds `infra/prod/cluster.tf`");
    expect(rules(v)).toContain("critical/infrastructure-deleted");
  });

  it("does not call a delete in one directory and an add in another a recreation", () => {
    const v = run([file("infra/prod/main.tf", { status: "removed", deletions: 4 }), file("infra/staging/main.tf", { status: "added" })]);
    expect(rules(v)).not.toContain("critical/infrastructure-recreated");
  });

  it("names a Terraform resource renamed in a patch", () => {
    const p = patch(' variable "x" {}', '-resource "aws_db_instance" "main" {', '+resource "aws_db_instance" "primary" {', '   engine = "postgres"');
    const v = run([file("infra/db.tf", { patch: p, additions: 1, deletions: 1 })]);
    expect(v.findings[0]).toMatchObject({ rule: "critical/terraform-resource-renamed", files: ["infra/db.tf"] });
    expect(v.explanation).toBe("critical: renames `aws_db_instance.main` to `aws_db_instance.primary` in `infra`: Terraform destroys and recreates them unless a `moved` block says otherwise");
  });

  it("names a renamed module, and ignores data blocks", () => {
    const p = patch('-module "vpc" {', '+module "network" {', '-data "aws_ami" "a" {', '+data "aws_ami" "b" {');
    const v = run([file("main.tf", { patch: p })]);
    expect(finding(v, "critical/terraform-resource-renamed")?.reason).toBe("renames `module.vpc` to `module.network` in the root module: Terraform destroys and recreates them unless a `moved` block says otherwise");
  });

  it("does not call an edited resource with the same name destructive", () => {
    const p = patch('-resource "aws_instance" "web" {', '+resource "aws_instance" "web"  {', '-  instance_type = "t3.small"', '+  instance_type = "t3.large"');
    expect(rules(run([file("infra/web.tf", { patch: p })]))).toEqual(["critical/terraform"]);
  });

  it("does not call a rename with a moved block, or a block moved to another file, destructive", () => {
    const renamed = patch('-resource "aws_instance" "web" {', '+resource "aws_instance" "app" {');
    const moved = patch("+moved {", "+  from = aws_instance.web", "+  to   = aws_instance.app", "+}");
    expect(rules(run([file("infra/web.tf", { patch: renamed }), file("infra/moved.tf", { patch: moved, status: "added" })]))).not.toContain("critical/terraform-resource-renamed");
    const out = patch('-resource "aws_instance" "web" {', "-}");
    const into = patch('+resource "aws_instance" "web" {', "+}");
    expect(rules(run([file("infra/a.tf", { patch: out }), file("infra/b.tf", { patch: into })]))).not.toContain("critical/terraform-resource-renamed");
  });

  it("does not call a pure file rename destructive", () => {
    const v = run([file("infra/prod/cluster.tf", { status: "renamed", previousPath: "infra/prod/main.tf", additions: 0, deletions: 0, patch: "" })]);
    expect(v.level).toBe("critical");
    expect(rules(v)).toEqual(["critical/terraform"]);
  });

  it("still applies destructive patterns to paths a custom rule lowers", () => {
    const cfg = config({ rules: [{ paths: ["infra/sandbox/**"], level: "medium", reason: "sandbox infrastructure" }] });
    expect(run([file("infra/sandbox/main.tf")], cfg).level).toBe("medium");
    const v = run([file("infra/sandbox/main.tf", { status: "removed", deletions: 3 })], cfg);
    expect(v.level).toBe("critical");
    expect(rules(v)).toEqual(["critical/infrastructure-deleted", "high/file-removed", "risk.rules[0]"]);
  });
});

describe("classify: large deletions", () => {
  const lines = (n: number) => file("src/big.ts", { additions: n, deletions: n });
  it("fires above the total, not at it", () => {
    expect(rules(run([lines(500)]))).not.toContain("high/large-deletion");
    const v = run([lines(501)]);
    expect(finding(v, "high/large-deletion")).toMatchObject({ reason: "deletes 501 lines (more than 500)", files: ["src/big.ts"] });
    expect(v.level).toBe("high");
    expect(run([lines(101)], config({ large_deletions: { lines: 100 } })).level).toBe("high");
  });

  it("fires for a file that is mostly deletions, from 20 changed lines", () => {
    const mostly = (a: number, d: number) => rules(run([file("src/a.ts", { additions: a, deletions: d })]));
    expect(mostly(9, 11)).toContain("high/large-deletion"); // 20 lines, 55% deleted
    expect(mostly(10, 10)).not.toContain("high/large-deletion"); // exactly half
    expect(mostly(8, 11)).not.toContain("high/large-deletion"); // 19 lines: too small
    expect(mostly(0, 1)).not.toContain("high/large-deletion");
    expect(rules(run([file("src/a.ts", { additions: 6, deletions: 14 })], config({ large_deletions: { ratio: 0.7 } })))).not.toContain("high/large-deletion");
    expect(rules(run([file("src/a.ts", { additions: 5, deletions: 15 })], config({ large_deletions: { ratio: 0.7 } })))).toContain("high/large-deletion");
    expect(finding(run([file("src/a.ts", { additions: 0, deletions: 30 })]), "high/large-deletion")?.reason).toBe("mostly deletions in `src/a.ts`");
  });

  it("does not count tests and docs", () => {
    expect(run([file("test/big.test.ts", { deletions: 900 }), file("docs/old.md", { status: "removed", deletions: 900 })]).level).toBe("low");
  });

  it("calls removing any file outside tests and docs high", () => {
    const v = run([file("src/old.ts", { status: "removed", additions: 0, deletions: 3 }), file("test/old.test.ts", { status: "removed", deletions: 3 })]);
    expect(v.level).toBe("high");
    expect(finding(v, "high/file-removed")).toMatchObject({ reason: "removes `src/old.ts`", files: ["src/old.ts"] });
  });
});

describe("classify: comments-only changes", () => {
  it("calls a change to comments only low", () => {
    const p = patch(" function f() {", "-  // old note", "+  // new note", "+  /* and a block", "+   * over lines */", "   return 1;");
    const v = run([file("src/a.ts", { patch: p })]);
    expect(v).toMatchObject({ level: "low", findings: [{ rule: "low/comments-only", files: ["src/a.ts"] }] });
  });

  it("needs the patch: without one a change is not comments-only", () => {
    expect(run([file("src/a.ts")]).level).toBe("medium");
    expect(run([file("src/a.ts", { patch: null })]).level).toBe("medium");
  });

  it("does not lower higher paths: a comment in a workflow is still critical", () => {
    expect(run([file(".github/workflows/ci.yml", { patch: patch("+# note") })]).level).toBe("critical");
  });

  it("sees code among comments", () => {
    expect(run([file("src/a.py", { patch: patch("+# note", "+x = 1") })]).level).toBe("medium");
  });
});

describe("classify: custom rules and disabled rules", () => {
  it("lowers a path with a custom rule", () => {
    const cfg = config({ rules: [{ paths: ["infra/sandbox/**"], level: "medium", reason: "sandbox infrastructure" }] });
    const v = run([file("infra/sandbox/main.tf"), file("infra/prod/main.tf")], cfg);
    expect(v.level).toBe("critical");
    expect(finding(v, "risk.rules[0]")).toEqual({ rule: "risk.rules[0]", level: "medium", reason: "sandbox infrastructure", files: ["infra/sandbox/main.tf"], moreFiles: 0 });
    expect(finding(v, "critical/terraform")?.files).toEqual(["infra/prod/main.tf"]);
  });

  it("raises a path with a custom rule", () => {
    const cfg = config({ rules: [{ paths: ["src/billing/**"], level: "critical", reason: "moves money" }] });
    const v = run([file("src/billing/charge.ts"), file("README.md")], cfg);
    expect(v.level).toBe("critical");
    expect(v.explanation).toBe("critical: moves money (`src/billing/charge.ts`)");
  });

  it("takes the first custom rule that matches, minus its exceptions", () => {
    const cfg = config({
      rules: [
        { paths: ["gen/**"], except: ["gen/keep/**"], level: "low", reason: "generated" },
        { paths: ["gen/**"], level: "high", reason: "second" },
      ],
    });
    expect(finding(run([file("gen/a.ts")], cfg), "risk.rules[0]")?.files).toEqual(["gen/a.ts"]);
    expect(run([file("gen/keep/a.ts")], cfg).level).toBe("high");
  });

  it("matches custom globs case-sensitively from the repository root", () => {
    const cfg = config({ rules: [{ paths: ["*.gen.ts"], level: "low", reason: "generated" }] });
    expect(run([file("a.gen.ts")], cfg).level).toBe("low");
    expect(run([file("src/a.gen.ts")], cfg).level).toBe("medium");
    expect(run([file("A.GEN.TS")], cfg).level).toBe("medium");
  });

  it("switches built-in rules off", () => {
    const cfg = config({ disable_rules: ["high/build-scripts", "critical/infrastructure-deleted", "high/file-removed", "low/docs"] });
    expect(run([file("Makefile")], cfg).level).toBe("medium");
    expect(rules(run([file("k8s/a.yaml", { status: "removed" })], cfg))).toEqual(["critical/kubernetes"]);
    expect(run([file("README.md")], cfg).level).toBe("medium");
    expect(run([file("README.md")], cfg).findings[0]?.rule).toBe("medium/code");
  });

  it("uses the tier's requirement", () => {
    const cfg = config({ tiers: { critical: { approvals: 3, teams: ["@Acme/SRE"], mode: "observe" } } });
    const v = run([file("Dockerfile")], cfg);
    expect(v.requirement).toEqual({ approvals: 3, teams: ["acme/sre"], mode: "observe" });
    expect(describeRequirement(v)).toBe("needs 3 approvals, one from @acme/sre (observe mode: not enforced)");
  });
});

describe("describeRequirement", () => {
  const req = (approvals: number, teams: string[] = [], mode?: "enforce" | "observe") => describeRequirement({ requirement: { approvals, teams, ...(mode ? { mode } : {}) } });
  it("renders approvals and teams", () => {
    expect(req(1)).toBe("needs 1 approval");
    expect(req(2)).toBe("needs 2 approvals");
    expect(req(2, ["acme/sre"])).toBe("needs 2 approvals, one from @acme/sre");
    expect(req(1, ["acme/sre"])).toBe("needs 1 approval from @acme/sre");
    expect(req(3, ["acme/sre", "acme/dba", "acme/sec"])).toBe("needs 3 approvals, including one from each of @acme/sre, @acme/dba and @acme/sec");
    expect(req(1, ["acme/sre", "acme/dba"])).toBe("needs 1 approval from a member of each of @acme/sre and @acme/dba");
    expect(req(2, [], "enforce")).toBe("needs 2 approvals");
  });
});

describe("classify: scale", () => {
  it("classifies 3,000 files, reporting every rule that fired with its files capped and counted", () => {
    const kinds = ["src/mod{i}/index.ts", "src/auth/h{i}.ts", "docs/p{i}.md", "test/t{i}.test.ts", "infra/m{i}/main.tf", "packages/p{i}/package.json", "lib/util{i}.py", "assets/img{i}.png"];
    const files = Array.from({ length: 3000 }, (_, i) => file((kinds[i % kinds.length] ?? "").replace("{i}", String(i)), { additions: 3, deletions: 2 }));
    const v = classify(files, config({ rules: [{ paths: ["generated/**"], level: "low", reason: "generated" }] }));
    expect(v.level).toBe("critical");
    const terraform = v.findings.find((f) => f.rule === "critical/terraform");
    expect(terraform?.files).toHaveLength(MAX_FINDING_FILES);
    expect((terraform?.files.length ?? 0) + (terraform?.moreFiles ?? 0)).toBe(375);
    expect(v.findings.map((f) => f.level)).toEqual([...v.findings.map((f) => f.level)].sort((a, b) => tierRank(b) - tierRank(a)));
  });
});

describe("classify: properties", () => {
  const segment = fc.oneof(
    fc.constantFrom("src", "infra", "k8s", "docs", "test", "auth", ".github", "workflows", "migrations", "scripts", "charts", "a", "B", ".env", "Dockerfile", "main.tf", "README.md", "package.json", "x.test.ts", "sec-ret"),
    fc.string({ unit: "grapheme", maxLength: 8 }),
  );
  const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join("/"));
  const patchText = fc.oneof(
    fc.constant(null),
    fc.string({ maxLength: 200 }),
    fc.array(fc.tuple(fc.constantFrom(" ", "+", "-", "\\", "@@ "), fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('resource "a" "b" {', "// c", "/*", "*/", "# x", "moved {", "from = a.b", "to = a.c", "`"))), { maxLength: 12 }).map((ls) => `@@ -1 +1 @@\n${ls.map(([m, t]) => m + t).join("\n")}`),
  );
  const changed: fc.Arbitrary<ChangedFile> = fc.record({
    path,
    previousPath: fc.option(path),
    status: fc.constantFrom("added", "modified", "removed", "renamed", "copied", "changed", "unchanged"),
    additions: fc.oneof(fc.nat(2000), fc.constantFrom(-1, Number.NaN, Infinity)),
    deletions: fc.oneof(fc.nat(2000), fc.constantFrom(-1, Number.NaN)),
    patch: patchText,
  });

  it("never throws and always returns a one-line verdict", () => {
    fc.assert(
      fc.property(fc.array(changed, { maxLength: 12 }), (files) => {
        const v = classify(files, DEFAULT_RISK_CONFIG);
        expect(TIERS).toContain(v.level);
        expect(v.explanation).not.toMatch(/[\n\r\u2028\u2029]/);
        expect(v.explanation.startsWith(`${v.level}: `)).toBe(true);
        for (let i = 1; i < v.findings.length; i++) expect(tierRank(v.findings[i - 1]?.level ?? "low")).toBeGreaterThanOrEqual(tierRank(v.findings[i]?.level ?? "low"));
        expect(v.findings[0]?.level ?? "low").toBe(v.level);
        for (const f of v.findings) expect(f.files.length).toBeLessThanOrEqual(MAX_FINDING_FILES);
      }),
      { numRuns: 500 },
    );
  });

  it("never lowers the tier when a file is added to a change", () => {
    const configs = [DEFAULT_RISK_CONFIG, config({ large_deletions: { lines: 50, ratio: 0.3 }, rules: [{ paths: ["src/**"], level: "high", reason: "raised" }] })];
    fc.assert(
      fc.property(fc.array(changed, { maxLength: 10 }), changed, fc.nat(10), fc.constantFrom(0, 1), (files, extra, at, which) => {
        const cfg = configs[which] ?? DEFAULT_RISK_CONFIG;
        const before = classify(files, cfg).level;
        const more = [...files];
        more.splice(at % (files.length + 1), 0, extra);
        expect(tierRank(classify(more, cfg).level)).toBeGreaterThanOrEqual(tierRank(before));
      }),
      { numRuns: 1000 },
    );
  });
});
