// `goroscope collect`, `report`, `redact`, `vars` and `sys`: the node bug-report commands.
// Exit codes: 0 fine; 3 collect wrote a bundle but something is missing; 2 bad input or options;
// 1 nothing could be collected or an internal error (exit.ts maps the errors).
import * as fs from 'node:fs'
import type { Argv, CommandModule } from 'yargs'

import type { CollectResult } from '../collect/run'
import type { Target } from '../collect/target'
import { escapeControls, jsonText } from '../render/terminal'
import type { Context, Family } from './family'
import { InputError } from './errors'
import { writeOut } from './output'
import { resolveOne, sourceYargs } from './sources'
import { toolVersion } from './version'

function summary(r: CollectResult): string {
  const ok = r.manifest.items.filter((i) => i.status === 'ok').length
  let s = `${r.file ?? '(no bundle)'}: ${ok}/${r.manifest.items.length} collected from ${r.manifest.target.api} (${r.manifest.target.kind})`
  for (const i of r.manifest.items) if (i.status === 'failed') s += `\n  missing ${i.name}: ${i.error}`
  return escapeControls(s) + '\n'
}

/** A --targets file: one API address per line (`#` comments), optionally `ADDR  OUTPUT`. */
function readTargets(file: string): { target: Target; output?: string }[] {
  const { parseApi, TargetError } = require('../collect/target') as typeof import('../collect/target')
  const out: { target: Target; output?: string }[] = []
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
    const line = raw.replace(/#.*/, '').trim()
    if (!line) continue
    const [addr, output] = line.split(/\s+/)
    out.push({ target: parseApi(addr), output })
  }
  if (out.length === 0) throw new TargetError(`${file} names no targets`)
  return out
}

async function pool<T, R>(items: T[], limit: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await f(items[i])
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  return results
}

/** A JSON file analysed by `f`; any failure is bad input, named by the file. */
function analyzeJSON<T>(file: string, f: (v: unknown) => T, text?: Buffer): T {
  try {
    return f(JSON.parse((text ?? fs.readFileSync(file)).toString('utf8')))
  } catch (e) {
    throw new InputError(`${file}: ${(e as Error).message}`, { cause: e })
  }
}

/** A JSON source (a file, a URL, or `endpoint` on kubo's API when none is given) analysed by `f`. */
async function analyzeJSONSource<T>(a: any, endpoint: string, method: 'GET' | 'POST', f: (v: unknown) => T): Promise<T> {
  const r = await resolveOne(a.file ?? endpoint, 'json', a, { method })
  return analyzeJSON(r.name, f, r.bytes)
}

/** The source flags a JSON source takes (no profiling window). */
function jsonSourceYargs() {
  const { seconds: _, ...o } = sourceYargs()
  return o
}

