import { describe, expect, it } from "@jest/globals";
import { formatTrailers, parseTrailers } from "../../src/detection/trailers.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";

/** The trailers as `[key, value]` pairs, for compact expectations. */
function pairs(message: string): [string, string][] {
  return parseTrailers(message).map((t) => [t.key, t.value]);
}

describe("parseTrailers", () => {
  it("reads the trailers of the last paragraph", () => {
    const message = [
      "Add the scanner",
      "",
      "The scanner walks every commit.",
      "",
      "Co-authored-by: Alice <alice@example.com>",
      "Signed-off-by: Bob <bob@example.com>",
      "",
    ].join("\n");
    expect(pairs(message)).toEqual([
      ["Co-authored-by", "Alice <alice@example.com>"],
      ["Signed-off-by", "Bob <bob@example.com>"],
    ]);
  });

  it("keeps the key as written (case is preserved, not normalised)", () => {
    expect(pairs("T\n\nCo-Authored-By: A\nco-authored-by: B\n")).toEqual([
      ["Co-Authored-By", "A"],
      ["co-authored-by", "B"],
    ]);
  });

  it("finds the Co-authored-by lines of a GitHub squash merge", () => {
    const message = [
      "Add feature (#42)",
      "",
      "* first attempt",
      "",
      "* address review",
      "",
      "---------",
      "",
      "Co-authored-by: Alice <alice@example.com>",
      "Co-authored-by: claude[bot] <noreply@example.com>",
    ].join("\n");
    expect(pairs(message)).toEqual([
      ["Co-authored-by", "Alice <alice@example.com>"],
      ["Co-authored-by", "claude[bot] <noreply@example.com>"],
    ]);
  });

  it("finds nothing when the squash body's dashes are glued to the Co-authored-by lines", () => {
    // "---------" is then part of the last paragraph, a non-trailer line in a
    // block without any git-generated trailer.
    const message = "Add feature (#42)\n\n* first\n* second\n---------\nCo-authored-by: Alice <a@example.com>\n";
    expect(pairs(message)).toEqual([]);
  });

  it("does not treat a `---` line as the end of the message", () => {
    expect(pairs("T\n\nBody\n\n---\n\nKey: v\n")).toEqual([["Key", "v"]]);
  });

  it("handles CRLF line endings", () => {
    const message = "Title\r\n\r\nBody line\r\n\r\nCo-authored-by: A <a@example.com>\r\nReviewed-by : B\r\n\r\n";
    expect(pairs(message)).toEqual([
      ["Co-authored-by", "A <a@example.com>"],
      ["Reviewed-by", "B"],
    ]);
  });

  it("keeps the CR of a folded CRLF line inside the unfolded value, as git does", () => {
    expect(pairs("Title\r\n\r\nKey: first\r\n  second\r\n")).toEqual([["Key", "first\r second"]]);
  });

  it("ignores trailing blank and whitespace-only lines", () => {
    expect(pairs("T\n\nKey: v\n\n\n")).toEqual([["Key", "v"]]);
    expect(pairs("T\n\nKey: v\n \n\t\n")).toEqual([["Key", "v"]]);
    expect(pairs("T\n\nKey: v")).toEqual([["Key", "v"]]);
  });

  it("ignores comment lines at the end and inside the block", () => {
    expect(pairs("T\n\nKey: v\n# Please enter the commit message\n#\n")).toEqual([["Key", "v"]]);
    expect(pairs("T\n\nKey: v\n# note\nOther: w\n")).toEqual([
      ["Key", "v"],
      ["Other", "w"],
    ]);
    expect(pairs("T\n\n#Key: v\n")).toEqual([]);
  });

  it("ignores everything below a scissors line", () => {
    expect(pairs("T\n\nKey: v\n# ------------------------ >8 ------------------------\nOther: w\n")).toEqual([
      ["Key", "v"],
    ]);
  });

  describe("cherry-pick lines", () => {
    it("count as trailers for the block but are not printed (no separator)", () => {
      expect(pairs(`T\n\nBody\n\n(cherry picked from commit ${SHA})\n`)).toEqual([]);
      expect(pairs(`T\n\nBody\n\nSigned-off-by: A\n(cherry picked from commit ${SHA})\n`)).toEqual([["Signed-off-by", "A"]]);
    });

    it("make a mostly-prose block a trailer block (the 25% rule)", () => {
      const message = `T\n\nBody\n\n(cherry picked from commit ${SHA})\nKey: v\nsome prose\nmore prose\n`;
      expect(pairs(message)).toEqual([["Key", "v"]]);
    });
  });

  describe("the 25% rule for blocks with a git-generated trailer", () => {
    it("accepts a block with one trailer for up to three other lines", () => {
      expect(pairs("T\n\nBody\n\nSigned-off-by: A\nx\ny\nz\n")).toEqual([["Signed-off-by", "A"]]);
    });

    it("rejects a block with more than three other lines per trailer", () => {
      expect(pairs("T\n\nBody\n\nSigned-off-by: A\nx\ny\nz\nw\n")).toEqual([]);
    });

    it("requires the exact git-generated prefix", () => {
      expect(pairs("T\n\nBody\n\nsigned-off-by: A\nx\n")).toEqual([]);
      expect(pairs("T\n\nBody\n\nSigned-off-by:A\nx\n")).toEqual([]);
    });

    it("rejects any non-trailer line in a block without a git-generated trailer", () => {
      expect(pairs("T\n\nBody\n\nCo-authored-by: A\nJust some words\n")).toEqual([]);
    });
  });

  describe("URLs", () => {
    it("keep their colons inside values", () => {
      expect(pairs("T\n\nRef: https://example.com/a?b=c#d\nLink:http://x.test\n")).toEqual([
        ["Ref", "https://example.com/a?b=c#d"],
        ["Link", "http://x.test"],
      ]);
    });

    it("in a prose line are not trailers, and spoil the paragraph", () => {
      expect(pairs("T\n\nSee https://example.com/a\n")).toEqual([]);
      expect(pairs("T\n\nCo-authored-by: A\nSee https://example.com/a\n")).toEqual([]);
    });

    it("in the body (not the last paragraph) are never trailers", () => {
      expect(pairs("T\n\nhttps://example.com/a\n\nSome closing words.\n")).toEqual([]);
    });

    it("alone on a line in the trailer block are a trailer with key `https` (as in git)", () => {
      expect(pairs("T\n\nhttps://example.com/a\n")).toEqual([["https", "//example.com/a"]]);
    });
  });

  describe("continuation lines", () => {
    it("fold into the previous trailer, whitespace collapsed to one space", () => {
      expect(pairs("T\n\nKey: first\n   second\n\tthird\nOther: w\n")).toEqual([
        ["Key", "first second third"],
        ["Other", "w"],
      ]);
    });

    it("can carry the whole value", () => {
      expect(pairs("T\n\nKey:\n  on the next line\n")).toEqual([["Key", "on the next line"]]);
    });

    it("without a trailer before them make the block fail", () => {
      expect(pairs("T\n\n  indented: v\nKey: w\n")).toEqual([]);
    });

    it("after a cherry-pick line are not trailers even if they look like one", () => {
      expect(pairs(`T\n\n(cherry picked from commit ${SHA})\n Indented: v\n`)).toEqual([]);
    });
  });

  describe("paragraphs", () => {
    it("never take a title-only message's `Key: value` title as a trailer", () => {
      expect(pairs("Fixes: the parser\n")).toEqual([]);
      expect(pairs("Fixes: the parser\nKey: v\n")).toEqual([]);
    });

    it("do not take a trailer-looking line in the middle of the body", () => {
      expect(pairs("T\n\nFixes: #12\n\nSome prose after it.\n")).toEqual([]);
      expect(pairs("T\n\nBody\nKey: v\n")).toEqual([]);
    });

    it("skip blank lines before the title", () => {
      expect(pairs("\n  \nTitle\n\nKey: v\n")).toEqual([["Key", "v"]]);
    });

    it("are separated by whitespace-only lines too", () => {
      expect(pairs("T\n\nprose\n \nKey: v\n")).toEqual([["Key", "v"]]);
    });
  });

  describe("keys and separators", () => {
    it("accept blanks before the colon and trim key and value", () => {
      expect(pairs("T\n\nKey : v\nKey\t:  v  \nKey:v\n")).toEqual([
        ["Key", "v"],
        ["Key", "v"],
        ["Key", "v"],
      ]);
    });

    it("only accept letters, digits and '-' in keys", () => {
      expect(pairs("T\n\nKey With Space: v\n")).toEqual([]);
      expect(pairs("T\n\nKey_underscore: v\n")).toEqual([]);
      expect(pairs("T\n\n: v\n")).toEqual([]);
      expect(pairs("T\n\nA-1: v\n")).toEqual([["A-1", "v"]]);
    });

    it("keep an empty value", () => {
      expect(pairs("T\n\nKey:\n")).toEqual([["Key", ""]]);
    });

    it("do not treat vertical tab or form feed as whitespace", () => {
      expect(pairs("T\n\nKey: v\n\u000b\n")).toEqual([]);
    });
  });

  it("returns nothing for an empty message", () => {
    expect(pairs("")).toEqual([]);
    expect(pairs("\n\n")).toEqual([]);
  });
});

describe("formatTrailers", () => {
  it("prints `key: value` lines like git's %(trailers:only,unfold)", () => {
    expect(formatTrailers(parseTrailers("T\n\nKey : v\nEmpty:\nOther:w\n  more\n"))).toBe("Key: v\nEmpty: \nOther: w more\n");
  });

  it("prints nothing without trailers", () => {
    expect(formatTrailers([])).toBe("");
  });
});
