/**
 * The changed files of a pull request (REST, 100 per page): path, previous path for renames, status,
 * line counts and the patch, which risk classification needs (GraphQL has neither previous paths nor
 * patches). Read only for AI-authored pull requests.
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

export async function gatherFiles(client: GatherClient, owner: string, repo: string, number: number): Promise<{ files: ChangedFile[]; requests: number }> {
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
