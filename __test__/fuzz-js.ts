// A small fuzzer for the TypeScript readers (no dependencies): a seeded PRNG mutator (byte
// flips, interesting values, insertion, deletion, duplication, truncation, splicing, and
// format-aware corruption of tar size/checksum fields, zip length/offset fields and JSON
// numbers/types) over seeds from examples/kubo-bundle.tar.gz and small tar/zip/vars/sys inputs
// built here. Every input must end in a result or a clean error (an Error from our code or a
// coded Node error; never a TypeError/RangeError/ReferenceError, a non-Error throw, an unhandled
// rejection) within a time bound and without the heap running away.
//
// Used by __test__/fuzz-js.spec.ts (short, fixed seed) and scripts/fuzz-js.mjs (long runs).
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as zlib from 'node:zlib'

import { cleanPath, type Entry, type ReadLimits, type Skipped, unsafePath } from '../src/bundle/entry'
import { readSource } from '../src/bundle/source'
import { readTar } from '../src/bundle/tar-read'
import { tarPack } from '../src/bundle/tar-write'
import { readZip } from '../src/bundle/zip-read'
import { classify } from '../src/bundle/classify'
import { analyzeSys } from '../src/report-node/sys'
import { analyzeVars } from '../src/report-node/vars'

const ROOT = path.resolve(__dirname, '..')

/** Small limits so that a mutated size field cannot make a run slow by design. */
export const FUZZ_LIMITS: ReadLimits = { maxEntryBytes: 4 * 1024 * 1024, maxTotalBytes: 16 * 1024 * 1024, maxEntries: 500 }

// ---- PRNG (mulberry32) and mutator

export class Rng {
  private s: number
  constructor(seed: number) {
    this.s = seed >>> 0
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  int(n: number): number {
    return Math.floor(this.next() * n)
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]
  }
}

const INTERESTING8 = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x20, 0x30, 0x37, 0x39, 0x2f, 0x2e, 0x0a]
const INTERESTING32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffe, 0x10000, 512, 1 << 24]

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

function tarCorrupt(rng: Rng, b: Buffer): Buffer {
  const hs = tarHeaders(b)
  if (hs.length === 0) return b
  const h = rng.pick(hs)
  switch (rng.int(6)) {
    case 0: // size: huge, zero, garbage, base-256
      b.write(rng.pick(['77777777777\0', '00000000000\0', '00000001000\0', '9999\0', ' \0', '-1\0']), h + 124, 12, 'latin1')
      break
    case 1:
      b[h + 124] = 0x80
      for (let i = 1; i < 12; i++) b[h + 124 + i] = rng.int(256)
      break
    case 2: // type
      b[h + 156] = rng.pick([0x30, 0x31, 0x32, 0x33, 0x35, 0x37, 0x78, 0x67, 0x4c, 0x4b, 0x00, 0x41])
      break
    case 3: // name: traversal, absolute, empty, long
      b.fill(0, h, h + 100)
      b.write(rng.pick(['../../etc/passwd', '/abs', '', 'a/'.repeat(49), 'C:x', 'a\\..\\b', '.', './/']), h, 100, 'utf8')
      break
    case 4: // prefix
      b.fill(0, h + 345, h + 500)
      b.write(rng.pick(['..', '/', 'x'.repeat(155)]), h + 345, 155, 'utf8')
      break
    case 5: // pax-ish record lengths in the data that follows
      b.write(rng.pick(['99999999 path=x\n', '0 path=\n', '12 path=../a\n', '-5 x\n', '30 path=a\n']), h + 512, 'latin1')
      break
  }
  if (rng.int(4) !== 0) fixTarChecksum(b, h)
  return b
}

function zipCorrupt(rng: Rng, b: Buffer): Buffer {
  const sigs: number[] = []
  for (let i = 0; i + 4 <= b.length && sigs.length < 64; i++) {
    if (b[i] === 0x50 && b[i + 1] === 0x4b && (b[i + 2] === 1 || b[i + 2] === 3 || b[i + 2] === 5 || b[i + 2] === 6)) sigs.push(i)
  }
  if (sigs.length === 0) return b
  const at = rng.pick(sigs)
  const kind = b[at + 2]
  const v = rng.pick(INTERESTING32)
  if (kind === 3) setU32(b, at + rng.pick([14, 18, 22]), v) // local: crc, csize, usize
  else if (kind === 1) {
    const f = rng.pick([10, 16, 20, 24, 28, 30, 32, 38, 42])
    if (f >= 28 && f <= 32) setU16(b, at + f, v)
    else if (f === 10) setU16(b, at + f, rng.pick([0, 8, 9, 12, 99]))
    else setU32(b, at + f, v) // crc, csize, usize, external attrs, local header offset
  } else if (kind === 5) setU16(b, at + rng.pick([8, 10, 20]), v) // entries, comment length
  else setU32(b, at + rng.pick([12, 16]), v) // end: cd size, cd offset
  return b
}

