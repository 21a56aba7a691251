/** The changed-file list of a pull request, read once per head and base commit. */
import { describe, expect, it } from "@jest/globals";
import { FilesCache, gatherFiles } from "../../src/github/files.js";

const file = (i: number) => ({ filename: `src/f${i}.ts`, status: "modified", additions: 1, deletions: 0, patch: "@@ -1 +1 @@\n-a\n+b" });

function client(lists: ReturnType<typeof file>[][]) {
  const calls: string[] = [];
  return {
    calls,
    graphql: () => Promise.reject(new Error("not used")),
    request: async (route: string, params: Record<string, unknown>) => {
      calls.push(`${route} page ${String(params.page)}`);
      return { data: lists.shift() ?? [] };
    },
  };
}

const pull = { owner: "acme", repo: "infra", number: 7, headSha: "a".repeat(40), baseSha: "b".repeat(40), changedFiles: 3 };

describe("gatherFiles with a cache", () => {
  it("reads a head's files once; a new head or base reads again", async () => {
    const cache = new FilesCache();
    const c = client([[file(1), file(2), file(3)], [file(1), file(2), file(3)], [file(1), file(2), file(3)]]);
    expect((await gatherFiles(c, pull, cache)).requests).toBe(1);
    expect(await gatherFiles(c, pull, cache)).toEqual({ files: expect.any(Array), requests: 0 });
    expect((await gatherFiles(c, { ...pull, headSha: "c".repeat(40) }, cache)).requests).toBe(1);
    expect((await gatherFiles(c, { ...pull, baseSha: "d".repeat(40) }, cache)).requests).toBe(1);
    expect(c.calls).toHaveLength(3);
  });

  it("does not keep a list shorter than GitHub's count (the diff may still be computing)", async () => {
    const cache = new FilesCache();
    const c = client([[file(1)], [file(1), file(2), file(3)]]);
    expect((await gatherFiles(c, pull, cache)).files).toHaveLength(1);
    expect((await gatherFiles(c, pull, cache)).files).toHaveLength(3);
    expect(c.calls).toHaveLength(2);
  });

  it("forgets the least recently used lists beyond its byte bound", () => {
    // Each list: 5 × (2 + 100 + 64) = 830 bytes counted; two fit in 2,000, three do not.
    const cache = new FilesCache(2000);
    const big = Array.from({ length: 5 }, (_, i) => ({ path: `p${i}`, previousPath: null, status: "modified" as const, additions: 1, deletions: 1, patch: "x".repeat(100) }));
    cache.set("one", big);
    cache.set("two", big);
    expect(cache.get("one")).toBeDefined();
    cache.set("three", big);
    expect(cache.get("two")).toBeUndefined();
    expect(cache.get("one")).toBeDefined();
  });
});
