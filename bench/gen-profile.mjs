#!/usr/bin/env node
// bench/gen-profile.mjs - generate a large synthetic CPU profile (gzipped profile.proto) for the
// pprof and graph benchmarks. The protobuf is written by hand (varints and length-delimited
// fields), independent of goroscope's own encoder, so the benchmark input does not depend on the
// code under test.
//
// Shape (defaults): ~4,000 functions in ~70 packages arranged in call layers, ~12,000 locations
// (1-4 call sites per function, ~10 % of them with an inlined helper frame), 1.2 M samples whose
// stacks are random walks 30-60 frames deep from runtime.goexit, with skewed callee choice so
// there are hot paths (a realistic `top`/graph) and almost every stack is distinct (as in a Go CPU
// profile, where identical stacks are already merged). Two sample types, samples/count and
// cpu/nanoseconds, period 10 ms. One mapping with has_functions set (no symbolization needed).
//
// Usage: node bench/gen-profile.mjs [--samples N] [--out FILE] [--seed N] [--force]
// As a module: ensureProfile({ samples, out }) -> meta (cached next to FILE as FILE.meta.json).
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as zlib from 'node:zlib'
import { fileURLToPath } from 'node:url'

const GEN_VERSION = 2
const here = path.dirname(fileURLToPath(import.meta.url))
export const outDir = path.join(here, 'out')

// ---------------------------------------------------------------------------------------------
// Minimal protobuf writer
class W {
  constructor(size = 1 << 16) {
    this.buf = Buffer.allocUnsafe(size)
    this.pos = 0
  }
  ensure(n) {
    if (this.pos + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.pos + n) size *= 2
    const b = Buffer.allocUnsafe(size)
    this.buf.copy(b, 0, 0, this.pos)
    this.buf = b
  }
  varint(v) {
    // v: non-negative Number < 2^53, or a BigInt
    this.ensure(10)
    if (typeof v === 'bigint') {
      while (v >= 0x80n) {
        this.buf[this.pos++] = Number(v & 0x7fn) | 0x80
        v >>= 7n
      }
      this.buf[this.pos++] = Number(v)
      return
    }
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80
      v = Math.floor(v / 0x80)
    }
    this.buf[this.pos++] = v
  }
  tag(field, wire) {
    this.varint(field * 8 + wire)
  }
  uint(field, v) {
    if (v === 0 || v === 0n) return
    this.tag(field, 0)
    this.varint(v)
  }
  bytes(field, b) {
    this.tag(field, 2)
    this.varint(b.length)
    this.ensure(b.length)
    if (typeof b === 'string') this.pos += this.buf.write(b, this.pos, 'utf8')
    else {
      b.copy(this.buf, this.pos)
      this.pos += b.length
    }
  }
  /** A nested message written by fn(w) into a scratch writer. */
  msg(field, fn, scratch = new W(256)) {
    scratch.pos = 0
    fn(scratch)
    this.tag(field, 2)
    this.varint(scratch.pos)
    this.ensure(scratch.pos)
    scratch.buf.copy(this.buf, this.pos, 0, scratch.pos)
    this.pos += scratch.pos
  }
  packed(field, values, scratch) {
    scratch.pos = 0
    for (const v of values) scratch.varint(v)
    this.tag(field, 2)
    this.varint(scratch.pos)
    this.ensure(scratch.pos)
    scratch.buf.copy(this.buf, this.pos, 0, scratch.pos)
    this.pos += scratch.pos
  }
  result() {
    return this.buf.subarray(0, this.pos)
  }
}

// mulberry32
function rng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const VERBS = ['handle', 'serve', 'process', 'decode', 'encode', 'lookup', 'flush', 'read', 'write', 'scan', 'merge', 'apply', 'visit', 'compute', 'dispatch', 'resolve']
const TYPES = ['Server', 'Client', 'conn', 'Store', 'Cache', 'Index', 'batch', 'Tree', 'Reader', 'Writer', 'Pool', 'queue']

