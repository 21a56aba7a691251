/**
 * The synthetic history for the scan benchmark: a bare repository of N commits, written by ONE
 * `git fast-import` process, mixing every AI tool's markers (as each tool writes them) with human
 * commits of realistic shapes. Deterministic: the same GENERATOR_VERSION and commit count always
 * give the same commits, the same SHAs and the same expected answer.
 *
 * Bump GENERATOR_VERSION whenever the output of this file changes: the cache is keyed on it.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const GENERATOR_VERSION = 1;

/** The environment every git process of the benchmark runs in: no system or user config. */
export const CLEAN_GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_TERMINAL_PROMPT: "0",
  GIT_PAGER: "cat",
  LC_ALL: "C",
  LANG: "C",
};

const AI_SHARE = 0.3;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** mulberry32: small, fast, good enough for test data. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeRandom(seed) {
  const next = prng(seed);
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (list) => list[Math.floor(next() * list.length)];
  const chance = (p) => next() < p;
  const hex = (n) => {
    let s = "";
    for (let i = 0; i < n; i++) s += "0123456789abcdef"[Math.floor(next() * 16)];
    return s;
  };
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(["8", "9", "a", "b"])}${hex(3)}-${hex(12)}`;
  const alnum = (n) => {
    const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let s = "";
    for (let i = 0; i < n; i++) s += chars[Math.floor(next() * chars.length)];
    return s;
  };
  return { next, int, pick, chance, hex, uuid, alnum };
}

// ---------------------------------------------------------------------------------------------
// People

const HUMANS = [
  ["Alice Johnson", "alice@example.com"],
  ["Bob Smith", "bob.smith@example.org"],
  ["Carol Nguyen", "carol@nguyen.dev"],
  ["Dave O'Brien", "dobrien@example.net"],
  ["Eve Martin", "eve.martin@corp.example"],
  ["Frank Li", "frank.li@example.com"],
  ["Grace Hopper", "grace@navy.example"],
  ["Heidi Schmidt", "heidi@example.de"],
  ["Ivan Petrov", "ivan.petrov@example.ru"],
  ["Judy Okafor", "judy.okafor@example.ng"],
  ["Mallory Chen", "mchen@example.com"],
  ["Niaj Patel", "niaj@patel.example"],
  ["Olivia Brown", "obrown@example.co.uk"],
  ["Peggy Wang", "peggy.wang@example.cn"],
  ["Rupert Evans", "rupert@example.com"],
  ["Sybil Adams", "sybil.adams@example.com"],
  ["Trent Walker", "twalker@example.io"],
  ["Victor Hugo", "victor@example.fr"],
  ["Walter White", "walter@example.com"],
  ["Xavier Dupont", "xavier.dupont@example.fr"],
  // Non-ASCII names.
  ["José García", "jose.garcia@example.es"],
  ["Zoë Brontë", "zoe@bronte.example"],
  ["Łukasz Wiśniewski", "lukasz@example.pl"],
  ["Søren Kierkegaard", "soren@example.dk"],
  ["山田太郎", "taro.yamada@example.jp"],
  ["Дмитрий Иванов", "dmitry@example.ru"],
  ["François Müller", "francois.muller@example.ch"],
  ["Nguyễn Văn An", "an.nguyen@example.vn"],
  ["Ayşe Yılmaz", "ayse@example.com.tr"],
  ["Björk Guðmundsdóttir", "bjork@example.is"],
  ["محمد علي", "mohamed.ali@example.eg"],
  ["김민준", "minjun.kim@example.kr"],
  // GitHub noreply addresses of people (logins that are no agent's).
  ["octo-dev", "583231+octo-dev@users.noreply.github.com"],
  ["Priya Raman", "40112233+priyaraman@users.noreply.github.com"],
  ["Tomás Ferreira", "tferreira@users.noreply.github.com"],
  ["Hana Novak", "77001234+hnovak@users.noreply.github.com"],
];

/** GitHub's web-flow committer (squash merges, web edits): automation, neither human nor AI. */
const WEB_FLOW = ["GitHub", "noreply@github.com"];

const TIMEZONES = ["+0000", "+0100", "+0200", "-0500", "-0700", "+0530", "+0900", "-0300", "+1000"];

// ---------------------------------------------------------------------------------------------
// Words

const VERBS = ["fix", "add", "remove", "refactor", "update", "rename", "simplify", "document", "handle", "support", "avoid", "cache", "validate", "split", "extract", "inline", "guard", "log", "test", "bump"];
const THINGS = ["parser", "config loader", "retry logic", "token refresh", "the CLI help", "error messages", "rate limiter", "webhook handler", "trailer parsing", "date formatting", "the release script", "unicode names", "empty input", "the cache key", "path handling on Windows", "the README", "flaky test", "CI matrix", "memory leak in stream", "timeout handling", "sorting of results", "pagination", "the lockfile", "TLS options", "signal handling"];
const SCOPES = ["core", "cli", "api", "deps", "docs", "ci", "git", "parser", "app", "build", "test", "config"];
const TYPES = ["fix", "feat", "chore", "docs", "refactor", "test", "perf", "build", "ci"];
const WORDS = (
  "the a an this that when if because so we it is was be not only also now still then which while " +
  "function value request response cache buffer stream record field commit branch message error " +
  "handle return call check parse read write flush close open retry wait timeout limit size count " +
  "user config option default path file directory module test case fixture output input line byte " +
  "slow fast small large empty missing broken correct wrong previous next first last every each " +
  "instead before after during until since although however therefore otherwise meanwhile " +
  "upstream downstream release version patch minor major behaviour regression performance memory"
).split(" ");

const FILES = [
  "src/index.ts", "src/cli.ts", "src/config.ts", "src/parser.ts", "src/cache.ts", "src/retry.ts", "src/log.ts",
  "src/util/strings.ts", "src/util/paths.ts", "src/util/time.ts", "src/api/client.ts", "src/api/routes.ts",
  "test/parser.test.ts", "test/cache.test.ts", "test/cli.test.ts", "test/fixtures/sample.json",
  "docs/README.md", "docs/usage.md", "docs/config.md", "CHANGELOG.md", "package.json", ".github/workflows/ci.yml",
];

function sentence(r, min = 5, max = 16) {
  const n = r.int(min, max);
  const words = [];
  for (let i = 0; i < n; i++) words.push(r.pick(WORDS));
  const s = words.join(" ");
  return `${s[0].toUpperCase()}${s.slice(1)}.`;
}

/** A paragraph wrapped at 72 columns. */
function paragraph(r, lines) {
  const out = [];
  let line = "";
  while (out.length < lines) {
    for (const word of sentence(r).split(" ")) {
      if (line.length + word.length + 1 > 72) {
        out.push(line);
        line = "";
        if (out.length >= lines) break;
      }
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  return out.join("\n");
}

/** A body of about `lines` lines: paragraphs, sometimes a bullet list, sometimes indented code. */
function body(r, lines) {
  const parts = [];
  let left = lines;
  while (left > 0) {
    const kind = r.next();
    if (kind < 0.6 || left < 3) {
      const n = Math.min(left, r.int(1, 6));
      parts.push(paragraph(r, n));
      left -= n;
    } else if (kind < 0.85) {
      const n = Math.min(left, r.int(2, 6));
      const items = [];
      for (let i = 0; i < n; i++) items.push(`- ${sentence(r, 3, 9)}`);
      parts.push(items.join("\n"));
      left -= n;
    } else {
      const n = Math.min(left, r.int(2, 5));
      const code = [];
      for (let i = 0; i < n; i++) code.push(`    ${r.pick(["const", "let", "return", "if (x)", "await"])} ${r.pick(WORDS)}(${r.pick(WORDS)});`);
      parts.push(code.join("\n"));
      left -= n;
    }
  }
  return parts.join("\n\n");
}

function subject(r) {
  const style = r.next();
  const what = `${r.pick(VERBS)} ${r.pick(THINGS)}`;
  if (style < 0.5) return `${r.pick(TYPES)}(${r.pick(SCOPES)}): ${what}`;
  if (style < 0.8) return what[0].toUpperCase() + what.slice(1);
  if (style < 0.9) return `${r.pick(TYPES)}: ${what} (#${r.int(10, 4999)})`;
  return `${what[0].toUpperCase() + what.slice(1)} when ${r.pick(WORDS)} is ${r.pick(["empty", "null", "missing", "too large", "stale"])}`;
}

