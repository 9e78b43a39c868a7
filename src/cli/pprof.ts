// The pprof report commands: `goroscope top|text|traces|tree|raw|tags|comments|callgrind PROFILE…`,
// `peek|list|weblist REGEX PROFILE…`, `proto|topproto PROFILE… -o FILE` and `pprof [pprof flags] PROFILE…` (pprof's
// own command line). pprof's single-dash flags (`-nodecount=5`, `-focus re`, …) are not ours to
// parse: these commands run without yargs (the pass-through, see flags.ts) and hand every
// argument but goroscope's own flags to the core's flag parser, unchanged and in order. yargs
// knows them only for `--help` and completion.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

import type { Argv, CommandModule } from 'yargs'

import type { ProfileReport } from '../profile'
import { openInBrowser } from './browser'

import type { Context, Family } from './family'
import { UsageError } from './errors'
import { BINARY_FLAG, JSON_FLAG, MAX_DECOMPRESSED_FLAG, OUTPUT_FLAG, type OwnFlag, SOURCE_FLAGS, splitFlags, yargsOption } from './flags'
import { resolvePprofArgs } from './sources'
import { say, warn, writeOut } from './output'
import { jsonText } from '../render/terminal'

export const PPROF_FLAGS_HELP = `pprof flags keep pprof's names and defaults: -sample_index, -unit, -nodecount, -nodefraction,
-edgefraction, -focus, -ignore, -hide, -show, -show_from, -prune_from, -tagfocus, -tagignore,
-tagshow, -taghide, -functions|-filefunctions|-files|-lines|-addresses, -noinlines, -trim, -cum,
-base, -diff_base, -normalize, -divide_by, -relative_percentages, -compact_labels, -call_tree,
-all_frames, -mean, -drop_negative, -source_path, -trim_path, -symbolize, -intel_syntax (disasm), and the legacy
-inuse_space, -alloc_objects, -contentions …
goroscope pprof -http=[host]:port [-no_browser] serves the web UI (flame graph, graph, top, peek,
source, disassemble) on 127.0.0.1 unless a host is named.
--binary FILE symbolizes address-only profiles from the ELF binary that produced them first; disasm
reads its instructions from it (else from the mapping's file, when that exists).
--max-decompressed BYTES refuses gzip input that inflates to more (default 4 GiB).
Profiles may be gzip or not, profile.proto or Go's legacy text (kubo's mutex.pprof/block.pprof).
`

/** What `goroscope pprof --help` says of the shell (README, "Interactive shell"). */
export const SHELL_HELP = `With no report flag (-top, -dot, …) goroscope pprof PROFILE enters pprof's interactive shell, as
go tool pprof PROFILE does: the profile is read once, then at the (pprof) prompt type a report
command (top, top10 -cum, tree, peek REGEX, list REGEX, weblist REGEX, traces, raw, tags, comments, dot, proto, svg, web, flame,
… with >FILE to save it), set options (focus=REGEX, hide=, sample_index=alloc_space, nodecount=20,
granularity=lines, cum=1; NAME= clears one, : clears the filters), o lists the options, help [NAME]
explains, quit or Ctrl-D leaves. Ctrl-C stops a long report. Standard output gets exactly what
go tool pprof prints; a script on standard input works (goroscope pprof cpu.pprof < commands.txt).
History: ~/.goroscope_history.
`

export const SOURCES_HELP = `A PROFILE may be a URL: http(s)://host:port/debug/pprof/TYPE[?query], or host:port for the CPU
profile (/debug/pprof/profile), fetched with pprof's -seconds and -timeout rules and saved as pprof
saves it ($PPROF_TMPDIR, else ~/pprof: pprof.BINARY.TYPES.NNN.pb.gz, printed on stderr). A bare
profile name (heap, profile, allocs, goroutine, mutex, block, threadcreate) that is not a file is
fetched from kubo's API: --api ADDR, else $IPFS_PATH/api, ~/.ipfs/api, 127.0.0.1:5001; --api-auth
SECRET is sent as kubo's Authorization header and never printed or saved.
`

