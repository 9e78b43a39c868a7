// Property-based fuzzing of the TypeScript readers with fast-check. An input is a recipe: one
// seed (examples/kubo-bundle.tar.gz's entries, small tar/zip/vars/sys inputs built here) and up
// to four mutations drawn by fast-check: bit flips, interesting bytes and 32-bit values,
// insertion, deletion, duplication, truncation, splicing with another seed, and format-aware
// corruption of tar size/type/name/prefix fields and pax records, zip length/offset/method
// fields, JSON numbers and types. Recipes are small, so a failing one is shrunk by fast-check and
// printed readably, and a long run can note the recipe it is on (the watchdog's replay).
//
// The properties, for every input of every target: it ends in a result or a clean error (an
// Error from our code or a coded Node error; never a TypeError/RangeError/ReferenceError or a
// non-Error throw) within a time bound; no unhandled rejection or uncaught exception follows it;
// the readers keep their promises (safe clean names, sizes within the limits, reasons given,
// `checkEntries`); the heap does not run away. After a run: no file descriptor left open.
//
// Used by __test__/fuzz-js.spec.ts (short, fixed seed) and scripts/fuzz-js.mjs (long runs).
import fc from 'fast-check'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as zlib from 'node:zlib'

import { classify } from '../src/bundle/classify'
import { cleanPath, type Entry, type ReadLimits, type Skipped, unsafePath } from '../src/bundle/entry'
import { readSource } from '../src/bundle/source'
import { readTar } from '../src/bundle/tar-read'
import { tarPack } from '../src/bundle/tar-write'
import { readZip } from '../src/bundle/zip-read'
import { analyzeSys } from '../src/report-node/sys'
import { analyzeVars } from '../src/report-node/vars'

const ROOT = path.resolve(__dirname, '..')

/** Small limits so that a mutated size field cannot make a run slow by design. */
export const FUZZ_LIMITS: ReadLimits = { maxEntryBytes: 4 * 1024 * 1024, maxTotalBytes: 16 * 1024 * 1024, maxEntries: 500 }

// ---- mutations: plain data drawn by fast-check, applied by `apply`

const INTERESTING8 = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x20, 0x30, 0x37, 0x39, 0x2f, 0x2e, 0x0a]
const INTERESTING32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffe, 0x10000, 512, 1 << 24]
const TAR_SIZES = ['77777777777\0', '00000000000\0', '00000001000\0', '9999\0', ' \0', '-1\0']
const TAR_TYPES = [0x30, 0x31, 0x32, 0x33, 0x35, 0x37, 0x78, 0x67, 0x4c, 0x4b, 0x00, 0x41]
const TAR_NAMES = ['../../etc/passwd', '/abs', '', 'a/'.repeat(49), 'C:x', 'a\\..\\b', '.', './/']
const TAR_PREFIXES = ['..', '/', 'x'.repeat(155)]
const PAX_RECORDS = ['99999999 path=x\n', '0 path=\n', '12 path=../a\n', '-5 x\n', '30 path=a\n']
const JSON_VALUES = ['1e308', '-1', '9007199254740993', '0', 'null', '"x"', '[]', '{}', 'true', '[1,[2]]', '{"__proto__":1}', '1e-400']

/** Positions are drawn as any natural number and taken modulo the input's length when applied. */
export type Op =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'byte'; at: number; value: number }
  | { op: 'insert'; at: number; bytes: number[] }
  | { op: 'delete'; at: number; len: number }
  | { op: 'duplicate'; at: number; len: number }
  | { op: 'truncate'; at: number }
  | { op: 'splice'; at: number; other: number; from: number }
  | { op: 'u32'; at: number; value: number }
  | { op: 'tar'; header: number; field: 'size' | 'base256' | 'type' | 'name' | 'prefix' | 'pax'; value: number; bytes: number[]; fixChecksum: boolean }
  | { op: 'zip'; at: number; field: number; value: number }
  | { op: 'json'; at: number; number: boolean; value: number }

