// `goroscope serve [--http host:port] [--no-browser] [--diff BASE] DUMP|BUNDLE|URL…`: load every
// input once (a URL: fetched and saved first, as for `goroscope stacks`; a bundle: its node
// report, every profile and every `stacks` entry of a goroscope bundle, `ipfs diag profile` zip
// or directory), serve the index of the inputs, the goroutine explorer (src/server/explorer.ts)
// and each bundle's node summary and profile web UIs (src/server/bundle.ts) until interrupted,
// and open the index in the browser unless --no-browser. Loopback only unless another interface
// is named.
import * as fs from 'node:fs'
import * as path from 'node:path'

import type { Argv, CommandModule } from 'yargs'

import type { ServeInput } from '../server/bundle'
import type { BaseDump } from '../server/explorer'
import { openInBrowser } from './browser'
import { UsageError } from './errors'
import type { Family } from './family'
import { say, warn } from './output'
import { resolveOne, sourceYargs } from './sources'

/** One command-line input: a dump file, or a bundle (its dumps compared with `base` too). */
async function load(file: string, base: BaseDump | undefined): Promise<ServeInput> {
  const { DumpInput } = require('../server/explorer') as typeof import('../server/explorer')
  const { BundleInput } = require('../server/bundle') as typeof import('../server/bundle')
  const { sniff, isDump } = require('../sniff') as typeof import('../sniff')
  if (!fs.existsSync(file)) throw new UsageError(`${file}: no such file or directory`)
  const name = path.basename(file)
  if (fs.statSync(file).isFile() && isDump((await sniff(file)).kind)) return { kind: 'dump', name, dump: await DumpInput.open(file, base) }
  const bundle = await BundleInput.open(file, async (files) => {
    const out = []
    for (const c of files) if (c.kind === 'stacks') out.push(await DumpInput.fromBuffer(`${name}:${c.name}`, c.data, base))
    return out
  })
  if (bundle.dumps.length === 0 && bundle.profiles.length === 0) {
    // what the reader had to skip says why (a cut archive: where it ends)
    const why = bundle.report.skipped.map((k) => `; ${k.name}: ${k.reason}`).join('')
    throw new UsageError(`${file}: neither a goroutine dump nor a bundle holding a dump or a profile${why}`)
  }
  return { kind: 'bundle', name, bundle }
}

const serveCommand: CommandModule<object, any> = {
  command: 'serve <inputs..>',
  describe: 'explore goroutine dumps and bundles in the browser: states, groups, filters, hung groups, leaks, the wait-for graph',
  builder: (y: Argv) =>
    y
      .usage(
        'goroscope serve [--http HOST:PORT] [--no-browser] [--diff BASE] DUMP|BUNDLE|URL…\n\n' +
          'Serve an index of the inputs; for a bundle its node summary (versions, memory and GC pauses, `ipfs diag sys`) and every profile it holds in the pprof web UI (flame graph, graph, top, peek); and a goroutine explorer for each dump (a bundle: each dump it holds): states and classes, groups of identical stacks (paged), filters (state or class, label, regexp on frames, min-wait), hung groups, goroutines the runtime proved leaked, and the wait-for graph: waiters → lock → ranked holder → what the holder waits on, cycles (likely deadlocks) in red, the evidence of each edge on hover.\n\n' +
          'With --diff BASE, each dump is compared with the base dump: the groups that grew since it, as `goroscope stacks --diff`.\n\n' +
          'Listens on 127.0.0.1 unless --http names another interface; requests whose Host header is not the bound address are refused.',
      )
      .positional('inputs', { type: 'string', array: true, demandOption: true, describe: 'goroutine dumps (debug=1/2, panic, SIGQUIT) or bundles' })
      .option('http', { type: 'string', default: '127.0.0.1:0', describe: 'listen on [host]:port (no host: 127.0.0.1; port 0: a free one)' })
      .option('diff', { type: 'string', describe: 'a base dump (file or URL): show which groups grew since it' })
      .option('browser', { type: 'boolean', default: true, describe: 'open the explorer in a browser (--no-browser: do not)' })
      .options(sourceYargs()),
  handler: async (a: any) => {
    const { isLoopback, parseListen } = require('../server/host') as typeof import('../server/host')
    const { startServer } = require('../server/index') as typeof import('../server/index')
    const { explorerRoutes, DumpInput } = require('../server/explorer') as typeof import('../server/explorer')
    const { serveRoutes } = require('../server/bundle') as typeof import('../server/bundle')
    let listen
    try {
      listen = parseListen(String(a.http))
    } catch (e) {
      throw new UsageError((e as Error).message.replace('-http=', '--http '))
    }
    // a URL (or kubo's API with --api) is fetched and saved first, as `goroscope stacks` does
    let base: BaseDump | undefined
    if (a.diff !== undefined) {
      const file = (await resolveOne(String(a.diff), 'dump', a)).path!
      if (!fs.existsSync(file)) throw new UsageError(`--diff ${file}: no such file or directory`)
      base = { name: path.basename(file), dump: (await DumpInput.open(file)).dump }
    }
    const inputs: ServeInput[] = []
    for (const f of a.inputs as string[]) inputs.push(await load((await resolveOne(f, 'dump', a)).path!, base))
    const dumps = inputs.flatMap((i) => (i.kind === 'dump' ? [i.dump] : i.bundle.dumps))
    if (!isLoopback(listen.host)) warn(`warning: serving on ${listen.host}, reachable from other machines; anyone who can connect reads the dumps`)
    const running = await startServer({ ...listen, router: serveRoutes(explorerRoutes(dumps), inputs, dumps) })
    say(`Serving goroutine explorer on ${running.url}explorer`)
    say(`Index of the inputs (node summaries, profiles): ${running.url}`)
    if (a.browser !== false && !openInBrowser(running.url)) say('no browser to open: visit the address above')
    await new Promise<void>((resolve) => {
      const stop = () => running.close().then(resolve)
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
  },
}

export const family: Family = {
  commands: () => [serveCommand],
}
