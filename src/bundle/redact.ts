// `goroscope redact` and `collect --redact`: a bundle that is safe to share. Every file is
// recognised by content (classify.ts) and either rewritten or dropped; what is not
// understood is dropped, never passed through. Removed: command lines, file paths (reduced to
// module- or package-relative paths), addresses (aliased, keeping equality and the small offsets
// lock-holder analysis needs), environment, interface addresses, host names, executables. The
// manifest records what was done (`redaction`, docs/report-json.md).
import { createHash } from 'node:crypto'

import { writeAtomic } from '../io'
import { native, call } from '../native'
import { classify, type Classified } from './classify'
import type { Entry, ReadLimits, Skipped } from './entry'
import type { Manifest, Redaction } from './manifest'
import { readSource } from './source'
import { tarGzip, type TarFile } from './tar-write'

export const REDACTED = '(redacted)'

/**
 * A file path reduced to what identifies the code, not the machine: module-cache, vendor and
 * GOPATH/GOROOT `src` prefixes become `…/` (`/home/a/go/pkg/mod/github.com/x/y@v1/z.go` →
 * `…/github.com/x/y@v1/z.go`, `/usr/local/go/src/runtime/proc.go` → `…/runtime/proc.go`); other
 * absolute paths keep their base name only; relative (`-trimpath`) paths are kept.
 */
