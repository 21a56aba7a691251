import { describe, expect, it } from "@jest/globals";
import { validate } from "@octokit/graphql-schema";
import { ALL_QUERIES } from "../../src/github/queries.js";

describe("GraphQL queries", () => {
  it.each(Object.entries(ALL_QUERIES))("%s is valid against GitHub's schema", (_name, query) => {
    expect(validate(query).map((e) => e.message)).toEqual([]);
  });
});

describe("the schema check itself", () => {
  it("rejects a field GitHub does not have", () => {
    expect(validate(`query { repository(owner: "o", name: "r") { pullRequest(number: 1) { pushedDate } } }`).length).toBeGreaterThan(0);
  });
});

describe("the reactions mutation", () => {
  it("is valid against GitHub's schema, with one aliased addReaction per comment", async () => {
    const { reactionsMutation } = await import("../../src/github/publish.js");
    const m = reactionsMutation([
      { nodeId: "IC_1", content: "+1" },
      { nodeId: "PRR_2", content: "confused" },
    ]);
    expect(m?.variables).toEqual({ s0: "IC_1", s1: "PRR_2" });
    expect(validate(m?.query ?? "").map((e) => e.message)).toEqual([]);
    expect(reactionsMutation([])).toBeUndefined();
  });
});
