// The pprof-style commands: `goroscope top|traces|tree|peek|raw|tags PROFILE… [pprof flags]`
// and `goroscope pprof [pprof flags] PROFILE…`. pprof's single-dash flags are handed to the
// core's flag parser as they are; only our own `--json` and `-o/--output FILE` are taken here.
import { writeAtomic } from './io'
import { runPprof } from './profile'
import { RENDER_COMMANDS, runRenderCommand } from './cli-render'
import { safe } from './render/stacks-text'

/**
 * Text reports print names from the profile as pprof does (byte-identical in files and pipes);
 * on a terminal, control bytes (ANSI escape sequences…) are shown escaped (`\x1b`) instead.
 */
export function forTerminal(text: string, stream: { isTTY?: boolean }): string {
  return stream.isTTY ? safe(text) : text
}

export const PPROF_COMMANDS = new Set(['top', 'text', 'traces', 'tree', 'peek', 'raw', 'tags', 'comments', 'proto', 'pprof', 'dot', 'svg', 'web', 'flame'])

export const PPROF_USAGE = `usage:
  goroscope top|text|traces|tree|raw|tags|comments PROFILE... [pprof flags] [--json] [-o FILE]
  goroscope peek REGEX PROFILE... [pprof flags] [--json] [-o FILE]
  goroscope proto PROFILE... [pprof flags] -o FILE
  goroscope pprof [pprof flags] PROFILE...
  goroscope dot PROFILE...|DUMP [pprof flags] [--min-wait N] [-o FILE]
  goroscope svg PROFILE...|DUMP [pprof flags] [--renderer wasm|dot] [--min-wait N] [-o FILE.svg]
  goroscope web PROFILE...|DUMP [pprof flags] [--renderer wasm|dot] [--min-wait N] [-o FILE.svg] [--no-browser]
  goroscope flame PROFILE...|DUMP [pprof flags] [--min-wait N] -o FILE.html

A text goroutine dump (debug=2, panic, SIGQUIT) in place of the profile is read as a goroutine/count
profile (labels state and wait); the graph marks where goroutines waiting --min-wait minutes
(default 1) are parked with a red border. svg/web render with the bundled WebAssembly Graphviz, or
with the system's dot (--renderer dot).

pprof flags keep pprof's names and defaults: -sample_index, -unit, -nodecount, -nodefraction,
-edgefraction, -focus, -ignore, -hide, -show, -show_from, -prune_from, -tagfocus, -tagignore,
-tagshow, -taghide, -functions|-filefunctions|-files|-lines|-addresses, -noinlines, -trim, -cum,
-base, -diff_base, -normalize, -divide_by, -relative_percentages, -compact_labels, -call_tree,
-all_frames, -mean, -drop_negative, and the legacy -inuse_space, -alloc_objects, -contentions …
--binary FILE symbolizes address-only profiles from the ELF binary that produced them first.
--max-decompressed BYTES refuses gzip input that inflates to more (default 4 GiB).
Profiles may be gzip or not, profile.proto or Go's legacy text (kubo's mutex.pprof/block.pprof).
`

export interface PprofInvocation {
  args: string[]
  json: boolean
  output?: string
  /** `--binary FILE`: symbolize the profiles from this ELF binary first. */
  binary?: string
  /** `--max-decompressed BYTES`: refuse gzip input that inflates to more. */
  maxDecompressed?: number
}

/** Split our own options from pprof's; `command` is the goroscope command name. */
export function pprofInvocation(command: string, rest: string[]): PprofInvocation {
  const args: string[] = []
  let json = false
  let output: string | undefined
  let binary: string | undefined
  let maxDecompressed: number | undefined
  const bytes = (flag: string, v: string) => {
    const n = Number(v)
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} needs a whole number of bytes ≥ 1, not ${JSON.stringify(v)}`)
    return n
  }
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]
    if (a === '--json') json = true
    else if (a === '-o' || a === '--output' || a === '-output') {
      if (i + 1 >= rest.length) throw new UsageError(`${a} needs a file name`)
      output = rest[++i]
    } else if (a.startsWith('--output=') || a.startsWith('-output=')) output = a.slice(a.indexOf('=') + 1)
    else if (a === '--binary') {
      if (i + 1 >= rest.length) throw new UsageError(`${a} needs a file name`)
      binary = rest[++i]
    } else if (a.startsWith('--binary=')) binary = a.slice('--binary='.length)
    else if (a === '--max-decompressed') {
      if (i + 1 >= rest.length) throw new UsageError(`${a} needs a number of bytes`)
      maxDecompressed = bytes(a, rest[++i])
    } else if (a.startsWith('--max-decompressed=')) maxDecompressed = bytes('--max-decompressed', a.slice(a.indexOf('=') + 1))
    else args.push(a)
  }
  if (command === 'peek') {
    const re = args.shift()
    if (re === undefined || re.startsWith('-')) throw new UsageError('peek needs a regular expression: goroscope peek REGEX PROFILE...')
    args.unshift(`-peek=${re}`)
  } else if (command !== 'pprof') {
    args.unshift(`-${command}`)
  }
  if (command === 'proto' && !output) throw new UsageError('proto writes a binary profile: give -o FILE')
  return { args, json, output, binary, maxDecompressed }
}

export class UsageError extends Error {}

export async function runPprofCommand(command: string, rest: string[]): Promise<void> {
  if (RENDER_COMMANDS.has(command)) return runRenderCommand(command, rest)
  const inv = pprofInvocation(command, rest)
  const report = await runPprof(inv.args, { binary: inv.binary, maxDecompressed: inv.maxDecompressed })
  for (const w of report.warnings) process.stderr.write(forTerminal(w.endsWith('\n') ? w : w + '\n', process.stderr))
  if (report.kind === 'proto') {
    await writeAtomic(inv.output!, report.proto ?? Buffer.alloc(0))
    return
  }
  const out = inv.json ? JSON.stringify(report.toJSON(), null, 2) + '\n' : report.text
  if (inv.output) await writeAtomic(inv.output, out)
  else process.stdout.write(forTerminal(out, process.stdout))
}
