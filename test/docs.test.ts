/** The README documents what users configure and run; these tests keep it from drifting. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";
import { DetectionConfigSchema } from "../src/detection/config.js";
import { DEFAULT_CONFIG } from "../src/config/schema.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

describe("README", () => {
  it("documents every detection config key with its default", () => {
    const defaults = DetectionConfigSchema.parse(undefined) as Record<string, unknown>;
    for (const [key, value] of Object.entries(defaults)) {
      const row = readme.split("\n").find((l) => l.startsWith(`| \`detection.${key}\` |`));
      expect({ key, row }).toEqual({ key, row: expect.any(String) });
      const shown = Array.isArray(value) ? (value.length === 0 ? "`[]`" : `\`[${value.join(", ")}]\``) : `\`${String(value)}\``;
      expect(row).toContain(shown);
    }
  });

  it("documents every other config key with its default", () => {
    const rows: [string, unknown][] = [];
    const walk = (prefix: string, value: unknown) => {
      if (value !== null && typeof value === "object" && !Array.isArray(value)) for (const [k, v] of Object.entries(value)) walk(prefix === "" ? k : `${prefix}.${k}`, v);
      else rows.push([prefix, value]);
    };
    const { detection: _detection, ...rest } = DEFAULT_CONFIG;
    walk("", rest);
    for (const [key, value] of rows) {
      const shown = Array.isArray(value) ? `\`[${value.join(", ")}]\`` : `\`${String(value)}\``;
      const row = readme.split("\n").find((l) => l.startsWith(`| \`${key}\` |`));
      expect({ key, row }).toEqual({ key, row: expect.stringContaining(shown) });
    }
  });

  it("gives the two quick-start commands", () => {
    expect(readme).toMatch(/npm install && npm start/);
    expect(readme).toMatch(/\nnpm test /);
  });
});
