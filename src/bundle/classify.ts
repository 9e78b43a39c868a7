// Recognising a bundle file by its content, never by its name: gzip is opened first (bounded),
// then text and JSON shapes, then executables and traces, then profile.proto by structure
// (Profile.load succeeds). Names only break the one tie content cannot: a mutex vs a block
// profile in protobuf form (same sample types).
//
// Seam: the gzip, dump and profile.proto checks are what the core's `sniff(bytes) -> Kind` decides
// (driver layer); once the binding exposes it, `classify` asks it first and keeps only the JSON,
// text and name-tie rules that are about bundles.
import * as zlib from 'node:zlib'

import { isManifest, type Manifest } from './manifest'
import { Profile } from '../profile'

export type FileKind =
  | 'stacks'
  | 'profile'
  | 'vars'
  | 'sys'
  | 'version'
  | 'manifest'
  | 'metrics'
  | 'version-text'
  | 'cmds'
  | 'executable'
  | 'trace'
  | 'svg'
  | 'json'
  | 'empty'
  | 'unknown'

export type ProfileType = 'cpu' | 'heap' | 'allocs' | 'goroutine' | 'goroutineleak' | 'threadcreate' | 'mutex' | 'block' | 'contention' | 'other'

export interface Classified {
  name: string
  size: number
  kind: FileKind
  /** A short human description: "CPU profile (protobuf)", "goroutine dump (debug=2)". */
  detail: string
  /** The (decompressed) bytes, for the analyses. */
  data: Buffer
  profile?: Profile
  profileType?: ProfileType
  json?: unknown
  manifest?: Manifest
}

const MAX_INFLATE = 512 * 1024 * 1024

function text(b: Buffer, n = 4096): string {
  return b.subarray(0, n).toString('latin1')
}

function isProbablyText(b: Buffer): boolean {
  const s = b.subarray(0, 4096)
  let bad = 0
  for (const c of s) if (c === 0 || (c < 9 && c !== 0)) bad++
  return bad === 0
}

function nameHint(name: string): 'mutex' | 'block' | null {
  const n = name.toLowerCase()
  if (n.includes('mutex')) return 'mutex'
  if (n.includes('block') || n.includes('contention')) return 'block'
  return null
}

function profileType(p: Profile, name: string, legacyText: string): ProfileType {
  const info = p.info
  const types = info.sampleTypes.map((t) => t.type).join(',')
  if (types === 'samples,cpu' || info.periodType.type === 'cpu') return 'cpu'
  if (types.includes('inuse_space') && types.includes('alloc_space')) return info.defaultSampleType === 'alloc_space' ? 'allocs' : 'heap'
  if (types === 'goroutine') return 'goroutine'
  // Go ≥1.26 /debug/pprof/goroutineleak: the goroutines the GC proved can never be woken.
  if (types === 'goroutineleak') return 'goroutineleak'
  if (types === 'threadcreate') return 'threadcreate'
  if (types === 'contentions,delay') {
    if (legacyText.startsWith('--- mutex:')) return 'mutex'
    if (legacyText.startsWith('--- contention:')) return 'block'
    return nameHint(name) ?? 'contention'
  }
  return 'other'
}

/** A `goroutine N [… (leaked)…` header anywhere in `data` (without copying it). */
function hasLeakedHeader(data: Buffer): boolean {
  for (let i = data.indexOf(' (leaked)'); i >= 0; i = data.indexOf(' (leaked)', i + 1)) {
    const start = data.lastIndexOf(0x0a, i) + 1
    if (data.subarray(start, start + 10).toString('latin1') === 'goroutine ' && data.lastIndexOf(0x5b, i) > start) return true
  }
  return false
}

const PROFILE_NAMES: Record<ProfileType, string> = {
  cpu: 'CPU profile',
  heap: 'heap profile',
  allocs: 'allocations profile',
  goroutine: 'goroutine profile',
  goroutineleak: 'goroutine leak profile (runtime-proven leaks)',
  threadcreate: 'thread-creation profile',
  mutex: 'mutex contention profile',
  block: 'block profile',
  contention: 'contention profile (mutex or block)',
  other: 'profile',
}

