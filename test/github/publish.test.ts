/** src/github/publish.ts: what an evaluation writes, planned as one GraphQL mutation. */
import { describe, expect, it } from "@jest/globals";
import { validate } from "@octokit/graphql-schema";
import { failedFields, planWrites, publishMutation, publishPullRequest, type PublishPlan } from "../../src/github/publish.js";

describe("the publishing mutation", () => {
  const plan = (over: Partial<PublishPlan> = {}): PublishPlan => ({
    owner: "acme",
    repo: "infra",
    number: 7,
    nodes: { repository: "R_1", pullRequest: "PR_7", labels: new Map([["ai-authored", "LA_1"], ["risk: low", "LA_2"]]) },
    check: { target: { owner: "acme", repo: "infra", headSha: "a".repeat(40), name: "countersign", detailsUrl: "https://github.com/acme/infra/pull/7" }, output: { conclusion: "action_required", title: "t", summary: "s", text: "" }, existing: null },
    labels: { specs: [{ name: "ai-authored", want: true, color: "8250df", description: "d" }, { name: "risk: low", want: false, color: "0e8a16", description: "d" }], has: ["risk: low"], exists: ["ai-authored", "risk: low"] },
    status: { body: "status", existing: null },
    reactions: [{ nodeId: "IC_1", content: "+1" }, { nodeId: "PRR_2", content: "confused" }],
    ...over,
  });

  it("puts every change in one document that is valid against GitHub's schema", () => {
    const planned = planWrites(plan());
    expect(planned.fields.map((f) => `${f.alias}: ${f.mutation}`)).toEqual(["check: createCheckRun", "addLabels: addLabelsToLabelable", "removeLabels: removeLabelsFromLabelable", "status: addComment", "r0: addReaction", "r1: addReaction"]);
    const m = publishMutation(planned.fields);
    expect(validate(m.query).map((e) => e.message)).toEqual([]);
    expect(m.variables.addLabels).toEqual({ labelableId: "PR_7", labelIds: ["LA_1"] });
    expect(m.variables.r1).toEqual({ subjectId: "PRR_2", content: "CONFUSED" });
  });

  it("updates what exists, by node id, and writes nothing that is already so", () => {
    const existing = { id: 9, nodeId: "CR_9", startedAt: null, status: "completed", conclusion: "success", title: "old", summary: "s", text: null };
    const planned = planWrites(plan({ check: { ...plan().check, existing }, labels: undefined, status: { body: "status", existing: { nodeId: "IC_5", body: "old" } }, reactions: [] }));
    const m = publishMutation(planned.fields);
    expect(validate(m.query).map((e) => e.message)).toEqual([]);
    expect(planned.fields.map((f) => f.mutation)).toEqual(["updateCheckRun", "updateIssueComment"]);
    expect(m.variables.check).toMatchObject({ checkRunId: "CR_9", repositoryId: "R_1", conclusion: "ACTION_REQUIRED", status: "COMPLETED" });
    const same = { ...existing, conclusion: "action_required", title: "t", summary: "s" };
    expect(planWrites(plan({ check: { ...plan().check, existing: same }, labels: undefined, status: { body: "status", existing: { nodeId: "IC_5", body: "status" } }, reactions: [] })).fields).toEqual([]);
  });

  it("updates a check run known only by its REST id over REST, never creating a second one", () => {
    const existing = { id: 9, nodeId: null, startedAt: null, status: "completed", conclusion: "success", title: "old", summary: "s", text: null };
    const planned = planWrites(plan({ check: { ...plan().check, existing } }));
    expect(planned.restCheck).toBe(true);
    expect(planned.check).toBe("updated");
    expect(planned.fields.some((f) => f.alias === "check")).toBe(false);
  });

  it("leaves a label with no known node id to REST, which can create it first", () => {
    const planned = planWrites(plan({ nodes: { repository: "R_1", pullRequest: "PR_7", labels: new Map() } }));
    expect(planned.restLabels).toBe(true);
    expect(planned.fields.some((f) => f.alias.endsWith("Labels"))).toBe(false);
  });

  it("tells which fields failed from GitHub's error paths, or all when it cannot tell", () => {
    expect(failedFields({ data: { check: null, status: {} }, errors: [{ path: ["check"], message: "x" }] })).toEqual(new Set(["check"]));
    expect(failedFields(new Error("socket hang up"))).toBe("all");
    expect(failedFields({ data: {}, errors: [{ message: "no path" }] })).toBe("all");
  });
});

describe("publishing, against a client that records what it is asked", () => {
  const base: PublishPlan = {
    owner: "acme",
    repo: "infra",
    number: 7,
    nodes: { repository: "R_1", pullRequest: "PR_7", labels: new Map() },
    check: { target: { owner: "acme", repo: "infra", headSha: "a".repeat(40), name: "countersign", detailsUrl: "https://github.com/acme/infra/pull/7" }, output: { conclusion: "action_required", title: "t", summary: "s", text: "" }, existing: { id: 9, nodeId: null, startedAt: null, status: "completed", conclusion: "success", title: "old", summary: "s", text: null } },
    status: { body: "status", existing: null },
    reactions: [],
  };
  const client = (fail: { rest?: boolean } = {}) => {
    const calls: string[] = [];
    return {
      calls,
      async request(route: string) {
        calls.push(route);
        if (fail.rest) throw Object.assign(new Error("Server Error"), { status: 502 });
        return { data: {} };
      },
      async graphql<T>(query: string): Promise<T> {
        calls.push(`graphql ${[...query.matchAll(/(\w+)\(input/g)].map((m) => m[1]).join(", ")}`);
        return {} as T;
      },
    };
  };

  it("updates a check run known only by its REST id with a PATCH, and the rest in the mutation", async () => {
    const c = client();
    const published = await publishPullRequest(c, base);
    expect(c.calls).toEqual(["PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", "graphql addComment"]);
    expect(published).toMatchObject({ check: "updated", status: "created", requests: 2, fenced: false });
  });

  it("reports that PATCH failing as a failed check run", async () => {
    const published = await publishPullRequest(client({ rest: true }), base);
    expect(published.check).toBe("failed");
    expect(published.errors).toHaveLength(1);
  });

  it("sends nothing more once the lease ends (replicas), and says so", async () => {
    const c = client();
    let holds = true;
    const published = await publishPullRequest(
      { ...c, request: async (route: string) => ((holds = false), c.request(route)) },
      { ...base, holds: () => holds },
    );
    expect(c.calls).toEqual(["PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}"]);
    expect(published).toMatchObject({ check: "updated", status: "skipped", fenced: true });
  });
});
