/**
 * Differential test: parseTrailers + formatTrailers against the real git
 * binary's `git log --format='%(trailers:only,unfold)'`.
 *
 * All messages are written verbatim (no commit-time cleanup) into a throwaway
 * repository with a single `git fast-import` run, then read back with a single
 * `git log -z`, so thousands of messages take about a second.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { formatTrailers, parseTrailers } from "../../src/detection/trailers.js";

const SEED = 0x7a11e75;
const GENERATED = 2000;
const SOUP = 1000;

let root = "";
let repo = "";
let batches = 0;
let env: NodeJS.ProcessEnv = {};

function git(args: string[], input?: string | Buffer): string {
  return execFileSync("git", args, { cwd: repo, env, input, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
}

/** git's output for each message, in order. */
function gitTrailers(messages: readonly string[]): string[] {
  const ref = `refs/heads/batch${++batches}`;
  const chunks: Buffer[] = [];
  messages.forEach((message, i) => {
    const data = Buffer.from(message, "utf8");
    chunks.push(
      Buffer.from(
        `commit ${ref}\nmark :${i + 1}\ncommitter T <t@example.com> ${1_700_000_000 + i} +0000\ndata ${data.length}\n`,
      ),
      data,
      Buffer.from("\n"),
    );
  });
  const marks = join(root, `marks${batches}`);
  git(["fast-import", "--quiet", `--export-marks=${marks}`], Buffer.concat(chunks));
  const shaOfMark = new Map<number, string>();
  for (const line of readFileSync(marks, "utf8").split("\n")) {
    const m = /^:(\d+) ([0-9a-f]{40})$/.exec(line);
    if (m) shaOfMark.set(Number(m[1]), m[2] as string);
  }
  const bySha = new Map<string, string>();
  const out = git(["log", "-z", "--format=%H%n%(trailers:only,unfold)", ref]);
  for (const record of out.split("\0")) {
    if (record === "") continue;
    bySha.set(record.slice(0, 40), record.slice(41));
  }
  return messages.map((_, i) => {
    const sha = shaOfMark.get(i + 1);
    const printed = sha === undefined ? undefined : bySha.get(sha);
    if (printed === undefined) throw new Error(`no git output for message #${i}`);
    return printed;
  });
}

function compare(messages: readonly string[]): { mismatches: string[]; withTrailers: number } {
  const expected = gitTrailers(messages);
  const mismatches: string[] = [];
  let withTrailers = 0;
  messages.forEach((message, i) => {
    const ours = formatTrailers(parseTrailers(message));
    const theirs = expected[i] as string;
    if (theirs !== "") withTrailers++;
    if (ours !== theirs) {
      mismatches.push(
        `message #${i}: ${JSON.stringify(message)}\n  git:  ${JSON.stringify(theirs)}\n  ours: ${JSON.stringify(ours)}`,
      );
    }
  });
  return { mismatches, withTrailers };
}

function assertNoMismatch(mismatches: readonly string[]): void {
  if (mismatches.length > 0) {
    throw new Error(`${mismatches.length} message(s) differ from git:\n${mismatches.slice(0, 10).join("\n")}`);
  }
}

// ---------------------------------------------------------------------------
// Hand-written edge cases.

const SHA = "0123456789abcdef0123456789abcdef01234567";

