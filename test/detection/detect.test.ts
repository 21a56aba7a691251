import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { createDetector, DEFAULT_DETECTION_CONFIG, parsePerson, type CommitFacts } from "../../src/detection/detect.js";
import { DetectionConfigSchema, parseDetectionConfig } from "../../src/detection/config.js";
import { IDENTITY_RULES, LINE_RULES, PR_BODY_RULES, SUBJECT_RULES, TRAILER_RULES } from "../../src/detection/catalog.js";

const alice = { name: "Alice Example", email: "alice@example.com" };
const detector = createDetector();

function commit(message: string, author = alice, committer = author): CommitFacts {
  return { message, author, committer };
}
const detect = (message: string, author = alice, committer = author) => detector.commit(commit(message, author, committer));

describe("trailer signals", () => {
  const cases: [string, string, string][] = [
    ["Claude Code (model-named co-author)", "Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>", "Claude Code"],
    ["Claude Code (1M context variant)", "Co-Authored-By: Claude Opus 5 (1M context) <noreply@anthropic.com>", "Claude Code"],
    ["Claude Code session", "Claude-Session: https://claude.ai/code/session_01ABC", "Claude Code"],
    ["Copilot coding agent logs", "Agent-Logs-Url: https://github.com/o/r/sessions/0b9f2f9e-1111-2222-3333-444455556666", "GitHub Copilot"],
    ["Copilot Autofix", "Co-authored-by: Copilot Autofix powered by AI <175728472+Copilot@users.noreply.github.com>", "GitHub Copilot"],
    ["Copilot CLI", "Co-authored-by: Copilot <223556219+Copilot@users.noreply.github.com>", "GitHub Copilot"],
    ["VS Code Copilot", "Co-authored-by: Copilot <copilot@github.com>", "GitHub Copilot"],
    ["Codex", "Co-authored-by: Codex <noreply@openai.com>", "OpenAI Codex"],
    ["Jules", "Co-authored-by: google-labs-jules[bot] <161369871+google-labs-jules[bot]@users.noreply.github.com>", "Jules"],
    ["Gemini Code Assist", "Co-authored-by: gemini-code-assist[bot] <176961590+gemini-code-assist[bot]@users.noreply.github.com>", "Gemini"],
    ["Gemini self sign-off", "Signed-off-by: Gemini, your friendly neighborhood code agent.", "Gemini"],
    ["Devin", "Co-Authored-By: Devin <158243242+devin-ai-integration[bot]@users.noreply.github.com>", "Devin"],
    ["Cursor made-with", "Made-with: Cursor", "Cursor"],
    ["Cursor agent co-author", "Co-authored-by: Cursor Agent <cursoragent@cursor.com>", "Cursor"],
    ["Aider", "Co-authored-by: aider (gpt-5) <aider@aider.chat>", "Aider"],
    ["Aider (noreply@aider.dev)", "Co-authored-by: aider (vertex_ai/gemini-2.5-pro) <noreply@aider.dev>", "Aider"],
    ["OpenHands", "Co-authored-by: openhands <openhands@all-hands.dev>", "OpenHands"],
    ["OpenHands without angle brackets", "Co-authored-by: OpenHands-Gemini openhands@all-hands.dev", "OpenHands"],
    ["Amp thread", "Amp-Thread-ID: https://ampcode.com/threads/T-1234", "Amp"],
    ["Factory", "Co-authored-by: factory-droid[bot] <138933559+factory-droid[bot]@users.noreply.github.com>", "Factory"],
    ["Codegen", "Co-authored-by: codegen-sh[bot] <131295404+codegen-sh[bot]@users.noreply.github.com>", "Codegen"],
    ["OpenCode", "Co-Authored-By: opencode <noreply@opencode.ai>", "OpenCode"],
    ["Cline", "Co-Authored-By: Cline <noreply@cline.bot>", "Cline"],
    ["Replit Agent", "Replit-Commit-Author: Agent", "Replit Agent"],
    ["Amazon Q / Kiro", "Co-authored-by: Kiro Agent <244629292+kiro-agent@users.noreply.github.com>", "Amazon Q"],
    ["Sweep", "Co-authored-by: sweep-ai[bot] <128439645+sweep-ai[bot]@users.noreply.github.com>", "Sweep"],
    ["Assisted-by (kernel style)", "Assisted-by: gemini-cli:gemini-2.5-pro", "Gemini"],
    ["Assisted-by (unknown agent)", "Assisted-by: SomeAgent:model-7", "Other"],
    ["Generated-by (ASF)", "Generated-by: GitHub Copilot", "GitHub Copilot"],
    ["claude-code-action with the github-actions id", "Co-authored-by: claude[bot] <41898282+claude[bot]@users.noreply.github.com>", "Claude Code"],
  ];
  it.each(cases)("%s", (_name, trailer, tool) => {
    const d = detect(`Fix the widget\n\nLonger explanation of the change.\n\n${trailer}\n`);
    expect(d.ai).toBe(true);
    expect(d.tools).toEqual([tool]);
    expect(d.evidence[0]).toEqual(expect.objectContaining({ field: "trailer", tool, match: expect.stringContaining(trailer.split(":")[0] ?? "") }));
  });

  it("ignores a trailer-looking sentence in the middle of the body", () => {
    const d = detect("Credit where due\n\nCo-authored-by: Claude <noreply@anthropic.com>\nwas how the bot signed it, which we removed.\nMore prose here that is not a trailer.\n\nSigned-off-by: Alice Example <alice@example.com>\n");
    expect(d.ai).toBe(false);
  });

  it("never treats the title as a trailer", () => {
    expect(detect("Made-with: Cursor\n").ai).toBe(false);
  });

  it("reads the co-author block of a GitHub squash merge", () => {
    const d = detect("Add retries (#42)\n\n* add retry loop\n\n* tests\n\n---------\n\nCo-authored-by: Bob Example <bob@example.com>\nCo-authored-by: Claude <noreply@anthropic.com>\n");
    expect(d.tools).toEqual(["Claude Code"]);
    expect(d.humans.map((h) => h.email)).toEqual(["alice@example.com", "bob@example.com"]);
  });

  it("treats Made-with for other tools and a Replit deployment as human", () => {
    expect(detect("x\n\nMade-with: Vim\n").ai).toBe(false);
    expect(detect("x\n\nReplit-Commit-Author: Deployment\n").ai).toBe(false);
  });
});

