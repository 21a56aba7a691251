/**
 * Property tests of everything that reads text or JSON an attacker can write: `/countersign` comment
 * bodies, commit messages and identities, `.github/countersign.yml` (as arbitrary YAML-ish text and
 * as arbitrary JSON values), and webhook payloads. None may throw, whatever it is given, and each
 * answers in the shape its callers rely on. Fixed seeds: a failure reproduces exactly.
 */
import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { parseCommands } from "../../src/commands/parse.js";
import { checkNameOf, parseConfig } from "../../src/config/schema.js";
import { createDetector } from "../../src/detection/detect.js";
import { checkRunTargets, checkSuiteTargets, issueCommentTargets, pullRequestTargets } from "../../src/app/payloads.js";
import { example } from "../support/webhooks.js";

const RUNS = 300;
const options = (seed: number) => ({ seed, numRuns: RUNS });

/** Text from pieces that matter to the parsers, mixed with arbitrary unicode. */
function textFrom(pieces: readonly string[]): fc.Arbitrary<string> {
  return fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ unit: "binary", maxLength: 12 }), fc.string({ maxLength: 12 })), { maxLength: 40 }).map((parts) => parts.join(""));
}

const SHA = "0123456789abcdef0123456789abcdef01234567";
const COMMAND_PIECES = [
  "/countersign", "/approve", "/COUNTERSIGN", "/countersign ", " revoke", " status", ` ${SHA.slice(0, 7)}`, ` ${SHA}`, " please",
  "\n", "\r\n", "\r", " ", "\t", "    ", "```", "~~~", "```js\n", "> ", "<!--", "-->", "\u200b", "\ufeff", "\u00a0", "с", "о", "／",
  "/countersign\n/countersign revoke", "LGTM", "`/countersign`", "\\/countersign",
];

/** Comment bodies line by line: command lines (clean, disguised, quoted, fenced) among arbitrary ones. */
const commentBody: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom("/countersign", "/approve", "/countersign revoke", `/countersign ${SHA.slice(0, 7)}`, `/approve ${SHA}`, "/countersign status", "  /countersign  ", "\t/approve", "/Countersign") },
        { weight: 1, arbitrary: fc.constantFrom("```", "~~~", "> /countersign", "    /countersign", "<!-- /countersign -->", "<!--", "-->", "/countersign please", "/counter\u200bsign", "/c\u043euntersign") },
        { weight: 2, arbitrary: textFrom(COMMAND_PIECES) },
        { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
      ),
      { maxLength: 8 },
    ),
    fc.constantFrom("\n", "\r\n"),
  )
  .map(([lines, eol]) => lines.join(eol));

