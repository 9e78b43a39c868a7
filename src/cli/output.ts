// Where a command's result goes: `-o FILE` (written atomically, as it is), else stdout. What is
// not yet terminal-safe is escaped when stdout or stderr is a terminal (render/terminal.ts, rule 3).
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

/** A warning as pprof prints it on stderr (one line each), escaped on a terminal. */
export function warn(w: string): void {
  process.stderr.write(forTerminal(w.endsWith('\n') ? w : w + '\n', process.stderr))
}

/** A note from goroscope on stderr: `goroscope: …`. */
export function say(s: string): void {
  process.stderr.write(`goroscope: ${s}\n`)
}