describe("identity signals", () => {
  it.each([
    ["Copilot coding agent", { name: "copilot-swe-agent[bot]", email: "198982749+Copilot@users.noreply.github.com" }, "GitHub Copilot"],
    ["Claude Code on the web", { name: "Claude", email: "noreply@anthropic.com" }, "Claude Code"],
    ["Jules", { name: "google-labs-jules[bot]", email: "161369871+google-labs-jules[bot]@users.noreply.github.com" }, "Jules"],
    ["Devin", { name: "Devin AI", email: "158243242+devin-ai-integration[bot]@users.noreply.github.com" }, "Devin"],
    ["Cursor cloud agent", { name: "Cursor Agent", email: "cursoragent@cursor.com" }, "Cursor"],
    ["Aider attribute-author", { name: "Paul Example (aider)", email: "paul@example.com" }, "Aider"],
    ["OpenHands unconfigured", { name: "openhands", email: "openhands@all-hands.dev" }, "OpenHands"],
    ["Replit agent", { name: "Replit Agent", email: "agent@replit.com" }, "Replit Agent"],
    ["Replit user noreply", { name: "someone", email: "someone@users.noreply.replit.com" }, "Replit Agent"],
    ["Codegen", { name: "codegen-sh[bot]", email: "131295404+codegen-sh[bot]@users.noreply.github.com" }, "Codegen"],
    ["Codex", { name: "Codex", email: "codex@openai.com" }, "OpenAI Codex"],
  ])("%s as author", (_name, author, tool) => {
    const d = detect("Change things\n", author, alice);
    expect(d.ai).toBe(true);
    expect(d.tools).toEqual([tool]);
    expect(d.evidence[0]).toEqual(expect.objectContaining({ field: "author" }));
    // The human committer is the accountable person; the agent is not a human.
    expect(d.humans).toEqual([expect.objectContaining({ email: "alice@example.com", roles: ["committer"] })]);
  });

  it("matches bot accounts by id and by login, but never a human account with a bot's login", () => {
    expect(detector.identity({ login: "claude[bot]" }, "pr-author")?.tool).toBe("Claude Code");
    expect(detector.identity({ login: "claude", type: "Bot" }, "pr-author")?.tool).toBe("Claude Code");
    expect(detector.identity({ login: "claude", type: "User" }, "pr-author")).toBeUndefined();
    expect(detector.identity({ login: "Copilot", type: "Bot", id: 198982749 }, "pr-author")?.tool).toBe("GitHub Copilot");
    expect(detector.identity({ login: "Copilot", type: "User" }, "pr-author")).toBeUndefined();
    expect(detector.identity({ login: "renamed-bot", type: "Bot", id: 161369871 }, "pr-author")?.tool).toBe("Jules");
  });

  it("does not flag vendor staff, people named like tools, or other automation", () => {
    const people = [
      { name: "Jules Randolph", email: "jules@example.com" },
      { name: "Dev In", email: "someone@anthropic.com" },
      { name: "Staff", email: "john@cline.bot" },
      { name: "Paul", email: "aider@paulg.org" },
      { name: "dependabot[bot]", email: "49699333+dependabot[bot]@users.noreply.github.com" },
      { name: "GitHub", email: "noreply@github.com" },
      { name: "gemini-cli-robot", email: "gemini-cli-robot@google.com" },
      { name: "Eric", email: "roo-code@z.example.org" },
    ];
    for (const p of people) expect(detect("Normal change\n\nBody.\n", p).ai).toBe(false);
    expect(detect("Normal change\n\nSigned-off-by: Gemini Smith <g@example.com>\n").ai).toBe(false);
  });
});

