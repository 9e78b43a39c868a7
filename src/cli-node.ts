// `goroscope collect`, `report`, `vars` and `sys`: the node bug-report commands, as yargs
// command modules (registered by cli.ts). Exit codes: 0 fine; 3 collect wrote a bundle but
// something is missing; 2 bad input or options; 1 nothing could be collected or an internal error.
import * as fs from 'node:fs'
import type { Argv, CommandModule } from 'yargs'

import { redactBundle } from './bundle/redact'
import { AuthError } from './collect/auth'
import { COLLECTOR_NAMES } from './collect/collectors'
import { ttyProgress, quiet } from './collect/progress'
import { collect, parseCollectors, type CollectResult } from './collect/run'
import { discover, parseApi, TargetError, type Target } from './collect/target'
import { writeAtomic } from './io'
import { analyzeSource } from './report-node/analyze'
import { renderHtml } from './render/node-html'
import { renderMemory, renderNodeText, renderSys } from './render/node-text'
import { analyzeSys } from './report-node/sys'
import { analyzeVars } from './report-node/vars'

const TOOL_VERSION: string = (() => {
  try {
    return JSON.parse(fs.readFileSync(require.resolve('../../package.json'), 'utf8')).version
  } catch {
    return '0.0.0'
  }
})()

function say(s: string) {
  process.stderr.write(`goroscope: ${s}\n`)
}

function summary(r: CollectResult): string {
  const ok = r.manifest.items.filter((i) => i.status === 'ok').length
  let s = `${r.file ?? '(no bundle)'}: ${ok}/${r.manifest.items.length} collected from ${r.manifest.target.api} (${r.manifest.target.kind})`
  for (const i of r.manifest.items) if (i.status === 'failed') s += `\n  missing ${i.name}: ${i.error}`
  return s
}

/** A --targets file: one API address per line (`#` comments), optionally `ADDR  OUTPUT`. */
function readTargets(file: string): { target: Target; output?: string }[] {
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

function readJSON(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'))
}

export function nodeCommands(setCode: (c: number) => void): CommandModule<object, any>[] {
  const fail = (e: unknown) => {
    const bad = e instanceof TargetError || e instanceof AuthError || (e as { code?: string })?.code === 'ENOENT' || /unknown collector/.test(String((e as Error)?.message))
    say(e instanceof Error ? e.message : String(e))
    setCode(bad ? 2 : 1)
  }
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
          .option('collectors', { type: 'string', describe: `comma-separated subset of: ${COLLECTOR_NAMES.join(',')}` })
          .option('gc', { type: 'boolean', default: false, describe: 'run a GC before the heap profile (?gc=1)' })
          .option('binary', { type: 'boolean', default: false, describe: "add the node's executable (local nodes only)" })
          .option('timeout', { type: 'number', default: 30, describe: 'per-request deadline in seconds (windowed requests get --seconds more)' })
          .option('redact', { type: 'boolean', default: false, describe: 'write a bundle safe to share: no command lines, paths, addresses, host names or binary (see goroscope redact)' })
          .option('targets', { type: 'string', describe: 'file with one API address per line: one bundle per node' })
          .option('concurrency', { type: 'number', default: 4, describe: 'nodes collected at once with --targets' }),
      handler: async (a: any) => {
        try {
          if (!(a.seconds > 0)) throw new TargetError('--seconds must be > 0')
          const collectors = parseCollectors(a.collectors)
          const base = { seconds: a.seconds, apiAuth: a['api-auth'], collectors, gc: a.gc, binary: a.binary, timeoutSeconds: a.timeout, toolVersion: TOOL_VERSION, redact: a.redact }
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
            for (const r of results) process.stdout.write(summary(r) + '\n')
            setCode(results.some((r) => r.file === null) ? 1 : results.some((r) => r.missing.length) ? 3 : 0)
            return
          }
          const target = discover(a.api)
          const progress = process.stderr.isTTY ? ttyProgress(process.stderr, target.display, a.seconds) : quiet
          const r = await collect({ ...base, target, output: a.output, progress })
          process.stdout.write(summary(r) + '\n')
          setCode(r.file === null ? 1 : r.missing.length ? 3 : 0)
        } catch (e) {
          fail(e)
        }
      },
    },
    {
      command: 'report <bundle>',
      describe: 'summarise a node from a goroscope bundle, an `ipfs diag profile` zip, a collect-profiles tarball or a directory',
      builder: (y: Argv) =>
        y
          .positional('bundle', { type: 'string', demandOption: true })
          .option('json', { type: 'boolean', default: false, describe: 'print the documented JSON object (docs/report-json.md)' })
          .option('html', { type: 'string', describe: 'also write a self-contained HTML page here' })
          .option('top', { type: 'number', default: 10, describe: 'rows per table' })
          .option('output', { alias: 'o', type: 'string', describe: 'write the text/JSON report to this file' }),
      handler: async (a: any) => {
        try {
          const { report, files } = await analyzeSource(a.bundle, { top: a.top, keepFiles: !!a.html })
          if (a.html) await writeAtomic(a.html, await renderHtml(report, files))
          const text = a.json ? JSON.stringify(report, null, 2) + '\n' : renderNodeText(report, a.top)
          if (a.output) await writeAtomic(a.output, text)
          else process.stdout.write(text)
        } catch (e) {
          fail(e)
        }
      },
    },
    {
      command: 'redact <bundle>',
      describe: 'write a copy of a bundle (or diag-profile zip, tarball, directory) safe to share: command lines, paths, addresses, host names and executables removed',
      builder: (y: Argv) =>
        y.positional('bundle', { type: 'string', demandOption: true }).option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'the redacted bundle (tar.gz)' }),
      handler: async (a: any) => {
        try {
          const { redaction: r } = await redactBundle(a.bundle, a.output, { toolVersion: TOOL_VERSION })
          const removed = r.files.filter((f) => f.action === 'removed')
          let s = `${a.output}: ${r.files.length - removed.length} files kept, ${removed.length} removed; ${r.paths} paths rewritten, ${r.addresses} addresses aliased`
          for (const f of removed) s += `\n  removed ${f.file}: ${f.removed.join('; ')}`
          process.stdout.write(s + '\n')
        } catch (e) {
          fail(e)
        }
      },
    },
    {
      command: 'vars <file>',
      describe: 'summarise a /debug/vars JSON file (memstats, GC pauses, badger)',
      builder: (y: Argv) => y.positional('file', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false }),
      handler: async (a: any) => {
        try {
          const m = analyzeVars(readJSON(a.file))
          process.stdout.write(a.json ? JSON.stringify(m, null, 2) + '\n' : renderMemory(m, null))
        } catch (e) {
          setCode(2)
          say(`${a.file}: ${(e as Error).message}`)
        }
      },
    },
    {
      command: 'sys <file>',
      describe: 'summarise an `ipfs diag sys` JSON file',
      builder: (y: Argv) => y.positional('file', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false }),
      handler: async (a: any) => {
        try {
          const s = analyzeSys(readJSON(a.file))
          process.stdout.write(a.json ? JSON.stringify(s, null, 2) + '\n' : renderSys(s))
        } catch (e) {
          setCode(2)
          say(`${a.file}: ${(e as Error).message}`)
        }
      },
    },
  ]
}