export const DUMP_HELP = `A text goroutine dump (debug=2, panic, SIGQUIT) in place of the profile is read as a goroutine/count
profile (tags state and wait, the goroutines' own pprof labels, leaked=true for runtime-proven
leaks: -tagfocus=tenant=acme, -tagshow, tags work on it); the graph marks where goroutines waiting --min-wait minutes
(default 1) are parked with a red border. svg/web render with the bundled WebAssembly Graphviz, or
with the system's dot (--renderer dot).
`

export interface Command {
  name: string
  /** The yargs command string (for help and completion). */
  yargs: string
  usage: string
  describe: string
}

const REPORTS: Command[] = [
  { name: 'top', yargs: 'top <profile..>', usage: 'top PROFILE... [pprof flags] [--json] [-o FILE]', describe: "pprof's top report: the heaviest functions" },
  { name: 'text', yargs: 'text <profile..>', usage: 'text PROFILE... [pprof flags] [--json] [-o FILE]', describe: "the same as top (pprof's -text)" },
  { name: 'traces', yargs: 'traces <profile..>', usage: 'traces PROFILE... [pprof flags] [--json] [-o FILE]', describe: "pprof's traces report: every sample's stack" },
  { name: 'tree', yargs: 'tree <profile..>', usage: 'tree PROFILE... [pprof flags] [--json] [-o FILE]', describe: "pprof's tree report: callers and callees of each node" },
  { name: 'peek', yargs: 'peek <regex> <profile..>', usage: 'peek REGEX PROFILE... [pprof flags] [--json] [-o FILE]', describe: 'callers and callees of the functions matching REGEX' },
  { name: 'raw', yargs: 'raw <profile..>', usage: 'raw PROFILE... [pprof flags] [--json] [-o FILE]', describe: "pprof's raw listing of the profile" },
  { name: 'tags', yargs: 'tags <profile..>', usage: 'tags PROFILE... [pprof flags] [--json] [-o FILE]', describe: "the profile's label keys and values, weighted" },
  { name: 'comments', yargs: 'comments <profile..>', usage: 'comments PROFILE... [pprof flags] [--json] [-o FILE]', describe: "the profile's comments" },
  { name: 'list', yargs: 'list <regex> <profile..>', usage: 'list REGEX PROFILE... [pprof flags] [-source_path DIRS] [-trim_path PREFIXES] [-o FILE]', describe: 'annotated source of the functions matching REGEX, read from local files' },
  { name: 'disasm', yargs: 'disasm <regex> <profile..>', usage: 'disasm REGEX PROFILE... [--binary BIN] [pprof flags] [-intel_syntax] [-o FILE]', describe: 'annotated assembly of the symbols matching REGEX, decoded from the binary (x86-64)' },
  { name: 'weblist', yargs: 'weblist <regex> <profile..>', usage: 'weblist REGEX PROFILE... [pprof flags] [-source_path DIRS] [-trim_path PREFIXES] [-o FILE.html]', describe: "the annotated source of list as an HTML page (pprof's weblist), opened in a browser unless -o names a file" },
  { name: 'callgrind', yargs: 'callgrind <profile..>', usage: 'callgrind PROFILE... [pprof flags] [-o FILE]', describe: 'the call graph in callgrind format (for KCachegrind)' },
  { name: 'proto', yargs: 'proto <profile..>', usage: 'proto PROFILE... [pprof flags] -o FILE', describe: 'write the merged, filtered profile as gzipped profile.proto' },
  { name: 'topproto', yargs: 'topproto <profile..>', usage: 'topproto PROFILE... [pprof flags] -o FILE', describe: 'write the top entries (cum, flat per node) as gzipped profile.proto' },
  { name: 'pprof', yargs: 'pprof [args..]', usage: 'pprof [pprof flags] PROFILE...', describe: "pprof's own command line (-top, -tree, -dot, … as flags)" },
]

