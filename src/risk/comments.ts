/**
 * Is a patch comments-only? Every added and removed line must be a comment (or blank) in the file's
 * language, and no unchanged line may change meaning.
 *
 * Deliberately conservative, because a wrong "yes" lowers a change to `low`:
 * - Only languages in the table below; anything else (JSON, Vue, unknown extensions) is never
 *   comments-only. Python docstrings are strings, not comments.
 * - A comment that is a tool directive (`//go:build`, `// @ts-ignore`, `# noqa`, `#!`, `# syntax=`,
 *   `/* eslint-disable *\/`, `gitleaks:allow`, …) counts as code: it changes how code is built,
 *   checked or run.
 * - A hunk that contains a multi-line string opener for the language (template literals,
 *   triple quotes, heredocs, YAML block scalars) is never comments-only: `// x` inside a string is content.
 * - Block comments are tracked through each hunk on the old and the new side; an unchanged line
 *   that is a comment on one side and code on the other (`/*` removed: code uncommented), or a hunk
 *   that ends inside a block comment on one side only, makes the patch not comments-only.
 * - At least one changed line must be a comment: a patch of blank lines only is not comments-only.
 */
import { patchHunks } from "./patch.js";

interface CommentSyntax {
  /** Line comment markers. */
  readonly line: readonly string[];
  /** Block comment delimiters. */
  readonly block: readonly (readonly [string, string])[];
  /** ` * text` continuation lines of a block comment count as comments. */
  readonly star: boolean;
  /** A line matching this may open a multi-line string, where comment markers are content. */
  readonly multiline?: RegExp;
}

