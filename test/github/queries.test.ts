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