export function generateProfile({ samples = 1_200_000, seed = 1, functions = 4000, maxDepth = 60, minDepth = 30 } = {}) {
  const rand = rng(seed)
  const strings = ['']
  const sidx = new Map([['', 0]])
  const str = (s) => {
    let i = sidx.get(s)
    if (i === undefined) {
      i = strings.length
      strings.push(s)
      sidx.set(s, i)
    }
    return i
  }

  // Functions, in layers 0..maxDepth. Layer 0 is runtime.goexit; deeper layers hold packages'
  // functions; the last layers are leaf-ish (runtime/syscall/encoding helpers).
  const fns = [] // { id, name, file, startLine, layer, locs: [locId], callees: [fnIdx], inl }
  const layers = Array.from({ length: maxDepth + 1 }, () => [])
  const addFn = (name, file, layer) => {
    const f = { id: fns.length + 1, name, file, startLine: 10 + Math.floor(rand() * 900), layer, locs: [], callees: [] }
    fns.push(f)
    layers[layer].push(fns.length - 1)
    return f
  }
  addFn('runtime.goexit', '/usr/local/go/src/runtime/asm_amd64.s', 0)
  const entries = ['net/http.(*conn).serve', 'main.main', 'google.golang.org/grpc.(*Server).serveStreams.func1', 'github.com/acme/svc/worker.(*Pool).run']
  for (const e of entries) addFn(e, `/go/src/${e.replace(/\..*$/, '').replace(/^main$/, 'github.com/acme/svc/cmd/svc')}/x.go`, 1)
  const npkg = 70
  const lowLevel = ['runtime.mallocgc', 'runtime.memmove', 'syscall.Syscall', 'runtime.mapaccess2_faststr', 'runtime.scanobject', 'sync.(*Mutex).Lock', 'encoding/json.(*decodeState).object', 'runtime.futex', 'bytes.(*Buffer).grow', 'hash/crc32.update', 'runtime.newobject', 'internal/runtime/atomic.(*Uint32).Load']
  const perLayer = Math.ceil((functions - 1 - entries.length - lowLevel.length) / (maxDepth - 1))
  for (let layer = 2; layer <= maxDepth; layer++) {
    for (let k = 0; k < perLayer && fns.length < functions - lowLevel.length; k++) {
      const pkg = Math.floor(rand() * npkg)
      const t = TYPES[Math.floor(rand() * TYPES.length)]
      const v = VERBS[Math.floor(rand() * VERBS.length)]
      const name = rand() < 0.6 ? `github.com/acme/svc/pkg${pkg}.(*${t}).${v}L${layer}n${k}` : `github.com/acme/svc/pkg${pkg}.${v}L${layer}n${k}`
      addFn(name, `/go/src/github.com/acme/svc/pkg${pkg}/${t.toLowerCase()}.go`, layer)
    }
  }
  const low = lowLevel.map((n) => {
    const f = addFn(n, `/usr/local/go/src/${n.replace(/\.[^/]*$/, '')}/x.go`, maxDepth)
    f.low = true
    return f
  })
  // Callees: 2-6 functions from the next 1-2 layers (skewed choice when walking); low-level
  // helpers (runtime, syscall, ...) only ever appear as leaves.
  for (const f of fns) {
    if (f.low) continue
    const n = 2 + Math.floor(rand() * 5)
    for (let i = 0; i < n; i++) {
      const layer = Math.min(maxDepth, f.layer + (rand() < 0.85 ? 1 : 2))
      const pool = layers[layer].filter((j) => !fns[j].low)
      f.callees.push(pool[Math.floor(rand() * pool.length)])
    }
  }
  const lowIdx = low.map((f) => fns.indexOf(f))
  // Inlined helpers (separate functions only appearing inside inlined locations).
  const inlineHelpers = []
  for (let i = 0; i < 200; i++) inlineHelpers.push(addFn(`github.com/acme/svc/internal/util.small${i}`, `/go/src/github.com/acme/svc/internal/util/u${i % 7}.go`, maxDepth))
  // Locations: 1-4 call sites per function; ~10 % get an inlined helper frame on top.
  const locs = [] // { id, address, lines: [[fnId, line], ...] } innermost first
  let address = 0x401000
  for (const f of fns) {
    if (inlineHelpers.includes(f)) continue
    const n = 1 + Math.floor(rand() * 4)
    for (let i = 0; i < n; i++) {
      address += 16 + Math.floor(rand() * 200)
      const lines = [[f.id, f.startLine + 1 + Math.floor(rand() * 80)]]
      if (rand() < 0.1) {
        const h = inlineHelpers[Math.floor(rand() * inlineHelpers.length)]
        lines.unshift([h.id, h.startLine + 1 + Math.floor(rand() * 10)])
      }
      locs.push({ id: locs.length + 1, address, lines })
      f.locs.push(locs.length)
    }
  }

  // Strings used by the header.
  const sSamples = str('samples'), sCount = str('count'), sCpu = str('cpu'), sNanos = str('nanoseconds')
  const sBinary = str('/usr/local/bin/svc'), sBuildId = str('b1e55ed0c0ffee')
  for (const f of fns) {
    f.nameIdx = str(f.name)
    f.fileIdx = str(f.file)
  }

  const w = new W(Math.max(1 << 20, samples * 110))
  const scratch = new W(1024)
  const scratch2 = new W(1024)
  w.msg(1, (m) => (m.uint(1, sSamples), m.uint(2, sCount)))
  w.msg(1, (m) => (m.uint(1, sCpu), m.uint(2, sNanos)))

  // Samples: random walks. Hot spots: callee choice weights 1, 1/2, 1/3, ...
  const PERIOD = 10_000_000
  const stack = new Array(maxDepth + 2)
  let totalCount = 0
  let totalFrames = 0
  const pickCallee = (f) => {
    // harmonic weights
    const n = f.callees.length
    let total = 0
    for (let i = 1; i <= n; i++) total += 1 / i
    let r = rand() * total
    for (let i = 0; i < n; i++) {
      r -= 1 / (i + 1)
      if (r <= 0) return f.callees[i]
    }
    return f.callees[n - 1]
  }
  for (let s = 0; s < samples; s++) {
    const depth = minDepth + Math.floor(rand() * (maxDepth - minDepth + 1))
    // root → leaf; each frame's location is the call site chosen for its callee
    let fi = 0
    const chain = [0]
    while (chain.length < depth) {
      const f = fns[fi]
      if (chain.length === depth - 1 && rand() < 0.6) fi = lowIdx[Math.floor(rand() * lowIdx.length)]
      else fi = pickCallee(f)
      chain.push(fi)
    }
    // leaf first
    let n = 0
    for (let i = chain.length - 1; i >= 0; i--) {
      const f = fns[chain[i]]
      const pickIdx = i === chain.length - 1 ? Math.floor(rand() * f.locs.length) : chain[i + 1] % f.locs.length
      stack[n++] = f.locs[pickIdx]
    }
    const count = rand() < 0.85 ? 1 : 2 + Math.floor(rand() * 6)
    totalCount += count
    totalFrames += n
    w.msg(
      2,
      (m) => {
        m.packed(1, stack.slice(0, n), scratch2)
        m.packed(2, [count, count * PERIOD], scratch2)
      },
      scratch,
    )
  }
  // Mapping
  w.msg(3, (m) => {
    m.uint(1, 1)
    m.uint(2, 0x400000)
    m.uint(3, address + 0x1000)
    m.uint(5, sBinary)
    m.uint(6, sBuildId)
    m.uint(7, 1) // has_functions
    m.uint(8, 1) // has_filenames
    m.uint(9, 1) // has_line_numbers
    m.uint(10, 1) // has_inline_frames
  })
  for (const l of locs) {
    w.msg(4, (m) => {
      m.uint(1, l.id)
      m.uint(2, 1)
      m.uint(3, l.address)
      for (const [fid, line] of l.lines) m.msg(4, (x) => (x.uint(1, fid), x.uint(2, line)), scratch2)
    })
  }
  for (const f of fns) {
    w.msg(5, (m) => {
      m.uint(1, f.id)
      m.uint(2, f.nameIdx)
      m.uint(3, f.nameIdx)
      m.uint(4, f.fileIdx)
      m.uint(5, f.startLine)
    })
  }
  for (const s of strings) w.bytes(6, s)
  w.uint(9, 1767225600000000000n) // 2026-01-01T00:00:00Z
  w.uint(10, Math.round(totalCount * PERIOD / 8)) // as if 8 CPUs were busy
  w.msg(11, (m) => (m.uint(1, sCpu), m.uint(2, sNanos)))
  w.uint(12, PERIOD)
  const raw = w.result()
  return {
    raw,
    meta: { samples, functions: fns.length, locations: locs.length, strings: strings.length, totalCount, avgDepth: totalFrames / samples, rawBytes: raw.length },
  }
}

