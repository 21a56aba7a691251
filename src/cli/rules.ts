/** `countersign rules`: the built-in signal catalog, one rule per line (ids for `disable_rules`). */
import { IDENTITY_RULES, LINE_RULES, PR_BODY_RULES, SUBJECT_RULES, TRAILER_RULES } from "../detection/catalog.js";
import { UsageError, type Io } from "./io.js";

export interface RuleRow {
  id: string;
  tool: string;
  kind: "identity" | "trailer" | "footer" | "subject" | "pr-body";
  matches: string[];
  source: string;
}

export function ruleRows(): RuleRow[] {
  return [
    ...IDENTITY_RULES.map((r): RuleRow => ({
      id: r.id,
      tool: r.tool,
      kind: "identity",
      matches: [
        ...(r.emails ?? []),
        ...(r.emailSuffixes ?? []).map((s) => `*${s}`),
        ...(r.accounts ?? []).map((a) => `@${a.login}${a.id === undefined ? "" : ` (id ${a.id})`}`),
        ...(r.names ?? []).map((n) => `name /${n.source}/`),
      ],
      source: r.source,
    })),
    ...TRAILER_RULES.map((r): RuleRow => ({ id: r.id, tool: r.tool ?? "(named in the value)", kind: "trailer", matches: r.keys.map((k) => (r.value ? `${k}: /${r.value.source}/${r.value.flags}` : `${k}:`)), source: r.source })),
    ...LINE_RULES.map((r): RuleRow => ({ id: r.id, tool: r.tool, kind: "footer", matches: [`/${r.pattern.source}/`], source: r.source })),
    ...SUBJECT_RULES.map((r): RuleRow => ({ id: r.id, tool: r.tool, kind: "subject", matches: [`/${r.subject.source}/`, ...(r.bodyLine ? [`body line /${r.bodyLine.source}/`] : [])], source: r.source })),
    ...PR_BODY_RULES.map((r): RuleRow => ({ id: r.id, tool: r.tool, kind: "pr-body", matches: [`/${r.pattern.source}/`], source: r.source })),
  ];
}

export async function rules(argv: readonly string[], io: Io): Promise<number> {
  const json = argv.includes("--json");
  const unknown = argv.filter((a) => a !== "--json");
  if (unknown.length > 0) throw new UsageError(`rules: unexpected argument '${unknown[0]}' (usage: countersign rules [--json])`);
  const rows = ruleRows();
  if (json) {
    await io.out(rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
    return 0;
  }
  const width = Math.max(...rows.map((r) => r.id.length));
  await io.out(rows.map((r) => `${r.id.padEnd(width)}  ${r.kind.padEnd(8)}  ${r.tool}: ${r.matches.join(", ")}`).join("\n") + "\n");
  return 0;
}
