// `goroscope symbolize PROFILE (--binary FILE | --remote URL) -o OUT`: writes the profile with
// functions (and from a binary files, lines and inlined frames) filled in, atomically; reports
// what was done on stderr (or as JSON with --json). Exit 2 on bad input (a binary that does not
// match the profile, a non-ELF file, an unreachable program), 1 on an internal error.
import type { Argv, CommandModule } from 'yargs'

import type { SymbolizeResult, SymbolizeStats } from '../symbolize'
import { jsonText } from '../render/terminal'
import type { Family } from './family'
import { UsageError } from './errors'
import { writeOut } from './output'
import { resolveOne, sourceYargs } from './sources'

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

const symbolizeCommand: CommandModule<object, any> = {
  command: 'symbolize <profile>',
  describe: 'fill in functions, files and lines of an address-only profile from its binary or the live program',
  builder: (y: Argv) =>
    y
      .usage('goroscope symbolize PROFILE (--binary FILE | --remote URL) -o OUT\n\nFill in the functions of a profile whose locations carry only addresses.')
      .positional('profile', { type: 'string', demandOption: true, describe: 'the profile (gzip or not, profile.proto or legacy text), or a URL (fetched and saved first)' })
      .option('binary', { type: 'string', describe: 'the ELF binary that produced the profile (Go pclntab, DWARF, symbol table)' })
      .option('remote', { type: 'string', describe: "the live program's URL (http://host:port, …/debug/pprof/ or …/debug/pprof/symbol)" })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'where to write the symbolized profile (atomically)' })
      .option('prefer', { choices: ['auto', 'pclntab', 'dwarf', 'symtab'] as const, default: 'auto' as const, describe: 'which tables of the binary to use' })
      .option('force', { type: 'boolean', default: false, describe: 'replace lines that locations already have' })
      .option('json', { type: 'boolean', default: false, describe: 'print the stats as JSON on stdout' })
      .options(sourceYargs())
      .conflicts('binary', 'remote'),
  handler: async (a: any) => {
    if (!a.binary && !a.remote) throw new UsageError('give --binary FILE or --remote URL', '(see goroscope symbolize --help)\n')
    const { symbolize, symbolizeRemote } = require('../symbolize') as typeof import('../symbolize')
    const opts = { prefer: a.prefer, force: a.force }
    const profile = (await resolveOne(a.profile, 'profile', a)).path!
    const r: SymbolizeResult = a.binary ? await symbolize(profile, a.binary, opts) : await symbolizeRemote(profile, a.remote, opts)
    await writeOut(r.profile, a.output)
    if (a.json) await writeOut(jsonText(r.stats), undefined, true)
    else process.stderr.write(summary(r.stats, a.binary ?? a.remote))
  },
}

export const family: Family = {
  commands: () => [symbolizeCommand],
}