/** Generate (or reuse) the profile at `out` (gzipped). */
export function ensureProfile({ samples = 1_200_000, seed = 1, out = path.join(outDir, `profile-${samples}.pb.gz`), force = false, log = () => {} } = {}) {
  const metaFile = out + '.meta.json'
  if (!force && fs.existsSync(out) && fs.existsSync(metaFile)) {
    try {
      const m = JSON.parse(fs.readFileSync(metaFile, 'utf8'))
      if (m.version === GEN_VERSION && m.samples === samples && m.seed === seed && fs.statSync(out).size === m.bytes) return { ...m, file: out, cached: true }
    } catch {}
  }
  log(`generating ${path.relative(process.cwd(), out)} (${samples} samples)`)
  const t0 = Date.now()
  const { raw, meta } = generateProfile({ samples, seed })
  const gz = zlib.gzipSync(raw, { level: 6 })
  fs.mkdirSync(path.dirname(out), { recursive: true })
  fs.writeFileSync(out + '.tmp', gz)
  fs.renameSync(out + '.tmp', out)
  const m = { version: GEN_VERSION, seed, ...meta, bytes: gz.length, seconds: (Date.now() - t0) / 1000 }
  fs.writeFileSync(metaFile, JSON.stringify(m, null, 2) + '\n')
  log(`generated ${(m.rawBytes / 2 ** 20).toFixed(1)} MiB raw, ${(m.bytes / 2 ** 20).toFixed(1)} MiB gzipped in ${m.seconds.toFixed(1)} s`)
  return { ...m, file: out, cached: false }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const a = process.argv.slice(2)
  const opt = (n, d) => {
    const i = a.indexOf(n)
    return i >= 0 ? a[i + 1] : d
  }
  const samples = Number(opt('--samples', 1_200_000))
  const m = ensureProfile({
    samples,
    seed: Number(opt('--seed', 1)),
    out: opt('--out', undefined) ?? path.join(outDir, `profile-${samples}.pb.gz`),
    force: a.includes('--force'),
    log: (...x) => console.error('gen-profile:', ...x),
  })
  console.log(JSON.stringify(m))
}

