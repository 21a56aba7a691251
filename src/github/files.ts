/**
 * The changed files of a pull request (REST, 100 per page): path, previous path for renames, status,
 * line counts and the patch, which risk classification needs (GraphQL has neither previous paths nor
 * patches). Read only for AI-authored pull requests.
 *
 * What a pull request changes is fixed by its head and base commits, so a list read once is kept
 * (`FilesCache`, bounded) and the next evaluation of the same head and base reads nothing.
 */
import { z } from "zod";
import type { ChangedFile } from "../risk/classify.js";
import { IncompleteDataError, type GatherClient } from "./gather.js";

/** GitHub lists at most 3,000 files of a pull request. */
export const MAX_LISTED_FILES = 3000;

const FileSchema = z.object({
  filename: z.string(),
  previous_filename: z.string().optional(),
  status: z.enum(["added", "removed", "modified", "renamed", "copied", "changed", "unchanged"]),
  additions: z.number(),
  deletions: z.number(),
  patch: z.string().optional(),
});

/**
 * Changed-file lists by pull request, head and base commit; least recently used first out once they
 * hold more than `maxBytes` of paths and patches.
 */
export class FilesCache {
  private readonly entries = new Map<string, { files: readonly ChangedFile[]; bytes: number }>();
  private bytes = 0;

  constructor(private readonly maxBytes = 32 * 1024 * 1024) {}

  static key(owner: string, repo: string, number: number, headSha: string, baseSha: string): string {
    return `${owner}/${repo}#${number}@${headSha}..${baseSha}`.toLowerCase();
  }

  get(key: string): readonly ChangedFile[] | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.files;
  }

  set(key: string, files: readonly ChangedFile[]): void {
    const bytes = files.reduce((n, f) => n + f.path.length + (f.previousPath?.length ?? 0) + (f.patch?.length ?? 0) + 64, 0);
    if (bytes > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.bytes;
    }
    this.entries.set(key, { files, bytes });
    this.bytes += bytes;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.bytes;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The changed files of a pull request at `headSha` on `baseSha`: from `cache` when read before. */
export async function gatherFiles(client: GatherClient, pull: { owner: string; repo: string; number: number; headSha: string; baseSha: string; changedFiles: number }, cache?: FilesCache): Promise<{ files: readonly ChangedFile[]; requests: number }> {
  const key = FilesCache.key(pull.owner, pull.repo, pull.number, pull.headSha, pull.baseSha);
  const cached = cache?.get(key);
  if (cached) return { files: cached, requests: 0 };
  const read = await readFiles(client, pull.owner, pull.repo, pull.number);
  // Kept only when the list is as long as GitHub says (right after a push GitHub may still be
  // computing the diff): an incomplete list is read again next time.
  if (read.files.length === Math.min(pull.changedFiles, MAX_LISTED_FILES)) cache?.set(key, read.files);
  return read;
}

async function readFiles(client: GatherClient, owner: string, repo: string, number: number): Promise<{ files: ChangedFile[]; requests: number }> {
  const files: ChangedFile[] = [];
  let requests = 0;
  for (let page = 1; page <= MAX_LISTED_FILES / 100; page++) {
    requests++;
    const { data } = await client.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", { owner, repo, pull_number: number, per_page: 100, page });
    const parsed = z.array(FileSchema).safeParse(data);
    if (!parsed.success) throw new IncompleteDataError("GitHub's list of changed files was not in the expected shape");
    for (const f of parsed.data) files.push({ path: f.filename, previousPath: f.previous_filename ?? null, status: f.status, additions: f.additions, deletions: f.deletions, patch: f.patch ?? null });
    if (parsed.data.length < 100) break;
  }
  return { files, requests };
}
