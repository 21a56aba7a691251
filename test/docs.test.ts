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

  it("documents every top-level and labels config key with its default", () => {
    const { labels } = DEFAULT_CONFIG;
    const top = Object.entries(DEFAULT_CONFIG).filter(([k]) => k !== "detection" && k !== "labels");
    const rows: [string, unknown][] = [...top, ...Object.entries(labels).map(([k, v]): [string, unknown] => [`labels.${k}`, v])];
    for (const [key, value] of rows) {
      const row = readme.split("\n").find((l) => l.startsWith(`| \`${key}\` |`));
      expect({ key, row }).toEqual({ key, row: expect.stringContaining(`\`${String(value)}\``) });
    }
  });

  it("gives the two quick-start commands", () => {
    expect(readme).toMatch(/npm install && npm start/);
    expect(readme).toMatch(/\nnpm test /);
  });
});
