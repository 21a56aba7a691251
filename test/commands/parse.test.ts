import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { parseCommands } from "../../src/commands/parse.js";

const approve = (sha?: string) => expect.objectContaining({ kind: "command", command: expect.objectContaining({ kind: "approve", ...(sha ? { sha } : {}) }) });

describe("the /countersign grammar", () => {
  it.each([
    ["/countersign", approve()],
    ["  /countersign  ", approve()],
    [" /CounterSign\t", approve()],
    ["/approve", approve()],
    ["Looks good to me.\n\n/countersign\n\nThanks!", approve()],
    ["/countersign 1a2b3c4", approve("1a2b3c4")],
    ["/countersign 1A2B3C4D5E6F7A8B9C0D1E2F3A4B5C6D7E8F9A0B", approve("1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b")],
    ["/countersign revoke", expect.objectContaining({ command: expect.objectContaining({ kind: "revoke" }) })],
    ["/countersign Status", expect.objectContaining({ command: expect.objectContaining({ kind: "status" }) })],
    ["/countersign\r\n", approve()],
    ["/countersign override prod is down, rolling back (INC-42)", expect.objectContaining({ command: expect.objectContaining({ kind: "override", reason: "prod is down, rolling back (INC-42)" }) })],
    ["/countersign override", expect.objectContaining({ command: expect.objectContaining({ kind: "override", reason: "" }) })],
  ])("%j is a command", (body, expected) => {
    expect(parseCommands(body)).toEqual(expected);
  });

  it.each([
    ["I will /countersign later"],
    ["/countersign please"],
    ["/countersign revoke now"],
    ["/countersign 1a2b3c4 thanks"],
    ["/countersign 1a2b3c"],
    ["/countersign 1a2b3c4g"],
    ["/countersigned"],
    ["countersign"],
    ["/lgtm"],
    ["```\n/countersign\n```"],
    ["~~~md\n/countersign\n~~~"],
    ["````\n```\n/countersign\n```\n````"],
    ["    /countersign"],
    ["\t/countersign"],
    ["> /countersign"],
    ["   > /countersign"],
    ["<!-- /countersign -->"],
    ["<!--\n/countersign\n-->"],
    ["/c\u043Euntersign"], // Cyrillic о
    ["/counter\u200Bsign"], // zero-width space inside
    ["\u200B/countersign"], // zero-width space before
    ["/countersign\u200D"], // zero-width joiner after
    ["\uFF0Fcountersign"], // fullwidth solidus
    ["/countersign\u00A0"], // no-break space
    ["/countersign r\u0435voke"], // Cyrillic е in the argument
    [""],
  ])("%j is not a command", (body) => {
    expect(parseCommands(body)).toEqual({ kind: "none" });
  });

  it("a fence must be closed by the same character", () => {
    expect(parseCommands("```\n~~~\n/countersign\n```\n/countersign")).toEqual(approve());
    expect(parseCommands("```\n~~~\n/countersign\n")).toEqual({ kind: "none" });
  });

  it("conflicting commands in one comment do nothing", () => {
    expect(parseCommands("/countersign\n/countersign revoke")).toEqual({ kind: "conflict", lines: ["/countersign", "/countersign revoke"] });
    expect(parseCommands("/countersign 1a2b3c4\n/countersign 9f9f9f9")).toEqual(expect.objectContaining({ kind: "conflict" }));
    expect(parseCommands("/countersign\n/approve")).toEqual(approve());
  });

  it("uses the configured words only", () => {
    expect(parseCommands("/ship-it", ["ship-it"])).toEqual(approve());
    expect(parseCommands("/countersign", ["ship-it"])).toEqual({ kind: "none" });
  });
});

describe("properties", () => {
  const text = fc.string({ unit: "grapheme-composite", maxLength: 200 });
  const lineOf = fc.oneof(text, fc.constantFrom("/countersign", "/approve", "/countersign revoke", "/countersign 1a2b3c4", "```", "~~~", "> quote", "    code", "<!--", "-->"));

  it("never throws, on anything", () => {
    fc.assert(
      fc.property(fc.array(lineOf, { maxLength: 30 }), fc.string({ unit: "binary", maxLength: 300 }), (lines, junk) => {
        parseCommands(lines.join("\n"));
        parseCommands(junk);
      }),
      { numRuns: 1000, seed: 3 },
    );
  });

  it("text inside a fenced code block never parses as a command", () => {
    fc.assert(
      fc.property(fc.array(lineOf, { maxLength: 20 }), fc.constantFrom("```", "~~~~"), (inner, fence) => {
        const body = [fence, ...inner.filter((l) => !l.trimStart().startsWith(fence.slice(0, 3))), fence].join("\n");
        expect(parseCommands(body)).toEqual({ kind: "none" });
      }),
      { numRuns: 1000, seed: 4 },
    );
  });

  it("text inside a block quote never parses as a command", () => {
    fc.assert(
      fc.property(fc.array(lineOf, { maxLength: 20 }), (inner) => {
        const body = inner.map((l) => `> ${l.replace(/\n/g, " ")}`).join("\n");
        expect(parseCommands(body)).toEqual({ kind: "none" });
      }),
      { numRuns: 1000, seed: 5 },
    );
  });
});
