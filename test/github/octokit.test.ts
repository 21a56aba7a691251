/**
 * src/github/octokit.ts, through a real Octokit whose fetch answers from a script: GraphQL's
 * RATE_LIMITED answers are waited out and sent again — unless the answer carried data (a mutation
 * whose other parts GitHub carried out), which must never be sent twice. And `CountersignOctokit`,
 * the Octokit Probot runs with: its request log and its plugins.
 */
import { describe, expect, it } from "@jest/globals";
import { Octokit } from "@octokit/rest";
import { pino } from "pino";
import { CountersignOctokit, prepareClient, RateLimitedError } from "../../src/github/octokit.js";
import { Pacer } from "../../src/github/pacing.js";
import { jsonLines } from "../helpers/logs.js";

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

describe("countersign's Octokit", () => {
  const logged = (level: string) => {
    const { sink, lines } = jsonLines();
    const fetch = async () => new Response(JSON.stringify({ id: 1 }), { status: 200, headers: { "content-type": "application/json" } });
    const octokit = new CountersignOctokit({ auth: { token: "x" }, log: pino({ level }, sink), request: { fetch } });
    return { octokit, lines };
  };

  it("logs each GitHub request at debug level, as Probot does", async () => {
    const { octokit, lines } = logged("debug");
    await octokit.request("POST /repos/{owner}/{repo}/check-runs", { owner: "o", repo: "r", name: "countersign", head_sha: "a".repeat(40) });
    // The request body's fields come with it (`name` here), as in Probot's own log.
    expect(lines).toEqual([expect.objectContaining({ level: 20, msg: "GitHub request: POST https://api.github.com/repos/o/r/check-runs - 200", name: "countersign" })]);
  });

  it("reads .github files for Probot's context.config, and has no REST endpoint methods to reach for", async () => {
    const { octokit } = logged("info");
    expect(typeof (octokit as unknown as { config?: { get?: unknown } }).config?.get).toBe("function");
    expect((octokit as unknown as { rest?: unknown }).rest).toBeUndefined();
  });
});
