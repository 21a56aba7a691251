/**
 * `merge_group.checks_requested`: the verdict on a merge group's head commit, so a required
 * `countersign` check does not stall GitHub's merge queue. One GraphQL query (config and the queue),
 * one check-run look-up and a write only when the result changed.
 */
import { z } from "zod";
import { evaluateMergeGroup, type QueueEntry } from "../gate/merge-group.js";
import { ConfigFileSchema, queryWithOrgDefaults, type GatherClient } from "../github/gather.js";
import { publishCheck, type PublishClient } from "../github/publish.js";
import { MERGE_QUEUE_QUERY } from "../github/queries.js";
import { configFrom } from "./config.js";
import type { Log } from "./evaluate-pr.js";
import { existingRunOn } from "./push.js";

export const MergeGroupEventSchema = z.object({
  repository: z.object({ name: z.string(), owner: z.object({ login: z.string() }) }),
  merge_group: z.object({ head_sha: z.string().regex(/^[0-9a-f]{40}$/), base_ref: z.string() }),
});

const RunsSchema = z.array(z.object({ name: z.string(), conclusion: z.string().nullable(), title: z.string().nullable() }).nullable());
const QueueSchema = z.object({
  orgDefaults: z.object({ configFile: ConfigFileSchema }).nullable().optional(),
  repository: z.object({
    configFile: ConfigFileSchema,
    mergeQueue: z
      .object({
        entries: z.object({
          nodes: z.array(
            z
              .object({
                position: z.number(),
                headCommit: z.object({ oid: z.string() }).nullable(),
                pullRequest: z
                  .object({
                    number: z.number(),
                    headRefOid: z.string(),
                    commits: z.object({ nodes: z.array(z.object({ commit: z.object({ checkSuites: z.object({ nodes: z.array(z.object({ checkRuns: z.object({ nodes: RunsSchema }).nullable() }).nullable()) }).nullable() }) }).nullable()) }),
                  })
                  .nullable(),
              })
              .nullable(),
          ),
        }),
      })
      .nullable(),
  }),
});

export interface MergeGroupDeps {
  readonly client: GatherClient & PublishClient;
  readonly loadConfig: () => Promise<unknown>;
  readonly log: Log;
  readonly appId: number;
}

export async function handleMergeGroup(deps: MergeGroupDeps, payload: unknown): Promise<void> {
  const parsed = MergeGroupEventSchema.safeParse(payload);
  if (!parsed.success) return;
  const owner = parsed.data.repository.owner.login;
  const repo = parsed.data.repository.name;
  const headSha = parsed.data.merge_group.head_sha;
  const branch = parsed.data.merge_group.base_ref.replace(/^refs\/heads\//, "");
  const where = { repo: `${owner}/${repo}`, merge_group: headSha, branch };

  let data: unknown;
  try {
    data = await queryWithOrgDefaults(deps.client, MERGE_QUEUE_QUERY, { owner, repo, branch, appId: deps.appId });
  } catch (error) {
    deps.log.error({ event: "merge_group_failed", ...where, err: error instanceof Error ? error.message : String(error) }, "could not read the merge queue");
    return;
  }
  const queue = QueueSchema.safeParse(data);
  if (!queue.success) {
    deps.log.error({ event: "merge_group_failed", ...where, err: "unexpected answer" }, "could not read the merge queue");
    return;
  }
  const config = await configFrom({ repo: queue.data.repository.configFile?.text ?? null, org: queue.data.orgDefaults?.configFile?.text ?? null }, deps.loadConfig);
  const checkName = typeof config === "string" ? "countersign" : config.check_name;
  if (typeof config !== "string" && !config.enabled) return;

  const entries: QueueEntry[] = (queue.data.repository.mergeQueue?.entries.nodes ?? []).flatMap((n) =>
    n
      ? [
          {
            position: n.position,
            groupHeadSha: n.headCommit?.oid ?? null,
            pullRequest: n.pullRequest
              ? {
                  number: n.pullRequest.number,
                  headSha: n.pullRequest.headRefOid,
                  checkRuns: (n.pullRequest.commits.nodes[0]?.commit.checkSuites?.nodes ?? []).flatMap((s) => s?.checkRuns?.nodes ?? []).flatMap((r) => (r ? [r] : [])),
                }
              : null,
          },
        ]
      : [],
  );
  const output =
    typeof config === "string"
      ? { conclusion: "failure" as const, title: "Invalid .github/countersign.yml", summary: `countersign cannot decide, so this check fails closed: ${config}`, text: "" }
      : evaluateMergeGroup(entries, headSha, checkName);
  const existing = await existingRunOn(deps.client, owner, repo, headSha, checkName, deps.appId);
  const result = await publishCheck(deps.client, { owner, repo, headSha, name: checkName, detailsUrl: `https://github.com/${owner}/${repo}/queue/${branch}` }, output, existing);
  deps.log.info({ event: "decision", kind: "merge_group", ...where, conclusion: output.conclusion, title: output.title, check: result }, `${where.repo} merge group ${headSha.slice(0, 7)}: ${output.title}`);
}
