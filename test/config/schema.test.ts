import { readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";
import { checkNameOf, DEFAULT_CONFIG, parseConfig } from "../../src/config/schema.js";
import { configJsonSchema } from "../../src/config/json-schema.js";

describe(".github/countersign.yml", () => {
  it("has a default for every key, so a missing or empty file is valid", () => {
    expect(parseConfig(null)).toEqual({ ok: true, value: DEFAULT_CONFIG });
    expect(parseConfig({})).toEqual({ ok: true, value: DEFAULT_CONFIG });
    expect(DEFAULT_CONFIG).toEqual(
      expect.objectContaining({ enabled: true, mode: "enforce", check_name: "countersign", required_approvals: 1, min_permission: "write", require_resolvable_operators: true, labels: { enabled: true, ai_authored: "ai-authored", bypassed: "countersign: bypassed", overridden: "countersign: overridden" } }),
    );
  });

  it("names every problem with its path", () => {
    const r = parseConfig({ required_approvals: 1.5, min_permission: "owner", detection: { identities: [{}] }, extra: 1 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual(
      expect.arrayContaining([
        { path: "(top level)", message: "unknown key 'extra': remove it or check the spelling" },
        { path: "required_approvals", message: "required_approvals must be a whole number" },
        { path: "min_permission", message: "min_permission must be one of read, triage, write, maintain, admin" },
        { path: "detection.identities[0].tool", message: "tool is required" },
      ]),
    );
  });

  it("rejects a file that is not a mapping", () => {
    expect(parseConfig(["a"])).toEqual({ ok: false, problems: [{ path: "(top level)", message: expect.stringContaining("must be a YAML mapping") }] });
    expect(parseConfig("text")).toEqual(expect.objectContaining({ ok: false }));
  });

  it("keeps a readable check name from an invalid file", () => {
    expect(checkNameOf({ check_name: "ai-gate", mode: "bogus" })).toBe("ai-gate");
    expect(checkNameOf({ check_name: 42 })).toBe("countersign");
    expect(checkNameOf(null)).toBe("countersign");
  });

  it("ships an up-to-date JSON Schema (regenerate with npm run schema)", () => {
    const shipped = JSON.parse(readFileSync(new URL("../../schema/countersign.schema.json", import.meta.url), "utf8")) as unknown;
    expect(shipped).toEqual(configJsonSchema());
  });
});