const C_LIKE: CommentSyntax = { line: ["//"], block: [["/*", "*/"]], star: true, multiline: /`|"""|R"\(|r#*"|@"/ };
const CSS: CommentSyntax = { line: [], block: [["/*", "*/"]], star: true };
const SCSS: CommentSyntax = { line: ["//"], block: [["/*", "*/"]], star: true };
const HASH: CommentSyntax = { line: ["#"], block: [], star: false, multiline: /"""|'''|<</ };
const YAML: CommentSyntax = { line: ["#"], block: [], star: false, multiline: /(?:^|[:\-?]\s)\s*[|>][-+0-9]*\s*(?:#.*)?$/ };
const HCL: CommentSyntax = { line: ["#", "//"], block: [["/*", "*/"]], star: true, multiline: /<</ };
const PHP: CommentSyntax = { line: ["//", "#"], block: [["/*", "*/"]], star: true, multiline: /<<<|`/ };
const SQL: CommentSyntax = { line: ["--"], block: [["/*", "*/"]], star: true, multiline: /\$\$/ };
const LUA: CommentSyntax = { line: ["--"], block: [], star: false, multiline: /\[\[|\[=/ };
const HASKELL: CommentSyntax = { line: ["--"], block: [["{-", "-}"]], star: false };
const XML: CommentSyntax = { line: [], block: [["<!--", "-->"]], star: false };
const INI: CommentSyntax = { line: [";", "#"], block: [], star: false };
const LISP: CommentSyntax = { line: [";"], block: [], star: false };
const PERCENT: CommentSyntax = { line: ["%"], block: [], star: false };

const BY_EXTENSION = new Map<string, CommentSyntax>();
const add = (syntax: CommentSyntax, extensions: string) => extensions.split(" ").forEach((e) => BY_EXTENSION.set(e, syntax));
add(C_LIKE, "js mjs cjs jsx ts mts cts tsx java kt kts scala sc groovy gradle go rs c h cc cpp cxx hpp hh hxx cs swift dart m mm proto sol zig jsonc json5");
add(CSS, "css");
add(SCSS, "scss less");
add(HASH, "py pyi pyw rb rake gemspec sh bash zsh fish r pl pm ex exs jl nim cr tcl awk cmake nix properties conf cfg dockerfile mk bzl bazel star gitignore gitattributes dockerignore ps1 toml coffee");
add(YAML, "yml yaml");
add(HCL, "tf tfvars hcl tofu");
add(PHP, "php");
add(SQL, "sql");
add(LUA, "lua");
add(HASKELL, "hs elm");
add(XML, "html htm xhtml xml svg xsd xsl xslt plist");
add(INI, "ini");
add(LISP, "clj cljs cljc edn el lisp scm rkt");
add(PERCENT, "erl hrl tex sty");

const BY_NAME = new Map<string, CommentSyntax>();
"dockerfile containerfile makefile gnumakefile rakefile gemfile vagrantfile podfile brewfile cmakelists.txt build workspace justfile codeowners .env .envrc".split(" ").forEach((n) => BY_NAME.set(n, HASH));
BY_NAME.set("jenkinsfile", C_LIKE);

/** The comment syntax of a path's language, or undefined when unknown. */
export function commentSyntaxFor(path: string): CommentSyntax | undefined {
  const name = (path.slice(path.lastIndexOf("/") + 1) || path).toLowerCase();
  const byName = BY_NAME.get(name);
  if (byName !== undefined) return byName;
  if (name.startsWith("dockerfile.") || name.startsWith("containerfile.")) return HASH;
  if (name.startsWith("jenkinsfile.")) return C_LIKE;
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? undefined : BY_EXTENSION.get(name.slice(dot + 1));
}

/**
 * Comments that tools read: build constraints, compiler and type-checker pragmas, lint, coverage and
 * scanner suppressions, bundler magic comments, encodings, shebangs, Dockerfile parser directives.
 */
const DIRECTIVE =
  /^#!|^#\s*(?:syntax|escape|check)\s*=|^#\[|^\/\/\s*(?:go:|\+build)|^\/\/\/\s*<reference|@ts-|eslint|tslint:|biome-ignore|deno-lint|oxlint|@flow|@jsx|webpack[A-Z]|@vite-ignore|[#@]__PURE__|[#@]__NO_SIDE_EFFECTS__|sourceMappingURL|sourceURL|istanbul\s+ignore|c8\s+ignore|noqa|type:|pylint:|mypy:|pyright:|pyre-|nolint|rubocop:|frozen_string_literal|coding[:=]|-\*-|shellcheck\s|cloud-config|nosonar|nosec|nosemgrep|gitleaks:|trufflehog:|detect-secrets|codeql|lgtm\[|@generated|\[if\s|#pragma|#region|#endregion/i;

type LineKind = "blank" | "comment" | "code";

/** Classifies one line given the block comment it starts in (its close delimiter, or null). */
function scan(text: string, syntax: CommentSyntax, block: string | null): { kind: LineKind; block: string | null } {
  let rest = text.trim();
  let comment = false;
  let open = block;
  for (;;) {
    if (open !== null) {
      const end = rest.indexOf(open);
      if (end === -1) return { kind: "comment", block: open };
      comment = true;
      rest = rest.slice(end + open.length).trim();
      open = null;
      continue;
    }
    if (rest === "") return { kind: comment ? "comment" : "blank", block: null };
    if (syntax.line.some((m) => rest.startsWith(m))) return { kind: "comment", block: null };
    const opened = syntax.block.find(([o]) => rest.startsWith(o));
    if (opened !== undefined) {
      comment = true;
      rest = rest.slice(opened[0].length);
      open = opened[1];
      continue;
    }
    if (syntax.star && (rest.startsWith("*/") || /^\*(?:\s|$)/.test(rest))) {
      // A continuation or the end of a block comment that opened before the hunk.
      const end = rest.indexOf("*/");
      if (end === -1) return { kind: "comment", block: null };
      comment = true;
      rest = rest.slice(end + 2).trim();
      continue;
    }
    return { kind: "code", block: null };
  }
}

/** True when every added and removed line of `patch` is a comment (or blank) in `path`'s language, and at least one is a comment. */
export function isCommentOnlyPatch(path: string, patch: string): boolean {
  const syntax = commentSyntaxFor(path);
  if (syntax === undefined) return false;
  let sawComment = false;
  for (const hunk of patchHunks(patch)) {
    if (syntax.multiline !== undefined && hunk.some((l) => syntax.multiline?.test(l.text))) return false;
    let before: string | null = null; // block state on the old side
    let after: string | null = null; // and on the new side
    for (const line of hunk) {
      if (line.kind === "context") {
        const old = scan(line.text, syntax, before);
        const now = scan(line.text, syntax, after);
        if (old.kind !== now.kind) return false;
        before = old.block;
        after = now.block;
        continue;
      }
      const result = scan(line.text, syntax, line.kind === "removed" ? before : after);
      if (result.kind === "code") return false;
      if (result.kind === "comment") {
        if (DIRECTIVE.test(line.text.trim())) return false;
        sawComment = true;
      }
      if (line.kind === "removed") before = result.block;
      else after = result.block;
    }
    if (before !== after) return false;
  }
  return sawComment;
}
