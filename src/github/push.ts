/**
 * Gathers the facts of a push to a protected branch: its commits (GitHub's compare, paged), what
 * each is, the pull requests GitHub associates with each and this app's check runs on their heads,
 * and the config files — in one GraphQL query per 100 commits.
 */
import { z } from "zod";
import type { GitActor } from "../gate/facts.js";
import type { PushedCommit } from "../gate/bypass.js";
import type { GatherClient } from "./gather.js";
import { ConfigFileSchema, IncompleteDataError, queryWithOrgDefaults } from "./gather.js";
import { pushQuery } from "./queries.js";

const ZERO = /^0{40}$/;

const ActorSchema = z.object({ name: z.string().nullable(), email: z.string().nullable(), user: z.object({ login: z.string() }).nullable() }).nullable();
const CommitSchema = z
  .object({
    oid: z.string(),
    message: z.string(),
    author: ActorSchema,
    committer: ActorSchema,
    associatedPullRequests: z.object({
      nodes: z.array(
        z
          .object({
            number: z.number(),
            merged: z.boolean(),
            headRefOid: z.string(),
            commits: z.object({
              nodes: z.array(
                z
                  .object({
                    commit: z.object({
                      checkSuites: z
                        .object({ nodes: z.array(z.object({ checkRuns: z.object({ nodes: z.array(z.object({ name: z.string(), conclusion: z.string().nullable(), title: z.string().nullable() }).nullable()) }).nullable() }).nullable()) })
                        .nullable(),
                    }),
                  })
                  .nullable(),
              ),
            }),
          })
          .nullable(),
      ),
    }),
  })
  .nullable();

const toActor = (a: z.infer<typeof ActorSchema>): GitActor => ({ name: a?.name ?? "", email: a?.email ?? "", user: a?.user ? { login: a.user.login } : null });

export interface GatheredPush {
  readonly commits: PushedCommit[];
  readonly configFiles: { readonly repo: string | null; readonly org: string | null };
  readonly requests: number;
}

/** The shas a push added: GitHub's compare of before...after (paged), or the given list when `before` is all zeros (a new branch, or just the config). */
async function pushedShas(client: GatherClient, owner: string, repo: string, before: string, after: string, payloadShas: readonly string[]): Promise<{ shas: string[]; requests: number }> {
  if (ZERO.test(before)) return { shas: [...payloadShas], requests: 0 };
  const shas: string[] = [];
  let requests = 0;
  for (let page = 1; page <= 40; page++) {
    requests++;
    const { data } = await client.request("GET /repos/{owner}/{repo}/compare/{basehead}", { owner, repo, basehead: `${before}...${after}`, per_page: 100, page });
    const parsed = z.object({ total_commits: z.number(), commits: z.array(z.object({ sha: z.string() })) }).safeParse(data);
    if (!parsed.success) throw new IncompleteDataError("GitHub's compare answer was not in the expected shape");
    shas.push(...parsed.data.commits.map((c) => c.sha));
    if (parsed.data.commits.length < 100 || shas.length >= parsed.data.total_commits) break;
  }
  return { shas, requests };
}

export async function gatherPush(
  client: GatherClient,
  push: { owner: string; repo: string; appId: number; before: string; after: string; payloadShas: readonly string[] },
): Promise<GatheredPush> {
  const { shas, requests: compareRequests } = await pushedShas(client, push.owner, push.repo, push.before, push.after, push.payloadShas);
  let requests = compareRequests;
  const commits: PushedCommit[] = [];
  let configFiles: GatheredPush["configFiles"] = { repo: null, org: null };
  // At least one query: a branch deletion has no commits, but the config still says which branches matter.
  for (let i = 0; i === 0 || i < shas.length; i += 100) {
    const batch = shas.slice(i, i + 100);
    requests++;
    const vars = batch.length > 0 ? { appId: push.appId, ...Object.fromEntries(batch.map((sha, j) => [`c${j}`, sha])) } : {};
    const data = await queryWithOrgDefaults(client, pushQuery(batch.length), { owner: push.owner, repo: push.repo, ...vars });
    const root = z.object({ orgDefaults: z.object({ configFile: ConfigFileSchema }).nullable().optional(), repository: z.record(z.string(), z.unknown()) }).parse(data);
    if (i === 0) configFiles = { repo: ConfigFileSchema.parse(root.repository.configFile)?.text ?? null, org: root.orgDefaults?.configFile?.text ?? null };
    batch.forEach((sha, j) => {
      const c = CommitSchema.parse(root.repository[`c${j}`] ?? null);
      if (!c) throw new IncompleteDataError(`commit ${sha.slice(0, 7)} of the push could not be read`);
      commits.push({
        sha: c.oid,
        message: c.message,
        author: toActor(c.author),
        committer: toActor(c.committer),
        pulls: c.associatedPullRequests.nodes.flatMap((p) =>
          p
            ? [
                {
                  number: p.number,
                  merged: p.merged,
                  headSha: p.headRefOid,
                  checkRuns: (p.commits.nodes[0]?.commit.checkSuites?.nodes ?? []).flatMap((s) => s?.checkRuns?.nodes ?? []).flatMap((r) => (r ? [r] : [])),
                },
              ]
            : [],
        ),
      });
    });
  }
  return { commits, configFiles, requests };
}
