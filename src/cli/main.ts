// The `goroscope` command line: one dispatcher over the command table (commands.ts).
//
//   - `goroscope --version` answers from package.json;
//   - a command that takes pprof's flags (top, peek, dot, flame, …) runs straight away with its
//     arguments as typed: goroscope's own few flags are taken out (flags.ts) and the rest goes to
//     the core's pprof flag parser unchanged (the pass-through);
//   - everything else (the other commands, `--help` of any command, completion, mistakes) goes
//     through yargs (given the named command's family, or every family for the overall help).
// Either way modules load only when their command runs: yargs (~50 ms) is not loaded for the
// first two, yargs gets only the named command's family, the native addon and Graphviz load only
// in the handlers that need them (__test__/cli.spec.ts checks which modules a run loads). Errors
// become exit codes in one place (exit.ts).
//
// Layers (README, Layout): the Node API (stacks, profile, native, symbolize, io) ← bundle ←
// collect | report-node ← render ← cli; nothing imports upwards (__test__/imports.spec.ts).
import type { Argv } from 'yargs'

import { COMMANDS, families, family } from './commands'
import { UsageError } from './errors'
import type { Context } from './family'
import { reportError } from './exit'

const wantsHelp = (argv: string[]) => argv.includes('--help') || argv.includes('-h')
const toolVersion = () => (require('./version') as typeof import('./version')).toolVersion()

const COMPLETION = 'print a bash or zsh completion script (source it, or add it to ~/.bashrc / ~/.zshrc)'
// yargs' completion command prints its script whatever follows it: its --help is ours
const COMPLETION_HELP = `goroscope completion

${COMPLETION}

  source <(goroscope completion)      complete goroscope in this shell
  goroscope completion >> ~/.bashrc   in every bash (zsh: ~/.zshrc)
`

export async function main(argv: string[]): Promise<number> {
  try {
    if (argv.length === 1 && argv[0] === '--version') {
      process.stdout.write(`${toolVersion()}\n`)
      return 0
    }
    if (argv[0] === 'completion' && wantsHelp(argv)) {
      process.stdout.write(COMPLETION_HELP)
      return 0
    }
    const f = COMMANDS[argv[0]] ? family(COMMANDS[argv[0]]) : undefined
    if (f?.run && !wantsHelp(argv)) return await f.run(argv[0], argv.slice(1))
    return await withYargs(argv)
  } catch (e) {
    return reportError(e)
  }
}

async function withYargs(argv: string[]): Promise<number> {
  const { default: yargs } = await import('yargs')
  const ctx: Context = { argv, code: 0 }
  const command = COMMANDS[argv[0]] ? argv[0] : undefined
  let y: Argv = yargs(argv).scriptName('goroscope')
  // a named command needs only its own family; the overall help, completion and mistakes need all
  for (const f of command ? [family(COMMANDS[command])] : families()) for (const c of f.commands(ctx)) y = y.command(c)
  await y
    .completion('completion', COMPLETION)
    .demandCommand(1, 'name a command: goroscope stacks FILE, goroscope top PROFILE')
    .strict()
    .fail((msg, err) => {
      // thrown, not just printed: yargs would still run the handler after a failed validation
      throw err ?? new UsageError(msg, `(see goroscope ${command ? `${command} ` : ''}--help)\n`)
    })
    .help()
    .version(toolVersion())
    .exitProcess(false)
    .parseAsync()
  return ctx.code
}
