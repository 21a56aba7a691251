import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DIFF_STAT_ARGS, parseDiffStat, readDiffStat } from "../../src/risk/numstat.js";
import { TempRepo } from "../helpers/git.js";

const NUL = "\0";

describe("parseDiffStat (as git prints it)", () => {
  it("reads numstat alone: renames from the two-path form, binary files as 0/0, everything else modified", () => {
    const block = ["\n3\t1\tsrc/a.ts", "-\t-\timg.png", "2\t2\t", "old/name.tf", "new/name.tf", "0\t5\tweird\tname\nwith newline", ""].join(NUL);
    expect(parseDiffStat(block)).toEqual([
      { path: "src/a.ts", status: "modified", additions: 3, deletions: 1 },
      { path: "img.png", status: "modified", additions: 0, deletions: 0 },
      { path: "new/name.tf", previousPath: "old/name.tf", status: "renamed", additions: 2, deletions: 2 },
      { path: "weird\tname\nwith newline", status: "modified", additions: 0, deletions: 5 },
    ]);
  });

  it("takes statuses from --raw and counts from --numstat", () => {
    const raw = [
      "\n:100644 000000 587be6b 0000000 D",
      "gone.txt",
      ":100644 100644 f9d9a01 71ac1b5 R087",
      "infra/main.tf",
      "infra/cluster.tf",
      ":000000 100755 0000000 3e75765 A",
      "new.sh",
      ":100644 120000 1111111 2222222 T",
      "link",
      ":100644 100644 3333333 4444444 C075",
      "a.ts",
      "b.ts",
    ];
    const numstat = ["0\t1\tgone.txt", "1\t0\t", "infra/main.tf", "infra/cluster.tf", "1\t0\tnew.sh", "1\t1\tlink", "3\t0\t", "a.ts", "b.ts", ""];
    expect(parseDiffStat([...raw, ...numstat].join(NUL))).toEqual([
      { path: "gone.txt", status: "removed", additions: 0, deletions: 1 },
      { path: "infra/cluster.tf", previousPath: "infra/main.tf", status: "renamed", additions: 1, deletions: 0 },
      { path: "new.sh", status: "added", additions: 1, deletions: 0 },
      { path: "link", status: "changed", additions: 1, deletions: 1 },
      { path: "b.ts", previousPath: "a.ts", status: "copied", additions: 3, deletions: 0 },
    ]);
  });

  it("stops at the next commit's record and leaves a cut-off entry unread", () => {
    const sha = "79a6ace763d499777922236e21aa1de2200d1dd59";
    const tokens = ["\n1\t0\ta.ts", "2\t0\t", "old", "new", sha, "Alice"];
    expect(readDiffStat(tokens, 0)).toEqual({ files: [expect.objectContaining({ path: "a.ts" }), expect.objectContaining({ path: "new", previousPath: "old" })], next: 4 });
    expect(readDiffStat(["1\t0\t", "old"], 0)).toEqual({ files: [], next: 0 });
    expect(readDiffStat([sha], 0)).toEqual({ files: [], next: 0 });
  });

  it("refuses output that is not --raw/--numstat", () => {
    expect(() => parseDiffStat(" create mode 100644 a.ts\n")).toThrow(/not a --raw\/--numstat -z entry at token 0/);
    expect(parseDiffStat("")).toEqual([]);
  });
});