const EDGE_CASES: readonly string[] = [
  "",
  "\n",
  "Title only\n",
  "Key: value\n",
  "Key: value\n\n",
  "Title\n\nKey: value",
  "Title\n\nKey: value\n",
  "Title\n\nKey: value\n\n\n",
  "Title\n\nBody.\n\nCo-authored-by: A <a@example.com>\nCo-authored-by: B <b@example.com>\n",
  // GitHub squash merge
  "Add thing (#12)\n\n* first commit\n\n* second commit\n\n---------\n\nCo-authored-by: A <a@example.com>\nCo-authored-by: B <b@example.com>\n",
  "Add thing (#12)\n\n* first commit\n* second commit\n---------\nCo-authored-by: A <a@example.com>\n",
  // CRLF
  "Title\r\n\r\nBody\r\n\r\nKey: v\r\nK2 : w\r\n",
  "Title\r\n\r\nKey: v\r\n  continued\r\n",
  "Title\r\n\r\nKey: v\r\n\r\n\r\n",
  "Title\r\n\r\nKey: v\r\n# comment\r\n",
  // trailing blank / comment lines
  "Title\n\nKey: v\n\n# comment\n\n",
  "Title\n\nKey: v\n \n",
  "Title\n\nKey: v\n\t\n",
  "Title\n\nKey: v\n# comment\nK2: w\n",
  "Title\n\n# comment\nKey: v\n",
  "# comment\nTitle\n\nKey: v\n",
  "#a\n#b\n",
  "Title\n\nKey: v\n#",
  // cherry-pick
  `Title\n\nBody\n\n(cherry picked from commit ${SHA})\n`,
  `Title\n\nBody\n\nSigned-off-by: A <a@example.com>\n(cherry picked from commit ${SHA})\n`,
  `Title\n\nBody\n\n(cherry picked from commit ${SHA})\nnot a trailer\nnot either\nnor this\n`,
  `Title\n\nBody\n\n(cherry picked from commit ${SHA})\nnot a trailer\nnot either\nnor this\nnor that\n`,
  // 25% rule
  "Title\n\nBody\n\nSigned-off-by: A <a@example.com>\nx\ny\nz\n",
  "Title\n\nBody\n\nSigned-off-by: A <a@example.com>\nx\ny\nz\nw\n",
  "Title\n\nBody\n\nSigned-off-by:A\nx\n",
  "Title\n\nBody\n\nsigned-off-by: A\nx\n",
  "Title\n\nBody\n\nReviewed-by: A\nx\n",
  // URLs
  "Title\n\nhttps://example.com/a\n",
  "Title\n\nSee https://example.com/a\n",
  "Title\n\nRef: https://example.com/a\nLink:https://example.com/b\n",
  "Title\n\nhttps://example.com\nKey: v\n",
  // continuation lines
  "Title\n\nKey: v\n  more\n\tand more\nK2: w\n",
  "Title\n\n  leading: indented\nKey: v\n",
  "Title\n\n  Indented: v\nSigned-off-by: A\n",
  `Title\n\n(cherry picked from commit ${SHA})\n Indented: v\n`,
  "Title\n\nKey: v   \n   more   \n",
  "Title\n\nKey:\n  value on next line\n",
  "Title\n\nSigned-off-by: A\n  cont\nx\n",
  // trailer-looking line mid-body
  "Title\n\nFixes: #12\n\nSome prose after it.\n",
  "Title\n\nBody\nKey: v\n",
  "Title\n\nBody\n\nKey: v\nprose\n",
  // separators and tokens
  "Title\n\nKey : v\nKey\t: v\nKey  :v\n",
  "Title\n\n: v\n",
  "Title\n\nKey With Space: v\n",
  "Title\n\nKey_underscore: v\n",
  "Title\n\n-: v\n",
  "Title\n\nK\u00e9y: v\n",
  "Title\n\nKey: v\u00e9 \u{1f600}\n",
  "Title\n\nKey: v\n\u000b\n",
  "Title\n\nKey: v\n\fK2: w\n",
  // divider, scissors, conflicts
  "Title\n\nBody\n---\nKey: v\n",
  "Title\n\nBody\n\n---\n\nKey: v\n",
  "Title\n\nKey: v\n# ------------------------ >8 ------------------------\nK2: w\n",
  "# ------------------------ >8 ------------------------\nTitle\n\nKey: v\n",
  "Title\n\nKey: v\nConflicts:\n\tfile.c\n",
  "Title\n\nKey: v\n\nConflicts:\n\tfile.c\n",
  "Conflicts:\nfoo\n\n\tbar\n",
  // leading blank lines before the subject
  "\n\n  \nTitle\n\nKey: v\n",
  "\r\n\t\nTitle\n\nKey: v\n",
  " Title\n\nKey: v\n",
  // the unit tests' examples
  "T\n\nprose\n \nKey: v\n",
  "T\n\nhttps://example.com/a\n\nSome closing words.\n",
  "T\n\nCo-authored-by: A\nSee https://example.com/a\n",
  "Fixes: the parser\nKey: v\n",
  "T\n\nKey: first\n   second\n\tthird\nOther: w\n",
  "T\n\nKey : v\nEmpty:\nOther:w\n  more\n",
  "T\n\nKey : v\nKey\t:  v  \nKey:v\n",
  `T\n\nBody\n\n(cherry picked from commit ${SHA})\nKey: v\nsome prose\nmore prose\n`,
  "Title\r\n\r\nBody line\r\n\r\nCo-authored-by: A <a@example.com>\r\nReviewed-by : B\r\n\r\n",
];

// ---------------------------------------------------------------------------
// Generators of realistic messages.