export function redactPath(p: string): string {
  const s = p.replace(/\\/g, '/')
  if (!s.startsWith('/') && !/^[A-Za-z]:\//.test(s)) return p
  for (const marker of ['/pkg/mod/', '/vendor/', '/src/']) {
    const i = s.indexOf(marker)
    if (i >= 0 && i + marker.length < s.length) return '…/' + s.slice(i + marker.length)
  }
  return '…/' + s.slice(s.lastIndexOf('/') + 1)
}

/** Home directories in free text (`/home/alice/x`, `/Users/bob`, `/root/x`, `C:\Users\c`) → `~`. */
export function scrubHomes(s: string): string {
  return s
    .replace(/\/(?:home|Users)\/[^/\s"',:;)]+/g, '~')
    .replace(/(^|[\s"'=(])\/root(?=[/\s"',:;)]|$)/g, '$1~')
    .replace(/\b[A-Za-z]:[\\/]Users[\\/][^\\/\s"',:;)]+/g, '~')
}

const ADDR = /(?<![+\w.])0x([0-9a-fA-F]{6,})(?![0-9a-fA-F])/g
const CLUSTER_GAP = 0x10000n // wider than the core's largest lock offset (4096)
const ALIGN = 0x1000n
const STRIDE = 0x100000n

/**
 * Stable aliases of the hex addresses of one or more dumps: the same address always gets the
 * same alias, and addresses within 64 KiB of each other keep their distance and order (a mutex
 * at `store+24` stays at `alias(store)+24`), so lock-holder analysis works on redacted dumps.
 * The real layout (heap base, ASLR) is gone; only the low 12 bits and the distances inside a
 * cluster survive.
 */
export class AddressAliases {
  private seen = new Set<string>()
  private map: Map<string, string> | null = null

  add(text: string): void {
    for (const m of text.matchAll(ADDR)) this.seen.add(m[1].toLowerCase())
  }

  get size(): number {
    return this.seen.size
  }

  private build(): Map<string, string> {
    const vals = [...this.seen].map((h) => BigInt('0x' + h)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const map = new Map<string, string>()
    let base = 0x1000000n
    let start = -1n
    let prev = -1n
    for (const v of vals) {
      if (start < 0n || v - prev > CLUSTER_GAP) {
        if (start >= 0n) base = ((base + (prev - start) + STRIDE) / STRIDE + 1n) * STRIDE
        start = v - (v % ALIGN)
      }
      map.set(v.toString(16), (base + (v - start)).toString(16))
      prev = v
    }
    return map
  }

  rewrite(text: string): string {
    this.map ??= this.build()
    const map = this.map
    return text.replace(ADDR, (whole, hex: string) => {
      const a = map.get(BigInt('0x' + hex).toString(16))
      return a ? '0x' + a : whole
    })
  }
}

/** File paths in frame lines (`\t/p/f.go:12 +0x1d`, debug=1 `#\t0x…\tf+0x…\t/p/f.go:12`). */
const FRAME_PATH = /(^|[\t ])((?:[A-Za-z]:)?[/\\][^\t\n]*?):(\d+)(?=[\t \r]|$)/gm

export function redactStacksText(text: string, aliases: AddressAliases): { text: string; paths: number } {
  let paths = 0
  const t = text.replace(FRAME_PATH, (_w, pre: string, p: string, line: string) => {
    const r = redactPath(p)
    if (r !== p) paths++
    return `${pre}${r}:${line}`
  })
  return { text: aliases.rewrite(scrubHomes(t)), paths }
}

function json(v: unknown, indent = 0): Buffer {
  return Buffer.from(JSON.stringify(v, null, indent) + '\n')
}

function redactVars(v: Record<string, unknown>): { data: Buffer; removed: string[] } {
  const out: Record<string, unknown> = {}
  const removed: string[] = []
  for (const [k, val] of Object.entries(v)) {
    if (k === 'memstats') out[k] = val
    else if (k === 'cmdline') removed.push('cmdline')
    else if (k.startsWith('badger_') && val && typeof val === 'object') {
      // badger's per-directory sizes are keyed by the repo's paths
      const m: Record<string, unknown> = {}
      for (const [p, x] of Object.entries(val as Record<string, unknown>)) m[redactPath(scrubHomes(p))] = x
      out[k] = m
    } else if (k.startsWith('badger_') && typeof val === 'number') out[k] = val
    else removed.push(`expvar ${k}`)
  }
  return { data: json(out), removed }
}

function redactSys(v: Record<string, unknown>): { data: Buffer; removed: string[] } {
  const out = { ...v }
  const removed: string[] = []
  if (out.environment && typeof out.environment === 'object') {
    out.environment = Object.fromEntries(Object.keys(out.environment).map((k) => [k, REDACTED]))
    removed.push('environment')
  }
  if (out.net && typeof out.net === 'object') {
    const net = { ...(out.net as Record<string, unknown>) }
    if ('interface_addresses' in net) {
      net.interface_addresses = []
      removed.push('net.interface_addresses')
    }
    out.net = net
  }
  const known = new Set(['diskinfo', 'environment', 'ipfs_commit', 'ipfs_version', 'memory', 'net', 'runtime'])
  for (const k of Object.keys(out)) {
    if (!known.has(k)) {
      delete out[k]
      removed.push(k)
    }
  }
  return { data: json(out), removed }
}

const DROP: Partial<Record<Classified['kind'], string>> = {
  executable: 'executable',
  trace: 'execution trace (holds paths and addresses)',
  svg: 'image (may hold paths)',
  cmds: 'request log (holds command arguments)',
  json: 'JSON of an unknown shape',
  unknown: 'content not recognised',
}

function isLoopback(api: string): boolean {
  return /^(\/ip4\/127\.\d+\.\d+\.\d+|\/ip6\/::1|\/dns[46]?\/localhost)\/tcp\/\d+(\/http)?$/.test(api) || /^https?:\/\/(127\.\d+\.\d+\.\d+|\[::1\]|localhost)(:\d+)?\/?$/.test(api)
}

export interface RedactResult {
  files: TarFile[]
  redaction: Redaction
  manifest: Manifest | null
}

/**
 * Redact bundle entries (as read by readSource, or as collect is about to write them). The
 * result starts with `manifest.json` when the input had one (with `redaction` added), else with
 * `redaction.json`.
 */
export async function redactEntries(entries: Entry[], opts: { toolVersion?: string; skipped?: Skipped[] } = {}): Promise<RedactResult> {
  const classified: Classified[] = []
  for (const e of entries) classified.push(await classify(e.name, e.data))
  const aliases = new AddressAliases()
  for (const c of classified) if (c.kind === 'stacks') aliases.add(c.data.toString('utf8'))
  const redaction: Redaction = {
    format: 'goroscope-redaction/1',
    at: new Date().toISOString(),
    tool: `goroscope ${opts.toolVersion ?? '0.0.0'}`,
    files: [],
    manifest: [],
    addresses: aliases.size,
    paths: 0,
  }
  const files: TarFile[] = []
  let manifest: Manifest | null = null
  const keep = (c: Classified, data: Buffer, removed: string[]) => {
    files.push({ name: c.name, data })
    redaction.files.push({ file: c.name, action: removed.length ? 'rewritten' : 'unchanged', removed })
  }
  const drop = (name: string, why: string) => redaction.files.push({ file: name, action: 'removed', removed: [why] })

  for (const c of classified) {
    const why = DROP[c.kind]
    if (why) {
      drop(c.name, why)
      continue
    }
    switch (c.kind) {
      case 'manifest':
        if (manifest) drop(c.name, 'a second manifest')
        else manifest = structuredClone(c.manifest!)
        break
      case 'stacks': {
        const r = redactStacksText(c.data.toString('utf8'), aliases)
        redaction.paths += r.paths
        keep(c, Buffer.from(r.text), ['file paths', 'addresses (aliased)', 'home directories'])
        break
      }
      case 'profile':
        try {
          const names = await call(() => native.profileFilenamesRaw(c.data))
          const map: Record<string, string> = {}
          for (const n of names) map[n] = redactPath(scrubHomes(n))
          redaction.paths += names.filter((n) => map[n] !== n).length
          keep(c, await call(() => native.redactProfileRaw(c.data, map)), ['file paths (functions and mappings)'])
        } catch (e) {
          drop(c.name, `profile that could not be rewritten: ${(e as Error).message}`)
        }
        break
      case 'vars': {
        const r = redactVars(c.json as Record<string, unknown>)
        keep(c, r.data, r.removed)
        break
      }
      case 'sys': {
        const r = redactSys(c.json as Record<string, unknown>)
        keep(c, r.data, r.removed)
        break
      }
      case 'metrics': {
        const t = c.data.toString('utf8')
        const s = scrubHomes(t)
        keep(c, Buffer.from(s), s === t ? [] : ['home directories'])
        break
      }
      default: // version, version-text, empty: versions only
        keep(c, c.data, [])
    }
  }
  for (const s of opts.skipped ?? []) drop(s.name, `not read: ${s.reason}`)

  if (manifest) {
    const m = manifest
    const host = m.collectedOn
    const scrub = (s: string | null) => (s === null ? null : scrubHomes(host && host.length >= 4 ? s.split(host).join('(host)') : s))
    if (m.collectedOn !== REDACTED) {
      m.collectedOn = REDACTED
      redaction.manifest.push('collectedOn')
    }
    if (!isLoopback(m.target.api) && m.target.api !== REDACTED) {
      m.target.api = REDACTED
      redaction.manifest.push('target.api')
    }
    const out = new Map(files.map((f) => [f.name, f.data]))
    for (const it of m.items) {
      it.error = scrub(it.error)
      it.request = scrub(it.request)
      it.notes = it.notes.map((n) => scrub(n)!)
      if (it.file === null) continue
      const data = out.get(it.file)
      if (data) {
        it.size = data.length
        it.sha256 = createHash('sha256').update(data).digest('hex')
      } else {
        it.notes.push(`${it.file}: removed by redaction`)
        if (it.name === 'binary') it.request = null
        it.file = null
        it.size = null
        it.sha256 = null
        it.status = 'skipped'
        it.error = 'removed by redaction'
      }
    }
    redaction.manifest.push('items (errors, notes and requests: home directories and host name)')
    m.redaction = redaction
    files.unshift({ name: 'manifest.json', data: json(m, 2) })
  } else {
    files.unshift({ name: 'redaction.json', data: json(redaction, 2) })
  }
  return { files, redaction, manifest }
}

/** Read a bundle, zip, directory or file and write its redacted copy as a tar.gz bundle. */
export async function redactBundle(input: string, output: string, opts: { toolVersion?: string; limits?: Partial<ReadLimits> } = {}): Promise<RedactResult> {
  const src = await readSource(input, opts.limits)
  const r = await redactEntries(src.entries, { toolVersion: opts.toolVersion, skipped: src.skipped })
  await writeAtomic(output, await tarGzip(r.files))
  return r
}
