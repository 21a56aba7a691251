/**
 * src/github/octokit.ts, through a real Octokit whose fetch answers from a script: GraphQL's
 * RATE_LIMITED answers are waited out and sent again — unless the answer carried data (a mutation
 * whose other parts GitHub carried out), which must never be sent twice.
 */
import { describe, expect, it } from "@jest/globals";
import { Octokit } from "@octokit/rest";
import { prepareClient, RateLimitedError } from "../../src/github/octokit.js";
import { Pacer } from "../../src/github/pacing.js";

/** An Octokit whose requests get these answers in turn; `sent` counts the requests. */
function scripted(answers: { status: number; body: unknown; headers?: Record<string, string> }[]) {
  const sent: string[] = [];
  const fetch = async (url: string, init: { body?: string }) => {
    sent.push(`${url} ${init.body ?? ""}`);
    const a = answers.shift() ?? { status: 200, body: { data: {} } };
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { "content-type": "application/json", ...a.headers } });
  };
  const octokit = new Octokit({ auth: "token x", request: { fetch } });
  prepareClient(octokit as unknown as Parameters<typeof prepareClient>[0], { installation: "1", pacer: new Pacer(), timeoutMs: 5_000 });
  return { octokit, sent };
}

const RATE_LIMITED = { type: "RATE_LIMITED", message: "API rate limit exceeded" };

describe("GraphQL rate limits", () => {
  it("waits GitHub's retry-after and sends a rate-limited query again", async () => {
    const { octokit, sent } = scripted([{ status: 200, body: { data: null, errors: [RATE_LIMITED] }, headers: { "retry-after": "0" } }, { status: 200, body: { data: { viewer: { login: "x" } } } }]);
    await expect(octokit.graphql("query { viewer { login } }")).resolves.toEqual({ viewer: { login: "x" } });
    expect(sent).toHaveLength(2);
  });

  it("never sends again a mutation GitHub partly carried out; it reports the wait instead", async () => {
    const { octokit, sent } = scripted([{ status: 200, body: { data: { check: { clientMutationId: null }, status: null }, errors: [{ ...RATE_LIMITED, path: ["status"] }] }, headers: { "retry-after": "0" } }]);
    await expect(octokit.graphql("mutation { check: createCheckRun(input: {}) { clientMutationId } }")).rejects.toBeInstanceOf(RateLimitedError);
    expect(sent).toHaveLength(1);
  });
});
