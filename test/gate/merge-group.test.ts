import { describe, expect, it } from "@jest/globals";
import { evaluateMergeGroup, type QueueEntry } from "../../src/gate/merge-group.js";

const sha = (c: string) => c.repeat(40);
const entry = (position: number, group: string, number: number, run?: { conclusion: string; title: string }): QueueEntry => ({
  position,
  groupHeadSha: sha(group),
  pullRequest: { number, headSha: sha(String(number % 10)), checkRuns: run ? [{ name: "countersign", ...run }] : [] },
});

describe("merge groups", () => {
  const countersigned = { conclusion: "SUCCESS", title: "Countersigned by @carol" };
  const human = { conclusion: "SUCCESS", title: "No AI-authored changes detected" };
  const blocked = { conclusion: "ACTION_REQUIRED", title: "Needs 1 more approval from someone other than @alice" };

  it("passes when every pull request in the group passed countersign on its head", () => {
    const out = evaluateMergeGroup([entry(1, "a", 11, countersigned), entry(2, "b", 12, human), entry(3, "c", 13, blocked)], sha("b"), "countersign");
    expect(out).toEqual(expect.objectContaining({ conclusion: "success", title: "Every pull request in this merge group passed countersign (2)" }));
  });

  it("fails naming the pull request that was not countersigned", () => {
    const out = evaluateMergeGroup([entry(1, "a", 11, countersigned), entry(2, "b", 12, blocked)], sha("b"), "countersign");
    expect(out.conclusion).toBe("failure");
    expect(out.title).toBe("Not countersigned: #12");
    expect(out.summary).toContain("#12: Needs 1 more approval from someone other than @alice (action_required)");
  });

  it("fails closed when a pull request has no countersign check, or the group is unknown", () => {
    expect(evaluateMergeGroup([entry(1, "a", 11)], sha("a"), "countersign").summary).toContain("#11: no countersign check on its head");
    expect(evaluateMergeGroup([entry(1, "a", 11, countersigned)], sha("f"), "countersign")).toEqual(expect.objectContaining({ conclusion: "failure", title: "Cannot find this merge group in the merge queue" }));
  });

  it("only counts the check with the configured name", () => {
    const out = evaluateMergeGroup([entry(1, "a", 11, countersigned)], sha("a"), "ai-gate");
    expect(out.conclusion).toBe("failure");
  });
});
