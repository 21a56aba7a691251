/** `merge_group.checks_requested` through Probot, against a hand-written GitHub answer. */
import nock from "nock";
import { afterEach, describe, expect, it } from "@jest/globals";
import { example } from "../support/webhooks.js";
import { API, makeProbot, OWNER, REPO, type WebhookEvent } from "./harness.js";

const head = "d".repeat(40);
const base = `/repos/${OWNER}/${REPO}`;

function event(): WebhookEvent {
  const payload = example("merge_group", "checks_requested");
  const repository = payload.repository as Record<string, unknown>;
  repository.name = REPO;
  (repository.owner as Record<string, unknown>).login = OWNER;
  payload.merge_group = { ...(payload.merge_group as object), head_sha: head, base_ref: "refs/heads/main" };
  return { id: "mg-1", name: "merge_group", payload } as unknown as WebhookEvent;
}

function queue(title: string, conclusion: string) {
  return {
    data: {
      orgDefaults: null,
      repository: {
        configFile: null,
        mergeQueue: {
          entries: {
            nodes: [
              { position: 1, headCommit: { oid: head }, pullRequest: { number: 12, headRefOid: "e".repeat(40), commits: { nodes: [{ commit: { checkSuites: { nodes: [{ checkRuns: { nodes: [{ name: "countersign", conclusion, title }] } }] } } }] } } },
            ],
          },
        },
      },
    },
  };
}

afterEach(() => {
  nock.cleanAll();
});

describe("merge queue", () => {
  it.each([
    ["a countersigned PR: the group passes", "Countersigned by @carol", "SUCCESS", "success"],
    ["a blocked PR: the group fails, naming it", "Needs 1 more approval from someone other than @alice", "ACTION_REQUIRED", "failure"],
  ])("%s", async (_name, title, conclusion, expected) => {
    const written: { conclusion: string; output: { title: string } }[] = [];
    const scope = nock(API)
      .post("/graphql", (b: { query: string }) => b.query.includes("countersignMergeQueue"))
      .reply(200, queue(title, conclusion))
      .get(`${base}/commits/${head}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] })
      .post(`${base}/check-runs`, (b: { conclusion: string; output: { title: string } }) => {
        written.push(b);
        return true;
      })
      .reply(201, { id: 1 });
    const { probot } = await makeProbot();
    await probot.receive(event());
    expect(scope.isDone()).toBe(true);
    expect(written).toEqual([expect.objectContaining({ conclusion: expected })]);
    if (expected === "failure") expect(written[0]?.output.title).toBe("Not countersigned: #12");
  });
});
