// One collection run: detect kubo, run every collector at once (so the run lasts about
// `seconds`), bundle what came back with manifest.json, and say what is missing.
//
// Layer: src/collect talks to a live node and writes a bundle through src/bundle; it knows
// nothing of analysis (report-node) or rendering.
import { createHash } from 'node:crypto'
import * as os from 'node:os'

import { redactEntries } from '../bundle/redact'
import { tarGzip, type TarFile } from '../bundle/tar-write'
import { writeAtomic } from '../io'
import { authHeader, redactor } from './auth'
import { OptionsError } from './errors'
import { readServerBinary } from './binary'
import { COLLECTORS, COLLECTOR_NAMES, type Ctx, type Output, Skip } from './collectors'
import { request } from './http'
import type { Manifest, ManifestItem } from '../bundle/manifest'
import { type Progress, quiet } from './progress'
import { isLocal, type Target } from './target'

export interface CollectOptions {
  target: Target
  seconds: number
  /** `bearer:TOKEN`, `basic:user:pass` (kubo's API.Authorizations AuthSecret). */
  apiAuth?: string
  /** Collector names (default: all but `binary`). */
  collectors?: string[]
  gc?: boolean
  binary?: boolean
  /** Per-request deadline of instant requests, seconds (windowed ones get seconds + this). */
  timeoutSeconds?: number
  /** Output file; default `ipfs-profile-<host>-<timestamp>.tar.gz`. */
  output?: string
  progress?: Progress
  toolVersion?: string
  /** Write a bundle safe to share (see bundle/redact.ts): no binary, paths, addresses, command lines. */
  redact?: boolean
}

export interface CollectResult {
  file: string | null
  manifest: Manifest
  /** Names of the items that were asked for and not collected. */
  missing: string[]
}

function stamp(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '_')
}

export function defaultBundleName(t: Target, when: Date): string {
  const host = isLocal(t) ? os.hostname() : t.host
  const port = t.port && t.port !== 5001 ? `_${t.port}` : ''
  return `ipfs-profile-${(host + port).replace(/[^A-Za-z0-9._-]+/g, '_')}-${stamp(when)}.tar.gz`
}

export function parseCollectors(list: string | undefined): string[] | undefined {
  if (list === undefined) return undefined
  const names = list.split(',').map((s) => s.trim()).filter((s) => s !== '')
  for (const n of names) if (!COLLECTOR_NAMES.includes(n)) throw new OptionsError(`unknown collector '${n}' (known: ${COLLECTOR_NAMES.join(', ')})`)
  return names
}

interface NodeInfo {
  kubo: boolean
  node: Manifest['node']
  error?: string
}

async function detect(t: Target, auth: string | undefined, timeoutMs: number): Promise<NodeInfo> {
  try {
    const r = await request(t, '/api/v0/version', { method: 'POST', timeoutMs, auth })
    if (r.status === 200) {
      try {
        const v = JSON.parse(r.body.toString('utf8'))
        if (typeof v.Version === 'string') {
          return { kubo: true, node: { version: v.Version, commit: v.Commit ?? '', golang: v.Golang ?? '', system: v.System ?? '', repo: v.Repo ?? '' } }
        }
      } catch {
        /* not kubo's JSON */
      }
    }
    // behind API.Authorizations without (the right) secret, /api/v0/version is refused too;
    // kubo's unauthenticated /version text still names it
    const kuboDenied = r.status === 403 && r.body.toString('utf8').includes('Kubo RPC')
    const v = await request(t, '/version', { method: 'GET', timeoutMs, auth }).catch(() => null)
    const m = v && v.status === 200 ? /Client Version: (?:kubo|go-ipfs)\/(\S+)/.exec(v.body.toString('utf8')) : null
    if (m || kuboDenied) {
      const commit = v ? /^Commit: (.*)$/m.exec(v.body.toString('utf8'))?.[1]?.trim() ?? '' : ''
      return { kubo: true, node: m ? { version: m[1], commit, golang: '', system: '', repo: '' } : null }
    }
    return { kubo: false, node: null }
  } catch (e) {
    return { kubo: false, node: null, error: (e as Error).message }
  }
}

