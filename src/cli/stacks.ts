// `goroscope stacks FILE`: analyse a goroutine dump and print the text report (or --json).
import type { Argv, CommandModule } from 'yargs'

import { palette, wantColor } from '../render/color'
import { Items, jsonChunks } from '../render/json-stream'
import { UsageError } from './errors'
import type { Context, Family } from './family'
import { streamOut, writeOut } from './output'
import { progressLine } from './progress'
import { resolveOne, sourceYargs } from './sources'

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

interface StacksArgs {
  file?: string
  json: boolean
  'min-wait': number
  state?: string
  match?: string
  label?: string[]
  'group-by-label'?: string
  top?: number
  sort: 'count' | 'wait'
  exact: boolean
  diff?: string
  color?: boolean
  'max-decompressed'?: number
  output?: string
}

function stacksCommand(ctx: Context): CommandModule<object, any> {
  return {
    command: 'stacks [file]',
    describe: 'analyse a goroutine dump (debug=1/debug=2, panic or SIGQUIT text, gzip or plain): states, hung goroutines, lock holders, leaks',
    builder: (y: Argv) =>
      y
        .positional('file', {
          type: 'string',
          describe: "the dump (- for standard input), a URL (http://host:port/debug/pprof/goroutine?debug=2), or none: the goroutines of kubo's API (--api)",
        })
        .option('json', { type: 'boolean', default: false, describe: 'print the documented JSON object (docs/stacks-json.md)' })
        .option('min-wait', { type: 'number', default: 1, describe: 'minutes from which a group counts as hung' })
        .option('state', { type: 'string', describe: 'keep goroutines whose state contains S, or whose class is S (lock, channel, select, io, syscall, sleep, running, runtime, other)' })
        .option('match', { type: 'string', describe: 'keep goroutines with a frame (function or file) matching this regular expression' })
        .option('label', { type: 'string', array: true, describe: 'keep goroutines with this pprof label, KEY=VALUE (repeatable: all must match; Go ≥1.26 headers, debug=1 `# labels:`)' })
        .option('group-by-label', { type: 'string', describe: 'split groups of identical stacks by the value of the label KEY' })
        .option('top', { type: 'number', describe: 'keep the first N groups (text: default 10)' })
        .option('sort', { choices: ['count', 'wait'] as const, default: 'count' as const, describe: 'order of groups' })
        .option('exact', { type: 'boolean', default: false, describe: 'group only identical stacks (arguments and pc offsets included)' })
        .option('diff', { type: 'string', describe: 'a base dump: show which groups grew since it' })
        .option('color', { type: 'boolean', describe: 'force colour on or off (default: on a TTY)' })
        .option('max-decompressed', { type: 'number', describe: 'refuse a gzipped dump that inflates to more than BYTES (default 4 GiB)' })
        .option('output', { alias: 'o', type: 'string', describe: 'write the report to this file (atomically) instead of stdout' })
        .options(sourceYargs()),
    handler: async (args) => {
      const a = args as unknown as StacksArgs
      const { analyzeStacks } = require('../stacks') as typeof import('../stacks')
      const { renderStacksText } = require('../render/stacks-text') as typeof import('../render/stacks-text')
      // yargs hands a lone `-` over as an empty string
      const stdin = a.file === '-' || (a.file === '' && ctx.argv.includes('-'))
      const labels: Record<string, string> = {}
      for (const l of a.label ?? []) {
        const i = String(l).indexOf('=')
        if (i <= 0) throw new UsageError(`--label must be KEY=VALUE, not ${JSON.stringify(String(l))}`)
        labels[String(l).slice(0, i)] = String(l).slice(i + 1)
      }
      // a URL, or kubo's API (no file: its goroutines), is fetched and saved first (src/source)
      const src = stdin ? null : await resolveOne(a.file ?? 'goroutine', 'dump', args)
      const input = stdin ? await readStdin() : src!.path!
      const diff = a.diff === undefined ? undefined : (await resolveOne(a.diff, 'dump', args)).path
      const line = progressLine()
      const report = await analyzeStacks(input, {
        onProgress: line.onProgress,
        labels,
        groupByLabel: a['group-by-label'],
        minWait: a['min-wait'],
        state: a.state,
        match: a.match,
        top: a.top,
        sort: a.sort,
        similarity: a.exact ? 'exact' : 'loose',
        diff,
        maxDecompressed: a['max-decompressed'],
      }).finally(() => line.end())
      if (a.json) {
        // streamed group by group: the JSON of a big dump is never one string
        const fields = Object.entries(report.toJSON()).map(([k, v]): [string, unknown] => [k, Array.isArray(v) ? new Items(v) : v])
        await streamOut(jsonChunks(fields), a.output)
      } else {
        const color = a.output ? false : wantColor(process.stdout, a.color)
        const name = stdin ? '<stdin>' : src!.name
        await writeOut(renderStacksText(report, palette(color), { name, minWait: a['min-wait'], top: a.top ?? 10 }), a.output, true)
      }
    },
  }
}

export const family: Family = {
  commands: (ctx) => [stacksCommand(ctx)],
}