export type Format = 'tar' | 'zip' | 'json' | 'bytes'

export interface Recipe {
  /** Index of the seed in the target's pool. */
  seed: number
  ops: Op[]
}

const pos = fc.nat()
const pick = (n: number) => fc.nat({ max: n - 1 })

const GENERIC: fc.Arbitrary<Op>[] = [
  fc.record({ op: fc.constant('flip' as const), at: pos, bit: fc.nat({ max: 7 }) }),
  fc.record({ op: fc.constant('byte' as const), at: pos, value: fc.constantFrom(...INTERESTING8) }),
  fc.record({ op: fc.constant('insert' as const), at: pos, bytes: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 16 }) }),
  fc.record({ op: fc.constant('delete' as const), at: pos, len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant('duplicate' as const), at: pos, len: fc.nat({ max: 1024 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: pos }),
  fc.record({ op: fc.constant('splice' as const), at: pos, other: pos, from: pos }),
  fc.record({ op: fc.constant('u32' as const), at: pos, value: fc.constantFrom(...INTERESTING32) }),
]

const FORMAT: Record<Format, fc.Arbitrary<Op>[]> = {
  tar: [
    fc.record({
      op: fc.constant('tar' as const),
      header: pos,
      field: fc.constantFrom('size', 'base256', 'type', 'name', 'prefix', 'pax'),
      value: pos,
      bytes: fc.array(fc.nat({ max: 255 }), { minLength: 11, maxLength: 11 }),
      // most corruptions keep a valid checksum, so that the fields behind it are reached
      fixChecksum: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }),
    }),
  ],
  zip: [fc.record({ op: fc.constant('zip' as const), at: pos, field: pos, value: pick(INTERESTING32.length) })],
  json: [fc.record({ op: fc.constant('json' as const), at: pos, number: fc.boolean(), value: pick(JSON_VALUES.length) })],
  bytes: [],
}

/** Recipes for a target whose pool has `seeds` inputs. */
export function recipes(format: Format, seeds: number): fc.Arbitrary<Recipe> {
  const ops = [...GENERIC, ...FORMAT[format]]
  return fc.record({ seed: pick(seeds), ops: fc.array(fc.oneof(...ops), { minLength: 1, maxLength: 4 }) })
}

function setU32(b: Buffer, off: number, v: number) {
  if (off >= 0 && off + 4 <= b.length) b.writeUInt32LE(v >>> 0, off)
}

function setU16(b: Buffer, off: number, v: number) {
  if (off >= 0 && off + 2 <= b.length) b.writeUInt16LE(v & 0xffff, off)
}

/** Recompute a tar header's checksum so the corrupted fields get past it. */
function fixTarChecksum(b: Buffer, off: number) {
  if (off + 512 > b.length) return
  let sum = 0
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : b[off + i]
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', off + 148, 8, 'latin1')
}

function tarHeaders(b: Buffer): number[] {
  const out: number[] = []
  for (let off = 0; off + 512 <= b.length && out.length < 64; off += 512) if (b.toString('latin1', off + 257, off + 262) === 'ustar') out.push(off)
  return out
}

function tarCorrupt(b: Buffer, o: Extract<Op, { op: 'tar' }>): Buffer {
  const hs = tarHeaders(b)
  if (hs.length === 0) return b
  const h = hs[o.header % hs.length]
  const one = <T>(list: T[]) => list[o.value % list.length]
  switch (o.field) {
    case 'size': // huge, zero, garbage
      b.write(one(TAR_SIZES), h + 124, 12, 'latin1')
      break
    case 'base256':
      b[h + 124] = 0x80
      for (let i = 1; i < 12; i++) b[h + 124 + i] = o.bytes[i - 1]
      break
    case 'type':
      b[h + 156] = one(TAR_TYPES)
      break
    case 'name': // traversal, absolute, empty, long
      b.fill(0, h, h + 100)
      b.write(one(TAR_NAMES), h, 100, 'utf8')
      break
    case 'prefix':
      b.fill(0, h + 345, h + 500)
      b.write(one(TAR_PREFIXES), h + 345, 155, 'utf8')
      break
    case 'pax': // pax-ish record lengths in the data that follows
      b.write(one(PAX_RECORDS), h + 512, 'latin1')
      break
  }
  if (o.fixChecksum) fixTarChecksum(b, h)
  return b
}

