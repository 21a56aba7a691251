/** The JSON Schema of `.github/countersign.yml`, generated from the zod schema (for editors). */
import { z } from "zod";
import { ConfigSchema } from "./schema.js";

export const SCHEMA_ID = "https://raw.githubusercontent.com/countersign/countersign/main/schema/countersign.schema.json";

export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ConfigSchema, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
  return {
    ...schema,
    $id: SCHEMA_ID,
    title: "countersign configuration (.github/countersign.yml)",
    description: "Configuration of the countersign GitHub App. Every key is optional; see the README for defaults.",
  };
}
