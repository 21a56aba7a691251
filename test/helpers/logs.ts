/** A pino destination that keeps every JSON line it is given, parsed, for tests to assert on. */
import { Writable } from "node:stream";

export function jsonLines(): { sink: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split("\n")) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { sink, lines };
}
