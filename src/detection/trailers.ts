/**
 * Commit-message trailer parsing that agrees byte-for-byte with
 * `git log --format='%(trailers:only,unfold)'` (git 2.39).
 *
 * This is a faithful port of the relevant parts of git's `pretty.c`
 * (`skip_blank_lines` before the subject), `commit.c` (`ignore_non_trailer`),
 * `wt-status.c` (`wt_status_locate_end`, the scissors line) and `trailer.c`
 * (`find_trailer_start`, `find_separator`, `trailer_info_get`, `parse_trailer`,
 * `unfold_value`, `format_trailer_info`), with the defaults git uses when no
 * configuration is present: separators ":", comment character '#', no
 * configured trailer keys. `test/detection/trailers.git.test.ts` checks the
 * port against the real git binary.
 *
 * Facts about git's behaviour worth knowing (all verified against git):
 * - `%(trailers)` in log formats uses "no divider": a `---` line does NOT end
 *   the message (unlike `git interpret-trailers`).
 * - git's `isspace` is its own ASCII table: only space, TAB, LF and CR.
 *   VT and FF are not whitespace, and neither is any non-ASCII character.
 * - A ':' followed by "//" is still a separator: a line `https://example.com`
 *   in the trailer block is the trailer `https: //example.com`, and it counts
 *   as a trailer line when deciding whether the block is a trailer block.
 * - CRLF: CR is whitespace for blank-line detection and trimming, so CRLF
 *   messages mostly work, but a continuation line keeps the CR that ended the
 *   previous line inside the unfolded value ("v\r cont").
 * - `(cherry picked from commit …)` counts as a trailer line for the 25% rule
 *   but has no separator, so `only` drops it.
 * - Trailing comment lines and lines that are exactly empty ("\n", not "\r\n")
 *   are cut off before the search, as is everything from a scissors line
 *   `# ------------------------ >8 ------------------------` on, and a trailing
 *   legacy `Conflicts:` block (followed by TAB-indented paths).
 * - Leading whitespace-only lines are skipped before the title (as git's
 *   log formatter does), and git stops reading at a NUL character.
 * - Output is always `<key>: <value>\n`: the key and value are trimmed, and
 *   the original spacing around ':' is not kept, so `key` + `value` are enough
 *   to reproduce git's output.
 */

export interface Trailer {
  /** The key as written (e.g. "Co-Authored-By"); compare case-insensitively. */
  key: string;
  /** The value, unfolded (continuation lines joined as git's `unfold` does), trimmed. */
  value: string;
}

const LF = 10;
const CR = 13;
const TAB = 9;
const SPACE = 32;
const HASH = 35; // comment_line_char
const COLON = 58; // the only default separator
const DASH = 45;

const GIT_GENERATED_PREFIXES = ["Signed-off-by: ", "(cherry picked from commit "] as const;
const SCISSORS = "\n# ------------------------ >8 ------------------------\n";
const SCISSORS_AT_START = SCISSORS.slice(1);
const CONFLICTS = "Conflicts:\n";

/** git's `isspace` (sane_ctype): space, TAB, LF, CR only. */
function isSpace(c: number): boolean {
  return c === SPACE || c === LF || c === TAB || c === CR;
}

/** git's `isalnum` (sane_ctype): ASCII letters and digits only. */
function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Start of the line after the one at `i` (or the end of the string). */
function nextLine(buf: string, i: number): number {
  const nl = buf.indexOf("\n", i);
  return nl === -1 ? buf.length : nl + 1;
}

/** trailer.c `is_blank_line`: the line at `i` holds only whitespace. */
function isBlankLine(buf: string, i: number): boolean {
  const n = buf.length;
  let c = buf.charCodeAt(i);
  while (i < n && c !== LF && isSpace(c)) c = buf.charCodeAt(++i);
  return i >= n || c === LF;
}