const hex = fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 7, maxLength: 40 });
const word = fc.constantFrom(
  "fix",
  "add",
  "the",
  "parser",
  "bug",
  "in",
  "API",
  "tests",
  "é",
  "naïve",
  "\u{1f680}",
  "(#123)",
  "v1.2.3",
  "x:y",
  "foo-bar",
);
const words = fc.array(word, { minLength: 1, maxLength: 6 }).map((w) => w.join(" "));
const person = fc
  .tuple(
    fc.constantFrom("Alice", "Bob Smith", "claude[bot]", "\u00dcn\u00efcode Name", "dev"),
    fc.constantFrom("a", "b", "noreply"),
  )
  .map(([name, mail]) => `${name} <${mail}@example.com>`);
const url = fc
  .tuple(
    fc.constantFrom("https://", "http://", "git://"),
    fc.constantFrom("example.com", "github.com/o/r"),
    fc.constantFrom("", "/pull/1", "/a?b=c#d"),
  )
  .map(([a, b, c]) => a + b + c);
const key = fc.constantFrom(
  "Co-authored-by",
  "Co-Authored-By",
  "co-authored-by",
  "Signed-off-by",
  "Assisted-by",
  "Reviewed-by",
  "Generated-by",
  "Change-Id",
  "Fixes",
  "Bug",
  "Ref",
  "https",
  "A1",
  "-",
  "X-",
  "Key With Space",
  "Key_underscore",
  "K\u00e9y",
);
const blanks = fc.constantFrom("", "", "", " ", "  ", "\t");
const value = fc.oneof(person, url, words, hex, fc.constant(""), fc.constant("  padded  "));
const trailerLine = fc
  .tuple(key, blanks, blanks, value)
  .map(([k, before, after, v]) => `${k}${before}:${after}${v}`);
const signedOff = person.map((p) => `Signed-off-by: ${p}`);
const cherryPick = hex.map((h) => `(cherry picked from commit ${h})`);
const continuation = fc
  .tuple(fc.constantFrom(" ", "  ", "\t", "    "), fc.oneof(words, url, fc.constant(""), trailerLine))
  .map(([i, w]) => i + w);
const bullet = words.map((w) => `* ${w}`);
const comment = fc.oneof(fc.constant("#"), words.map((w) => `# ${w}`), fc.constant("#Key: v"));
const junkChar = fc.constantFrom(..."ab Z9:-#\t\r\u000b\f/().*\u00e9");
const junk = fc.string({ unit: junkChar, minLength: 1, maxLength: 12 });
const special = fc.constantFrom(
  "---",
  "---------",
  "Conflicts:",
  "\tsrc/file.c",
  "# ------------------------ >8 ------------------------",
  ": no key",
  "See https://example.com/x",
  "https://example.com/x",
  "Fixes #12",
  "\r",
  " ",
);
const blankLine = fc.constantFrom("", "", "", "", " ", "\t", "\r");

const trailerishLine = fc.oneof(
  { arbitrary: trailerLine, weight: 12 },
  { arbitrary: signedOff, weight: 3 },
  { arbitrary: cherryPick, weight: 2 },
  { arbitrary: continuation, weight: 3 },
  { arbitrary: comment, weight: 1 },
  { arbitrary: words, weight: 2 },
  { arbitrary: special, weight: 1 },
  { arbitrary: junk, weight: 1 },
);
const proseLine = fc.oneof(
  { arbitrary: words, weight: 8 },
  { arbitrary: bullet, weight: 3 },
  { arbitrary: trailerLine, weight: 1 },
  { arbitrary: url, weight: 1 },
  { arbitrary: continuation, weight: 1 },
  { arbitrary: comment, weight: 1 },
  { arbitrary: special, weight: 1 },
  { arbitrary: junk, weight: 1 },
);
const trailerBlock = fc.array(trailerishLine, { minLength: 1, maxLength: 7 });
const pureTrailerBlock = fc.array(
  fc.oneof({ arbitrary: trailerLine, weight: 5 }, { arbitrary: continuation, weight: 1 }),
  { minLength: 1, maxLength: 5 },
);
const proseParagraph = fc.array(proseLine, { minLength: 1, maxLength: 5 });
/** A GitHub squash-merge body: bullets, a dashed rule, then Co-authored-by lines. */
const coAuthor = person.map((p) => `Co-authored-by: ${p}`);
const squashBody = fc
  .tuple(
    fc.array(bullet, { minLength: 1, maxLength: 4 }),
    fc.boolean(),
    fc.array(fc.oneof({ arbitrary: coAuthor, weight: 4 }, { arbitrary: trailerLine, weight: 1 }), {
      minLength: 1,
      maxLength: 3,
    }),
  )
  .map(([bullets, spaced, coauthors]) =>
    spaced
      ? [...bullets.flatMap((b) => [b, ""]), "---------", "", ...coauthors]
      : [...bullets, "", "---------", "", ...coauthors],
  );

