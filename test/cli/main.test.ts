import { describe, expect, it } from "@jest/globals";
import { main } from "../../src/cli/main.js";
import { BUILT_IN_RULE_IDS } from "../../src/detection/config.js";
import { bufferIo } from "../helpers/git.js";

async function run(...argv: string[]) {
  const io = bufferIo();
  const code = await main(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe("countersign", () => {
  it("prints help with the commands, and exits 2 when no command is given", async () => {
    const help = await run("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("countersign scan [--repo DIR]");
    expect((await run()).code).toBe(2);
  });

  it("prints its version", async () => {
    expect((await run("--version")).stdout).toMatch(/^countersign \d+\.\d+\.\d+\n$/);
  });

  it("rules lists every built-in rule once, as text or JSON Lines", async () => {
    const text = await run("rules");
    const ids = text.stdout.trimEnd().split("\n").map((l) => l.split(/\s+/)[0]);
    expect(ids).toEqual(BUILT_IN_RULE_IDS);
    const json = await run("rules", "--json");
    const rows = json.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as { id: string; kind: string; tool: string; matches: string[] });
    expect(rows.map((r) => r.id)).toEqual(BUILT_IN_RULE_IDS);
    expect(rows.find((r) => r.id === "copilot/coding-agent")).toEqual(expect.objectContaining({ kind: "identity", tool: "GitHub Copilot", matches: expect.arrayContaining(["@Copilot (id 198982749)"]) }));
    const bad = await run("rules", "--yaml");
    expect([bad.code, bad.stderr]).toEqual([2, "countersign: rules: unexpected argument '--yaml' (usage: countersign rules [--json])\n"]);
  });
});
