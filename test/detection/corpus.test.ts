/**
 * The detector against real history: ../shared/corpus holds 2,911 commits from public repositories,
 * labelled `ai`/`human` by hand-checked rules (see its README). The corpus is a sample of the wild,
 * read in place and never copied into the project; the rules in the catalog follow how tools mark
 * their work, not these commits.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it, afterAll } from "@jest/globals";
import { createDetector } from "../../src/detection/detect.js";

interface Row {
  repo: string;
  sha: string;
  author_name: string;
  author_email: string;
  committer_name: string;
  committer_email: string;
  message: string;
  label: "ai" | "human";
  tools: string[];
  why: string;
}

const CORPUS = fileURLToPath(new URL("../../../shared/corpus/commits.jsonl", import.meta.url));
/** The tool vocabulary of the corpus labels; our finer-grained names for others map to "Other". */
const CORPUS_TOOLS = new Set(["Claude Code", "GitHub Copilot", "OpenAI Codex", "Jules", "Gemini", "Devin", "Cursor", "Aider", "OpenHands", "Amp", "Factory", "Codegen", "OpenCode", "Cline", "Replit Agent", "Amazon Q", "Sweep"]);

const rows: Row[] = readFileSync(CORPUS, "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l) as Row);

const detector = createDetector();
const results = rows.map((r) => ({
  row: r,
  d: detector.commit({ message: r.message, author: { name: r.author_name, email: r.author_email }, committer: { name: r.committer_name, email: r.committer_email } }),
}));
const ai = results.filter((x) => x.row.label === "ai");
const human = results.filter((x) => x.row.label === "human");
const found = ai.filter((x) => x.d.ai);
const falsePositives = human.filter((x) => x.d.ai);
const asCorpusTools = (tools: readonly string[]) => [...new Set(tools.map((t) => (CORPUS_TOOLS.has(t) ? t : "Other")))].sort();
const attributed = found.filter((x) => JSON.stringify(asCorpusTools(x.d.tools)) === JSON.stringify([...x.row.tools].sort()));

describe("the detector on real history (shared/corpus)", () => {
  it("reads the whole corpus", () => {
    expect(rows.length).toBe(2911);
    expect(ai.length).toBe(1041);
  });

  it("finds at least 99% of the AI-authored commits", () => {
    const missed = ai.filter((x) => !x.d.ai).map((x) => `${x.row.repo}@${x.row.sha.slice(0, 10)}: ${x.row.why}`);
    expect({ recall: found.length / ai.length >= 0.99, missed: missed.slice(0, 20) }).toEqual({ recall: true, missed: expect.any(Array) });
  });

  it("never flags a human commit (0 false positives)", () => {
    const report = falsePositives.map((x) => `${x.row.repo}@${x.row.sha.slice(0, 10)} (${x.row.why}): ${x.d.evidence.map((e) => `${e.rule} ${e.match}`).join("; ")}`);
    expect(report).toEqual([]);
  });

  it("names the right tools for at least 97% of the commits it finds", () => {
    const wrong = found
      .filter((x) => !attributed.includes(x))
      .map((x) => `${x.row.sha.slice(0, 10)} expected ${x.row.tools.join("+")} got ${x.d.tools.join("+")}`);
    expect({ ok: attributed.length / found.length >= 0.97, wrong: wrong.slice(0, 20) }).toEqual({ ok: true, wrong: expect.any(Array) });
  });

  it("keeps evidence for every finding, naming rule, tool, field and matched text", () => {
    for (const x of found) {
      expect(x.d.evidence.length).toBeGreaterThan(0);
      for (const e of x.d.evidence) {
        expect(e.rule).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+$/);
        expect(e.match.length).toBeGreaterThan(0);
      }
    }
  });

  afterAll(() => {
    const perTool = new Map<string, { total: number; found: number }>();
    for (const x of ai) {
      for (const t of x.row.tools) {
        const s = perTool.get(t) ?? { total: 0, found: 0 };
        s.total++;
        if (x.d.ai) s.found++;
        perTool.set(t, s);
      }
    }
    const lines = [...perTool.entries()].sort((a, b) => b[1].total - a[1].total).map(([t, s]) => `  ${t.padEnd(15)} ${String(s.found).padStart(4)} / ${String(s.total).padEnd(4)}`);
    process.stdout.write(
      `corpus: recall ${found.length}/${ai.length} (${((100 * found.length) / ai.length).toFixed(2)}%), ` +
        `false positives ${falsePositives.length}/${human.length}, tools exact ${attributed.length}/${found.length} (${((100 * attributed.length) / found.length).toFixed(2)}%)\n${lines.join("\n")}\n`,
    );
  });
});