/** Human body length: mostly short, often 1–30 lines, a few long ones. */
function bodyLines(r) {
  const x = r.next();
  if (x < 0.3) return 0;
  if (x < 0.96) return r.int(1, 30);
  return r.int(60, 160);
}

const person = ([name, email]) => `${name} <${email}>`;

function otherHumans(r, count, not) {
  const out = [];
  while (out.length < count) {
    const h = r.pick(HUMANS);
    if (h !== not && !out.includes(h)) out.push(h);
  }
  return out;
}

/** Joins non-empty paragraphs with blank lines, ending in one newline (as `git commit` writes them). */
function message(...paragraphs) {
  return `${paragraphs.filter((p) => p !== undefined && p !== "").join("\n\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// Human commits

function humanCommit(r) {
  const author = r.pick(HUMANS);
  let committer = author;
  const kind = r.next();
  const trailers = [];
  let text;

  if (kind < 0.1) {
    // Squash merge from GitHub: bullets of the squashed commits, a dashed line, co-authors.
    committer = WEB_FLOW;
    const bullets = [];
    for (let i = 0, n = r.int(2, 8); i < n; i++) {
      bullets.push(`* ${subject(r)}`);
      if (r.chance(0.3)) bullets.push("", paragraph(r, r.int(1, 3)));
      bullets.push("");
    }
    const co = otherHumans(r, r.int(1, 3), author).map((h) => `Co-authored-by: ${person(h)}`);
    text = message(`${subject(r)} (#${r.int(100, 9999)})`, bullets.join("\n").trimEnd(), "---------", co.join("\n"));
  } else if (kind < 0.16) {
    // Merge-style messages.
    const which = r.next();
    committer = r.chance(0.5) ? WEB_FLOW : author;
    if (which < 0.5) text = message(`Merge pull request #${r.int(100, 9999)} from ${r.pick(["octo-dev", "priyaraman", "hnovak", "jgarcia"])}/${r.pick(VERBS)}-${r.pick(SCOPES)}`, subject(r));
    else if (which < 0.8) text = message(`Merge branch '${r.pick(["main", "develop", "release/2.x"])}' into ${r.pick(VERBS)}-${r.pick(SCOPES)}`);
    else text = message(`Merge remote-tracking branch 'origin/main'`, `# Conflicts:\n#\tsrc/${r.pick(SCOPES)}.ts`);
  } else if (kind < 0.2) {
    // Near misses: look like AI markers to a careless reader; the detector must not flag them.
    const which = r.int(0, 5);
    const s = subject(r);
    if (which === 0) text = message(s, paragraph(r, 3), `Co-authored-by: Sam Park <sam.park@anthropic.com>`); // a person at a vendor
    else if (which === 1) text = message(s, paragraph(r, 2), "Made-with: Vim");
    else if (which === 2) text = message(s, "Replit-Commit-Author: Deployment");
    else if (which === 3) text = message(`aider: ${r.pick(THINGS)}`, paragraph(r, 2)); // subject only, no transcript
    else if (which === 4) text = message(s, `We tried ${r.pick(["Copilot", "Claude Code", "Cursor"])} for this first, then rewrote it by hand.`, paragraph(r, 3));
    else text = message(s, paragraph(r, 2), `Co-authored-by: Devin Miller <devin.miller@example.com>`);
  } else {
    const n = bodyLines(r);
    const parts = [subject(r)];
    if (n > 0) parts.push(body(r, n));
    if (r.chance(0.15)) trailers.push(...otherHumans(r, r.int(1, 2), author).map((h) => `Co-authored-by: ${person(h)}`));
    if (r.chance(0.15)) trailers.push(`Signed-off-by: ${person(author)}`);
    if (r.chance(0.05)) trailers.push(`Reviewed-by: ${person(r.pick(HUMANS))}`);
    if (r.chance(0.08)) trailers.push(`Fixes: #${r.int(1, 4000)}`);
    if (r.chance(0.05)) trailers.push(`Refs: https://example.com/issues/${r.int(1, 4000)}`);
    if (r.chance(0.08)) committer = r.pick(HUMANS);
    parts.push(trailers.join("\n"));
    text = message(...parts);
  }
  return { author, committer, text, tools: [] };
}