function zipCorrupt(b: Buffer, o: Extract<Op, { op: 'zip' }>): Buffer {
  const sigs: number[] = []
  for (let i = 0; i + 4 <= b.length && sigs.length < 64; i++) {
    if (b[i] === 0x50 && b[i + 1] === 0x4b && (b[i + 2] === 1 || b[i + 2] === 3 || b[i + 2] === 5 || b[i + 2] === 6)) sigs.push(i)
  }
  if (sigs.length === 0) return b
  const at = sigs[o.at % sigs.length]
  const kind = b[at + 2]
  const v = INTERESTING32[o.value]
  const one = <T>(list: T[]) => list[o.field % list.length]
  if (kind === 3) setU32(b, at + one([14, 18, 22]), v) // local: crc, csize, usize
  else if (kind === 1) {
    const f = one([10, 16, 20, 24, 28, 30, 32, 38, 42])
    if (f >= 28 && f <= 32) setU16(b, at + f, v)
    else if (f === 10) setU16(b, at + f, [0, 8, 9, 12, 99][o.value % 5]) // compression method
    else setU32(b, at + f, v) // crc, csize, usize, external attrs, local header offset
  } else if (kind === 5) setU16(b, at + one([8, 10, 20]), v) // entries, comment length
  else setU32(b, at + one([12, 16]), v) // end: cd size, cd offset
  return b
}

function jsonCorrupt(b: Buffer, o: Extract<Op, { op: 'json' }>): Buffer {
  const s = b.toString('utf8')
  const repl = JSON_VALUES[o.value]
  const nums = [...s.matchAll(/-?\d+(\.\d+)?(e[+-]?\d+)?/g)]
  if (nums.length && o.number) {
    const m = nums[o.at % nums.length]
    return Buffer.from(s.slice(0, m.index!) + repl + s.slice(m.index! + m[0].length))
  }
  // a value after a key
  const keys = [...s.matchAll(/"([A-Za-z_]+)":/g)]
  if (!keys.length) return b
  const k = keys[o.at % keys.length]
  const at = k.index! + k[0].length
  const end = s.slice(at).search(/[,}]/)
  return Buffer.from(s.slice(0, at) + repl + (end < 0 ? '' : s.slice(at + end)))
}

/** The input a recipe describes (deterministic: the same recipe and pool give the same bytes). */
export function apply(r: Recipe, pool: Buffer[]): Buffer {
  let b: Buffer = Buffer.from(pool[r.seed % pool.length])
  for (const o of r.ops) {
    const n = b.length
    switch (o.op) {
      case 'flip':
        if (n) b[o.at % n] ^= 1 << o.bit
        break
      case 'byte':
        if (n) b[o.at % n] = o.value
        break
      case 'insert': {
        const at = o.at % (n + 1)
        b = Buffer.concat([b.subarray(0, at), Buffer.from(o.bytes), b.subarray(at)])
        break
      }
      case 'delete': {
        const at = o.at % (n + 1)
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(n, at + o.len))])
        break
      }
      case 'duplicate': {
        const at = o.at % (n + 1)
        const len = Math.min(o.len, n - at)
        b = Buffer.concat([b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len)])
        break
      }
      case 'truncate':
        b = b.subarray(0, o.at % (n + 1))
        break
      case 'splice': {
        const other = pool[o.other % pool.length]
        b = Buffer.concat([b.subarray(0, o.at % (n + 1)), other.subarray(o.from % (other.length + 1))])
        break
      }
      case 'u32':
        if (n >= 4) setU32(b, o.at % (n - 3), o.value)
        break
      case 'tar':
        b = tarCorrupt(b, o)
        break
      case 'zip':
        b = zipCorrupt(b, o)
        break
      case 'json':
        b = jsonCorrupt(b, o)
        break
    }
  }
  return b
}