describe("/countersign comment bodies", () => {
  it("parseCommands never throws and answers a well-formed outcome", () => {
    fc.assert(
      fc.property(fc.oneof(commentBody, textFrom(COMMAND_PIECES)), fc.array(fc.constantFrom("countersign", "approve", "lgtm", "ship-it"), { minLength: 1, maxLength: 3 }), (body, words) => {
        const r = parseCommands(body, words);
        expect(["none", "command", "conflict"]).toContain(r.kind);
        if (r.kind === "command") {
          expect(["approve", "revoke", "status", "override"]).toContain(r.command.kind);
          if (r.command.kind === "approve" && r.command.sha !== undefined) expect(r.command.sha).toMatch(/^[0-9a-f]{7,40}$/);
          // A command is a whole line of the body.
          expect(body.replace(/\r\n?/g, "\n").split("\n").map((l) => l.trim())).toContain(r.command.line);
        }
        if (r.kind === "conflict") expect(r.lines.length).toBeGreaterThan(1);
      }),
      options(1101),
    );
  });

  it("nothing inside a fenced code block or a block quote is a command", () => {
    fc.assert(
      fc.property(commentBody.map((b) => b.replace(/```|~~~/g, "")), (inner) => {
        expect(parseCommands("```\n" + inner.replace(/`/g, "") + "\n```").kind).toBe("none");
        expect(parseCommands(inner.split(/\r\n?|\n/).map((l) => `> ${l}`).join("\n")).kind).toBe("none");
      }),
      options(1102),
    );
  });

  it("never throws on arbitrary values (not only strings)", () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect(() => parseCommands(value as string)).not.toThrow();
      }),
      options(1103),
    );
  });
});

const TRAILER_PIECES = [
  "Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>", "Co-authored-by: Alice <alice@example.com>", "Signed-off-by: Bob <bob@example.com>", "Assisted-by: gemini-cli",
  "Generated-by: ", "Made-with: Cursor", "Claude-Session: x", "(cherry picked from commit 0123456)", "🤖 Generated with [Claude Code](https://claude.com/claude-code)",
  "\n", "\n\n", ": ", "<", ">", "@", " (aider)", "---", "Co-authored-by:", "\t", "   ",
];
const person = fc.record(
  {
    name: fc.option(fc.oneof(fc.string(), fc.constantFrom("Claude", "Copilot", "Alice (aider)", "cursoragent", ""))),
    email: fc.option(fc.oneof(fc.string(), fc.emailAddress(), fc.constantFrom("noreply@anthropic.com", "198982749+Copilot@users.noreply.github.com", "cursoragent@cursor.com", "x@users.noreply.github.com"))),
    login: fc.option(fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("Copilot", "claude[bot]", "devin-ai-integration[bot]", "alice"))),
    id: fc.option(fc.oneof(fc.integer(), fc.constant(198982749), fc.double())),
    type: fc.option(fc.constantFrom("User", "Bot", "Organization", "Mannequin", "")),
  },
  { requiredKeys: [] },
);

describe("commit messages and identities", () => {
  const detector = createDetector();

  it("createDetector().commit never throws and reports consistent findings", () => {
    fc.assert(
      fc.property(textFrom(TRAILER_PIECES), person, person, (message, author, committer) => {
        const d = detector.commit({ message, author, committer });
        expect(typeof d.ai).toBe("boolean");
        expect(d.ai).toBe(d.evidence.length > 0);
        for (const e of d.evidence) expect(d.tools).toContain(e.tool);
        for (const h of d.humans) expect(Array.isArray(h.roles)).toBe(true);
      }),
      options(1201),
    );
  });

  it("pull request detection never throws on arbitrary bodies, labels and authors", () => {
    fc.assert(
      fc.property(fc.option(fc.oneof(fc.string({ unit: "binary" }), textFrom(["<!-- START COPILOT CODING AGENT SUFFIX -->", "[Codex Task](", "Link to Devin run", "\n"]))), fc.array(fc.string()), person, (body, labels, author) => {
        const pr = detector.pullRequest({ author, body, labels }, [detector.commit({ message: "x", author: {}, committer: {} })]);
        expect(typeof pr.ai).toBe("boolean");
      }),
      options(1202),
    );
  });
});

const YAML_PIECES = [
  "mode: ", "enforce", "observe", "enabled: ", "true", "false", "required_approvals: ", "0", "1", "11", "-1", "1.5", "min_permission: ", "write", "admin", "check_name: ",
  "labels:\n  ", "ai_authored: ", "commands:\n  ", "words: [", "]", "detection:\n  ", "trailers:\n    - key: ", "identities:\n    - email: ", "tool: ", "disable_rules: [",
  "_extends: ", "risk:\n  ", "override:\n  ", "bypass:\n  ", "\n", "  ", "- ", "{", "}", "[", ",", ": ", "\"", "'", "&a ", "*a", "<<: *a", "!!str ", "!!binary ", "? ", "|\n  ", ">\n  ", "%YAML 1.2\n---\n", "...", "#", "\t", "~", "null",
];

/** What the app does with the file's text (src/app/evaluate-pr.ts): YAML, then the schema; a YAML error is reported, not thrown out. */
function readConfigText(text: string): { ok: boolean } {
  let doc: unknown;
  try {
    doc = parseYaml(text, { logLevel: "error" }) ?? {};
  } catch {
    return { ok: false };
  }
  const parsed = parseConfig(doc);
  checkNameOf(doc);
  if (parsed.ok) createDetector(parsed.value.detection).commit({ message: "x\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n", author: {}, committer: {} });
  else for (const p of parsed.problems) expect(typeof p.message).toBe("string");
  return { ok: parsed.ok };
}

describe(".github/countersign.yml", () => {
  it("arbitrary YAML-ish text: parsing and validating never throw out, and take no time", () => {
    fc.assert(
      fc.property(textFrom(YAML_PIECES), (text) => {
        const started = Date.now();
        readConfigText(text);
        expect(Date.now() - started).toBeLessThan(1000);
      }),
      options(1301),
    );
  });

  it("a YAML alias bomb is refused, not expanded", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`)].join("\n");
    const started = Date.now();
    expect(readConfigText(bomb).ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("arbitrary JSON values: parseConfig and checkNameOf never throw; a valid config builds a detector", () => {
    const sections = fc.record(
      {
        enabled: fc.jsonValue(),
        mode: fc.oneof(fc.constantFrom("enforce", "observe"), fc.jsonValue()),
        required_approvals: fc.oneof(fc.integer({ min: -2, max: 12 }), fc.jsonValue()),
        min_permission: fc.oneof(fc.constantFrom("read", "triage", "write", "maintain", "admin"), fc.jsonValue()),
        check_name: fc.oneof(fc.string({ maxLength: 120 }), fc.jsonValue()),
        labels: fc.oneof(fc.record({ enabled: fc.boolean(), ai_authored: fc.string({ maxLength: 60 }) }, { requiredKeys: [] }), fc.jsonValue()),
        commands: fc.oneof(fc.record({ enabled: fc.boolean(), words: fc.array(fc.string({ maxLength: 12 })) }, { requiredKeys: [] }), fc.jsonValue()),
        detection: fc.oneof(
          fc.record(
            {
              trailers: fc.array(fc.record({ key: fc.string(), tool: fc.string(), value_contains: fc.string() }, { requiredKeys: [] })),
              identities: fc.array(fc.record({ email: fc.string(), login: fc.string(), id: fc.integer(), name: fc.string(), tool: fc.string() }, { requiredKeys: [] })),
              ignore: fc.array(fc.record({ email: fc.string(), login: fc.string() }, { requiredKeys: [] })),
              labels: fc.array(fc.string()),
              disable_rules: fc.array(fc.string()),
            },
            { requiredKeys: [] },
          ),
          fc.jsonValue(),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), sections, fc.anything()), (value) => {
        const parsed = parseConfig(value);
        const name = checkNameOf(value);
        expect(name.length).toBeGreaterThan(0);
        expect(name.length).toBeLessThanOrEqual(100);
        if (parsed.ok) {
          expect(parsed.value.required_approvals).toBeGreaterThanOrEqual(1);
          createDetector(parsed.value.detection).commit({ message: "Fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n", author: {}, committer: {} });
        } else {
          expect(parsed.problems.length).toBeGreaterThan(0);
        }
      }),
      options(1302),
    );
  });
});

/** A real payload with arbitrary values written at arbitrary paths (and some paths deleted). */
function mutated(name: string, action: string): fc.Arbitrary<unknown> {
  const base = example(name, action);
  const paths: string[][] = [];
  const walk = (v: unknown, path: string[]) => {
    if (path.length > 4 || v === null || typeof v !== "object") return;
    for (const [k, child] of Object.entries(v)) {
      paths.push([...path, k]);
      walk(child, [...path, k]);
    }
  };
  walk(base, []);
  const edit = fc.record({ path: fc.constantFrom(...paths), value: fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.constantFrom(0, -1, 1.5, "", SHA, "X".repeat(40), null, [], {})) });
  return fc.array(edit, { maxLength: 6 }).map((edits) => {
    const payload = structuredClone(base) as Record<string, unknown>;
    for (const { path, value } of edits) {
      let node: Record<string, unknown> | undefined = payload;
      for (const k of path.slice(0, -1)) node = node && typeof node[k] === "object" && node[k] !== null ? (node[k] as Record<string, unknown>) : undefined;
      const last = path[path.length - 1];
      if (!node || last === undefined) continue;
      if (value === undefined) Reflect.deleteProperty(node, last);
      else node[last] = value;
    }
    return payload;
  });
}

describe("webhook payloads", () => {
  const parsers = [
    ["pull_request", "opened", pullRequestTargets],
    ["pull_request", "closed", pullRequestTargets],
    ["pull_request_review", "submitted", pullRequestTargets],
    ["issue_comment", "created", issueCommentTargets],
    ["check_run", "rerequested", checkRunTargets],
    ["check_suite", "requested", checkSuiteTargets],
  ] as const;

  it.each(parsers)("%s.%s: the payload parser never throws, and what it accepts is well-formed", (name, action, parse) => {
    fc.assert(
      fc.property(fc.oneof(mutated(name, action), fc.anything()), (payload) => {
        const r = parse(payload);
        if (r.ok) {
          for (const t of r.targets) {
            expect(Number.isInteger(t.number) && t.number > 0).toBe(true);
            expect(t.headSha === null || /^[0-9a-f]{40}$/.test(t.headSha)).toBe(true);
            expect(t.owner.length > 0 && t.repo.length > 0).toBe(true);
          }
        } else {
          expect(typeof r.problem).toBe("string");
        }
      }),
      options(1400 + parsers.findIndex((p) => p[0] === name && p[1] === action)),
    );
  });
});