/** The drawing commands (graph.ts runs them); here so that one usage text lists the whole family. */
export const GRAPHS: Command[] = [
  { name: 'dot', yargs: 'dot <input..>', usage: 'dot PROFILE...|DUMP [pprof flags] [--min-wait N] [-o FILE]', describe: "pprof's DOT call graph, byte for byte" },
  { name: 'svg', yargs: 'svg <input..>', usage: 'svg PROFILE...|DUMP [pprof flags] [--renderer wasm|dot] [--min-wait N] [-o FILE.svg]', describe: 'the call graph as a pan/zoom SVG' },
  { name: 'web', yargs: 'web <input..>', usage: 'web PROFILE...|DUMP [pprof flags] [--renderer wasm|dot] [--min-wait N] [-o FILE.svg] [--no-browser]', describe: 'write the SVG call graph and open it in a browser' },
  { name: 'flame', yargs: 'flame <input..>', usage: 'flame PROFILE...|DUMP [pprof flags] [--min-wait N] -o FILE.html', describe: 'a self-contained interactive flame graph page' },
]

/** What a usage error of any of these commands prints after its message. */
export const PPROF_USAGE = `usage:
  goroscope top|text|traces|tree|raw|tags|comments PROFILE... [pprof flags] [--json] [-o FILE]
  goroscope peek|list REGEX PROFILE... [pprof flags] [--json] [-o FILE]
  goroscope disasm REGEX PROFILE... [--binary BIN] [pprof flags] [-intel_syntax] [-o FILE]
  goroscope weblist REGEX PROFILE... [pprof flags] [-o FILE.html]
  goroscope callgrind PROFILE... [pprof flags] [-o FILE]
  goroscope proto|topproto PROFILE... [pprof flags] -o FILE
  goroscope pprof [pprof flags] PROFILE...
  goroscope pprof -http=[HOST]:PORT [-no_browser] [pprof flags] PROFILE...
${GRAPHS.map((c) => `  goroscope ${c.usage}\n`).join('')}
${DUMP_HELP}
${PPROF_FLAGS_HELP}`

const FLAGS: OwnFlag[] = [JSON_FLAG, OUTPUT_FLAG, BINARY_FLAG, MAX_DECOMPRESSED_FLAG]

export interface PprofInvocation {
  /** pprof's command line for the core, with the report flag (`-top`, `-peek=RE`) first. */
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
  const { own, rest: args } = splitFlags(rest, FLAGS)
  if (command === 'peek' || command === 'list' || command === 'weblist' || command === 'disasm') {
    const re = args.shift()
    if (re === undefined || re.startsWith('-')) throw new UsageError(`${command} needs a regular expression: goroscope ${command} REGEX PROFILE...`)
    args.unshift(`-${command}=${re}`)
  } else if (command !== 'pprof') {
    args.unshift(`-${command}`)
  }
  const output = own.get('output') as string | undefined
  if ((command === 'proto' || command === 'topproto') && !output) throw new UsageError(`${command} writes a binary profile: give -o FILE`)
  return { args, json: own.has('json'), output, binary: own.get('binary') as string | undefined, maxDecompressed: own.get('max-decompressed') as number | undefined }
}

/** A UsageError of these commands gets the family's usage text (as pprof prints its usage). */
export async function withUsage<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f()
  } catch (e) {
    if (e instanceof UsageError && !e.usage) throw new UsageError(e.message, PPROF_USAGE)
    throw e
  }
}

/** `goroscope pprof` without a report flag: pprof's interactive shell, as `go tool pprof PROFILE`
 *  enters it (its exit code); undefined when the command line names a report. */
async function shellIfNoReport(inv: PprofInvocation): Promise<number | undefined> {
  const { PprofSession } = require('../pprof-session') as typeof import('../pprof-session')
  if (inv.json || inv.output || !PprofSession.entersShell(inv.args)) return undefined
  const { shell } = require('./shell') as typeof import('./shell')
  return shell(inv.args, { binary: inv.binary, maxDecompressed: inv.maxDecompressed })
}

