/** `countersign schema`: prints the JSON Schema of .github/countersign.yml. */
import { UsageError, type Io } from "./io.js";

export async function schema(argv: readonly string[], io: Io): Promise<number> {
  if (argv.length > 0) throw new UsageError(`schema: unexpected argument '${argv[0]}' (usage: countersign schema)`);
  const { configJsonSchema } = await import("../config/json-schema.js");
  await io.out(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return 0;
}