describe("footers and subjects", () => {
  it.each([
    ["🤖 Generated with [Claude Code](https://claude.ai/code)", "Claude Code"],
    ["🤖 Generated with [Claude Code](https://claude.com/claude-code)", "Claude Code"],
    ["🤖 Generated with Claude Code", "Claude Code"],
    ["Generated with [Devin](https://devin.ai)", "Devin"],
    ["🤖 Generated with [opencode](https://opencode.ai)", "OpenCode"],
    ["🤖 Generated with [Cline](https://docs.cline.bot)", "Cline"],
  ])("%s", (footer, tool) => {
    const d = detect(`Do the thing\n\nBody.\n\n${footer}\n`);
    expect(d.tools).toEqual([tool]);
    expect(d.evidence[0]).toEqual({ rule: expect.any(String), tool, field: "footer", match: footer });
  });

  it("does not count a footer quoted inside a sentence", () => {
    expect(detect("Docs\n\nThe bot adds '🤖 Generated with [Claude Code](https://claude.ai/code)' to commits.\n").ai).toBe(false);
  });

  it("recognises early Aider commits by subject and transcript, not the word alone", () => {
    expect(detect("aider: Added foo\n\n# Aider chat conversation:\n\nUSER: add foo\n").tools).toEqual(["Aider"]);
    expect(detect("aider: fix typo in docs\n").ai).toBe(false);
    expect(detect("Update docs\n\n# Aider chat conversation:\n\nexample transcript\n").ai).toBe(false);
  });
});

