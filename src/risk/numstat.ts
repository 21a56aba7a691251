/**
 * Parses the per-commit diff block of `git log -z --raw --numstat -M` (or the whole output of
 * `git diff -z --raw --numstat -M <range>`) into `ChangedFile`s: status from `--raw`, line counts
 * from `--numstat`, in ONE git process.
 *
 * Why both: `--numstat` alone cannot tell added or removed files from modified ones, and
 * `--summary` (`create mode …`/`delete mode …`) is not NUL-safe even with `-z` (newline-terminated,
 * quoted paths, `{old => new}` rename shorthand). `--raw` is: with `-z`, git prints for each file
 *
 *     :<old mode> <new mode> <old sha> <new sha> <status>NUL<path>NUL
 *     :<old mode> <new mode> <old sha> <new sha> R<score>NUL<old path>NUL<new path>NUL   (renames, copies)
 *
 * then, for the same files in the same order, `--numstat`:
 *
 *     <added>TAB<deleted>TAB<path>NUL
 *     <added>TAB<deleted>TAB NUL<old path>NUL<new path>NUL   (renames, copies)
 *     -TAB-TAB<path>NUL                                       (binary files)
 *
 * After a commit's `--format` record, git writes a newline before the first of these; a commit
 * without changes (an empty or a merge commit, which `git log` shows no diff for) has none. The next
 * commit's record follows the last NUL directly, so a streaming reader calls `readDiffStat` with the
 * tokens after a commit's format fields and continues at `next`: a record starting with a commit
 * hash (as `src/git/log.ts`'s `%H` format does) is never mistaken for an entry.
 *
 * Paths are taken verbatim (with `-z` git neither quotes nor escapes them); tabs and newlines in
 * paths are fine.
 */
import type { ChangedFile } from "./classify.js";

/**
 * The diff flags for one `git log` or `git diff` process that gives everything `classify` needs
 * except patches. Renames are detected explicitly (`-M`) so a user's `diff.renames` does not decide;
 * external diff drivers and textconv filters are off so counts are git's own.
 */
export const DIFF_STAT_ARGS: readonly string[] = ["-z", "--raw", "--numstat", "-M", "--no-ext-diff", "--no-textconv", "--no-color"];

const RAW = /^:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])(\d*)$/;
const NUMSTAT = /^(\d+|-)\t(\d+|-)\t([\s\S]*)$/;

const STATUS: Record<string, ChangedFile["status"]> = { A: "added", D: "removed", M: "modified", R: "renamed", C: "copied", T: "changed" };

interface RawEntry {
  readonly status: ChangedFile["status"];
  readonly path: string;
  readonly previousPath?: string;
}

interface NumstatEntry {
  readonly additions: number;
  readonly deletions: number;
  readonly path: string;
  readonly previousPath?: string;
}

export interface DiffStatRead {
  readonly files: ChangedFile[];
  /** The index of the first token that is not part of the diff block (`tokens.length` at the end). */
  readonly next: number;
}

/**
 * Reads `--raw` and `--numstat` entries from NUL-separated `tokens`, starting at `start`, until a
 * token that starts neither (the next commit's record, or the end). Never throws; an entry whose
 * paths are cut off at the end of `tokens` is left unread (`next` points at it).
 */
export function readDiffStat(tokens: readonly string[], start = 0): DiffStatRead {
  const raws: RawEntry[] = [];
  const counts: NumstatEntry[] = [];
  let i = start;
  while (i < tokens.length) {
    const token = tokens[i] ?? "";
    const entry = token.startsWith("\n") ? token.slice(1) : token;
    const raw = RAW.exec(entry);
    if (raw !== null) {
      const letter = raw[5] ?? "";
      const status = STATUS[letter] ?? "changed";
      if (letter === "R" || letter === "C") {
        const previousPath = tokens[i + 1];
        const path = tokens[i + 2];
        if (previousPath === undefined || path === undefined) break;
        raws.push({ status, path, previousPath });
        i += 3;
      } else {
        const path = tokens[i + 1];
        if (path === undefined) break;
        raws.push({ status, path });
        i += 2;
      }
      continue;
    }
    const numstat = NUMSTAT.exec(entry);
    if (numstat !== null) {
      const additions = numstat[1] === "-" ? 0 : Number(numstat[1]);
      const deletions = numstat[2] === "-" ? 0 : Number(numstat[2]);
      const rest = numstat[3] ?? "";
      if (rest === "") {
        const previousPath = tokens[i + 1];
        const path = tokens[i + 2];
        if (previousPath === undefined || path === undefined) break;
        counts.push({ additions, deletions, path, previousPath });
        i += 3;
      } else {
        counts.push({ additions, deletions, path: rest });
        i += 1;
      }
      continue;
    }
    break;
  }
  return { files: join(raws, counts), next: i };
}

/** Pairs raw entries (status) with numstat entries (counts) by path; either list may be empty. */
function join(raws: readonly RawEntry[], counts: readonly NumstatEntry[]): ChangedFile[] {
  if (raws.length === 0) {
    return counts.map((n) => (n.previousPath === undefined ? { path: n.path, status: "modified", additions: n.additions, deletions: n.deletions } : { path: n.path, previousPath: n.previousPath, status: "renamed", additions: n.additions, deletions: n.deletions }));
  }
  const byPath = new Map<string, NumstatEntry[]>();
  for (const n of counts) byPath.set(n.path, [...(byPath.get(n.path) ?? []), n]);
  return raws.map((r) => {
    const n = byPath.get(r.path)?.shift();
    const file: ChangedFile = { path: r.path, status: r.status, additions: n?.additions ?? 0, deletions: n?.deletions ?? 0 };
    if (r.previousPath !== undefined) file.previousPath = r.previousPath;
    return file;
  });
}

/**
 * Parses one diff block as a string (the bytes between a commit's record and the next, or a whole
 * `git diff -z --raw --numstat` output). Throws when something in it is not a diff entry: that
 * means the flags were not `DIFF_STAT_ARGS`.
 */
export function parseDiffStat(block: string): ChangedFile[] {
  const tokens = block.split("\0");
  if (tokens[tokens.length - 1] === "") tokens.pop(); // after the terminating NUL
  const { files, next } = readDiffStat(tokens);
  if (next < tokens.length) throw new Error(`not a --raw/--numstat -z entry at token ${next}: ${JSON.stringify((tokens[next] ?? "").slice(0, 80))}`);
  return files;
}