// ---- seeds

function crc(b: Buffer): number {
  return (zlib as unknown as { crc32(b: Buffer): number }).crc32(b)
}

/** A minimal zip writer (stored and deflated entries) for seeds. */
export function makeZip(files: { name: string; data: Buffer; deflate?: boolean; mode?: number }[]): Buffer {
  const locals: Buffer[] = []
  const central: Buffer[] = []
  let off = 0
  for (const f of files) {
    const body = f.deflate ? zlib.deflateRawSync(f.data) : f.data
    const name = Buffer.from(f.name)
    const l = Buffer.alloc(30)
    l.writeUInt32LE(0x04034b50, 0)
    l.writeUInt16LE(20, 4)
    l.writeUInt16LE(0x800, 6)
    l.writeUInt16LE(f.deflate ? 8 : 0, 8)
    l.writeUInt32LE(crc(f.data), 14)
    l.writeUInt32LE(body.length, 18)
    l.writeUInt32LE(f.data.length, 22)
    l.writeUInt16LE(name.length, 26)
    locals.push(l, name, body)
    const c = Buffer.alloc(46)
    c.writeUInt32LE(0x02014b50, 0)
    c.writeUInt16LE(0x0314, 4)
    c.writeUInt16LE(20, 6)
    c.writeUInt16LE(0x800, 8)
    c.writeUInt16LE(f.deflate ? 8 : 0, 10)
    c.writeUInt32LE(crc(f.data), 16)
    c.writeUInt32LE(body.length, 20)
    c.writeUInt32LE(f.data.length, 24)
    c.writeUInt16LE(name.length, 28)
    c.writeUInt32LE(((f.mode ?? 0o100644) << 16) >>> 0, 38)
    c.writeUInt32LE(off, 42)
    central.push(c, name)
    off += 30 + name.length + body.length
  }
  const cd = Buffer.concat(central)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(files.length, 8)
  end.writeUInt16LE(files.length, 10)
  end.writeUInt32LE(cd.length, 12)
  end.writeUInt32LE(off, 16)
  return Buffer.concat([...locals, cd, end])
}

/** A tar with a pax header, a GNU long name, a directory, a symlink and regular files. */
export async function makeTar(): Promise<Buffer> {
  const pax = Buffer.from('21 path=pax/long.txt\n')
  const parts = await tarPack([
    { name: 'PaxHeader', data: pax },
    { name: 'x', data: Buffer.from('from pax\n') },
    { name: '././@LongLink', data: Buffer.from('gnu/' + 'n'.repeat(120) + '\0') },
    { name: 'y', data: Buffer.from('from long name\n') },
    { name: 'dir', data: Buffer.alloc(0) },
    { name: 'link', data: Buffer.alloc(0) },
    { name: 'vars.json', data: Buffer.from('{"cmdline":["a"],"memstats":{"NumGC":3,"PauseNs":[1,2,3],"PauseEnd":[1,2,3]}}') },
  ])
  // set the types of the first, third, fifth and sixth headers (x, L, 5, 2)
  const types: Record<number, number> = { 0: 0x78, 2: 0x4c, 4: 0x35, 5: 0x32 }
  let off = 0
  let i = 0
  while (off + 512 <= parts.length && i < 7) {
    const size = parseInt(parts.toString('latin1', off + 124, off + 135), 8)
    if (types[i] !== undefined) {
      parts[off + 156] = types[i]
      fixTarChecksum(parts, off)
    }
    off += 512 + Math.ceil(size / 512) * 512
    i++
  }
  return parts
}

