// Node module hooks for the benchmark: import the TypeScript test support modules (the GitHub double,
// the app process, the webhooks) directly, transpiled on load with the project's own TypeScript — no
// build step, one source shared with the end-to-end tests. Registered by run.js with module.register.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** `./x.js` imported from a .ts file means `./x.ts` when only that exists (TypeScript's NodeNext convention). */
export async function resolve(specifier, context, nextResolve) {
  if (context.parentURL?.endsWith(".ts") && /^\.\.?\//.test(specifier) && specifier.endsWith(".js")) {
    const js = new URL(specifier, context.parentURL);
    const tsUrl = new URL(js.href.replace(/\.js$/, ".ts"));
    if (!existsSync(fileURLToPath(js)) && existsSync(fileURLToPath(tsUrl))) return { url: tsUrl.href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return nextLoad(url, context);
  const fileName = fileURLToPath(url);
  const { outputText } = ts.transpileModule(await readFile(fileName, "utf8"), {
    fileName,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false, inlineSourceMap: false },
  });
  return { format: "module", source: outputText, shortCircuit: true };
}
