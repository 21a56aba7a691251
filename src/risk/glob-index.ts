/**
 * Matches one path against many sets of globs at once, with picomatch's semantics (`dot: true`) but
 * without running every glob's regular expression on every path.
 *
 * picomatch compiles each glob to a regular expression that guards every character against `.` and
 * `..` segments; a few hundred of those per path make classifying thousands of files take tens of
 * milliseconds. Almost every glob in practice has one of a few shapes, answered from hash maps on
 * the path's last segment or its directory names:
 *
 *   `**\/name`, `**\/*.ext`, `**\/prefix*`, `**\/prefix*suffix`   → the file name (maps, then short anchored regexes)
 *   `**\/dir/…`                                                  → only when some segment is `dir`
 *   `root/…`, `FILE`                                             → only when the first segment is `root`/`FILE`
 *
 * and the index runs picomatch's own regular expression only where a map says the glob may match.
 * Anything else (character classes, extglobs, braces with ranges, escapes) is always tested with
 * picomatch. Brace lists (`*.{yml,yaml}`) are expanded first. A differential test holds this to
 * picomatch on the built-in globs and on generated ones.
 *
 * Paths are repository paths as git gives them: relative, `/`-separated, no empty, `.` or `..`
 * segments. Brace lists mean their expansions (as in bash), e.g. `NOTICE{,.*}` is `NOTICE` or `NOTICE.*`.
 */
import picomatch from "picomatch";

export interface GlobIndexOptions {
  /** Match case-insensitively. */
  readonly nocase: boolean;
}

interface Tested {
  readonly set: number;
  readonly re: RegExp;
}

const SPECIAL = /[?[\]{}()!\\]/;

/** `a{b,c}d{e,f}` → abde, abdf, acde, acdf; undefined when a brace is not a plain comma list. */
export function expandBraces(glob: string): string[] | undefined {
  const open = glob.indexOf("{");
  if (open === -1) return glob.includes("}") ? undefined : [glob];
  let depth = 0;
  const parts: string[] = [];
  let start = open + 1;
  for (let i = open; i < glob.length; i++) {
    const c = glob[i];
    if (c === "{") depth++;
    else if (c === "}") {
      depth--;
      if (depth === 0) {
        parts.push(glob.slice(start, i));
        if (parts.length < 2 || parts.some((p) => p.includes("{") || p.includes("}") || p.includes(".."))) return undefined;
        const out: string[] = [];
        for (const part of parts) {
          const rest = expandBraces(glob.slice(0, open) + part + glob.slice(i + 1));
          if (rest === undefined) return undefined;
          out.push(...rest);
        }
        return out;
      }
    } else if (c === "," && depth === 1) {
      parts.push(glob.slice(start, i));
      start = i + 1;
    }
  }
  return undefined;
}

/** `prefix*suffix` on the file name (either part may be empty). */
interface Affix {
  readonly prefix: string;
  readonly suffix: string;
  readonly set: number;
}

/** `*middle*suffix` on the file name (suffix may be empty). */
interface Contains {
  readonly middle: string;
  readonly suffix: string;
  readonly set: number;
}

/** What one segment (or first segment) value decides: sets it matches outright, globs to test. */
interface Bucket {
  readonly is: number[];
  readonly tested: Tested[];
}

export class GlobIndex {
  readonly size: number;
  private readonly nocase: boolean;
  /** `**\/name`. */
  private readonly names = new Map<string, number[]>();
  /** A glob without wildcards: the whole path. */
  private readonly paths = new Map<string, number[]>();
  /** `**\/prefix*suffix` with a prefix, keyed by its first character. */
  private readonly byFirst = new Map<string, Affix[]>();
  /** `**\/*suffix`, keyed by the suffix's extension (after its last `.`). */
  private readonly byExtension = new Map<string, Affix[]>();
  /** `**\/*suffix` where the suffix has no `.`. */
  private readonly bare: Affix[] = [];
  private readonly contains: Contains[] = [];
  /** Other `**\/name-pattern` globs, tested on the file name. */
  private readonly nameRegExps: Tested[] = [];
  /** `**\/dir/**` (matches when a segment is `dir`) and `**\/dir/…` (tested when one is). */
  private readonly segments = new Map<string, Bucket>();
  /** `root/**` (matches when the first segment is `root`) and `root/…` (tested when it is). */
  private readonly roots = new Map<string, Bucket>();
  private readonly always: Tested[] = [];