export interface SeedSet {
  tar: Buffer[]
  zip: Buffer[]
  vars: Buffer[]
  sys: Buffer[]
  files: Buffer[]
  gz: Buffer[]
}

let seedCache: Promise<SeedSet> | null = null

export function seeds(): Promise<SeedSet> {
  seedCache ??= (async () => {
    const exampleGz = fs.readFileSync(path.join(ROOT, 'examples', 'kubo-bundle.tar.gz'))
    const exampleTar = zlib.gunzipSync(exampleGz)
    const entries: Record<string, Buffer> = {}
    // pull the example's entries out with the tar layout (ustar, 512-byte blocks)
    for (let off = 0; off + 512 <= exampleTar.length; ) {
      const name = exampleTar.toString('latin1', off, off + 100).replace(/\0.*$/s, '')
      if (!name) break
      const size = parseInt(exampleTar.toString('latin1', off + 124, off + 135), 8)
      entries[name] = exampleTar.subarray(off + 512, off + 512 + size)
      off += 512 + Math.ceil(size / 512) * 512
    }
    const small = await makeTar()
    const stacks = Buffer.from('goroutine 1 [running]:\nmain.main()\n\t/x/main.go:5 +0x1d\n')
    const zipSeed = makeZip([
      { name: 'goroutines.stacks', data: stacks },
      { name: 'vars.json', data: entries['vars.json'] ?? Buffer.from('{}'), deflate: true },
      { name: 'sub/', data: Buffer.alloc(0) },
      { name: 'link', data: Buffer.from('target'), mode: 0o120777 },
    ])
    return {
      tar: [exampleTar, small, await tarPack([{ name: 'a.txt', data: Buffer.from('hello') }])],
      zip: [zipSeed, makeZip([{ name: 'heap.pprof', data: entries['heap.pprof'] ?? Buffer.alloc(0) }])],
      vars: [entries['vars.json'], Buffer.from('{"memstats":{"NumGC":300,"PauseNs":[5],"PauseEnd":[1e18]},"badger_x":{"/a":1},"other":[]}')].filter(Boolean),
      sys: [entries['sys.json'], Buffer.from('{"runtime":{},"diskinfo":{"fstype":1},"net":{"interface_addresses":[1,null]},"environment":null}')].filter(Boolean),
      files: Object.values(entries).filter((b) => b.length < 64 * 1024),
      gz: [exampleGz, zlib.gzipSync(stacks), zlib.gzipSync(small)],
    }
  })()
  return seedCache
}

/** A target's seeds, empty ones left out (they are what every truncation reaches anyway). */
export async function pool(t: Target): Promise<Buffer[]> {
  return t.seeds(await seeds()).filter((b) => b && b.length > 0)
}

// ---- targets

export interface Target {
  name: string
  format: Format
  seeds(s: SeedSet): Buffer[]
  /** Run one input; resolve on a result, throw on an error (judged by isCleanError). */
  run(input: Buffer, scratch: string): Promise<unknown>
}

async function* chunked(b: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size)
}

function writeScratch(scratch: string, ext: string, b: Buffer): string {
  const f = path.join(scratch, `input.${ext}`)
  fs.writeFileSync(f, b)
  return f
}

function parseJSONOrSkip(b: Buffer): unknown {
  try {
    return JSON.parse(b.toString('utf8'))
  } catch {
    return undefined // not JSON: the callers' JSON.parse rejects it, nothing of ours runs
  }
}

/** A broken promise of the readers (not a crash, but a finding all the same). */
export class InvariantError extends Error {
  override name = 'InvariantError'
}

