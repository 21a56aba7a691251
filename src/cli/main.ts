/**
 * The `countersign` command line. Dispatches to one subcommand module, imported on demand so each
 * command loads only what it needs (`scan` never loads the server, Probot or Octokit).
 */
import { UsageError, type Io } from "./io.js";

export const HELP = `countersign — a two-person rule for AI-authored changes

Usage:
  countersign scan [--repo DIR] [--json] [--all] [--fail-on-ai] [--config FILE] [REVISION-RANGE...]
      List the AI-authored commits in a range (default: HEAD), with the evidence for each.
  countersign schema
      The JSON Schema of .github/countersign.yml (for editors; also in schema/).
  countersign rules [--json]
      The built-in detection rules: id (for detection.disable_rules), kind, tool, what it matches.
  countersign audit OWNER/REPO [--since DATE] [--until DATE] [--format table|json|csv]
      Every merged AI-authored pull request in a window, with how the gate ended (needs GITHUB_TOKEN).
  countersign doctor OWNER/REPO [--app-slug SLUG] [--check-name NAME]
      Check a repository's countersign setup: config, required check, its source (needs GITHUB_TOKEN).
  countersign --help | --version

Run 'countersign <command> --help' for a command's options.
Exit status: 0 ok; 1 scan --fail-on-ai found AI-authored commits, or doctor found a problem;
2 bad usage, git or GitHub error (one line on stderr).`;

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit status. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "scan": {
        const { scan } = await import("./scan.js");
        return await scan(rest, io);
      }
      case "schema": {
        const { schema } = await import("./schema.js");
        return await schema(rest, io);
      }
      case "rules": {
        const { rules } = await import("./rules.js");
        return await rules(rest, io);
      }
      case "audit": {
        const { audit } = await import("./audit.js");
        return await audit(rest, io);
      }
      case "doctor": {
        const { doctor } = await import("./doctor.js");
        return await doctor(rest, io);
      }
      case "--version":
      case "-v": {
        const { version } = await import("./version.js");
        io.out(`countersign ${version()}\n`);
        return 0;
      }
      case undefined:
      case "--help":
      case "-h":
      case "help":
        io.out(`${HELP}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}' (commands: scan, audit, doctor, rules, schema; see countersign --help)`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`countersign: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