/** trailer.c `last_line`: start of the last line of buf[0, len), or -1 if len is 0. */
function lastLine(buf: string, len: number): number {
  if (len === 0) return -1;
  if (len === 1) return 0;
  // The final character is skipped: a trailing newline belongs to the last line.
  return buf.lastIndexOf("\n", len - 2) + 1;
}

/**
 * trailer.c `find_separator`: for a line `<token><optional blanks>:…`, the
 * offset of ':' from `i`; -1 if the line is not of that form. 0 means the
 * line starts with ':' (not a trailer either).
 */
function findSeparator(buf: string, i: number): number {
  const n = buf.length;
  let whitespaceFound = false;
  for (let c = i; c < n; c++) {
    const ch = buf.charCodeAt(c);
    if (ch === COLON) return c - i;
    if (!whitespaceFound && (isAlnum(ch) || ch === DASH)) continue;
    if (c !== i && (ch === SPACE || ch === TAB)) {
      whitespaceFound = true;
      continue;
    }
    break;
  }
  return -1;
}

/** strbuf_trim of buf[start, end) with git's isspace. */
function trimmed(buf: string, start: number, end: number): string {
  while (start < end && isSpace(buf.charCodeAt(start))) start++;
  while (end > start && isSpace(buf.charCodeAt(end - 1))) end--;
  return buf.slice(start, end);
}

/** trailer.c `unfold_value` applied to an already trimmed value. */
function unfold(val: string): string {
  if (!val.includes("\n")) return val;
  let out = "";
  let from = 0;
  const n = val.length;
  for (let nl = val.indexOf("\n"); nl !== -1; nl = val.indexOf("\n", from)) {
    out += val.slice(from, nl) + " ";
    from = nl + 1;
    while (from < n && isSpace(val.charCodeAt(from))) from++;
  }
  out += val.slice(from);
  let s = 0;
  let e = out.length;
  while (s < e && isSpace(out.charCodeAt(s))) s++;
  while (e > s && isSpace(out.charCodeAt(e - 1))) e--;
  return s === 0 && e === out.length ? out : out.slice(s, e);
}

/** pretty.c: the offset of the subject, after leading whitespace-only lines. */
function subjectStart(msg: string): number {
  const n = msg.length;
  let i = 0;
  while (i < n) {
    const next = nextLine(msg, i);
    for (let c = i; c < next; c++) {
      if (!isSpace(msg.charCodeAt(c))) return i;
    }
    i = next;
  }
  return i;
}

/** wt-status.c `wt_status_locate_end`: where a scissors line cuts the message. */
function scissorsCutoff(buf: string): number {
  if (buf.startsWith(SCISSORS_AT_START)) return 0;
  const p = buf.indexOf(SCISSORS);
  return p === -1 ? buf.length : p + 1;
}

/**
 * commit.c `ignore_non_trailer`, returning where the message proper ends:
 * trailing comment lines, empty lines and an old-style `Conflicts:` block are
 * dropped. (Quirk kept from git: a run starting at offset 0 is not recorded.)
 */
function endOfLogMessage(buf: string): number {
  const cutoff = scissorsCutoff(buf);
  let boc = 0;
  let bol = 0;
  let inOldConflictsBlock = false;
  while (bol < cutoff) {
    const next = nextLine(buf, bol);
    const ch = buf.charCodeAt(bol);
    if (ch === HASH || ch === LF) {
      if (!boc) boc = bol;
    } else if (buf.startsWith(CONFLICTS, bol)) {
      inOldConflictsBlock = true;
      if (!boc) boc = bol;
    } else if (inOldConflictsBlock && ch === TAB) {
      // a pathname in the conflicts block
    } else if (boc) {
      boc = 0;
      inOldConflictsBlock = false;
    }
    bol = next;
  }
  return boc ? boc : cutoff;
}

/**
 * trailer.c `find_trailer_start`: the start of the trailer block in buf[0, len)
 * or `len` if there is none. The block is the last paragraph (never the
 * first); it is accepted if all its lines are trailers (or continuations), or
 * if it has a git-generated trailer and at least 25% trailer lines.
 */