  /** `sets[i]` is a list of globs; `match` reports for each set whether any of its globs matched. */
  constructor(sets: readonly (readonly string[])[], options: GlobIndexOptions) {
    this.size = sets.length;
    this.nocase = options.nocase;
    sets.forEach((globs, set) => {
      for (const glob of globs) {
        // Escapes, classes and extglobs can hide a brace or comma from expansion: leave those to picomatch.
        const expanded = /[\\[(]/.test(glob) ? undefined : expandBraces(glob);
        if (expanded === undefined) this.always.push({ set, re: this.regExp(glob) });
        else for (const g of expanded) this.add(g, set);
      }
    });
  }

  private regExp(glob: string): RegExp {
    return picomatch.makeRe(glob, { dot: true, nocase: this.nocase });
  }

  private key(text: string): string {
    return this.nocase ? text.toLowerCase() : text;
  }

  private add(glob: string, set: number): void {
    const segments = glob.split("/");
    if (SPECIAL.test(glob) || /[+@*]\(/.test(glob) || segments.some((s) => s === "" || s === "." || s === "..")) {
      this.always.push({ set, re: this.regExp(glob) });
      return;
    }
    const [first = "", second = ""] = segments;
    if (!glob.includes("*")) {
      addTo(this.paths, this.key(glob), set);
    } else if (first === "**" && segments.length === 2 && !second.includes("**")) {
      this.addName(second, set);
    } else if (first === "**" && second !== "**" && !second.includes("*") && segments.length >= 3) {
      const bucket = bucketOf(this.segments, this.key(second));
      if (segments.length === 3 && segments[2] === "**") bucket.is.push(set);
      else bucket.tested.push({ set, re: this.regExp(glob) });
    } else if (!first.includes("*")) {
      const bucket = bucketOf(this.roots, this.key(first));
      if (segments.length === 2 && second === "**") bucket.is.push(set);
      else bucket.tested.push({ set, re: this.regExp(glob) });
    } else {
      this.always.push({ set, re: this.regExp(glob) });
    }
  }

  /** `**\/<pattern>`: the file name alone decides. */
  private addName(pattern: string, set: number): void {
    const parts = this.key(pattern).split("*");
    if (parts.length === 1) {
      addTo(this.names, parts[0] ?? "", set);
    } else if (parts.length === 2) {
      const [prefix = "", suffix = ""] = parts;
      const affix = { prefix, suffix, set };
      const dot = suffix.lastIndexOf(".");
      if (prefix !== "") addTo(this.byFirst, prefix.slice(0, 1), affix);
      else if (dot !== -1) addTo(this.byExtension, suffix.slice(dot + 1), affix);
      else this.bare.push(affix);
    } else if (parts.length === 3 && parts[0] === "" && parts[1] !== "") {
      this.contains.push({ middle: parts[1] ?? "", suffix: parts[2] ?? "", set });
    } else {
      this.nameRegExps.push({ set, re: picomatch.makeRe(pattern, { dot: true, nocase: this.nocase }) });
    }
  }

  /** For each set, 1 when one of its globs matches `path` (all 0 for the empty path, as in picomatch). */
  match(path: string): Uint8Array {
    const hits = new Uint8Array(this.size);
    if (path === "") return hits;
    const subject = this.nocase ? path.toLowerCase() : path;
    mark(hits, this.paths.get(subject));
    const name = subject.slice(subject.lastIndexOf("/") + 1);
    if (name !== "") {
      mark(hits, this.names.get(name));
      affixes(hits, name, this.byFirst.get(name.slice(0, 1)));
      affixes(hits, name, this.byExtension.get(name.slice(name.lastIndexOf(".") + 1)));
      affixes(hits, name, this.bare);
      for (const c of this.contains) {
        const end = name.length - c.suffix.length;
        if (end >= c.middle.length && name.endsWith(c.suffix) && name.lastIndexOf(c.middle, end - c.middle.length) !== -1) hits[c.set] = 1;
      }
      for (const t of this.nameRegExps) if (hits[t.set] === 0 && t.re.test(name)) hits[t.set] = 1;
    }
    if (this.segments.size > 0) {
      for (let start = 0; ; ) {
        const end = subject.indexOf("/", start);
        bucket(hits, path, this.segments.get(end === -1 ? subject.slice(start) : subject.slice(start, end)));
        if (end === -1) break;
        start = end + 1;
      }
    }
    const slash = subject.indexOf("/");
    bucket(hits, path, this.roots.get(slash === -1 ? subject : subject.slice(0, slash)));
    testAll(hits, path, this.always);
    return hits;
  }
}

function mark(hits: Uint8Array, sets: readonly number[] | undefined): void {
  if (sets !== undefined) for (const set of sets) hits[set] = 1;
}

function affixes(hits: Uint8Array, name: string, list: readonly Affix[] | undefined): void {
  if (list !== undefined) for (const a of list) if (name.length >= a.prefix.length + a.suffix.length && name.startsWith(a.prefix) && name.endsWith(a.suffix)) hits[a.set] = 1;
}

function bucket(hits: Uint8Array, path: string, b: Bucket | undefined): void {
  if (b === undefined) return;
  mark(hits, b.is);
  testAll(hits, path, b.tested);
}

function testAll(hits: Uint8Array, path: string, list: readonly Tested[]): void {
  for (const t of list) if (hits[t.set] === 0 && t.re.test(path)) hits[t.set] = 1;
}

function bucketOf(map: Map<string, Bucket>, key: string): Bucket {
  let b = map.get(key);
  if (b === undefined) {
    b = { is: [], tested: [] };
    map.set(key, b);
  }
  return b;
}

function addTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