/** What every reader promises: safe, clean, non-empty names; sizes within the limits; reasons given. */
export function checkEntries<T extends { entries: Entry[]; skipped: Skipped[] }>(r: T): T {
  let total = 0
  for (const e of r.entries) {
    if (e.name === '' || unsafePath(e.name) || cleanPath(e.name) !== e.name) throw new InvariantError(`entry name kept as is: ${JSON.stringify(e.name)}`)
    if (e.data.length > FUZZ_LIMITS.maxEntryBytes) throw new InvariantError(`entry ${e.name} of ${e.data.length} bytes, over the limit`)
    total += e.data.length
  }
  if (total > FUZZ_LIMITS.maxTotalBytes) throw new InvariantError(`${total} bytes read, over the limit`)
  for (const s of r.skipped) if (typeof s.reason !== 'string' || s.reason === '') throw new InvariantError(`skipped ${s.name} without a reason`)
  return r
}

export const TARGETS: Target[] = [
  {
    name: 'tar-read',
    format: 'tar',
    seeds: (s) => s.tar,
    run: async (b) => checkEntries(await readTar(chunked(b, 1 + (b.length % 4096)), FUZZ_LIMITS)),
  },
  {
    name: 'zip-read',
    format: 'zip',
    seeds: (s) => s.zip,
    run: async (b, scratch) => checkEntries(await readZip(writeScratch(scratch, 'zip', b), FUZZ_LIMITS)),
  },
  {
    name: 'source-tar-gz',
    format: 'tar',
    seeds: (s) => s.tar,
    // structure-aware: the mutated tar, gzipped, through readSource's sniffing and gunzip
    run: async (b, scratch) => checkEntries(await readSource(writeScratch(scratch, 'tgz', zlib.gzipSync(b, { level: 1 })), FUZZ_LIMITS)),
  },
  {
    name: 'source-raw',
    format: 'bytes',
    seeds: (s) => [...s.gz, ...s.zip, s.tar[1], ...s.files.slice(0, 3)],
    run: async (b, scratch) => checkEntries(await readSource(writeScratch(scratch, 'bin', b), FUZZ_LIMITS)),
  },
  {
    name: 'gzip',
    format: 'bytes',
    seeds: (s) => s.gz,
    run: async (b) => zlib.gunzipSync(b, { maxOutputLength: 64 * 1024 * 1024 }),
  },
  {
    name: 'classify',
    format: 'bytes',
    seeds: (s) => [...s.files, ...s.gz.slice(1)],
    run: (b) => classify('mutex.pprof', b),
  },
  {
    name: 'vars',
    format: 'json',
    seeds: (s) => s.vars,
    run: async (b) => {
      const v = parseJSONOrSkip(b)
      return v === undefined ? null : analyzeVars(v)
    },
  },
  {
    name: 'sys',
    format: 'json',
    seeds: (s) => s.sys,
    run: async (b) => {
      const v = parseJSONOrSkip(b)
      return v === undefined ? null : analyzeSys(v)
    },
  },
]

/** An error our code may legitimately end in: a plain Error (ours, yauzl's), or a coded Node error (zlib, fs). */
export function isCleanError(e: unknown): boolean {
  if (!(e instanceof Error)) return false
  if (typeof (e as { code?: unknown }).code === 'string') return true
  return e.constructor === Error || e.name === 'GoroscopeError'
}

// ---- runs

export interface Finding {
  target: string
  kind: 'crash' | 'timeout' | 'memory' | 'unhandled' | 'fd-leak'
  message: string
  /** The (shrunk) input, and its recipe: replay with `apply(recipe, await pool(target))`. */
  input: Buffer
  recipe: Recipe | null
  /** fast-check's replay parameters for the failing run. */
  replay: { seed: number; path?: string } | null
}

export interface FuzzStats {
  target: string
  execs: number
  ms: number
  results: number
  cleanErrors: number
  findings: Finding[]
  maxHeapMiB: number
}

export interface FuzzOptions {
  /** Inputs to run (fast-check's numRuns; the unmutated seeds come first, as examples). */
  iterations: number
  seed: number
  /** Per-input time bound (ms). */
  timeoutMs?: number
  /** Heap growth over the start that counts as runaway memory (MiB). */
  maxHeapGrowthMiB?: number
  /** Called with each recipe before it runs (the long-run script's watchdog notes it). */
  before?: (r: Recipe) => void
}