describe("parseDiffStat on real git output", () => {
  let repo: TempRepo;
  const commits: Record<string, string> = {};
  const write = (path: string, content: string | Buffer) => {
    mkdirSync(join(repo.dir, path, ".."), { recursive: true });
    writeFileSync(join(repo.dir, path), content);
  };
  const commit = (name: string, ...extra: string[]) => {
    repo.git("add", "-A");
    repo.git("-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", name, ...extra);
    commits[name] = repo.git("rev-parse", "HEAD").trim();
  };

  beforeAll(() => {
    repo = new TempRepo("countersign-numstat-");
    write("infra/prod/main.tf", Array.from({ length: 20 }, (_, i) => `# line ${i}\n`).join(""));
    write("gone.txt", "bye\n");
    write("img.bin", Buffer.from([0, 1, 2, 0, 3]));
    write("tab\tand\nnewline.txt", "x\n");
    write("mode.sh", "echo\n");
    write("target.txt", "t\n");
    commit("one");
    repo.git("mv", "infra/prod/main.tf", "infra/prod/cluster.tf");
    write("infra/prod/cluster.tf", Array.from({ length: 20 }, (_, i) => `# line ${i}\n`).join("") + "# more\n");
    rmSync(join(repo.dir, "gone.txt"));
    write("img.bin", Buffer.from([0, 9, 9, 0]));
    write("tab\tand\nnewline.txt", "x\ny\n");
    chmodSync(join(repo.dir, "mode.sh"), 0o755);
    rmSync(join(repo.dir, "target.txt"));
    symlinkSync("mode.sh", join(repo.dir, "target.txt"));
    write("src/new.ts", "a\nb\n");
    commit("two");
    commit("empty");
  });
  afterAll(() => repo.remove());

  const expectedTwo = [
    { path: "gone.txt", status: "removed", additions: 0, deletions: 1 },
    { path: "img.bin", status: "modified", additions: 0, deletions: 0 },
    { path: "infra/prod/cluster.tf", previousPath: "infra/prod/main.tf", status: "renamed", additions: 1, deletions: 0 },
    { path: "mode.sh", status: "modified", additions: 0, deletions: 0 },
    { path: "src/new.ts", status: "added", additions: 2, deletions: 0 },
    { path: "tab\tand\nnewline.txt", status: "modified", additions: 1, deletions: 0 },
    { path: "target.txt", status: "changed", additions: 1, deletions: 1 },
  ];

  it("reads every commit of one streaming `git log` process", () => {
    const out = repo.git("log", "--format=%H", ...DIFF_STAT_ARGS, "--end-of-options", "HEAD", "--");
    const tokens = out.split(NUL);
    if (tokens[tokens.length - 1] === "") tokens.pop();
    const seen: Record<string, unknown> = {};
    for (let i = 0; i < tokens.length; ) {
      const sha = tokens[i] ?? "";
      expect(sha).toMatch(/^[0-9a-f]{40}$/);
      const { files, next } = readDiffStat(tokens, i + 1);
      seen[sha] = files;
      i = next;
    }
    expect(seen[commits.empty ?? ""]).toEqual([]);
    expect(seen[commits.two ?? ""]).toEqual(expectedTwo);
    expect(seen[commits.one ?? ""]).toEqual([
      { path: "gone.txt", status: "added", additions: 1, deletions: 0 },
      { path: "img.bin", status: "added", additions: 0, deletions: 0 },
      { path: "infra/prod/main.tf", status: "added", additions: 20, deletions: 0 },
      { path: "mode.sh", status: "added", additions: 1, deletions: 0 },
      { path: "tab\tand\nnewline.txt", status: "added", additions: 1, deletions: 0 },
      { path: "target.txt", status: "added", additions: 1, deletions: 0 },
    ]);
  });

  it("reads a whole `git diff` of a range", () => {
    expect(parseDiffStat(repo.git("diff", ...DIFF_STAT_ARGS, `${commits.one ?? ""}..${commits.empty ?? ""}`, "--"))).toEqual(expectedTwo);
  });

  it("shows no diff for a merge commit, so the next record follows", () => {
    repo.git("checkout", "-q", "-b", "side", commits.one ?? "");
    write("side.txt", "s\n");
    commit("side");
    repo.git("checkout", "-q", "main");
    repo.git("-c", "user.name=T", "-c", "user.email=t@example.com", "merge", "-q", "--no-ff", "-m", "merge", "side");
    const out = repo.git("log", "-2", "--format=%H", ...DIFF_STAT_ARGS, "--end-of-options", "HEAD", "--");
    const tokens = out.split(NUL);
    expect(readDiffStat(tokens, 1)).toEqual({ files: [], next: 1 });
    expect(tokens[1]).toMatch(/^[0-9a-f]{40}$/);
  });
});
