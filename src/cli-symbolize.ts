// `goroscope symbolize PROFILE (--binary FILE | --remote URL) -o OUT`: writes the profile with
// functions (and from a binary files, lines and inlined frames) filled in, atomically; reports
// what was done on stderr (or as JSON with --json). Exit 2 on bad input (a binary that does not
// match the profile, a non-ELF file, an unreachable program), 1 on an internal error.
import yargs from 'yargs'

import { writeAtomic } from './io'
import { GoroscopeError } from './native'
import { symbolize, symbolizeRemote, type SymbolizeResult, type SymbolizeStats } from './symbolize'

function summary(s: SymbolizeStats, from: string): string {
  const by = [
    ['pclntab', s.byPclntab],
    ['DWARF', s.byDwarf],
    ['symbol table', s.bySymtab],
    ['remote', s.byRemote],
  ]
    .filter(([, n]) => (n as number) > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')
  return `symbolized ${s.symbolized} of ${s.locations} locations from ${from}${by ? ` (${by})` : ''}${s.unresolved ? `; ${s.unresolved} unresolved` : ''}\n`
}

export async function runSymbolizeCommand(argv: string[]): Promise<number> {
  let code = 0
  await yargs(argv)
    .scriptName('goroscope symbolize')
    .usage('$0 PROFILE (--binary FILE | --remote URL) -o OUT\n\nFill in the functions of a profile whose locations carry only addresses.')
    .command(
      '$0 <profile>',
      false,
      (y) =>
        y
          .positional('profile', { type: 'string', demandOption: true, describe: 'the profile (gzip or not, profile.proto or legacy text)' })
          .option('binary', { type: 'string', describe: 'the ELF binary that produced the profile (Go pclntab, DWARF, symbol table)' })
          .option('remote', { type: 'string', describe: "the live program's URL (http://host:port, …/debug/pprof/ or …/debug/pprof/symbol)" })
          .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'where to write the symbolized profile (atomically)' })
          .option('prefer', { choices: ['auto', 'pclntab', 'dwarf', 'symtab'] as const, default: 'auto' as const, describe: 'which tables of the binary to use' })
          .option('force', { type: 'boolean', default: false, describe: 'replace lines that locations already have' })
          .option('json', { type: 'boolean', default: false, describe: 'print the stats as JSON on stdout' })
          .conflicts('binary', 'remote'),
      async (a) => {
        if (code !== 0) return // validation failed (yargs still calls the handler)
        if (!a.binary && !a.remote) {
          process.stderr.write('goroscope: give --binary FILE or --remote URL\n(see goroscope symbolize --help)\n')
          code = 2
          return
        }
        try {
          const opts = { prefer: a.prefer, force: a.force }
          let r: SymbolizeResult
          if (a.binary) r = await symbolize(a.profile, a.binary, opts)
          else r = await symbolizeRemote(a.profile, a.remote!, opts)
          await writeAtomic(a.output, r.profile)
          if (a.json) process.stdout.write(JSON.stringify(r.stats, null, 2) + '\n')
          else process.stderr.write(summary(r.stats, a.binary ?? a.remote!))
        } catch (e) {
          process.stderr.write(`goroscope: ${e instanceof Error ? e.message : String(e)}\n`)
          code = e instanceof GoroscopeError ? (e.code === 'GOROSCOPE_PANIC' ? 1 : 2) : (e as { code?: string })?.code === 'ENOENT' ? 2 : 1
        }
      },
    )
    .strict()
    .fail((msg, err) => {
      if (err) throw err
      process.stderr.write(`goroscope: ${msg}\n(see goroscope symbolize --help)\n`)
      code = 2
    })
    .help()
    .parseAsync()
  return code
}