// ---------------------------------------------------------------------------------------------
// AI commits: each tool's markers as the tool writes them. `tools` is what the detector must report.

const COPILOT_AGENT = ["copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com"];
const JULES = ["google-labs-jules[bot]", "161369871+google-labs-jules[bot]@users.noreply.github.com"];
const DEVIN = ["Devin AI", "158243242+devin-ai-integration[bot]@users.noreply.github.com"];
const CURSOR_AGENT = ["Cursor Agent", "cursoragent@cursor.com"];
const OPENHANDS = ["openhands", "openhands@all-hands.dev"];

/** The body an agent tends to write: a summary and a bullet list of changes. */
function agentBody(r) {
  const parts = [];
  if (r.chance(0.7)) parts.push(paragraph(r, r.int(1, 4)));
  if (r.chance(0.7)) {
    const items = [];
    for (let i = 0, n = r.int(2, 7); i < n; i++) items.push(`- ${sentence(r, 4, 12)}`);
    parts.push(items.join("\n"));
  }
  return parts.join("\n\n");
}

const AI_KINDS = [
  {
    tool: "Claude Code",
    weight: 6,
    make(r, human) {
      const model = r.pick(["Claude Opus 4.5", "Claude Sonnet 4.5", "Claude", "Claude Opus 4.6 (1M context)"]);
      const trailers = [`Co-Authored-By: ${model} <noreply@anthropic.com>`];
      if (r.chance(0.2)) trailers.unshift(`Signed-off-by: ${person(human)}`);
      const footer = r.chance(0.8) ? "🤖 Generated with [Claude Code](https://claude.com/claude-code)" : undefined;
      return { author: human, text: message(subject(r), agentBody(r), footer, trailers.join("\n")) };
    },
  },
  {
    tool: "Claude Code",
    weight: 2,
    make(r, human) {
      return { author: human, text: message(subject(r), agentBody(r), `Claude-Session: https://claude.ai/code/session_01${r.alnum(22)}`) };
    },
  },
  {
    tool: "GitHub Copilot",
    weight: 4,
    make(r, human) {
      const s = r.chance(0.3) ? "Initial plan" : subject(r);
      const trailers = [`Co-authored-by: ${person(human)}`, `Agent-Logs-Url: https://github.com/o/r/sessions/${r.uuid()}`];
      return { author: COPILOT_AGENT, committer: COPILOT_AGENT, text: message(s, s === "Initial plan" ? "" : agentBody(r), trailers.join("\n")) };
    },
  },
  {
    tool: "GitHub Copilot",
    weight: 2,
    make(r, human) {
      return { author: human, committer: WEB_FLOW, text: message(subject(r), "Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>") };
    },
  },
  {
    tool: "OpenAI Codex",
    weight: 3,
    make(r, human) {
      return { author: human, text: message(subject(r), agentBody(r), "Co-authored-by: Codex <noreply@openai.com>") };
    },
  },
  {
    tool: "Jules",
    weight: 2,
    make(r) {
      return { author: JULES, committer: r.chance(0.5) ? JULES : WEB_FLOW, text: message(subject(r), agentBody(r)) };
    },
  },
  {
    tool: "Gemini",
    weight: 2,
    make(r, human) {
      return { author: human, committer: WEB_FLOW, text: message(subject(r), "Co-authored-by: gemini-code-assist[bot] <176961590+gemini-code-assist[bot]@users.noreply.github.com>") };
    },
  },
  {
    tool: "Devin",
    weight: 2,
    make(r) {
      return { author: DEVIN, text: message(subject(r), agentBody(r)) };
    },
  },
  {
    tool: "Cursor",
    weight: 2,
    make(r, human) {
      return { author: human, text: message(subject(r), agentBody(r), "Made-with: Cursor") };
    },
  },
  {
    tool: "Cursor",
    weight: 1,
    make(r, human) {
      const trailers = [`Co-authored-by: ${person(human)}`];
      if (r.chance(0.5)) trailers.unshift("Made-with: Cursor");
      return { author: CURSOR_AGENT, text: message(subject(r), agentBody(r), trailers.join("\n")) };
    },
  },
  {
    tool: "Aider",
    weight: 2,
    make(r, human) {
      const [name, email] = human;
      if (r.chance(0.5)) return { author: [`${name} (aider)`, email], text: message(subject(r), agentBody(r)) };
      return { author: human, text: message(subject(r), agentBody(r), `Co-authored-by: aider (${r.pick(["gpt-5", "claude-sonnet-4-5", "deepseek/deepseek-chat"])}) <aider@aider.chat>`) };
    },
  },
  {
    tool: "OpenHands",
    weight: 1,
    make(r, human) {
      if (r.chance(0.5)) return { author: OPENHANDS, text: message(subject(r), agentBody(r)) };
      return { author: human, text: message(subject(r), agentBody(r), `Co-authored-by: ${person(OPENHANDS)}`) };
    },
  },
  {
    tool: "Amp",
    weight: 1,
    make(r, human) {
      return { author: human, text: message(subject(r), agentBody(r), `Amp-Thread-ID: https://ampcode.com/threads/T-${r.uuid()}\nCo-authored-by: Amp <amp@ampcode.com>`) };
    },
  },
  {
    tool: "Factory",
    weight: 1,
    make(r, human) {
      return { author: human, text: message(subject(r), agentBody(r), "Co-authored-by: factory-droid[bot] <138933559+factory-droid[bot]@users.noreply.github.com>") };
    },
  },
  {
    tool: "OpenCode",
    weight: 1,
    make(r, human) {
      return { author: human, text: message(subject(r), agentBody(r), "Co-Authored-By: opencode <noreply@opencode.ai>") };
    },
  },
  {
    tool: "Cline",
    weight: 1,
    make(r, human) {
      return { author: human, text: message(subject(r), agentBody(r), "Co-Authored-By: Cline <noreply@cline.bot>") };
    },
  },
  {
    tool: "Replit Agent",
    weight: 1,
    make(r, human) {
      const trailers = ["Replit-Commit-Author: Agent", `Replit-Commit-Session-Id: ${r.uuid()}`, "Replit-Commit-Checkpoint-Type: full_checkpoint"];
      return { author: human, text: message(subject(r), agentBody(r), trailers.join("\n")) };
    },
  },
  {
    tool: "Gemini",
    weight: 1,
    make(r, human) {
      return { author: human, text: message(subject(r), agentBody(r), `Assisted-by: gemini-cli\nSigned-off-by: ${person(human)}`) };
    },
  },
  {
    tool: "Other",
    weight: 1,
    make(r, human) {
      return { author: human, text: message(subject(r), agentBody(r), "Generated-by: some-tool") };
    },
  },
];
const AI_WEIGHT = AI_KINDS.reduce((sum, k) => sum + k.weight, 0);