function nodeCommands(ctx: Context): CommandModule<object, any>[] {
  return [
    {
      command: 'collect',
      describe: 'collect stacks, profiles, vars and diag sys from a live kubo node (or any Go program with net/http/pprof) into one bundle',
      builder: (y: Argv) =>
        y
          .option('api', { type: 'string', describe: 'API address: host:port, URL or multiaddr (default: $IPFS_PATH/api, ~/.ipfs/api, 127.0.0.1:5001)' })
          .option('seconds', { type: 'number', default: 30, describe: 'CPU, mutex and block window' })
          .option('output', { alias: 'o', type: 'string', describe: 'bundle file (default ipfs-profile-<host>-<time>.tar.gz)' })
          .option('api-auth', { type: 'string', describe: 'kubo API.Authorizations secret: bearer:TOKEN or basic:USER:PASS (never stored)' })
          .option('collectors', { type: 'string', describe: `comma-separated subset of: ${(require('../collect/collectors') as typeof import('../collect/collectors')).COLLECTOR_NAMES.join(',')}` })
          .option('gc', { type: 'boolean', default: false, describe: 'run a GC before the heap profile (?gc=1)' })
          .option('binary', { type: 'boolean', default: false, describe: "add the node's executable (local nodes only)" })
          .option('timeout', { type: 'number', default: 30, describe: 'per-request deadline in seconds (windowed requests get --seconds more)' })
          .option('redact', { type: 'boolean', default: false, describe: 'write a bundle safe to share: no command lines, paths, addresses, host names or binary (see goroscope redact)' })
          .option('targets', { type: 'string', describe: 'file with one API address per line: one bundle per node' })
          .option('concurrency', { type: 'number', default: 4, describe: 'nodes collected at once with --targets' }),
      handler: async (a: any) => {
        const { collect, parseCollectors } = require('../collect/run') as typeof import('../collect/run')
        const { discover, TargetError } = require('../collect/target') as typeof import('../collect/target')
        const { ttyProgress, quiet } = require('../collect/progress') as typeof import('../collect/progress')
        if (!(a.seconds > 0)) throw new TargetError('--seconds must be > 0')
        const collectors = parseCollectors(a.collectors)
        const base = { seconds: a.seconds, apiAuth: a['api-auth'], collectors, gc: a.gc, binary: a.binary, timeoutSeconds: a.timeout, toolVersion: toolVersion(), redact: a.redact }
        if (a.targets) {
          const list = readTargets(a.targets)
          // one node listed twice is collected once at a time: never two CPU profiles at once
          const busy = new Map<string, Promise<unknown>>()
          const results = await pool(list, a.concurrency, async (t) => {
            const key = t.target.socketPath ?? t.target.base
            const before = busy.get(key) ?? Promise.resolve()
            const run = before.then(() => collect({ ...base, target: t.target, output: t.output }))
            busy.set(key, run.catch(() => undefined))
            return run
          })
          for (const r of results) process.stdout.write(summary(r))
          ctx.code = results.some((r) => r.file === null) ? 1 : results.some((r) => r.missing.length) ? 3 : 0
          return
        }
        const target = discover(a.api)
        const progress = process.stderr.isTTY ? ttyProgress(process.stderr, target.display, a.seconds) : quiet
        const r = await collect({ ...base, target, output: a.output, progress })
        process.stdout.write(summary(r))
        ctx.code = r.file === null ? 1 : r.missing.length ? 3 : 0
      },
    },
    {
      command: 'report <bundle>',
      describe: 'summarise a node from a goroscope bundle, an `ipfs diag profile` zip, a collect-profiles tarball or a directory',
      builder: (y: Argv) =>
        y
          .positional('bundle', { type: 'string', demandOption: true, describe: 'the bundle file or directory, or a URL to one (fetched and saved first)' })
          .option('json', { type: 'boolean', default: false, describe: 'print the documented JSON object (docs/report-json.md)' })
          .option('html', { type: 'string', describe: 'also write a self-contained HTML page here' })
          .option('top', { type: 'number', default: 10, describe: 'rows per table' })
          .option('output', { alias: 'o', type: 'string', describe: 'write the text/JSON report to this file' })
          .option('timeout', { type: 'number', describe: 'for a URL: give up after N seconds (default 60)' })
          .option('max-fetch', { type: 'number', describe: 'for a URL: refuse a body larger than BYTES (default 1 GiB)' }),
      handler: async (a: any) => {
        const { analyzeSource } = require('../report-node/analyze') as typeof import('../report-node/analyze')
        const bundle = (await resolveOne(a.bundle, 'bundle', a)).path!
        const { report, files } = await analyzeSource(bundle, { top: a.top, keepFiles: !!a.html })
        if (a.html) {
          const { renderHtml } = require('../render/node-html') as typeof import('../render/node-html')
          await writeOut(await renderHtml(report, files), a.html)
        }
        const { renderNodeText } = require('../render/node-text') as typeof import('../render/node-text')
        await writeOut(a.json ? jsonText(report) : renderNodeText(report, a.top), a.output, true)
      },
    },
    {
      command: 'redact <bundle>',
      describe: 'write a copy of a bundle (or diag-profile zip, tarball, directory) safe to share: command lines, paths, addresses, host names and executables removed',
      builder: (y: Argv) =>
        y.positional('bundle', { type: 'string', demandOption: true }).option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'the redacted bundle (tar.gz)' }),
      handler: async (a: any) => {
        const { redactBundle } = require('../bundle/redact') as typeof import('../bundle/redact')
        const { redaction: r } = await redactBundle(a.bundle, a.output, { toolVersion: toolVersion() })
        const removed = r.files.filter((f) => f.action === 'removed')
        let s = `${a.output}: ${r.files.length - removed.length} files kept, ${removed.length} removed; ${r.paths} paths rewritten, ${r.addresses} addresses aliased`
        for (const f of removed) s += `\n  removed ${f.file}: ${f.removed.join('; ')}`
        process.stdout.write(escapeControls(s) + '\n')
      },
    },
    {
      command: 'vars [file]',
      describe: 'summarise a /debug/vars JSON file (memstats, GC pauses, badger), a URL to one, or (no file) /debug/vars of kubo\'s API',
      builder: (y: Argv) => y.positional('file', { type: 'string' }).option('json', { type: 'boolean', default: false }).options(jsonSourceYargs()),
      handler: async (a: any) => {
        const { analyzeVars } = require('../report-node/vars') as typeof import('../report-node/vars')
        const { renderMemory } = require('../render/node-text') as typeof import('../render/node-text')
        const m = await analyzeJSONSource(a, '/debug/vars', 'GET', analyzeVars)
        await writeOut(a.json ? jsonText(m) : renderMemory(m, null), undefined, true)
      },
    },
    {
      command: 'sys [file]',
      describe: 'summarise an `ipfs diag sys` JSON file, a URL to one, or (no file) kubo\'s /api/v0/diag/sys',
      builder: (y: Argv) => y.positional('file', { type: 'string' }).option('json', { type: 'boolean', default: false }).options(jsonSourceYargs()),
      handler: async (a: any) => {
        const { analyzeSys } = require('../report-node/sys') as typeof import('../report-node/sys')
        const { renderSys } = require('../render/node-text') as typeof import('../render/node-text')
        const s = await analyzeJSONSource(a, '/api/v0/diag/sys', 'POST', analyzeSys)
        await writeOut(a.json ? jsonText(s) : renderSys(s), undefined, true)
      },
    },
  ]
}

export const family: Family = {
  commands: nodeCommands,
}