function classifyJSON(v: unknown): { kind: FileKind; detail: string } {
  if (isManifest(v)) return { kind: 'manifest', detail: 'goroscope bundle manifest' }
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>
    if (o.memstats && typeof o.memstats === 'object') return { kind: 'vars', detail: '/debug/vars (expvar)' }
    if (o.runtime && typeof o.runtime === 'object' && ('diskinfo' in o || 'memory' in o || 'net' in o)) return { kind: 'sys', detail: 'ipfs diag sys' }
    if (typeof o.Version === 'string' && ('System' in o || 'Golang' in o)) return { kind: 'version', detail: 'ipfs version' }
  }
  if (Array.isArray(v) && v.length > 0 && v.every((e) => e && typeof e === 'object' && 'Command' in e && 'StartTime' in e)) {
    return { kind: 'cmds', detail: 'ipfs diag cmds (request log)' }
  }
  return { kind: 'json', detail: 'JSON of an unknown shape' }
}

export async function classify(name: string, raw: Buffer): Promise<Classified> {
  const base = { name, size: raw.length }
  if (raw.length === 0) return { ...base, kind: 'empty', detail: 'empty file', data: raw }
  let data = raw
  let gz = ''
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      data = zlib.gunzipSync(raw, { maxOutputLength: MAX_INFLATE })
      gz = ', gzip'
    } catch (e) {
      return { ...base, kind: 'unknown', detail: `gzip that does not decompress (${(e as Error).message})`, data: raw }
    }
  }
  const head = text(data)
  const out = (kind: FileKind, detail: string, extra: Partial<Classified> = {}): Classified => ({ ...base, kind, detail: detail + gz, data, ...extra })

  if (head.startsWith('\x7fELF') || /^(\xfe\xed\xfa[\xce\xcf]|[\xce\xcf]\xfa\xed\xfe|MZ)/.test(head)) return out('executable', 'executable')
  if (/^go 1\.\d+ trace\0/.test(head)) return out('trace', 'Go execution trace (go tool trace)')
  if (/^\s*(<\?xml|<svg|<!DOCTYPE svg)/i.test(head) && head.includes('<svg')) return out('svg', 'SVG image')

  const legacy = /^(--- mutex:|--- contention:|heap profile: |threadcreate profile: )/.test(head)
  if (!legacy && isProbablyText(data)) {
    const t = head.trimStart()
    if (t.startsWith('goroutine profile: total')) return out('stacks', 'goroutine dump (debug=1)')
    if (t.startsWith('goroutineleak profile: total')) return out('stacks', 'goroutine leak dump (debug=1)')
    if (/^goroutine \d+ \[/m.test(head) || /^(panic: |SIGQUIT: |fatal error: )/m.test(head)) {
      // /debug/pprof/goroutineleak?debug=2 prints every goroutine, the leaked ones marked.
      if (hasLeakedHeader(data)) return out('stacks', 'goroutine leak dump (debug=2)')
      return out('stacks', 'goroutine dump')
    }
    if (/^[{[]/.test(t)) {
      try {
        const v = JSON.parse(data.toString('utf8'))
        const c = classifyJSON(v)
        return out(c.kind, c.detail, { json: v, manifest: c.kind === 'manifest' ? (v as Manifest) : undefined })
      } catch {
        return out('unknown', 'text that looks like JSON but does not parse')
      }
    }
    if (/^# (HELP|TYPE) [a-zA-Z_:]/m.test(head)) return out('metrics', 'Prometheus metrics')
    if (/^Commit: .*\nClient Version: /m.test(head)) return out('version-text', 'kubo /version')
  }
  try {
    const p = await Profile.load(data)
    const type = profileType(p, name, head)
    return out('profile', `${PROFILE_NAMES[type]} (${legacy ? 'legacy text' : 'protobuf'})`, { profile: p, profileType: type })
  } catch {
    /* not a profile */
  }
  if (isProbablyText(data)) return out('unknown', 'text of an unknown kind')
  return out('unknown', 'binary data of an unknown kind')
}