export function run(command: string, rest: string[]): Promise<number> {
  return withUsage(async () => {
    // `pprof -http=[host]:port …`: the web UI (http.ts, src/server), loaded only then.
    if (command === 'pprof' && rest.some((a) => /^--?http(=|$)/.test(a))) return (require('./http') as typeof import('./http')).serve(rest)
    const inv = pprofInvocation(command, rest)
    inv.args = await resolvePprofArgs(inv.args) // URL and kubo API sources → saved files (src/source)
    const { runPprof, isBinary } = require('../profile') as typeof import('../profile')
    const { runPprofOrStacks, inputFiles } = require('../render/input') as typeof import('../render/input')
    const shell = command === 'pprof' ? await shellIfNoReport(inv) : undefined
    if (shell !== undefined) return shell
    // One goroutine dump is read as its goroutine/count profile (labels as tags), as the
    // drawing commands read it, so that -tagfocus/-tagshow/tags work on dumps too.
    const report =
      inv.maxDecompressed === undefined
        ? (await runPprofOrStacks(inv.args, { binary: inv.binary })).report
        : await runPprof(inv.args, { binary: inv.binary, maxDecompressed: inv.maxDecompressed })
    for (const w of report.warnings) warn(w)
    if (report.kind === 'weblist' && !inv.json) await showWebList(report, inputFiles(inv.args), inv.output || report.output || undefined)
    else if (isBinary(report.kind)) await writeOut(report.proto ?? Buffer.alloc(0), inv.output)
    else if (inv.json) await writeOut(jsonText(report.toJSON()), inv.output, true)
    // To a file or a pipe the report goes as the core's UTF-8 bytes: `traces` of a big profile
    // passes V8's string limit (512 MiB). A terminal gets the string, escaped.
    else await writeOut(inv.output || !process.stdout.isTTY ? report.textBytes : report.text, inv.output)
    return 0
  })
}

/**
 * The weblist page to `output`, else (as pprof) to a temporary file opened in the browser; its
 * name is printed on standard output when no browser can be asked.
 */
async function showWebList(report: ProfileReport, inputs: string[], output: string | undefined): Promise<void> {
  const { renderWebListHtml } = require('../render/weblist') as typeof import('../render/weblist')
  const html = renderWebListHtml(report, inputs.map((f) => path.basename(f)).join(', ') || 'profile')
  if (output) return writeOut(html, output)
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'goroscope-')), 'weblist.html')
  await writeOut(html, file)
  if (openInBrowser(file)) say(`opened ${file} in the browser`)
  else process.stdout.write(`${file}\n`)
}

/** The yargs definition of a pass-through command (help, completion), running `run` with the raw arguments. */
export function passThroughCommand(c: Command, flags: OwnFlag[], epilogue: string, ctx: Context, go: (name: string, rest: string[]) => Promise<number>): CommandModule<object, object> {
  return {
    command: c.yargs,
    describe: c.describe,
    builder: (y: Argv) => {
      // yargs wraps the epilogue itself: one line per paragraph
      let b = y.usage(`goroscope ${c.usage}\n\n${c.describe}`).strict(false).epilogue(epilogue.replace(/([^\n])\n(?!\n)/g, '$1 '))
      for (const f of flags) b = b.option(f.name, yargsOption(f))
      return b
    },
    handler: async () => {
      ctx.code = await go(c.name, ctx.argv.slice(ctx.argv.indexOf(c.name) + 1))
    },
  }
}

export const family: Family = {
  commands: (ctx) =>
    REPORTS.map((c) => passThroughCommand(c, [...FLAGS, ...SOURCE_FLAGS], `${c.name === 'pprof' ? `${SHELL_HELP}\n` : ''}${SOURCES_HELP}\n${PPROF_FLAGS_HELP}`, ctx, run)),
  run,
}