const title = fc.oneof(
  { arbitrary: words, weight: 8 },
  { arbitrary: trailerLine, weight: 2 },
  { arbitrary: comment, weight: 1 },
  { arbitrary: junk, weight: 1 },
);

const message = fc
  .record({
    leading: fc.array(blankLine, { maxLength: 2 }),
    title: fc.array(title, { minLength: 1, maxLength: 2 }),
    paragraphs: fc.array(fc.oneof(proseParagraph, squashBody), { maxLength: 3 }),
    separators: fc.array(fc.array(blankLine, { minLength: 1, maxLength: 2 }), { minLength: 5, maxLength: 5 }),
    last: fc.oneof(
      { arbitrary: trailerBlock, weight: 5 },
      { arbitrary: pureTrailerBlock, weight: 3 },
      { arbitrary: squashBody, weight: 1 },
      { arbitrary: fc.constant<string[]>([]), weight: 1 },
    ),
    trailing: fc.array(fc.oneof(blankLine, comment, fc.constant("Conflicts:"), fc.constant("\tpath")), { maxLength: 3 }),
    eol: fc.constantFrom("\n", "\n", "\n", "\r\n", "mixed"),
    finalNewline: fc.boolean(),
    mixSeed: fc.nat(),
  })
  .map((m) => {
    const lines: string[] = [...m.leading, ...m.title];
    const groups = [...m.paragraphs, m.last].filter((g) => g.length > 0);
    groups.forEach((g, i) => {
      lines.push(...(m.separators[i % m.separators.length] ?? [""]), ...g);
    });
    lines.push(...m.trailing);
    let text = "";
    lines.forEach((line, i) => {
      const last = i === lines.length - 1;
      if (last && !m.finalNewline) {
        text += line;
        return;
      }
      const eol = m.eol === "mixed" ? ((m.mixSeed >> i % 30) & 1 ? "\r\n" : "\n") : m.eol;
      text += line + eol;
    });
    return text;
  });

/** Structure-free messages: random sequences of the tokens git's algorithm cares about. */
const soup = fc
  .array(
    fc.constantFrom(
      "\n",
      "\n",
      "\n",
      "\r\n",
      "\n\n",
      " ",
      "\t",
      "\r",
      ":",
      "#",
      "-",
      "a",
      "Key",
      "B-1",
      "\nKey: v",
      "\nKey: v",
      "\nA-b :",
      "\n  ",
      "//",
      "Signed-off-by: ",
      "(cherry picked from commit ",
      "Conflicts:\n",
      "\n# ------------------------ >8 ------------------------\n",
      "\u000b",
      "\u00e9",
    ),
    { maxLength: 30 },
  )
  .chain((parts) => fc.constantFrom("", "T\n\n", "T\r\n\r\n").map((head) => head + parts.join("")));

// ---------------------------------------------------------------------------

describe("parseTrailers agrees with git log --format=%(trailers:only,unfold)", () => {
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "trailers-diff-"));
    repo = join(root, "repo.git");
    env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GIT_")));
    Object.assign(env, {
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_AUTHOR_NAME: "T",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "T",
      GIT_COMMITTER_EMAIL: "t@example.com",
      HOME: root,
      LC_ALL: "C",
    });
    execFileSync("git", ["init", "-q", "--bare", repo], { cwd: root, env });
  });

  afterAll(() => {
    if (root !== "") rmSync(root, { recursive: true, force: true });
  });

  it("on hand-written edge cases", () => {
    const { mismatches } = compare(EDGE_CASES);
    assertNoMismatch(mismatches);
  });

  it(`on ${GENERATED} generated messages (seed ${SEED})`, () => {
    const messages = fc.sample(message, { seed: SEED, numRuns: GENERATED });
    const { mismatches, withTrailers } = compare(messages);
    assertNoMismatch(mismatches);
    // The generators must exercise both outcomes substantially.
    expect(withTrailers).toBeGreaterThan(GENERATED * 0.3);
    expect(withTrailers).toBeLessThan(GENERATED * 0.9);
  });

  it(`on ${SOUP} structure-free token soups (seed ${SEED})`, () => {
    const { mismatches, withTrailers } = compare(fc.sample(soup, { seed: SEED, numRuns: SOUP }));
    assertNoMismatch(mismatches);
    expect(withTrailers).toBeGreaterThan(SOUP * 0.1);
  });
});
