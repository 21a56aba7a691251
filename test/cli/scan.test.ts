import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { main } from "../../src/cli/main.js";
import { createDetector } from "../../src/detection/detect.js";
import { bufferIo, GIT_ENV, TempRepo } from "../helpers/git.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const claude = "Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>";

async function run(...argv: string[]) {
  const io = bufferIo();
  const code = await main(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe("countersign scan", () => {
  const repo = new TempRepo();
  const shas: string[] = [];
  beforeAll(() => {
    shas.push(repo.commit({ message: "Initial import\n" }));
    shas.push(repo.commit({ message: `Add retries\n\nBody.\n\n${claude}\n` }));
    shas.push(repo.commit({ message: "Tidy\n\nCo-authored-by: Bob Example <bob@example.com>\n" }));
    shas.push(repo.commit({ message: "Agent work\n", author: { name: "Cursor Agent", email: "cursoragent@cursor.com" } }));
  });
  afterAll(() => repo.remove());

  it("prints one line per AI-authored commit, then a summary", async () => {
    const r = await run("scan", "--repo", repo.dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n")).toEqual([
      `${shas[3]?.slice(0, 12)}  Cursor  [low]  author: Cursor Agent <cursoragent@cursor.com>  (+1 more)`,
      `${shas[1]?.slice(0, 12)}  Claude Code  [low]  trailer: ${claude}`,
      "2 of 4 commits AI-authored (50.0%)",
      "by tool: Claude Code 1, Cursor 1",
      "by risk: low 2",
      "",
    ]);
  });

  it("--json prints JSON Lines with the stable field names and nothing else", async () => {
    const r = await run("scan", "--repo", repo.dir, "--json");
    const lines = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toEqual({
      sha: shas[1],
      ai: true,
      tools: ["Claude Code"],
      evidence: [{ rule: "claude-code/identity", tool: "Claude Code", field: "trailer", match: claude }],
      humans: [{ name: "Alice Example", email: "alice@example.com" }],
      risk: { level: "low", reasons: ["low/docs: documentation (file.txt)"] },
    });
    for (const l of lines) expect(Object.keys(l)).toEqual(["sha", "ai", "tools", "evidence", "humans", "risk"]);
  });

  it("--all --json reports human commits too", async () => {
    const r = await run("scan", "--repo", repo.dir, "--json", "--all");
    const lines = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as { sha: string; ai: boolean; humans: unknown[] });
    expect(lines.map((l) => [l.sha, l.ai])).toEqual([
      [shas[3], true],
      [shas[2], false],
      [shas[1], true],
      [shas[0], false],
    ]);
    expect(lines[1]?.humans).toEqual([
      { name: "Alice Example", email: "alice@example.com" },
      { name: "Bob Example", email: "bob@example.com" },
    ]);
  });

  it("rates each AI-authored commit's risk from git's own numstat, with the same rules as the app", async () => {
    const infra = new TempRepo();
    try {
      infra.commit({ message: "Add infra\n", files: { "infra/prod/main.tf": 'resource "aws_db_instance" "main" {}\n', "README.md": "x\n" } });
      const recreate = infra.commit({ message: `Recreate the environment\n\n${claude}\n`, files: { "infra/prod/main.tf": null, "infra/prod/cluster.tf": 'module "cluster" { source = "./m" }\nresource "aws_eks_cluster" "c" {}\n' } });
      const docs = infra.commit({ message: `Docs\n\n${claude}\n`, files: { "README.md": "better\n" } });
      const r = await run("scan", "--repo", infra.dir, "--json");
      const records = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as { sha: string; risk: { level: string; reasons: string[] } });
      expect(records.find((x) => x.sha === docs)?.risk.level).toBe("low");
      const critical = records.find((x) => x.sha === recreate)?.risk;
      expect(critical?.level).toBe("critical");
      expect(critical?.reasons[0]).toContain("deletes `infra/prod/main.tf` and adds `infra/prod/cluster.tf`");
      const human = await run("scan", "--repo", infra.dir, "--json", "--all");
      expect(human.stdout.trimEnd().split("\n").map((l) => (JSON.parse(l) as { risk: unknown }).risk)[2]).toBeNull();
    } finally {
      infra.remove();
    }
  });

  it("takes revision ranges", async () => {
    const r = await run("scan", "--repo", repo.dir, "--json", "--all", `${shas[1]}..${shas[2]}`);
    expect(r.stdout.trimEnd().split("\n").map((l) => (JSON.parse(l) as { sha: string }).sha)).toEqual([shas[2]]);
  });

  it("--fail-on-ai exits 1 when AI-authored commits are found, 0 otherwise", async () => {
    expect((await run("scan", "--repo", repo.dir, "--fail-on-ai")).code).toBe(1);
    expect((await run("scan", "--repo", repo.dir, "--fail-on-ai", shas[0] ?? "")).code).toBe(0);
  });

  it("reads a bare repository", async () => {
    const bare = mkdtempSync(join(tmpdir(), "countersign-bare-"));
    try {
      execFileSync("git", ["clone", "-q", "--bare", repo.dir, bare], { env: GIT_ENV });
      const r = await run("scan", "--repo", bare, "--json");
      expect(r.stdout.trimEnd().split("\n")).toHaveLength(2);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it.each([
    [["scan", "--repo", "/nonexistent/countersign"], /^countersign: not a git repository: \/nonexistent\/countersign/],
    [["scan", "--repo", "REPO", "no-such-branch"], /^countersign: bad revision range 'no-such-branch'/],
    [["scan", "--bogus"], /^countersign: scan: Unknown option '--bogus' \(see countersign scan --help\)$/],
    [["scan", "--repo"], /^countersign: scan: Option '--repo <value>' argument missing/],
    [["scan", "--config", "/nonexistent.yml", "--repo", "REPO"], /^countersign: --config \/nonexistent.yml: no such file$/],
    [["frobnicate"], /^countersign: unknown command 'frobnicate'/],
  ])("%j fails with one clear line and exit 2", async (argv, message) => {
    const r = await run(...argv.map((a) => (a === "REPO" ? repo.dir : a)));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")).toHaveLength(2);
    expect(r.stderr.trimEnd()).toMatch(message);
  });

  it("says so when the repository has no commits yet", async () => {
    const empty = new TempRepo();
    try {
      const r = await run("scan", "--repo", empty.dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("no commits yet");
    } finally {
      empty.remove();
    }
  });

  it("--config extends detection, and a bad config names the problem", async () => {
    const dir = mkdtempSync(join(tmpdir(), "countersign-config-"));
    try {
      const good = join(dir, "good.yml");
      writeFileSync(good, "detection:\n  identities:\n    - email: alice@example.com\n      tool: Alice's Agent\n");
      const r = await run("scan", "--repo", repo.dir, "--config", good);
      expect(r.stdout).toContain("4 of 4 commits AI-authored");
      const bad = join(dir, "bad.yml");
      writeFileSync(bad, "detection:\n  identities:\n    - tool: X\n");
      const b = await run("scan", "--repo", repo.dir, "--config", bad);
      expect(b.code).toBe(2);
      expect(b.stderr).toBe(`countersign: --config ${bad}: detection.identities[0]: give at least one of email, login, id or name\n`);
      const broken = join(dir, "broken.yml");
      writeFileSync(broken, "detection: [\n");
      expect((await run("scan", "--repo", repo.dir, "--config", broken)).stderr).toMatch(/not valid YAML/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads history with one git process, however many commits", async () => {
    const big = new TempRepo();
    const bin = mkdtempSync(join(tmpdir(), "countersign-gitwrap-"));
    const counter = join(bin, "count");
    const realGit = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
    writeFileSync(join(bin, "git"), `#!/bin/sh\necho x >> "${counter}"\nexec "${realGit}" "$@"\n`);
    chmodSync(join(bin, "git"), 0o755);
    const path = process.env.PATH;
    try {
      for (let i = 0; i < 60; i++) big.commit({ message: i % 3 === 0 ? `AI ${i}\n\n${claude}\n` : `Human ${i}\n` });
      process.env.PATH = `${bin}:${path ?? ""}`;
      const r = await run("scan", "--repo", big.dir, "--json", "--all");
      expect(r.stdout.trimEnd().split("\n")).toHaveLength(60);
      expect(readFileSync(counter, "utf8").trim().split("\n")).toHaveLength(1);
    } finally {
      process.env.PATH = path;
      big.remove();
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe("countersign scan over real history (shared/corpus rebuilt as a repository)", () => {
  it("reads every message byte-exact and agrees with the detector", () => {
    const dir = mkdtempSync(join(tmpdir(), "countersign-corpus-"));
    const repoDir = join(dir, "repo");
    const mapping = join(dir, "mapping.tsv");
    try {
      execFileSync("bash", [join(ROOT, "../shared/corpus/build-repo.sh"), repoDir, mapping], { stdio: "ignore" });
      const scanned = spawnSync(process.execPath, [join(ROOT, "bin/countersign.js"), "scan", "--repo", repoDir, "--json", "--all"], { encoding: "utf8", maxBuffer: 1 << 28 });
      expect(scanned.status).toBe(0);
      const bySha = new Map(
        scanned.stdout
          .trimEnd()
          .split("\n")
          .map((l) => JSON.parse(l) as { sha: string; ai: boolean; tools: string[] })
          .map((r) => [r.sha, r]),
      );
      const original = new Map(readFileSync(mapping, "utf8").trimEnd().split("\n").map((l) => {
        const [newSha = "", , oldSha = ""] = l.split("\t");
        return [oldSha, newSha];
      }));
      const rows = readFileSync(join(ROOT, "../shared/corpus/commits.jsonl"), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as { sha: string; message: string; author_name: string; author_email: string; committer_name: string; committer_email: string });
      expect(bySha.size).toBe(rows.length);
      const detector = createDetector();
      const disagreements = rows.filter((row) => {
        const expected = detector.commit({ message: row.message, author: { name: row.author_name, email: row.author_email }, committer: { name: row.committer_name, email: row.committer_email } });
        const got = bySha.get(original.get(row.sha) ?? "");
        return got === undefined || got.ai !== expected.ai || got.tools.join() !== expected.tools.join();
      });
      expect(disagreements.map((r) => r.sha)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
