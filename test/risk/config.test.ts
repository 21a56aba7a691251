import { describe, expect, it } from "@jest/globals";
import { DEFAULT_RISK_CONFIG, globProblem, parseRiskConfig } from "../../src/risk/config.js";

const problems = (input: unknown) => {
  const r = parseRiskConfig(input);
  if (r.ok) throw new Error("expected problems");
  return r.problems;
};

describe("risk config", () => {
  it("has a default for every key", () => {
    expect(parseRiskConfig(undefined)).toEqual({ ok: true, value: DEFAULT_RISK_CONFIG });
    expect(parseRiskConfig({})).toEqual({ ok: true, value: DEFAULT_RISK_CONFIG });
    expect(DEFAULT_RISK_CONFIG).toEqual({
      rules: [],
      disable_rules: [],
      large_deletions: { lines: 500, ratio: 0.5 },
      tiers: { low: { approvals: 1, teams: [] }, medium: { approvals: 1, teams: [] }, high: { approvals: 2, teams: [] }, critical: { approvals: 2, teams: [] } },
    });
  });

  it("reads the documented example", () => {
    const r = parseRiskConfig({
      rules: [{ paths: ["infra/sandbox/**"], level: "medium", reason: "sandbox infrastructure" }],
      disable_rules: ["high/build-scripts"],
      large_deletions: { lines: 500, ratio: 0.5 },
      tiers: { low: { approvals: 1 }, medium: { approvals: 1 }, high: { approvals: 2 }, critical: { approvals: 2, teams: ["acme/sre"], mode: "enforce" } },
    });
    expect(r).toEqual({
      ok: true,
      value: expect.objectContaining({
        rules: [{ paths: ["infra/sandbox/**"], except: [], level: "medium", reason: "sandbox infrastructure" }],
        disable_rules: ["high/build-scripts"],
        tiers: expect.objectContaining({ critical: { approvals: 2, teams: ["acme/sre"], mode: "enforce" }, high: { approvals: 2, teams: [] } }),
      }),
    });
  });

  it("names every problem with its path and says how to fix it", () => {
    expect(
      problems({
        rules: [{ paths: ["/etc/**", ""], level: "severe", reason: "" }, { paths: [], level: "low" }, { paths: ["a/**"], level: "low", reason: "x", extra: 1 }],
        disable_rules: ["high/nope", "medium/code"],
        large_deletions: { lines: 0, ratio: 1.5 },
        tiers: { critical: { approvals: 11, teams: ["sre", "acme/"], mode: "block" }, high: { approvals: 1.5 }, extreme: {} },
        extra: true,
      }),
    ).toEqual(
      expect.arrayContaining([
        { path: "risk.rules[0].paths[0]", message: "'/etc/**' is an absolute path: write it relative to the repository root (e.g. 'infra/**')" },
        { path: "risk.rules[0].paths[1]", message: "a path glob must not be empty: write one such as 'infra/sandbox/**'" },
        { path: "risk.rules[0].level", message: "level must be one of low, medium, high, critical" },
        { path: "risk.rules[0].reason", message: "reason must not be empty" },
        { path: "risk.rules[1].paths", message: "paths must list at least one glob, e.g. ['infra/sandbox/**']" },
        { path: "risk.rules[1].reason", message: "reason is required" },
        { path: "risk.rules[2]", message: "unknown key 'extra': remove it or check the spelling" },
        { path: "risk.disable_rules[0]", message: expect.stringMatching(/^unknown risk rule id 'high\/nope': use one of critical\/.*high\/build-scripts/) },
        { path: "risk.disable_rules[1]", message: expect.stringContaining("unknown risk rule id 'medium/code'") },
        { path: "risk.large_deletions.lines", message: expect.stringContaining("lines must be at least 1") },
        { path: "risk.large_deletions.ratio", message: expect.stringContaining("ratio must be less than 1") },
        { path: "risk.tiers.critical.approvals", message: "approvals must be at most 10" },
        { path: "risk.tiers.critical.teams[0]", message: "a team must be written 'org/team-slug', e.g. 'acme/sre' (the slug from the team's URL)" },
        { path: "risk.tiers.critical.teams[1]", message: "a team must be written 'org/team-slug', e.g. 'acme/sre' (the slug from the team's URL)" },
        { path: "risk.tiers.critical.mode", message: "mode must be 'enforce' or 'observe' (or left out to use the global mode)" },
        { path: "risk.tiers.high.approvals", message: "approvals must be a whole number" },
        { path: "risk.tiers", message: "unknown key 'extreme': remove it or check the spelling" },
        { path: "risk", message: "unknown key 'extra': remove it or check the spelling" },
      ]),
    );
  });

  it("rejects globs that can never match a repository path", () => {
    expect(globProblem("infra/**")).toBeUndefined();
    expect(globProblem("**/*.{yml,yaml}")).toBeUndefined();
    expect(globProblem("C:/repo/**")).toContain("absolute path");
    expect(globProblem("~/x")).toContain("absolute path");
    expect(globProblem("!infra/**")).toContain("list the paths to leave out under 'except'");
    expect(globProblem("./infra/**")).toContain("drop it");
    expect(globProblem("infra\\sandbox\\**")).toContain("use '/'");
    expect(globProblem("../other/**")).toContain("cannot leave the repository");
    expect(globProblem("infra/{a,b")).toContain("unclosed '{'");
    expect(globProblem("infra/a,b}")).toContain("unbalanced '}'");
    expect(globProblem("infra/[ab")).toContain("unclosed '['");
  });

  it("accepts @-prefixed team names and normalizes them", () => {
    const r = parseRiskConfig({ tiers: { high: { teams: ["@Acme/SRE", "acme/sre", "acme/platform-team"] } } });
    expect(r.ok && r.value.tiers.high.teams).toEqual(["acme/sre", "acme/platform-team"]);
  });

  it("rejects a non-mapping", () => {
    expect(problems([1])).toEqual([{ path: "risk", message: "risk must be a mapping with any of rules, disable_rules, large_deletions, tiers" }]);
    expect(problems({ tiers: [] })).toEqual([{ path: "risk.tiers", message: "tiers must be a mapping with any of low, medium, high, critical" }]);
    expect(problems({ tiers: { high: 3 } })).toEqual([{ path: "risk.tiers.high", message: "tiers.high must be a mapping like { approvals: 2 }" }]);
    expect(problems({ large_deletions: 500 })).toEqual([{ path: "risk.large_deletions", message: "large_deletions must be a mapping like { lines: 500, ratio: 0.5 }" }]);
    expect(problems({ rules: ["infra/**"] })).toEqual([{ path: "risk.rules[0]", message: expect.stringContaining("a rule must be a mapping like") }]);
    expect(problems({ rules: "x" })).toEqual([{ path: "risk.rules", message: "rules must be a list of { paths, level, reason }" }]);
  });
});

describe("the CLI's zod-free defaults", () => {
  it("equal the schema's defaults", async () => {
    const { DEFAULT_RISK } = await import("../../src/risk/classify.js");
    const { DEFAULT_RISK_CONFIG } = await import("../../src/risk/config.js");
    expect(DEFAULT_RISK).toEqual(DEFAULT_RISK_CONFIG);
  });
});