describe("humans accountable for a commit", () => {
  it("lists author, committer and human co-authors once each, with their roles", () => {
    const d = detect("Pair work\n\nBody.\n\nCo-authored-by: Bob Example <bob@example.com>\nCo-Authored-By: Claude <noreply@anthropic.com>\nCo-authored-by: Bob Example <BOB@example.com>\n", alice, alice);
    expect(d.ai).toBe(true);
    expect(d.humans).toEqual([
      { name: "Alice Example", email: "alice@example.com", roles: ["author", "committer"] },
      { name: "Bob Example", email: "bob@example.com", roles: ["co-author"] },
    ]);
  });

  it("a human co-author alone is never AI", () => {
    const d = detect("Pair work\n\nCo-authored-by: Bob Example <bob@example.com>\n");
    expect(d.ai).toBe(false);
    expect(d.humans.map((h) => h.email)).toEqual(["alice@example.com", "bob@example.com"]);
  });

  it("leaves out GitHub's web-flow committer and bots", () => {
    const d = detect("Merge\n\nCo-authored-by: renovate[bot] <29139614+renovate[bot]@users.noreply.github.com>\n", alice, { name: "GitHub", email: "noreply@github.com" });
    expect(d.humans.map((h) => h.email)).toEqual(["alice@example.com"]);
  });
});

describe("pull requests", () => {
  const human = detect("Human change\n");
  const ai = detect("AI change\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n");

  it("combines the PR author, body markers, labels and commits", () => {
    const pr = detector.pullRequest({ author: { login: "Copilot", type: "Bot", id: 198982749 }, body: "Fixes #1\n\n<!-- START COPILOT CODING AGENT SUFFIX -->\n", labels: ["AI-Generated", "bug"] }, [human, ai]);
    expect(pr.ai).toBe(true);
    expect(pr.aiCommits).toEqual([1]);
    expect(pr.evidence.map((e) => [e.field, e.tool])).toEqual([
      ["pr-author", "GitHub Copilot"],
      ["pr-body", "GitHub Copilot"],
      ["pr-label", "Other"],
    ]);
    expect(pr.tools).toEqual(["GitHub Copilot", "Other", "Claude Code"]);
  });

  it.each([
    ["[Codex Task](https://chatgpt.com/codex/tasks/task_e_123)", "OpenAI Codex"],
    ["*PR created automatically by Jules for task [123](https://jules.google.com/task/123) started by @alice*", "Jules"],
    ["Link to Devin run: https://app.devin.ai/sessions/abc\nRequested by: Alice", "Devin"],
    ["<!-- CURSOR_AGENT_PR_BODY_BEGIN -->", "Cursor"],
    ["🤖 Generated with [Claude Code](https://claude.com/claude-code)", "Claude Code"],
  ])("PR body marker %s", (body, tool) => {
    const pr = detector.pullRequest({ author: { login: "alice", type: "User" }, body, labels: [] }, [human]);
    expect(pr.ai).toBe(true);
    expect(pr.evidence).toEqual([expect.objectContaining({ field: "pr-body", tool })]);
  });

  it("a human PR of human commits is not AI", () => {
    const pr = detector.pullRequest({ author: { login: "alice", type: "User" }, body: "We discussed Claude Code in the meeting.", labels: ["enhancement"] }, [human]);
    expect(pr).toEqual({ ai: false, tools: [], evidence: [], aiCommits: [] });
  });
});