function aiCommit(r) {
  let x = r.next() * AI_WEIGHT;
  let kind = AI_KINDS[AI_KINDS.length - 1];
  for (const k of AI_KINDS) {
    if (x < k.weight) {
      kind = k;
      break;
    }
    x -= k.weight;
  }
  const human = r.pick(HUMANS);
  const made = kind.make(r, human);
  return { author: made.author, committer: made.committer ?? made.author, text: made.text, tools: [kind.tool] };
}

// ---------------------------------------------------------------------------------------------
// The fast-import stream

/**
 * Builds the repository at `dir` (a bare repository) with `commits` commits. Returns the manifest:
 * counts and, per commit SHA, the tools the detector must report (empty for human commits).
 */
export async function generate(dir, commits, seed = 20260101) {
  const r = makeRandom(seed);
  mkdirSync(dir, { recursive: true });
  await run("git", ["init", "--quiet", "--bare", "--initial-branch=main", dir]);

  const marksFile = join(dir, "bench-marks");
  const child = spawn("git", ["--git-dir", dir, "fast-import", "--quiet", "--done", `--export-marks=${marksFile}`], {
    stdio: ["pipe", "ignore", "pipe"],
    // Without these malloc settings fast-import spends half its time in brk(2), trimming and regrowing
    // the heap around each delta; with them the build takes half as long (ignored off glibc).
    env: { ...CLEAN_GIT_ENV, GLIBC_TUNABLES: "glibc.malloc.trim_threshold=268435456:glibc.malloc.top_pad=67108864" },
  });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d) => (stderr += d));
  const exited = once(child, "close");
  child.stdin.on("error", () => {}); // an early exit shows in the exit status and stderr

  const files = new Map(FILES.map((f) => [f, [`// ${f}`, ""]]));
  const expected = []; // tools per mark (1-based)
  let time = Date.UTC(2023, 0, 2) / 1000;
  let mainTip = 0;
  let mark = 0;
  let chunks = [];
  let size = 0;
  const emit = async (text) => {
    chunks.push(text);
    size += text.length;
    if (size > 1 << 20) {
      const ok = child.stdin.write(chunks.join(""));
      chunks = [];
      size = 0;
      if (!ok) await once(child.stdin, "drain");
    }
  };
  const data = (text) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const stamp = () => {
    time += r.int(30, 5400);
    return `${time} ${r.pick(TIMEZONES)}`;
  };

  /** One commit with explicit parents; modifies one small file. */
  const commit = async (ref, parents, c) => {
    mark++;
    expected[mark] = c.tools;
    const when = stamp();
    const path = r.pick(FILES);
    const lines = files.get(path);
    const line = `${r.pick(VERBS)} ${r.pick(THINGS)} ${mark}`;
    if (lines.length < 24) lines.push(line);
    else lines[r.int(1, lines.length - 1)] = line;
    let out = `commit ${ref}\nmark :${mark}\n`;
    out += `author ${person(c.author)} ${when}\ncommitter ${person(c.committer)} ${when}\n`;
    out += data(c.text);
    if (parents[0]) out += `from :${parents[0]}\n`;
    for (const p of parents.slice(1)) out += `merge :${p}\n`;
    out += `M 100644 inline ${path}\n${data(`${lines.join("\n")}\n`)}`;
    await emit(out);
    return mark;
  };
  const next = () => (r.chance(AI_SHARE) ? aiCommit(r) : humanCommit(r));

  while (mark < commits) {
    const left = commits - mark;
    if (mainTip > 0 && left >= 6 && r.chance(0.01)) {
      // A topic branch of 1–3 commits, one commit on main meanwhile, and a true merge.
      const fork = mainTip;
      let topic = fork;
      for (let i = 0, n = r.int(1, 3); i < n; i++) topic = await commit("refs/heads/topic", [topic], next());
      mainTip = await commit("refs/heads/main", [mainTip], next());
      const author = r.pick(HUMANS);
      const text = message(`Merge branch 'topic/${r.pick(VERBS)}-${r.pick(SCOPES)}'`, r.chance(0.5) ? paragraph(r, r.int(1, 4)) : "");
      mainTip = await commit("refs/heads/main", [mainTip, topic], { author, committer: author, text, tools: [] });
    } else {
      mainTip = await commit("refs/heads/main", [mainTip], next());
    }
  }
  await emit("done\n");
  child.stdin.end(chunks.join(""));
  const [code] = await exited;
  if (code !== 0) throw new Error(`git fast-import failed (${code}): ${stderr.trim()}`);

  // The marks file maps each mark to its commit SHA: turn the expectations into per-SHA ones.
  const shaOf = new Map();
  for (const row of readFileSync(marksFile, "utf8").split("\n")) {
    const m = /^:(\d+) ([0-9a-f]{40})$/.exec(row);
    if (m) shaOf.set(Number(m[1]), m[2]);
  }
  rmSync(marksFile);
  const bySha = {};
  let ai = 0;
  const byTool = {};
  for (let m = 1; m <= mark; m++) {
    const sha = shaOf.get(m);
    if (sha === undefined) throw new Error(`fast-import did not report mark :${m}`);
    bySha[sha] = expected[m];
    if (expected[m].length > 0) ai++;
    for (const t of expected[m]) byTool[t] = (byTool[t] ?? 0) + 1;
  }
  return { version: GENERATOR_VERSION, seed, commits: mark, ai, byTool, bySha };
}

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"], env: CLEAN_GIT_ENV });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} failed (${code}): ${stderr.trim()}`))));
  });
}

/**
 * The cached repository for (GENERATOR_VERSION, commits) under `cacheRoot`, built on first use.
 * Built in a temporary directory and renamed into place, so an interrupted build is never reused.
 */
export async function cachedRepository(cacheRoot, commits) {
  const key = `scan-v${GENERATOR_VERSION}-${commits}`;
  const dir = join(cacheRoot, key);
  const manifestFile = join(dir, "manifest.json");
  if (existsSync(manifestFile)) {
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
    if (manifest.version === GENERATOR_VERSION && manifest.commits === commits) return { repo: join(dir, "repo.git"), manifest, cached: true };
  }
  const tmp = join(cacheRoot, `${key}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const manifest = await generate(join(tmp, "repo.git"), commits);
  writeFileSync(join(tmp, "manifest.json"), `${JSON.stringify(manifest)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { repo: join(dir, "repo.git"), manifest, cached: false };
}
