/**
 * Reads commits from a git repository with ONE streaming `git log` process.
 *
 * Records are NUL-separated (`-z`), fields too, so any byte a commit message may hold (newlines, CR,
 * tabs, non-UTF-8 names) arrives intact; memory stays flat however long the history is, because
 * records are parsed as the bytes arrive and handed on one at a time.
 */
import { spawn } from "node:child_process";
import type { ChangedFile } from "../risk/classify.js";
import { DIFF_STAT_ARGS, readDiffStat } from "../risk/numstat.js";

export interface LoggedCommit {
  readonly sha: string;
  readonly message: string;
  readonly author: { readonly name: string; readonly email: string };
  readonly committer: { readonly name: string; readonly email: string };
  /** The files the commit changes (status, paths, line counts), when read with `diffStat`. */
  readonly files?: readonly ChangedFile[];
}

/** Why git could not give us the history, in words a user can act on. */
export class GitError extends Error {
  constructor(
    message: string,
    readonly kind: "not-a-repository" | "bad-revision" | "git-missing" | "git-failed",
  ) {
    super(message);
    this.name = "GitError";
  }
}

export interface ReadLogOptions {
  /** Repository directory (a work tree or a bare repository). */
  readonly repo: string;
  /** Revisions and ranges as `git log` takes them, e.g. `["HEAD"]`, `["main..feature"]`. */
  readonly revisions: readonly string[];
  /** Also read each commit's changed files (`--raw --numstat`, in the same process). Default: true. */
  readonly diffStat?: boolean;
}

// %H author name/email committer name/email raw body; each field NUL-terminated, record NUL-terminated by -z.
const FORMAT = "%H%x00%an%x00%ae%x00%cn%x00%ce%x00%B";
const FIELDS = 6;

/** The argv of the one git process (exported for tests and the benchmark's floor). */
export function gitLogArgs(options: ReadLogOptions): string[] {
  return [
    "-C",
    options.repo,
    // Neither the user's config nor a mailmap may change what we read: raw identities, no signatures.
    "-c",
    "log.showSignature=false",
    "log",
    "--no-mailmap",
    "--no-color",
    "-z",
    ...(options.diffStat === false ? [] : DIFF_STAT_ARGS.filter((a) => a !== "-z")),
    `--format=${FORMAT}`,
    "--end-of-options",
    ...options.revisions,
    "--",
  ];
}

/** Streams the commits of `revisions` (newest first, as `git log` orders them). */
export async function* readLog(options: ReadLogOptions): AsyncGenerator<LoggedCommit> {
  for await (const batch of readLogBatches(options)) yield* batch;
}

/** The same stream in batches (the commits each chunk of git's output completes): less overhead per commit. */
export async function* readLogBatches(options: ReadLogOptions): AsyncGenerator<LoggedCommit[]> {
  const child = spawn("git", gitLogArgs(options), {
    stdio: ["ignore", "pipe", "pipe"],
    // GIT_FLUSH=0: git would otherwise flush the pipe after every commit (20,000 writes for 20,000 commits).
    env: { ...process.env, LC_ALL: "C", LANG: "C", GIT_PAGER: "cat", GIT_TERMINAL_PROMPT: "0", GIT_FLUSH: "0" },
  });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    if (stderr.length < 4096) stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; error?: NodeJS.ErrnoException }>((resolve) => {
    child.on("error", (error: NodeJS.ErrnoException) => resolve({ code: null, error }));
    child.on("close", (code) => resolve({ code }));
  });

  const diffStat = options.diffStat !== false;
  // NUL-separated tokens not yet assembled into commits: a record's 6 fields, then (with diffStat) its
  // diff entries up to the next record. A record is complete once the token after its entries arrives.
  let tokens: string[] = [];
  let pending: Buffer | undefined;
  const take = (eof: boolean): LoggedCommit[] => {
    const batch: LoggedCommit[] = [];
    let pos = 0;
    while (tokens.length - pos >= FIELDS) {
      if (!diffStat) {
        batch.push(toCommit(tokens, pos));
        pos += FIELDS;
        continue;
      }
      const diff = readDiffStat(tokens, pos + FIELDS);
      const more = diff.next === tokens.length || isDiffEntry(tokens[diff.next] ?? "");
      if (more && !eof) break;
      batch.push({ ...toCommit(tokens, pos), files: diff.files });
      pos = diff.next;
    }
    tokens = pos === 0 ? tokens : tokens.slice(pos);
    return batch;
  };
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      const data = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
      let start = 0;
      for (let nul = data.indexOf(0, start); nul !== -1; nul = data.indexOf(0, start)) {
        tokens.push(data.toString("utf8", start, nul));
        start = nul + 1;
      }
      pending = start < data.length ? data.subarray(start) : undefined;
      const batch = take(false);
      if (batch.length > 0) yield batch;
    }
    const last = take(true);
    if (last.length > 0) yield last;
  } finally {
    if (child.exitCode === null) child.kill();
  }

  const { code, error } = await exited;
  if (error) {
    throw error.code === "ENOENT" ? new GitError("git is not installed or not on PATH: install git and try again", "git-missing") : error;
  }
  if (code !== 0) throw classify(stderr, options);
}

/** A token that begins a `--raw` or `--numstat` entry (so a diff block is still being read). */
function isDiffEntry(token: string): boolean {
  return /^\n?:\d{6} /.test(token) || /^(?:\d+|-)\t(?:\d+|-)\t/.test(token);
}

function toCommit(t: readonly string[], at: number): LoggedCommit {
  const [sha = "", an = "", ae = "", cn = "", ce = "", body = ""] = t.slice(at, at + FIELDS);
  // `git log -z` separates records with NUL; the first field of every record after the first starts
  // right after it, so it is clean. %B ends with the message's own trailing newline(s).
  return { sha: sha.replace(/^\n/, ""), message: body, author: { name: an, email: ae }, committer: { name: cn, email: ce } };
}

function classify(stderr: string, options: ReadLogOptions): GitError {
  const first = stderr.split("\n").find((l) => l.startsWith("fatal:") || l.startsWith("error:")) ?? stderr.trim().split("\n")[0] ?? "";
  const detail = first.replace(/^(fatal|error):\s*/, "");
  if (/not a git repository|cannot change to|No such file or directory/i.test(stderr)) {
    return new GitError(`not a git repository: ${options.repo} (give --repo a repository or work tree, or run inside one)`, "not-a-repository");
  }
  if (/bad revision|unknown revision|ambiguous argument|bad default revision|invalid revision range|bad object/i.test(stderr)) {
    const which = options.revisions.join(" ");
    const empty = /(?:ambiguous argument|bad revision|bad default revision) 'HEAD'/.test(stderr) ? " (the repository may have no commits yet)" : "";
    return new GitError(`bad revision range '${which}'${empty}: ${detail} (use e.g. HEAD, main, v1.0..HEAD or origin/main..HEAD)`, "bad-revision");
  }
  return new GitError(`git log failed: ${detail || "unknown error"}`, "git-failed");
}
