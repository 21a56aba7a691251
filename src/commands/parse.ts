/**
 * The `/countersign` comment grammar: strict, so that no text can approve by accident or by disguise.
 *
 * A command is a line that holds only the command (spaces or tabs around it allowed):
 *
 *   /countersign               approve the head commit
 *   /countersign 1a2b3c4       approve, pinned to that commit (7–40 hex digits)
 *   /countersign revoke        withdraw my earlier approvals
 *   /countersign status        refresh the status comment
 *   /countersign override <reason>   break-glass: pass the check for the current head (admins and
 *                              configured teams only; the reason is required)
 *
 * `countersign` stands for any configured word (default `countersign` and `approve`), matched
 * case-insensitively but only in ASCII: look-alike letters (Cyrillic `о`, fullwidth `／`) or
 * invisible characters (zero-width space, joiners, BOM) anywhere on the line mean it is not a
 * command. Lines in fenced code blocks (``` or ~~~), indented code (4+ spaces or a tab), block
 * quotes (`>`) and HTML comments are never commands. A comment holding conflicting commands (say,
 * approve and revoke) does nothing. Pure; never throws.
 */

export type Command =
  | { readonly kind: "approve"; readonly sha?: string; readonly line: string }
  | { readonly kind: "revoke"; readonly line: string }
  | { readonly kind: "status"; readonly line: string }
  | { readonly kind: "override"; readonly reason: string; readonly line: string };

export type ParseOutcome =
  | { readonly kind: "none" }
  | { readonly kind: "command"; readonly command: Command }
  | { readonly kind: "conflict"; readonly lines: readonly string[] };

export const DEFAULT_WORDS: readonly string[] = ["countersign", "approve"];

/** Code point ranges that make a line suspicious: invisible formatting and non-ASCII whitespace. */
const INVISIBLE_RANGES: readonly (readonly [number, number])[] = [
  [0x00a0, 0x00a0], // no-break space
  [0x00ad, 0x00ad], // soft hyphen
  [0x034f, 0x034f], // combining grapheme joiner
  [0x061c, 0x061c], // Arabic letter mark
  [0x115f, 0x1160], // Hangul fillers
  [0x17b4, 0x17b5], // Khmer invisible vowels
  [0x180e, 0x180e], // Mongolian vowel separator
  [0x2000, 0x200f], // spaces, zero-width space/joiners, direction marks
  [0x2028, 0x202f], // separators, embedding controls, narrow no-break space
  [0x205f, 0x206f], // medium space, word joiner, invisible operators
  [0x3000, 0x3000], // ideographic space
  [0x3164, 0x3164], // Hangul filler
  [0xfe00, 0xfe0f], // variation selectors
  [0xfeff, 0xfeff], // byte order mark
  [0xffa0, 0xffa0], // halfwidth Hangul filler
];

function hasInvisible(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c < 0xa0) continue;
    for (const [lo, hi] of INVISIBLE_RANGES) if (c >= lo && c <= hi) return true;
  }
  return false;
}
const COMMAND = /^[ \t]*\/([A-Za-z][A-Za-z0-9-]*)(?:[ \t]+([^ \t]+)(?:[ \t]+(.*?))?)?[ \t]*$/;
const HEX = /^[0-9a-f]{7,40}$/i;
const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/**
 * The command lines of a comment body, outside code, quotes and HTML comments. Exported for tests
 * and for the status comment's own self-check.
 */
export function candidateLines(body: string): string[] {
  const lines = body.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  let fence: { char: string; length: number } | undefined;
  let inHtmlComment = false;
  for (const line of lines) {
    if (fence) {
      const close = FENCE.exec(line);
      if (close && close[1]?.[0] === fence.char && (close[1]?.length ?? 0) >= fence.length && (close[2] ?? "").trim() === "") fence = undefined;
      continue;
    }
    if (inHtmlComment) {
      if (line.includes("-->")) inHtmlComment = false;
      continue;
    }
    const open = FENCE.exec(line);
    if (open && !(open[1]?.[0] === "`" && (open[2] ?? "").includes("`"))) {
      fence = { char: open[1]?.[0] ?? "`", length: open[1]?.length ?? 3 };
      continue;
    }
    if (/^ {0,3}>/.test(line)) continue; // block quote
    if (/^( {4,}|\t| {0,3}\t)/.test(line)) continue; // indented code
    const comment = line.indexOf("<!--");
    if (comment !== -1) {
      if (!line.includes("-->", comment)) inHtmlComment = true;
      continue;
    }
    out.push(line);
  }
  return out;
}

/** Parses one comment body with the configured command words (lower-case ASCII). */
export function parseCommands(body: string, words: readonly string[] = DEFAULT_WORDS): ParseOutcome {
  if (typeof body !== "string" || body.length === 0) return { kind: "none" };
  const accepted = new Set(words.map((w) => w.toLowerCase()));
  const found: Command[] = [];
  for (const line of candidateLines(body)) {
    if (!line.includes("/")) continue;
    if (hasInvisible(line)) continue;
    const m = COMMAND.exec(line);
    if (!m) continue;
    const word = (m[1] ?? "").toLowerCase();
    if (!accepted.has(word)) continue;
    const arg = m[2];
    const rest = m[3];
    const text = line.trim();
    if (arg !== undefined && arg.toLowerCase() === "override") found.push({ kind: "override", reason: (rest ?? "").trim(), line: text });
    else if (rest !== undefined) continue; // `/countersign this looks fine` is not a command
    else if (arg === undefined) found.push({ kind: "approve", line: text });
    else if (arg.toLowerCase() === "revoke") found.push({ kind: "revoke", line: text });
    else if (arg.toLowerCase() === "status") found.push({ kind: "status", line: text });
    else if (HEX.test(arg)) found.push({ kind: "approve", sha: arg.toLowerCase(), line: text });
    // anything else (`/countersign please`) is not a command
  }
  if (found.length === 0) return { kind: "none" };
  const distinct = new Map(found.map((c) => [c.kind === "approve" ? `approve:${c.sha ?? ""}` : c.kind, c]));
  if (distinct.size > 1) return { kind: "conflict", lines: [...distinct.values()].map((c) => c.line) };
  const [command] = distinct.values();
  return command ? { kind: "command", command } : { kind: "none" };
}