function findTrailerStart(buf: string, len: number): number {
  // The first paragraph is the title and cannot be trailers. (git skips
  // comment lines here too, but a comment line is never blank anyway.)
  let s = 0;
  while (s < len && !isBlankLine(buf, s)) s = nextLine(buf, s);
  const endOfTitle = s;

  let onlySpaces = true;
  let recognizedPrefix = false;
  let trailerLines = 0;
  let nonTrailerLines = 0;
  // Lines starting with whitespace: continuations if a trailer precedes them.
  let possibleContinuationLines = 0;

  lines: for (let l = lastLine(buf, len); l >= endOfTitle; l = lastLine(buf, l)) {
    const first = buf.charCodeAt(l);
    if (first === HASH) {
      nonTrailerLines += possibleContinuationLines;
      possibleContinuationLines = 0;
      continue;
    }
    if (isBlankLine(buf, l)) {
      if (onlySpaces) continue;
      nonTrailerLines += possibleContinuationLines;
      if (recognizedPrefix && trailerLines * 3 >= nonTrailerLines) return nextLine(buf, l);
      if (trailerLines && !nonTrailerLines) return nextLine(buf, l);
      return len;
    }
    onlySpaces = false;

    for (const prefix of GIT_GENERATED_PREFIXES) {
      if (buf.startsWith(prefix, l)) {
        trailerLines++;
        possibleContinuationLines = 0;
        recognizedPrefix = true;
        continue lines;
      }
    }

    if (findSeparator(buf, l) >= 1 && !isSpace(first)) {
      trailerLines++;
      possibleContinuationLines = 0;
    } else if (isSpace(first)) {
      possibleContinuationLines++;
    } else {
      nonTrailerLines += 1 + possibleContinuationLines;
      possibleContinuationLines = 0;
    }
  }
  return len;
}

/** The trailers of a commit message, exactly those git prints with %(trailers:only,unfold). */
export function parseTrailers(message: string): Trailer[] {
  // git handles the message as a C string.
  const nul = message.indexOf("\0");
  let buf = nul === -1 ? message : message.slice(0, nul);
  const subject = subjectStart(buf);
  if (subject !== 0) buf = buf.slice(subject);

  const end = endOfLogMessage(buf);
  const start = findTrailerStart(buf, end);
  const trailers: Trailer[] = [];
  if (start >= end) return trailers;

  // trailer_info_get: split the block into lines, folding lines that start
  // with whitespace into a preceding trailer. A folded item is a contiguous
  // range of buf. Items without a separator are dropped (`only`).
  let itemStart = -1; // start of the current trailer item, -1 if none
  let itemSep = 0;
  let itemEnd = 0;
  const flush = (): void => {
    if (itemStart < 0) return;
    const sepAt = itemStart + itemSep;
    trailers.push({ key: trimmed(buf, itemStart, sepAt), value: unfold(trimmed(buf, sepAt + 1, itemEnd)) });
  };
  for (let ls = start; ls < end; ) {
    let le = buf.indexOf("\n", ls);
    le = le === -1 || le >= end ? end : le + 1;
    if (itemStart >= 0 && isSpace(buf.charCodeAt(ls))) {
      itemEnd = le;
    } else {
      flush();
      const sep = findSeparator(buf, ls);
      if (sep >= 1) {
        itemStart = ls;
        itemSep = sep;
        itemEnd = le;
      } else {
        itemStart = -1;
      }
    }
    ls = le;
  }
  flush();
  return trailers;
}

/** Renders trailers the way `git log --format='%(trailers:only,unfold)'` prints them (byte-exact, including git's separator/spacing/newline conventions). */
export function formatTrailers(trailers: readonly Trailer[]): string {
  let out = "";
  for (const t of trailers) out += `${t.key}: ${t.value}\n`;
  return out;
}
