import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { commentSyntaxFor, isCommentOnlyPatch } from "../../src/risk/comments.js";
import { patchHunks } from "../../src/risk/patch.js";

const patch = (...lines: string[]) => `@@ -1,${lines.length} +1,${lines.length} @@\n${lines.join("\n")}`;

describe("comments-only patches", () => {
  it.each([
    ["src/a.ts", ["+// note", "-// old", " code();"]],
    ["src/a.go", ["+/* block */", "  x := 1"]],
    ["src/A.java", ["+/**", "+ * Javadoc", "+ */", " class A {}"]],
    ["src/a.ts", ["+/* opened", "+   plain text inside", "+*/", " f();"]],
    ["lib/a.py", ["+# note", "+", "-    # indented old"]],
    ["db/q.sql", ["+-- why", " SELECT 1;"]],
    ["conf/app.yaml", ["+# explain", " key: value"]],
    ["infra/main.tf", ["+# note", "+// also", " resource \"a\" \"b\" {}"]],
    ["web/index.html", ["+<!-- note -->", " <p>x</p>"]],
    ["Dockerfile", ["+# note", " RUN make"]],
    ["Makefile", ["+# note", " all:"]],
    ["style.css", ["+/* note */", " a {}"]],
    ["a.rb", ["+# note"]],
    ["a.lua", ["+-- note"]],
    ["a.ini", ["+; note"]],
  ])("%s: %j is comments-only", (path, lines) => {
    expect(isCommentOnlyPatch(path, patch(...lines))).toBe(true);
  });

  it.each([
    ["unknown language", "data.json", ["+// not JSON"]],
    ["code among comments", "src/a.ts", ["+// note", "+x();"]],
    ["code after a block comment", "src/a.ts", ["+/* a */ x();"]],
    ["code before a comment", "src/a.ts", ["+x(); // note"]],
    ["# is not a comment in C", "src/a.c", ["+#include <x.h>"]],
    ["blank lines only", "src/a.ts", ["+", "+   "]],
    ["no changed lines", "src/a.ts", [" x();"]],
    ["uncommenting code (opener removed)", "src/a.ts", ["-/*", " f();", " g();", "-*/"]],
    ["uncommenting past the hunk", "src/a.ts", ["-/*", " f();"]],
    ["commenting out code", "src/a.ts", ["+/*", " f();", "+*/"]],
    ["a directive: go build tag", "a.go", ["+//go:build linux"]],
    ["a directive: ts-ignore", "a.ts", ["+// @ts-ignore"]],
    ["a directive: eslint", "a.ts", ["+/* eslint-disable */"]],
    ["a directive: noqa", "a.py", ["+# noqa: E501"]],
    ["a directive: shebang", "run.py", ["+#!/usr/bin/env python3"]],
    ["a directive: Dockerfile syntax", "Dockerfile", ["+# syntax=docker/dockerfile:1"]],
    ["a directive: secret scanner", "a.py", ["+# gitleaks:allow"]],
    ["a directive: pylint", "a.py", ["+# pylint: disable=all"]],
    ["a directive: PHP attribute", "a.php", ["+#[Route('/')]"]],
    ["a template literal in the hunk", "src/a.ts", [" const s = `", "+// inside a string", " `;"]],
    ["a Python docstring in the hunk", "a.py", [' """', "+# inside a string", ' """']],
    ["a YAML block scalar in the hunk", "a.yml", [" script: |", "+  # inside a string"]],
    ["a heredoc in the hunk", "run.sh", [" cat <<EOF", "+# inside a heredoc", " EOF"]],
  ])("not comments-only: %s", (_why, path, lines) => {
    expect(isCommentOnlyPatch(path, patch(...lines))).toBe(false);
  });

  it("reads every hunk and both CRLF and LF patches", () => {
    const two = "@@ -1 +1 @@\r\n+// a\r\n@@ -10 +10 @@\r\n+x();\r\n";
    expect(isCommentOnlyPatch("a.ts", two)).toBe(false);
    expect(isCommentOnlyPatch("a.ts", "diff --git a/a.ts b/a.ts\n--- a/a.ts\n+++ b/a.ts\n@@ -1 +1 @@\n+// a\n\\ No newline at end of file\n")).toBe(true);
  });

  it("knows languages by extension and by file name", () => {
    expect(commentSyntaxFor("a/b/Dockerfile.prod")).toBeDefined();
    expect(commentSyntaxFor("Jenkinsfile")).toBeDefined();
    expect(commentSyntaxFor("x.unknown")).toBeUndefined();
    expect(commentSyntaxFor("README")).toBeUndefined();
    expect(commentSyntaxFor(".bashrc")).toBeUndefined();
  });

  it("never throws", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (path, text) => {
        isCommentOnlyPatch(path, text);
        isCommentOnlyPatch(path, `@@ -1 +1 @@\n${text}`);
        patchHunks(text);
      }),
    );
  });
});