describe("detection config", () => {
  it("has the same defaults in the detector and the schema", () => {
    expect(DetectionConfigSchema.parse(undefined)).toEqual(DEFAULT_DETECTION_CONFIG);
  });

  it("adds trailers, identities, body markers and labels, and ignores identities", () => {
    const parsed = parseDetectionConfig({
      trailers: [{ key: "X-AI-Agent", tool: "Acme Agent" }, { key: "Tool", value_contains: "acmebot", tool: "Acme Agent" }],
      identities: [{ email: "agent@acme.test", tool: "Acme Agent" }, { login: "acme-agent[bot]", tool: "Acme Agent" }],
      ignore: [{ email: "noreply@anthropic.com" }],
      pr_body: [{ contains: "Made by AcmeBot", tool: "Acme Agent" }],
      labels: ["robot"],
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const custom = createDetector(parsed.value);
    expect(custom.commit(commit("x\n\nX-AI-Agent: v2\n")).tools).toEqual(["Acme Agent"]);
    expect(custom.commit(commit("x\n\nTool: AcmeBot 3\n")).tools).toEqual(["Acme Agent"]);
    expect(custom.commit(commit("x\n\nTool: vim\n")).ai).toBe(false);
    expect(custom.commit(commit("x\n", { name: "Agent", email: "AGENT@acme.test" })).tools).toEqual(["Acme Agent"]);
    expect(custom.commit(commit("x\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n")).ai).toBe(false);
    expect(custom.identity({ login: "acme-agent[bot]" }, "pr-author")?.tool).toBe("Acme Agent");
    const pr = custom.pullRequest({ author: { login: "alice" }, body: "Made by AcmeBot v1", labels: ["Robot"] }, []);
    expect(pr.evidence.map((e) => e.field)).toEqual(["pr-body", "pr-label"]);
  });

  it("switches built-in rules off by id", () => {
    const parsed = parseDetectionConfig({ disable_rules: ["cursor/made-with"] });
    if (!parsed.ok) throw new Error("unexpected");
    expect(createDetector(parsed.value).commit(commit("x\n\nMade-with: Cursor\n")).ai).toBe(false);
  });

  it("names every problem with its path and what to do", () => {
    const parsed = parseDetectionConfig({
      trailers: [{ key: "Bad Key", tool: "X" }],
      identities: [{ tool: "X" }],
      disable_rules: ["no/such-rule"],
      label: ["typo"],
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toEqual(
      expect.arrayContaining([
        { path: "detection", message: "unknown key 'label': remove it or check the spelling" },
        { path: "detection.trailers[0].key", message: expect.stringContaining("letters, digits and '-'") },
        { path: "detection.identities[0]", message: "give at least one of email, login, id or name" },
        { path: "detection.disable_rules[0]", message: expect.stringContaining("unknown rule id 'no/such-rule'") },
      ]),
    );
  });

  it("rejects non-objects without throwing", () => {
    for (const bad of [42, "yes", [1], { trailers: "x" }, { identities: [{ email: 5, tool: "x" }] }]) {
      const parsed = parseDetectionConfig(bad);
      expect(parsed.ok).toBe(false);
    }
  });
});

describe("the catalog", () => {
  const all = [...IDENTITY_RULES, ...TRAILER_RULES, ...LINE_RULES, ...SUBJECT_RULES, ...PR_BODY_RULES];
  it("has unique rule ids, each with a source", () => {
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    for (const r of all) expect(r.source.length).toBeGreaterThan(5);
  });

  it("covers every tool with a verified marker in the reference", () => {
    const tools = new Set([...IDENTITY_RULES, ...LINE_RULES, ...SUBJECT_RULES, ...PR_BODY_RULES].map((r) => r.tool).concat(TRAILER_RULES.flatMap((r) => (r.tool ? [r.tool] : []))));
    for (const t of ["Claude Code", "GitHub Copilot", "OpenAI Codex", "Jules", "Gemini", "Devin", "Cursor", "Aider", "OpenHands", "Amp", "Factory", "Codegen", "OpenCode", "Cline", "Replit Agent", "Amazon Q", "Sweep"]) {
      expect(tools).toContain(t);
    }
  });
});

describe("robustness", () => {
  it("never throws, and a commit without evidence is never AI", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), fc.string(), fc.string(), (message, name, email) => {
        const d = detector.commit({ message, author: { name, email }, committer: { name, email } });
        expect(d.ai).toBe(d.evidence.length > 0);
      }),
      { numRuns: 500, seed: 42 },
    );
  });

  it("parses people in trailers", () => {
    expect(parsePerson("Claude <noreply@anthropic.com>")).toEqual({ name: "Claude", email: "noreply@anthropic.com" });
    expect(parsePerson("OpenHands-Gemini openhands@all-hands.dev")).toEqual({ name: "OpenHands-Gemini", email: "openhands@all-hands.dev" });
    expect(parsePerson("Gemini, your friendly neighborhood code agent.")).toEqual({ name: "Gemini, your friendly neighborhood code agent.", email: "" });
  });
});
