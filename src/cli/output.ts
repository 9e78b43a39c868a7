// Where a command's result goes: `-o FILE` (written atomically, as it is), else stdout. What is
// not yet terminal-safe is escaped when stdout or stderr is a terminal (render/terminal.ts, rule 3).
import { once } from 'node:events'

import { writeAtomic } from '../io'
import { forTerminal } from '../render/terminal'

/**
 * Write `data` to `output`, or to stdout. `escaped`: the text already escapes its input
 * strings (goroscope's own reports, JSON), so a terminal gets it as it is (with its colour).
 */
export async function writeOut(data: string | Buffer, output: string | undefined, escaped = false): Promise<void> {
  if (output) return writeAtomic(output, data)
  process.stdout.write(typeof data === 'string' && !escaped ? forTerminal(data, process.stdout) : data)
}

/**
 * Write already-escaped text made piece by piece (`render/json-stream.ts`) to `output` (atomically)
 * or to stdout, one piece at a time and waiting for stdout to drain, so it is never one string.
 */
export async function streamOut(pieces: Iterable<string>, output: string | undefined): Promise<void> {
  if (output) return writeAtomic(output, pieces)
  for (const p of pieces) {
    if (!process.stdout.write(p)) await once(process.stdout, 'drain')
  }
}

/** A warning as pprof prints it on stderr (one line each), escaped on a terminal. */
export function warn(w: string): void {
  process.stderr.write(forTerminal(w.endsWith('\n') ? w : w + '\n', process.stderr))
}

/** A note from goroscope on stderr: `goroscope: …`. */
export function say(s: string): void {
  process.stderr.write(`goroscope: ${s}\n`)
}
