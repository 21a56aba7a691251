/** The README documents what users configure and run; these tests keep it from drifting. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";
import { DetectionConfigSchema } from "../src/detection/config.js";

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

  it("gives the two quick-start commands", () => {
    expect(readme).toMatch(/npm install && npm start/);
    expect(readme).toMatch(/\nnpm test /);
  });
});
