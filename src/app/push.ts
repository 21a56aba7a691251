/**
 * Pushes around the gate: AI-authored commits that reach the default branch (or a branch listed in
 * `bypass.branches`) without coming through a countersigned pull request, force pushes and branch
 * deletions there. Reported with a failing check run on the pushed head, a structured log event and,
 * with `bypass.open_issue`, an issue. Human-only pushes produce no writes.
 */
import { z } from "zod";
import { evaluatePush, pushCheck, pushIssue, type PushFacts } from "../gate/bypass.js";
import type { ExistingCheckRun } from "../gate/facts.js";
import type { GatherClient } from "../github/gather.js";
import { publishCheck, type PublishClient } from "../github/publish.js";
import { gatherPush } from "../github/push.js";
import { configFrom, detectorFor } from "./config.js";
import { openIssue, type Log } from "./evaluate-pr.js";

export const PushEventSchema = z.object({
  ref: z.string(),
  before: z.string(),
  after: z.string(),
  forced: z.boolean().optional().default(false),
  deleted: z.boolean().optional().default(false),
  created: z.boolean().optional().default(false),
  repository: z.object({ name: z.string(), owner: z.object({ login: z.string() }), default_branch: z.string() }),
  sender: z.object({ login: z.string() }).nullable().optional(),
  pusher: z.object({ name: z.string().nullable().optional() }).nullable().optional(),
  commits: z.array(z.object({ id: z.string() })).optional().default([]),
});

export interface PushDeps {
  readonly client: GatherClient & PublishClient;
  readonly loadConfig: () => Promise<unknown>;
  readonly log: Log;
  readonly appId: number;
}

export async function handlePush(deps: PushDeps, payload: unknown): Promise<void> {
  const parsed = PushEventSchema.safeParse(payload);
  if (!parsed.success || !parsed.data.ref.startsWith("refs/heads/")) return;
  const p = parsed.data;
  const owner = p.repository.owner.login;
  const repo = p.repository.name;
  const branch = p.ref.slice("refs/heads/".length);
  const where = { repo: `${owner}/${repo}`, branch };
  const isDefault = branch === p.repository.default_branch;

  const gather = (shas: readonly string[], compare: boolean) =>
    gatherPush(deps.client, { owner, repo, appId: deps.appId, before: compare ? p.before : "0".repeat(40), after: p.after, payloadShas: shas });
  let gathered;
  try {
    // Pushes to other branches: read just the config first, to see whether the branch is watched.
    if (!isDefault) {
      const configOnly = await gather([], false);
      const config = await configFrom(configOnly.configFiles, deps.loadConfig);
      if (typeof config === "string" || !config.enabled || !config.bypass.branches.includes(branch)) return;
    }
    gathered = await gather(p.commits.map((c) => c.id), !p.deleted && !p.created);
  } catch (error) {
    deps.log.error({ event: "push_gather_failed", ...where, err: error instanceof Error ? error.message : String(error) }, "could not read the push");
    return;
  }
  const config = await configFrom(gathered.configFiles, deps.loadConfig);
  if (typeof config === "string") {
    deps.log.warn({ event: "push_config_invalid", ...where, problems: config }, "invalid .github/countersign.yml: the push was not checked");
    return;
  }
  if (!config.enabled) return;

  const facts: PushFacts = { branch, before: p.before, after: p.after, forced: p.forced, deleted: p.deleted, pusher: p.sender?.login ?? p.pusher?.name ?? "unknown", commits: gathered.commits };
  const report = evaluatePush(facts, config.check_name, detectorFor(config));
  if (!report) return;

  deps.log.warn(
    { event: "bypass", kind: p.deleted ? "branch-deleted" : p.forced ? "force-push" : "push", ...where, before: p.before, after: p.after, pusher: facts.pusher, commits: report.commits.map((c) => ({ sha: c.sha, tools: c.detection.tools, why: c.why })) },
    `${where.repo}: changes reached ${branch} around the gate`,
  );
  let created = p.deleted;
  if (!p.deleted) {
    const existing = await existingRunOn(deps.client, owner, repo, p.after, config.check_name, deps.appId);
    const result = await publishCheck(deps.client, { owner, repo, headSha: p.after, name: config.check_name, detailsUrl: `https://github.com/${owner}/${repo}/commit/${p.after}` }, pushCheck(report, facts), existing);
    created = result === "created";
  }
  // One issue per report: opened when the check run is first created (a redelivery finds it and stops).
  if (config.bypass.open_issue && created) await openIssue(deps.client, owner, repo, pushIssue(report, facts), deps.log, where);
}

/** This app's latest check run with this name on a commit (REST), for write-only-when-changed. */
export async function existingRunOn(client: GatherClient, owner: string, repo: string, sha: string, name: string, appId: number): Promise<ExistingCheckRun | null> {
  const { data } = await client.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { owner, repo, ref: sha, check_name: name, app_id: appId, filter: "latest" });
  const runs = z.object({ check_runs: z.array(z.object({ id: z.number(), node_id: z.string().optional(), status: z.string(), conclusion: z.string().nullable(), started_at: z.string().nullable().optional(), output: z.object({ title: z.string().nullable(), summary: z.string().nullable(), text: z.string().nullable() }) })) }).safeParse(data);
  const run = runs.success ? runs.data.check_runs[0] : undefined;
  return run ? { id: run.id, nodeId: run.node_id ?? null, startedAt: run.started_at ?? null, status: run.status, conclusion: run.conclusion, title: run.output.title, summary: run.output.summary, text: run.output.text } : null;
}
