/**
 * The benchmarks' command lines: node:util's parseArgs plus --help, and whole-number options checked
 * against a range. A bad command line ends the process with a one-line message naming the option,
 * then the usage (exit status 2, as every benchmark documents).
 */
import { parseArgs } from "node:util";

/**
 * `name` prefixes messages (`bench:scan`); `options` is parseArgs's (--help is added). Returns the
 * parsed values and `count(option, min, max?)`, which reads a whole-number option or exits.
 */
export function benchOptions(name, usage, options) {
  const refuse = (message) => {
    process.stderr.write(`${name}: ${message}\n${usage}\n`);
    process.exit(2);
  };
  let values;
  try {
    ({ values } = parseArgs({ options: { ...options, help: { type: "boolean", short: "h" } } }));
  } catch (error) {
    refuse(error.message);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const count = (option, min, max) => {
    const n = Number(values[option]);
    if (!Number.isInteger(n) || n < min || (max !== undefined && n > max)) {
      refuse(`--${option} needs a whole number ${max === undefined ? `≥ ${min}` : `from ${min} to ${max}`}, not '${values[option]}'`);
    }
    return n;
  };
  return { values, count, refuse };
}
