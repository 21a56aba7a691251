import { parseArgs, type ParseArgsConfig } from "node:util";

/** What a CLI command may touch: its output streams. Tests pass buffers; the binary passes the process's. */
export interface Io {
  /** Writes to stdout; resolves when the data may be written again (backpressure). */
  out(text: string): void | Promise<void>;
  err(text: string): void;
}

/** A problem with how the command was called or what it was given: one line on stderr, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Parses a command's flags strictly (node:util), turning node's errors into one UsageError line that
 * names the flag and points at the command's --help.
 */
export function parseFlags<O extends NonNullable<ParseArgsConfig["options"]>>(command: string, argv: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
  } catch (error) {
    const raw = typeof (error as { message?: unknown })?.message === "string" ? (error as { message: string }).message : String(error);
    throw new UsageError(`${command}: ${(raw.split(". ")[0] ?? raw).replace(/\.$/, "")} (see countersign ${command} --help)`);
  }
}

/** The one OWNER/REPO positional a GitHub command takes, or a UsageError saying what is wrong. */
export function onePositional(command: string, positionals: readonly string[]): string {
  if (positionals.length === 0) throw new UsageError(`${command}: which repository? give it as OWNER/REPO (see countersign ${command} --help)`);
  if (positionals.length > 1) throw new UsageError(`${command}: unexpected argument '${positionals[1] ?? ""}' (one repository per run; see countersign ${command} --help)`);
  return positionals[0] ?? "";
}
