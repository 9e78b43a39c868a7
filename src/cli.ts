// The `goroscope` command line: parses flags with yargs, calls the Node API, renders, exits
// 0 on success, 2 on bad input or options, 1 on an internal error.
import yargs from 'yargs'

import { GoroscopeError } from './native'
import { PPROF_COMMANDS, PPROF_USAGE, runPprofCommand, UsageError } from './cli-pprof'
import { analyzeStacks } from './stacks'
import { palette, wantColor } from './render/color'
import { renderStacksText } from './render/stacks-text'
import { writeAtomic } from './io'
import { runSymbolizeCommand } from './cli-symbolize'
import { nodeCommands, TOOL_VERSION } from './cli-node'

async function emit(text: string, output: string | undefined) {
  if (output) await writeAtomic(output, text)
  else process.stdout.write(text)
}

export async function main(argv: string[]): Promise<number> {
  let code = 0
  const fail = (e: unknown) => {
    if (e instanceof GoroscopeError) {
      process.stderr.write(`goroscope: ${e.message}\n`)
      code = e.code === 'GOROSCOPE_PANIC' ? 1 : 2
    } else {
      process.stderr.write(`goroscope: ${e instanceof Error ? e.message : String(e)}\n`)
      code = (e as { code?: string })?.code === 'ENOENT' ? 2 : 1
    }
  }
  if (argv[0] === 'symbolize') return runSymbolizeCommand(argv.slice(1))
  if (argv.length > 0 && PPROF_COMMANDS.has(argv[0])) {
    // pprof's single-dash flags do not survive yargs; the core's flag parser takes them as they are.
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(PPROF_USAGE)
      return 0
    }
    try {
      await runPprofCommand(argv[0], argv.slice(1))
    } catch (e) {
      if (e instanceof UsageError) {
        process.stderr.write(`goroscope: ${e.message}\n${PPROF_USAGE}`)
        return 2
      }
      fail(e)
    }
    return code
  }
  await yargs(argv)
    .scriptName('goroscope')
    .command(
      'stacks <file>',
      'analyse a goroutine dump (debug=1/debug=2, panic or SIGQUIT text, gzip or plain): states, hung goroutines, lock holders, leaks',
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true, describe: 'the dump (use - for standard input)' })
          .option('json', { type: 'boolean', default: false, describe: 'print the documented JSON object (docs/stacks-json.md)' })
          .option('min-wait', { type: 'number', default: 1, describe: 'minutes from which a group counts as hung' })
          .option('state', { type: 'string', describe: 'keep goroutines whose state contains S, or whose class is S (lock, channel, select, io, syscall, sleep, running, runtime, other)' })
          .option('match', { type: 'string', describe: 'keep goroutines with a frame (function or file) matching this regular expression' })
          .option('top', { type: 'number', describe: 'keep the first N groups (text: default 10)' })
          .option('sort', { choices: ['count', 'wait'] as const, default: 'count' as const, describe: 'order of groups' })
          .option('exact', { type: 'boolean', default: false, describe: 'group only identical stacks (arguments and pc offsets included)' })
          .option('diff', { type: 'string', describe: 'a base dump: show which groups grew since it' })
          .option('color', { type: 'boolean', describe: 'force colour on or off (default: on a TTY)' })
          .option('max-decompressed', { type: 'number', describe: 'refuse a gzipped dump that inflates to more than BYTES (default 4 GiB)' })
          .option('output', { alias: 'o', type: 'string', describe: 'write the report to this file (atomically) instead of stdout' }),
      async (a) => {
        try {
          // yargs hands a lone `-` over as an empty string
          const stdin = a.file === '-' || (a.file === '' && argv.includes('-'))
          const input = stdin ? await readStdin() : a.file
          const report = await analyzeStacks(input, {
            minWait: a['min-wait'],
            state: a.state,
            match: a.match,
            top: a.json ? a.top : a.top,
            sort: a.sort,
            similarity: a.exact ? 'exact' : 'loose',
            diff: a.diff,
            maxDecompressed: a['max-decompressed'],
          })
          if (a.json) {
            await emit(JSON.stringify(report.toJSON(), null, 2) + '\n', a.output)
          } else {
            const color = a.output ? false : wantColor(process.stdout, a.color)
            const name = stdin ? '<stdin>' : a.file
            await emit(renderStacksText(report, palette(color), { name, minWait: a['min-wait'], top: a.top ?? 10 }), a.output)
          }
        } catch (e) {
          fail(e)
        }
      },
    )
    .command(nodeCommands((c) => (code = c)))
    .command('top|traces|tree|peek|raw|tags|comments|proto|pprof|dot|svg|web|flame', 'pprof reports with pprof\'s flags (goroscope top --help)')
    .command('symbolize <profile>', 'fill in functions, files and lines of an address-only profile from its binary or the live program (goroscope symbolize --help)')
    .demandCommand(1, 'name a command: goroscope stacks FILE, goroscope top PROFILE')
    .strict()
    .fail((msg, err) => {
      if (err) throw err
      process.stderr.write(`goroscope: ${msg}\n(see goroscope --help)\n`)
      code = 2
    })
    .help()
    // not yargs' guess, which reads the package.json above its own node_modules: the
    // consumer's, once goroscope is installed as a dependency
    .version(TOOL_VERSION)
    .parseAsync()
  return code
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}
