// `goroscope serve [--http host:port] [--no-browser] DUMP|BUNDLE|URL…`: load every goroutine dump
// once (a URL: fetched and saved first, as for `goroscope stacks`; a bundle: every `stacks` entry
// of a goroscope bundle, `ipfs diag profile` zip or directory), serve the goroutine explorer
// (src/server/explorer.ts) until interrupted, and open it in the browser unless --no-browser.
// Loopback only unless another interface is named.
import * as fs from 'node:fs'
import * as path from 'node:path'

import type { Argv, CommandModule } from 'yargs'

import type { DumpInput } from '../server/explorer'
import { openInBrowser } from './browser'
import { UsageError } from './errors'
import type { Family } from './family'
import { say, warn } from './output'
import { resolveOne, sourceYargs } from './sources'

/** The dumps of one command-line input: the file itself, or the `stacks` entries of a bundle. */
async function load(file: string): Promise<DumpInput[]> {
  const { DumpInput } = require('../server/explorer') as typeof import('../server/explorer')
  const { sniff, isDump } = require('../sniff') as typeof import('../sniff')
  if (!fs.existsSync(file)) throw new UsageError(`${file}: no such file or directory`)
  if (fs.statSync(file).isFile() && isDump((await sniff(file)).kind)) return [await DumpInput.open(file)]
  const { readSource } = require('../bundle/source') as typeof import('../bundle/source')
  const { classify } = require('../bundle/classify') as typeof import('../bundle/classify')
  const src = await readSource(file)
  const out: DumpInput[] = []
  for (const e of src.entries) {
    const c = await classify(e.name, e.data)
    if (c.kind === 'stacks') out.push(await DumpInput.fromBuffer(`${path.basename(file)}:${e.name}`, c.data))
  }
  if (out.length === 0) throw new UsageError(`${file}: neither a goroutine dump nor a bundle holding one`)
  return out
}

const serveCommand: CommandModule<object, any> = {
  command: 'serve <inputs..>',
  describe: 'explore goroutine dumps and bundles in the browser: states, groups, filters, hung groups, leaks, the wait-for graph',
  builder: (y: Argv) =>
    y
      .usage(
        'goroscope serve [--http HOST:PORT] [--no-browser] DUMP|BUNDLE|URL…\n\n' +
          'Serve a goroutine explorer for each dump (a bundle: each dump it holds): states and classes, groups of identical stacks (paged), filters (state or class, label, regexp on frames, min-wait), hung groups, goroutines the runtime proved leaked, and the wait-for graph: waiters → lock → ranked holder → what the holder waits on, cycles (likely deadlocks) in red, the evidence of each edge on hover.\n\n' +
          'Listens on 127.0.0.1 unless --http names another interface; requests whose Host header is not the bound address are refused.',
      )
      .positional('inputs', { type: 'string', array: true, demandOption: true, describe: 'goroutine dumps (debug=1/2, panic, SIGQUIT) or bundles' })
      .option('http', { type: 'string', default: '127.0.0.1:0', describe: 'listen on [host]:port (no host: 127.0.0.1; port 0: a free one)' })
      .option('browser', { type: 'boolean', default: true, describe: 'open the explorer in a browser (--no-browser: do not)' })
      .options(sourceYargs()),
  handler: async (a: any) => {
    const { isLoopback, parseListen } = require('../server/host') as typeof import('../server/host')
    const { startServer } = require('../server/index') as typeof import('../server/index')
    const { explorerRoutes } = require('../server/explorer') as typeof import('../server/explorer')
    let listen
    try {
      listen = parseListen(String(a.http))
    } catch (e) {
      throw new UsageError((e as Error).message.replace('-http=', '--http '))
    }
    const inputs: DumpInput[] = []
    // a URL (or kubo's API with --api) is fetched and saved first, as `goroscope stacks` does
    for (const f of a.inputs as string[]) inputs.push(...(await load((await resolveOne(f, 'dump', a)).path!)))
    if (!isLoopback(listen.host)) warn(`warning: serving on ${listen.host}, reachable from other machines; anyone who can connect reads the dumps`)
    const running = await startServer({ ...listen, router: explorerRoutes(inputs) })
    const url = `${running.url}explorer`
    say(`Serving goroutine explorer on ${url}`)
    if (a.browser !== false && !openInBrowser(url)) say('no browser to open: visit the address above')
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
