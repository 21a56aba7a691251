/**
 * Reads the hunks of one file's unified diff, as GitHub's `patch` field holds it (hunks only) or as
 * `git diff` prints it for one file (headers before the first `@@` are skipped).
 */

export interface PatchLine {
  readonly kind: "context" | "added" | "removed";
  /** The line without its `+`/`-`/` ` prefix and without a trailing CR. */
  readonly text: string;
}

/** The hunks of `patch`, each a list of lines in order. Never throws; unknown lines are skipped. */
export function patchHunks(patch: string): PatchLine[][] {
  const hunks: PatchLine[][] = [];
  let hunk: PatchLine[] | undefined;
  for (const raw of patch.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.startsWith("@@")) {
      hunk = [];
      hunks.push(hunk);
      continue;
    }
    if (hunk === undefined) continue;
    const marker = line[0];
    if (marker === "+") hunk.push({ kind: "added", text: line.slice(1) });
    else if (marker === "-") hunk.push({ kind: "removed", text: line.slice(1) });
    else if (marker === " ") hunk.push({ kind: "context", text: line.slice(1) });
    // `\ No newline at end of file`, and the empty string after a final newline, carry no content.
  }
  return hunks;
}
