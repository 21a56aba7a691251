/** Temporary git repositories for tests, made with a clean git environment. */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  LC_ALL: "C",
  GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z",
  GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z",
};

export interface TestCommit {
  message: string;
  /** Files to write (content) or delete (null); default: change file.txt. */
  files?: Record<string, string | null>;
  author?: { name: string; email: string };
  committer?: { name: string; email: string };
}

export class TempRepo {
  readonly dir: string;
  private count = 0;

  constructor(prefix = "countersign-test-") {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
    this.git("init", "-q", "-b", "main");
  }

  git(...args: string[]): string {
    return execFileSync("git", ["-C", this.dir, ...args], { env: GIT_ENV, encoding: "utf8" });
  }

  /** Commits `c` verbatim (no message cleanup) and returns its sha. */
  commit(c: TestCommit): string {
    const author = c.author ?? { name: "Alice Example", email: "alice@example.com" };
    const committer = c.committer ?? author;
    this.count++;
    const files = c.files ?? { "file.txt": `change ${this.count}\n` };
    for (const [path, content] of Object.entries(files)) {
      if (content === null) {
        this.git("rm", "-q", path);
      } else {
        mkdirSync(dirname(join(this.dir, path)), { recursive: true });
        writeFileSync(join(this.dir, path), content);
        this.git("add", path);
      }
    }
    const msgFile = join(this.dir, ".git", "MSG");
    writeFileSync(msgFile, c.message);
    execFileSync("git", ["-C", this.dir, "commit", "-q", "--cleanup=verbatim", "--allow-empty-message", "-F", msgFile], {
      env: { ...GIT_ENV, GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email, GIT_COMMITTER_NAME: committer.name, GIT_COMMITTER_EMAIL: committer.email },
    });
    return this.git("rev-parse", "HEAD").trim();
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** An Io that records what a CLI command printed. */
export function bufferIo(): { out: (t: string) => void; err: (t: string) => void; stdout: () => string; stderr: () => string } {
  let out = "";
  let err = "";
  return {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    stdout: () => out,
    stderr: () => err,
  };
}