export async function collect(o: CollectOptions): Promise<CollectResult> {
  const progress = o.progress ?? quiet
  const redact = redactor(o.apiAuth)
  const auth = authHeader(o.apiAuth)
  const timeoutMs = (o.timeoutSeconds ?? 30) * 1000
  const started = new Date()
  const wanted = o.collectors ?? COLLECTORS.filter((c) => !c.optIn || (c.name === 'binary' && o.binary)).map((c) => c.name)
  if (o.binary && !wanted.includes('binary')) wanted.push('binary')
  // a hung API must not hold up the run for long before the collectors even start
  const info = await detect(o.target, auth, Math.min(timeoutMs, 10_000))
  const files: TarFile[] = []
  const items: ManifestItem[] = []
  let cmdline0: string | undefined

  const runOne = async (name: string): Promise<void> => {
    const c = COLLECTORS.find((x) => x.name === name)!
    const notes: string[] = []
    const item: ManifestItem = { name, file: null, status: 'skipped', size: null, sha256: null, durationMs: 0, request: null, error: null, notes }
    items.push(item)
    if (c.kuboOnly && !info.kubo) {
      item.error = info.error ? `node not reachable: ${redact(info.error)}` : 'kubo only (this node does not serve /api/v0)'
      item.status = info.error ? 'failed' : 'skipped'
      progress.update({ collector: name, state: item.status, windowed: false })
      return
    }
    progress.update({ collector: name, state: 'running', windowed: !!c.windowed })
    const t0 = Date.now()
    const ctx: Ctx = { target: o.target, kubo: info.kubo, seconds: o.seconds, gc: !!o.gc, auth, timeoutMs, note: (s) => notes.push(redact(s)) }
    try {
      let out: Output
      if (name === 'binary') {
        if (!isLocal(o.target)) throw new Error('the node is not on this machine; its binary is collected only from a local node')
        const b = await readServerBinary(o.target, cmdline0)
        out = { data: b.data, request: `read ${b.how}`, file: info.kubo ? 'ipfs' : b.name }
      } else out = await c.run(ctx)
      const file = out.file ?? c.file
      files.push({ name: file, data: out.data, mode: name === 'binary' ? 0o755 : 0o644 })
      Object.assign(item, {
        file,
        status: 'ok',
        size: out.data.length,
        sha256: createHash('sha256').update(out.data).digest('hex'),
        request: redact(out.request),
      })
      if (name === 'vars') {
        try {
          cmdline0 = JSON.parse(out.data.toString('utf8')).cmdline?.[0]
        } catch {
          /* not JSON: the report will say so */
        }
      }
    } catch (e) {
      item.status = e instanceof Skip ? 'skipped' : 'failed'
      item.error = redact((e as Error).message)
    }
    item.durationMs = Date.now() - t0
    progress.update({ collector: name, state: item.status, windowed: !!c.windowed })
  }

  for (const n of wanted) progress.update({ collector: n, state: 'waiting', windowed: false })
  // the binary is read after vars (it may need cmdline[0]); the leak detector after the goroutine
  // dumps (its GC marks goroutines leaked for good), one request at a time; everything else at once
  const late = (n: string) => n === 'binary' || !!COLLECTORS.find((c) => c.name === n)?.afterGoroutines
  const first = new Map(wanted.filter((n) => !late(n)).map((n) => [n, runOne(n)]))
  const leaks = (async () => {
    await Promise.all(['stacks', 'goroutines'].map((n) => first.get(n)))
    for (const n of wanted.filter((x) => x !== 'binary' && late(x))) await runOne(n)
  })()
  await Promise.all([...first.values(), leaks])
  if (wanted.includes('binary')) await runOne('binary')
  progress.stop()
  items.sort((a, b) => wanted.indexOf(a.name) - wanted.indexOf(b.name))
  const order = (f: TarFile) => items.findIndex((i) => i.file === f.name)
  files.sort((a, b) => order(a) - order(b))

  const ended = new Date()
  const missing = items.filter((i) => i.status === 'failed').map((i) => i.name)
  const manifest: Manifest = {
    format: 'goroscope-bundle/1',
    tool: { name: 'goroscope', version: o.toolVersion ?? '0.0.0' },
    collectedOn: os.hostname(),
    target: { api: redact(stripUserinfo(o.target.display)), from: o.target.from, kind: info.kubo ? 'kubo' : info.error ? 'unknown' : 'go' },
    node: info.node,
    started: started.toISOString(),
    ended: ended.toISOString(),
    seconds: o.seconds,
    options: { gc: !!o.gc, binary: !!o.binary, collectors: wanted, timeoutSeconds: timeoutMs / 1000, auth: auth !== undefined },
    items,
    complete: missing.length === 0,
  }
  if (files.length === 0) return { file: null, manifest, missing }
  const out = o.output ?? (o.redact ? `ipfs-profile-redacted-${stamp(started)}.tar.gz` : defaultBundleName(o.target, started))
  let all: TarFile[] = [{ name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest, null, 2) + '\n') }, ...files]
  let final = manifest
  if (o.redact) {
    const r = await redactEntries(all, { toolVersion: o.toolVersion })
    all = r.files
    final = r.manifest ?? manifest
  }
  await writeAtomic(out, await tarGzip(all.map((f) => ({ ...f, mtime: ended }))))
  return { file: out, manifest: final, missing }
}

function stripUserinfo(s: string): string {
  return s.replace(/^([a-z]+:\/\/)[^@/]*@/i, '$1')
}
