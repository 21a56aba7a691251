/**
 * Risk tiers through the app: what an AI-authored change touches decides the tier, the label, the
 * explanation, how many countersigners it needs, and from which teams.
 */
import nock from "nock";
import { afterEach, describe, expect, it } from "@jest/globals";
import { Events, GitHubDouble, human, makeProbot, nextSha, world, type World, type WorldCommit, type WorldReview } from "./harness.js";

const CLAUDE = "Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>";
type File = NonNullable<World["files"]>[number];

const aiCommit = (): WorldCommit => ({ sha: nextSha(), message: `Change\n\n${CLAUDE}\n`, author: human("alice") });
const file = (filename: string, more: Partial<File> = {}): File => ({ filename, status: "modified", additions: 3, deletions: 1, ...more });
let id = 0;
const approval = (login: string, commit: string): WorldReview => ({ id: ++id, login, state: "APPROVED", commit, submittedAt: `2026-11-26T10:${String(id % 60).padStart(2, "0")}:00Z` });

async function run(w: World, event: "opened" | "review" = "opened") {
  const gh = new GitHubDouble(w);
  const { probot, logs } = await makeProbot();
  await probot.receive(event === "opened" ? Events.pullRequest(w, gh.head) : Events.review(w, gh.head));
  return { gh, logs };
}

afterEach(() => {
  nock.cleanAll();
});

describe("risk tiers", () => {
  it.each([
    ["low", [file("docs/guide.md")], "risk: low"],
    ["medium", [file("src/app.ts")], "risk: medium"],
    ["high", [file("package-lock.json")], "risk: high"],
    ["critical", [file(".github/workflows/deploy.yml")], "risk: critical"],
  ])("a %s change gets exactly that risk label and says why", async (level, files, label) => {
    const w = world({ commits: [aiCommit()], files, labels: ["risk: medium"] });
    const { gh } = await run(w);
    expect(w.labels.filter((l) => l.startsWith("risk: "))).toEqual([label]);
    expect(gh.check?.summary).toContain(`**Risk — ${level}:`);
  });

  it("a critical change needs 2 approvals: one is not enough", async () => {
    const w = world({ commits: [aiCommit()], files: [file("infra/prod/main.tf")] });
    w.reviews = [approval("carol", w.commits[0]?.sha ?? "")];
    const { gh } = await run(w, "review");
    expect(gh.check).toEqual(expect.objectContaining({ conclusion: "action_required", title: "Needs 1 more approval from someone other than @alice" }));
    expect(gh.check?.summary).toContain("needs 2 approvals");
  });

  it("deleting and re-creating infrastructure is critical, and the explanation names both files", async () => {
    const w = world({ commits: [aiCommit()], files: [file("infra/prod/main.tf", { status: "removed", additions: 0, deletions: 80 }), file("infra/prod/cluster.tf", { status: "added", additions: 90, deletions: 0 })] });
    const { gh } = await run(w);
    expect(gh.check?.summary).toContain("**Risk — critical: deletes `infra/prod/main.tf` and adds `infra/prod/cluster.tf` — needs 2 approvals.**");
  });

  it("renaming an infrastructure file without changing it is not destructive", async () => {
    const w = world({ commits: [aiCommit()], files: [file("infra/prod/cluster.tf", { status: "renamed", previous_filename: "infra/prod/main.tf", additions: 0, deletions: 0 })] });
    const { gh } = await run(w);
    expect(gh.check?.text).not.toContain("critical/infrastructure-recreated");
    expect(gh.check?.text).not.toContain("critical/infrastructure-deleted");
  });

  it("a team requirement: an approver from the team satisfies it, others do not", async () => {
    const config = "risk:\n  tiers:\n    critical: { approvals: 1, teams: [acme/sre] }\n";
    const teams = { "acme/sre": ["sam"] };
    const outsider = world({ commits: [aiCommit()], files: [file("Dockerfile")], config, teams });
    outsider.reviews = [approval("carol", outsider.commits[0]?.sha ?? "")];
    const blocked = await run(outsider, "review");
    expect(blocked.gh.check).toEqual(expect.objectContaining({ conclusion: "action_required", title: "Needs an approval from a member of @acme/sre" }));
    expect(blocked.gh.summary()).toContain("GET /orgs/acme/teams/sre/memberships/carol");
    nock.cleanAll();
    const member = world({ commits: [aiCommit()], files: [file("Dockerfile")], config, teams });
    member.reviews = [approval("sam", member.commits[0]?.sha ?? "")];
    const passed = await run(member, "review");
    expect(passed.gh.check).toEqual(expect.objectContaining({ conclusion: "success", title: "Countersigned by @sam" }));
  });

  it("custom path rules override the built-ins (lowering sandbox infrastructure)", async () => {
    const config = "risk:\n  rules:\n    - paths: ['infra/sandbox/**']\n      level: low\n      reason: sandbox infrastructure\n";
    const w = world({ commits: [aiCommit()], files: [file("infra/sandbox/main.tf")], config });
    await run(w);
    expect(w.labels).toContain("risk: low");
  });

  it("a tier can be observed instead of enforced", async () => {
    const w = world({ commits: [aiCommit()], files: [file("README.md")], config: "risk:\n  tiers:\n    low: { approvals: 1, mode: observe }\n" });
    const { gh } = await run(w);
    expect(gh.check?.conclusion).toBe("neutral");
  });

  it("pages through 3,000 changed files; more than GitHub lists counts as critical", async () => {
    const files = Array.from({ length: 3001 }, (_, i) => file(i === 2500 ? "db/migrations/0042_drop_users.sql" : `docs/page-${i}.md`));
    const w = world({ commits: [aiCommit()], files });
    const { gh } = await run(w);
    expect(gh.summary().filter((r) => r.includes("/files"))).toHaveLength(30);
    expect(gh.check?.text).toContain("critical/migrations");
    expect(gh.check?.summary).toContain("changes 3001 files, and GitHub lists only 3000");
    expect(w.labels).toContain("risk: critical");
  });

  it("a human-only pull request reads no file list", async () => {
    const w = world({ commits: [{ sha: nextSha(), message: "Docs\n", author: human("alice") }], files: [file("infra/main.tf")] });
    const { gh } = await run(w);
    expect(gh.summary().some((r) => r.includes("/files"))).toBe(false);
    expect(w.labels).toEqual([]);
  });
});
