/**
 * Differential test: GlobIndex against picomatch itself, on every built-in glob and on generated
 * custom-style globs, case-insensitive and case-sensitive. The reference is picomatch on each brace
 * expansion of a glob (bash's definition of braces); picomatch's own brace compilation differs from
 * that only for a path ending in the `.` of an empty-looking alternative (`NOTICE.` against
 * `NOTICE{,.*}`), which no repository path is.
 */
import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import picomatch from "picomatch";
import { expandBraces, GlobIndex } from "../../src/risk/glob-index.js";
import { PATH_RULES } from "../../src/risk/rules.js";

const BUILT_IN_GLOBS = [...new Set(PATH_RULES.flatMap((r) => [...(r.paths ?? []), ...(r.except ?? [])]))];

/** Words that appear in the built-in globs, so generated paths hit them often. */
const VOCABULARY = [...new Set(BUILT_IN_GLOBS.flatMap((g) => (expandBraces(g) ?? [g]).flatMap((e) => e.split(/[/*]/))).filter((w) => w !== ""))];

const segment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...VOCABULARY) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...VOCABULARY, "a", "x", "", "."), fc.constantFrom(...VOCABULARY, "b", "", ".md", ".ts", "-1")).map(([a, b]) => a + b) },
  { weight: 1, arbitrary: fc.constantFrom("src", "a", "B", "Test", "DOCS", ".github", ".hidden", "x.y.z") },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !s.includes("/") && s !== "." && s !== "..") },
).filter((s) => s !== "" && s !== "." && s !== "..");
const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join("/"));

/** Repository paths as git gives them: relative, no empty, `.` or `..` segments. */
const isGitPath = (p: string) => p !== "" && p.split("/").every((s) => s !== "" && s !== "." && s !== "..");

function agree(glob: string, nocase: boolean, paths: readonly string[]): void {
  const index = new GlobIndex([[glob]], { nocase });
  const expanded = /[\\[(]/.test(glob) ? undefined : expandBraces(glob);
  const matchers = (expanded ?? [glob]).map((g) => picomatch(g, { dot: true, nocase }));
  const reference = (p: string) => matchers.some((m) => m(p));
  for (const p of paths) {
    const got = index.match(p)[0] === 1;
    if (got !== reference(p)) throw new Error(`${JSON.stringify(glob)} on ${JSON.stringify(p)} (nocase ${nocase}): index ${got}, picomatch ${!got}`);
  }
}

describe("GlobIndex", () => {
  it("agrees with picomatch on every built-in glob", () => {
    fc.assert(
      fc.property(fc.array(path, { minLength: 20, maxLength: 20 }), (paths) => {
        for (const glob of BUILT_IN_GLOBS) agree(glob, true, paths);
      }),
      { numRuns: 150 },
    );
  });

  it("agrees with picomatch on generated globs, case-sensitive and not", () => {
    const globSegment = fc.oneof(
      fc.constantFrom("**", "*", "*.ts", "a*", "*b", "a*b", "*x*", "*x*.md", "src", "Docs", ".github", "a?c", "[ab]c", "{a,b}", "*.{md,ts}", "!(x)", "@(a|b)", "x{1..3}", "\\*", "\\{a,b}", "[{]a,b}"),
      fc.constantFrom(...VOCABULARY),
    );
    const glob = fc.array(globSegment, { minLength: 1, maxLength: 4 }).map((s) => s.join("/"));
    fc.assert(
      fc.property(glob, fc.array(path, { minLength: 10, maxLength: 10 }), fc.boolean(), (g, paths, nocase) => {
        agree(g, nocase, [...paths, g.replace(/[*?[\]{}()!@\\]/g, "")].filter(isGitPath));
      }),
      { numRuns: 2000 },
    );
  });

  it("answers each set separately", () => {
    const index = new GlobIndex([["**/*.tf"], ["docs/**", "**/*.md"], ["**/k8s/**"]], { nocase: true });
    expect([...index.match("docs/k8s/README.MD")]).toEqual([0, 1, 1]);
    expect([...index.match("infra/main.tf")]).toEqual([1, 0, 0]);
  });

  it("expands plain brace lists and refuses others", () => {
    expect(expandBraces("a{b,c}d{e,f}")).toEqual(["abde", "abdf", "acde", "acdf"]);
    expect(expandBraces("x{,.*}")).toEqual(["x", "x.*"]);
    expect(expandBraces("x{1..3}")).toBeUndefined();
    expect(expandBraces("x{a}")).toBeUndefined();
    expect(expandBraces("x{a,{b,c}}")).toBeUndefined();
    expect(expandBraces("x}")).toBeUndefined();
  });
});
