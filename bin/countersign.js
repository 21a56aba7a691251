#!/usr/bin/env node
// The `countersign` command. Runs the compiled CLI from dist/ (built by `npm install` / `npm ci`).
let main;
try {
  ({ main } = await import("../dist/cli/main.js"));
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist")) {
    process.stderr.write("countersign: the CLI is not built yet: run `npm install` (or `npm run build`) in the countersign checkout\n");
    process.exit(2);
  }
  throw error;
}

const io = {
  out: (text) =>
    new Promise((resolve) => {
      if (process.stdout.write(text)) resolve();
      else process.stdout.once("drain", resolve);
    }),
  err: (text) => process.stderr.write(text),
};
// `countersign scan | head`: the reader went away; stop quietly, as git and grep do.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});
process.exitCode = await main(process.argv.slice(2), io);