/** Counts of a profile.proto file (gzip or not), read with a minimal top-level field scan:
 *  { bytes, rawBytes, samples, locations, functions, strings, avgDepth }. */
export function profileStats(file) {
  let buf = fs.readFileSync(file)
  const bytes = buf.length
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = zlib.gunzipSync(buf)
  let pos = 0
  const varint = (b, end) => {
    let v = 0
    let mul = 1
    for (;;) {
      if (pos >= end) throw new Error('truncated varint')
      const c = b[pos++]
      v += (c & 0x7f) * mul
      if (c < 0x80) return v
      mul *= 128
    }
  }
  const st = { bytes, rawBytes: buf.length, samples: 0, locations: 0, functions: 0, strings: 0, frames: 0 }
  while (pos < buf.length) {
    const key = varint(buf, buf.length)
    const field = Math.floor(key / 8)
    const wire = key & 7
    if (wire === 0) varint(buf, buf.length)
    else if (wire === 1) pos += 8
    else if (wire === 5) pos += 4
    else if (wire === 2) {
      const len = varint(buf, buf.length)
      const end = pos + len
      if (field === 2) {
        st.samples++
        // count location ids (field 1, packed or not)
        while (pos < end) {
          const k = varint(buf, end)
          if (k === (1 << 3) + 2) {
            const l = varint(buf, end)
            const e = pos + l
            while (pos < e) {
              varint(buf, e)
              st.frames++
            }
          } else if (k === (1 << 3) + 0) {
            varint(buf, end)
            st.frames++
          } else if ((k & 7) === 0) varint(buf, end)
          else if ((k & 7) === 2) pos += varint(buf, end)
          else if ((k & 7) === 1) pos += 8
          else pos += 4
        }
      } else if (field === 4) st.locations++
      else if (field === 5) st.functions++
      else if (field === 6) st.strings++
      pos = end
    } else throw new Error(`bad wire type ${wire}`)
  }
  st.avgDepth = st.samples ? st.frames / st.samples : 0
  return st
}
