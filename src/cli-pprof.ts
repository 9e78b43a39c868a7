// The pprof-style commands: `goroscope top|traces|tree|peek|raw|tags PROFILE… [pprof flags]`
// and `goroscope pprof [pprof flags] PROFILE…`. pprof's single-dash flags are handed to the
// core's flag parser as they are; only our own `--json` and `-o/--output FILE` are taken here.
import { runPprof } from './profile'
import { writeAtomic } from './io'

export const PPROF_COMMANDS = new Set(['top', 'text', 'traces', 'tree', 'peek', 'raw', 'tags', 'comments', 'proto', 'pprof'])

export const PPROF_USAGE = `usage:
  goroscope top|text|traces|tree|raw|tags|comments PROFILE... [pprof flags] [--json] [-o FILE]
  goroscope peek REGEX PROFILE... [pprof flags] [--json] [-o FILE]
  goroscope proto PROFILE... [pprof flags] -o FILE
  goroscope pprof [pprof flags] PROFILE...

pprof flags keep pprof's names and defaults: -sample_index, -unit, -nodecount, -nodefraction,
-edgefraction, -focus, -ignore, -hide, -show, -show_from, -prune_from, -tagfocus, -tagignore,
-tagshow, -taghide, -functions|-filefunctions|-files|-lines|-addresses, -noinlines, -trim, -cum,
-base, -diff_base, -normalize, -divide_by, -relative_percentages, -compact_labels, -call_tree,
-all_frames, -mean, -drop_negative, and the legacy -inuse_space, -alloc_objects, -contentions …
Profiles may be gzip or not, profile.proto or Go's legacy text (kubo's mutex.pprof/block.pprof).
`

export interface PprofInvocation {
  args: string[]
  json: boolean
  output?: string
}

/** Split our own options from pprof's; `command` is the goroscope command name. */
export function pprofInvocation(command: string, rest: string[]): PprofInvocation {
  const args: string[] = []
  let json = false
  let output: string | undefined
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]
    if (a === '--json') json = true
    else if (a === '-o' || a === '--output' || a === '-output') {
      if (i + 1 >= rest.length) throw new UsageError(`${a} needs a file name`)
      output = rest[++i]
    } else if (a.startsWith('--output=') || a.startsWith('-output=')) output = a.slice(a.indexOf('=') + 1)
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
  return { args, json, output }
}

export class UsageError extends Error {}

export async function runPprofCommand(command: string, rest: string[]): Promise<void> {
  const inv = pprofInvocation(command, rest)
  const report = await runPprof(inv.args)
  for (const w of report.warnings) process.stderr.write(w.endsWith('\n') ? w : w + '\n')
  if (report.kind === 'proto') {
    await writeAtomic(inv.output!, report.proto ?? Buffer.alloc(0))
    return
  }
  const out = inv.json ? JSON.stringify(report.toJSON(), null, 2) + '\n' : report.text
  if (inv.output) await writeAtomic(inv.output, out)
  else process.stdout.write(out)
}