function jsonCorrupt(rng: Rng, b: Buffer): Buffer {
  const s = b.toString('utf8')
  const nums = [...s.matchAll(/-?\d+(\.\d+)?(e[+-]?\d+)?/g)]
  const repl = rng.pick(['1e308', '-1', '9007199254740993', '0', 'null', '"x"', '[]', '{}', 'true', '[1,[2]]', '{"__proto__":1}', '1e-400'])
  if (nums.length && rng.int(2) === 0) {
    const m = rng.pick(nums)
    return Buffer.from(s.slice(0, m.index!) + repl + s.slice(m.index! + m[0].length))
  }
  // a value after a key
  const keys = [...s.matchAll(/"([A-Za-z_]+)":/g)]
  if (!keys.length) return b
  const k = rng.pick(keys)
  const at = k.index! + k[0].length
  const end = s.slice(at).search(/[,}]/)
  return Buffer.from(s.slice(0, at) + repl + (end < 0 ? '' : s.slice(at + end)))
}

export type Format = 'tar' | 'zip' | 'json' | 'bytes'

/** One mutation step (applied 1–4 times per input). */
export function mutate(rng: Rng, input: Buffer, seeds: Buffer[], format: Format): Buffer {
  let b: Buffer = Buffer.from(input)
  const rounds = 1 + rng.int(4)
  for (let r = 0; r < rounds; r++) {
    const op = rng.int(format === 'bytes' ? 8 : 10)
    const n = b.length
    switch (op) {
      case 0: // bit flip
        if (n) b[rng.int(n)] ^= 1 << rng.int(8)
        break
      case 1: // interesting byte
        if (n) b[rng.int(n)] = rng.pick(INTERESTING8)
        break
      case 2: {
        // insert random bytes
        const at = rng.int(n + 1)
        const ins = Buffer.alloc(1 + rng.int(16))
        for (let i = 0; i < ins.length; i++) ins[i] = rng.int(256)
        b = Buffer.concat([b.subarray(0, at), ins, b.subarray(at)])
        break
      }
      case 3: {
        // delete a range
        const at = rng.int(n + 1)
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(n, at + 1 + rng.int(64)))])
        break
      }
      case 4: {
        // duplicate a range
        const at = rng.int(n + 1)
        const len = rng.int(Math.min(1024, n - at) + 1)
        b = Buffer.concat([b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len)])
        break
      }
      case 5: // truncate
        b = b.subarray(0, rng.int(n + 1))
        break
      case 6: {
        // splice with another seed
        const o = rng.pick(seeds)
        b = Buffer.concat([b.subarray(0, rng.int(n + 1)), o.subarray(rng.int(o.length + 1))])
        break
      }
      case 7: // 32-bit interesting value anywhere
        if (n >= 4) setU32(b, rng.int(n - 3), rng.pick(INTERESTING32))
        break
      default:
        b = format === 'tar' ? tarCorrupt(rng, b) : format === 'zip' ? zipCorrupt(rng, b) : format === 'json' ? jsonCorrupt(rng, b) : b
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
export function makeTar(): Buffer {
  const pax = Buffer.from('21 path=pax/long.txt\n')
  const parts = tarPack([
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

let seedCache: SeedSet | null = null

export function seeds(): SeedSet {
  if (seedCache) return seedCache
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
  const small = makeTar()
  const stacks = Buffer.from('goroutine 1 [running]:\nmain.main()\n\t/x/main.go:5 +0x1d\n')
  const zipSeed = makeZip([
    { name: 'goroutines.stacks', data: stacks },
    { name: 'vars.json', data: entries['vars.json'] ?? Buffer.from('{}'), deflate: true },
    { name: 'sub/', data: Buffer.alloc(0) },
    { name: 'link', data: Buffer.from('target'), mode: 0o120777 },
  ])
  seedCache = {
    tar: [exampleTar, small, tarPack([{ name: 'a.txt', data: Buffer.from('hello') }])],
    zip: [zipSeed, makeZip([{ name: 'heap.pprof', data: entries['heap.pprof'] ?? Buffer.alloc(0) }])],
    vars: [entries['vars.json'], Buffer.from('{"memstats":{"NumGC":300,"PauseNs":[5],"PauseEnd":[1e18]},"badger_x":{"/a":1},"other":[]}')].filter(Boolean),
    sys: [entries['sys.json'], Buffer.from('{"runtime":{},"diskinfo":{"fstype":1},"net":{"interface_addresses":[1,null]},"environment":null}')].filter(Boolean),
    files: Object.values(entries).filter((b) => b.length < 64 * 1024),
    gz: [exampleGz, zlib.gzipSync(stacks), zlib.gzipSync(small)],
  }
  return seedCache
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

export interface Finding {
  target: string
  kind: 'crash' | 'timeout' | 'memory' | 'unhandled' | 'fd-leak'
  message: string
  input: Buffer
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
  iterations: number
  seed: number
  /** Per-input time bound (ms). */
  timeoutMs?: number
  /** Heap growth over the start that counts as runaway memory (MiB). */
  maxHeapGrowthMiB?: number
  /** Called with each input's index before it runs (the long-run script's watchdog; see inputAt). */
  before?: (i: number) => void
}

function nextInput(rng: Rng, pool: Buffer[], t: Target, i: number): Buffer {
  const base = rng.pick(pool)
  return i < pool.length ? base : mutate(rng, base, pool, t.format)
}

/** The `i`th input of a run with this seed (inputs depend only on the seed): replays a hang. */
export function inputAt(t: Target, seed: number, i: number): Buffer {
  const rng = new Rng(seed)
  const pool = t.seeds(seeds()).filter((b) => b && b.length > 0)
  let input: Buffer = Buffer.alloc(0)
  for (let k = 0; k <= i; k++) input = nextInput(rng, pool, t, k)
  return input
}

export async function fuzzTarget(t: Target, o: FuzzOptions): Promise<FuzzStats> {
  const rng = new Rng(o.seed)
  const pool = t.seeds(seeds()).filter((b) => b && b.length > 0)
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `goroscope-fuzz-${t.name}-`))
  const stats: FuzzStats = { target: t.name, execs: 0, ms: 0, results: 0, cleanErrors: 0, findings: [], maxHeapMiB: 0 }
  const unhandled: unknown[] = []
  const onUnhandled = (e: unknown) => unhandled.push(e)
  process.on('unhandledRejection', onUnhandled)
  process.on('uncaughtException', onUnhandled)
  const heap0 = process.memoryUsage().heapUsed
  const fds0 = openFds()
  const t0 = Date.now()
  try {
    for (let i = 0; i < o.iterations; i++) {
      const input = nextInput(rng, pool, t, i)
      o.before?.(i)
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), o.timeoutMs ?? 5000)))
      try {
        const r = await Promise.race([t.run(input, scratch).then(() => 'ok' as const), timeout])
        if (r === 'timeout') stats.findings.push({ target: t.name, kind: 'timeout', message: `no result within ${o.timeoutMs ?? 5000} ms`, input })
        else stats.results++
      } catch (e) {
        if (isCleanError(e)) stats.cleanErrors++
        else stats.findings.push({ target: t.name, kind: 'crash', message: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : `non-Error thrown: ${String(e)}`, input })
      } finally {
        clearTimeout(timer)
      }
      stats.execs++
      // let stray stream errors surface as unhandled before the next input
      if (i % 16 === 0) await new Promise((r) => setImmediate(r))
      while (unhandled.length) {
        const e = unhandled.shift()
        stats.findings.push({ target: t.name, kind: 'unhandled', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e), input })
      }
      if (i % 32 === 0) {
        const heap = process.memoryUsage().heapUsed
        stats.maxHeapMiB = Math.max(stats.maxHeapMiB, heap / 1024 / 1024)
        if (heap - heap0 > (o.maxHeapGrowthMiB ?? 1024) * 1024 * 1024) {
          stats.findings.push({ target: t.name, kind: 'memory', message: `heap grew by ${((heap - heap0) / 1024 / 1024).toFixed(0)} MiB`, input })
          break
        }
      }
      if (stats.findings.length >= 20) break
    }
  } finally {
    process.off('unhandledRejection', onUnhandled)
    process.off('uncaughtException', onUnhandled)
    fs.rmSync(scratch, { recursive: true, force: true })
  }
  stats.ms = Date.now() - t0
  await new Promise((r) => setTimeout(r, 50))
  const fds = openFds()
  if (fds0 >= 0 && fds - fds0 > 32) stats.findings.push({ target: t.name, kind: 'fd-leak', message: `${fds - fds0} file descriptors left open after ${stats.execs} inputs`, input: Buffer.alloc(0) })
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