/** Why a property failed, carried through fast-check to the finding. */
class Failure extends Error {
  constructor(
    readonly kind: Finding['kind'],
    message: string,
  ) {
    super(message)
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function fuzzTarget(t: Target, o: FuzzOptions): Promise<FuzzStats> {
  const inputs = await pool(t)
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `goroscope-fuzz-${t.name}-`))
  const stats: FuzzStats = { target: t.name, execs: 0, ms: 0, results: 0, cleanErrors: 0, findings: [], maxHeapMiB: 0 }
  const timeoutMs = o.timeoutMs ?? 5000
  const unhandled: unknown[] = []
  const onUnhandled = (e: unknown) => unhandled.push(e)
  process.on('unhandledRejection', onUnhandled)
  process.on('uncaughtException', onUnhandled)
  const heap0 = process.memoryUsage().heapUsed
  const fds0 = openFds()
  const t0 = Date.now()
  const property = fc.asyncProperty(recipes(t.format, inputs.length), async (r) => {
    o.before?.(r)
    const input = apply(r, inputs)
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)))
    let outcome: 'ok' | 'timeout' | 'clean'
    try {
      outcome = await Promise.race([t.run(input, scratch).then(() => 'ok' as const), timeout])
    } catch (e) {
      if (!isCleanError(e)) throw new Failure('crash', e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : `non-Error thrown: ${String(e)}`)
      outcome = 'clean'
    } finally {
      clearTimeout(timer)
    }
    if (outcome === 'timeout') throw new Failure('timeout', `no result within ${timeoutMs} ms`)
    stats.execs++
    if (outcome === 'ok') stats.results++
    else stats.cleanErrors++
    // let stray stream errors surface as unhandled before the next input
    if (stats.execs % 16 === 0) await new Promise((resolve) => setImmediate(resolve))
    if (unhandled.length) {
      const e = unhandled.splice(0)[0]
      throw new Failure('unhandled', e instanceof Error ? `${e.name}: ${e.message}` : String(e))
    }
    if (stats.execs % 32 === 0) {
      const heap = process.memoryUsage().heapUsed
      stats.maxHeapMiB = Math.max(stats.maxHeapMiB, heap / 1024 / 1024)
      if (heap - heap0 > (o.maxHeapGrowthMiB ?? 1024) * 1024 * 1024) throw new Failure('memory', `heap grew by ${((heap - heap0) / 1024 / 1024).toFixed(0)} MiB`)
    }
  })
  try {
    const examples: [Recipe][] = inputs.map((_, i) => [{ seed: i, ops: [] }])
    // numRuns counts the examples (the unmutated seeds, run first)
    const d = await fc.check(property, { numRuns: o.iterations, seed: o.seed, examples })
    if (d.failed) {
      const recipe = d.counterexample?.[0] ?? null
      const e = d.errorInstance
      stats.findings.push({
        target: t.name,
        kind: e instanceof Failure ? e.kind : 'crash',
        message: e instanceof Error ? e.message : String(e),
        input: recipe ? apply(recipe, inputs) : Buffer.alloc(0),
        recipe,
        replay: { seed: d.seed, path: d.counterexamplePath ?? undefined },
      })
    }
  } finally {
    process.off('unhandledRejection', onUnhandled)
    process.off('uncaughtException', onUnhandled)
    fs.rmSync(scratch, { recursive: true, force: true })
  }
  stats.ms = Date.now() - t0
  await sleep(50)
  const fds = openFds()
  if (fds0 >= 0 && fds - fds0 > 32) stats.findings.push({ target: t.name, kind: 'fd-leak', message: `${fds - fds0} file descriptors left open after ${stats.execs} inputs`, input: Buffer.alloc(0), recipe: null, replay: null })
  return stats
}

/** Open file descriptors of this process (Linux), or -1. */
export function openFds(): number {
  try {
    return fs.readdirSync('/proc/self/fd').length
  } catch {
    return -1
  }
}
