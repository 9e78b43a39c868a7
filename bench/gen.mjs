#!/usr/bin/env node
// bench/gen.mjs - generate a large, realistic goroutine dump for benchmarks.
//
// Real goroutine blocks are taken from captured dumps and replicated with fresh unique ids:
//   * fixtures/dumps/go126-debug2-minutes.txt (Go 1.26, /debug/pprof/goroutine?debug=2), or when it
//     is missing another Go 1.26 debug=2 / GOTRACEBACK=all dump in fixtures/dumps/;
//   * /work/shared/corpus/goroutine-dumps/panicparse/static_panicweb.txt (Go ~1.14, debug=2).
// So that every peer can parse the result, blocks are normalised to the plain debug=2 form:
// `gp=… m=… mp=…` header fields and ` fp=… sp=… pc=…` frame suffixes (GOTRACEBACK>=system
// only) are removed, and blocks containing `...N frames elided...` are dropped (gostackparse
// rejects them in the Go >= 1.21 wording). To get many distinct groups, most copies get one frame's
// line number shifted by 1..VARIANTS-1 (the first frame outside runtime/sync/internal).
//
// Shapes (--shape):
//   mixed  (default) every usable block of both sources: ~470 B per goroutine on average;
//   short  only the Go 1.26 capture's short goroutines (blocks under SHORT_MAX bytes: the fixture
//          program's idle workers on `chan receive`, IO waiters, selects, sleepers), ~300 B per
//          goroutine: the shape where per-goroutine costs, not bytes, dominate parsing.
//
// Usage: node bench/gen.mjs [--size 100MiB|1GiB|BYTES] [--shape mixed|short] [--out FILE] [--seed N] [--force]
// As a module: ensureDump({ size, out, shape }) -> meta (cached: regenerated only when the sources,
// size, shape or generator change). `dumpName(sizeName)` maps a bench size name such as
// `short-100MiB` to { size, shape }.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const GEN_VERSION = 3
const VARIANTS = 64
const here = path.dirname(fileURLToPath(import.meta.url))
export const repoRoot = path.resolve(here, '..')
export const outDir = path.join(here, 'out')
const CORPUS = '/work/shared/corpus/goroutine-dumps/panicparse/static_panicweb.txt'
/** Largest block (text after the id) the `short` shape keeps. */
const SHORT_MAX = 400
export const SHAPES = ['mixed', 'short']

/** A bench size name (`100MiB`, `short-1GiB`) as { size, shape }. */
export function dumpName(name) {
  const m = /^(?:(mixed|short)-)?(.+)$/.exec(String(name).trim())
  return { size: parseSize(m[2]), shape: m[1] ?? 'mixed' }
}

export function parseSize(s) {
  const m = /^(\d+(?:\.\d+)?)\s*(b|k|kib|m|mib|g|gib)?$/i.exec(String(s).trim())
  if (!m) throw new Error(`bad size: ${s}`)
  const unit = (m[2] || 'b').toLowerCase()
  const mult = { b: 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3 }[unit]
  return Math.round(Number(m[1]) * mult)
}

/** Which files the blocks come from (first existing Go 1.26 dump of the preferred kinds + the
 *  corpus file; the `short` shape takes the Go 1.26 dump alone). */
export function sourceFiles(shape = 'mixed') {
  const dumps = path.join(repoRoot, 'fixtures', 'dumps')
  const list = fs.existsSync(dumps) ? fs.readdirSync(dumps).filter((f) => f.endsWith('.txt')).sort() : []
  const pick =
    list.find((f) => f === 'go126-debug2-minutes.txt') ??
    list.find((f) => /debug2/.test(f)) ??
    list.find((f) => /panic/.test(f)) ?? // GOTRACEBACK=all panic: same block format as debug=2
    list.find((f) => /sigquit/.test(f)) // GOTRACEBACK=system: normalised below
  const files = []
  if (pick) files.push(path.join(dumps, pick))
  if (fs.existsSync(CORPUS) && (shape !== 'short' || files.length === 0)) files.push(CORPUS)
  if (files.length === 0) throw new Error('gen: no source dumps found (fixtures/dumps/*.txt or the corpus)')
  return files
}

const HEADER = /^goroutine (\d+)((?: [a-z]+=\S+)*) \[(.*)\]:$/
const FRAME_SUFFIX = / fp=0x[0-9a-f]+ sp=0x[0-9a-f]+ pc=0x[0-9a-f]+$/
const BORING = /^(runtime|sync|internal|syscall)[./]/

/** Split a dump into normalised goroutine blocks: { rest, varyAt, line } where the block text is
 *  `goroutine <id>` + rest, and (if varyAt >= 0) the number at rest[varyAt..] is `line`. */
export function extractBlocks(text, stats) {
  const lines = text.replace(/\r\n/g, '\n').split('\n')
  const blocks = []
  for (let i = 0; i < lines.length; i++) {
    const h = HEADER.exec(lines[i])
    if (!h) continue
    const body = []
    let j = i + 1
    for (; j < lines.length && lines[j] !== '' && !HEADER.test(lines[j]); j++) body.push(lines[j].replace(FRAME_SUFFIX, ''))
    i = j - 1
    stats.seen++
    if (body.length === 0) {
      stats.empty++
      continue
    }
    if (body.some((l) => l.includes('frames elided'))) {
      stats.elided++
      continue
    }
    if (h[2]) stats.normalised++
    // Frames alternate: function line, then `\t/file.go:LINE[ +0x…]`. Pick the frame to vary.
    let target = -1
    let fallback = -1
    for (let k = 0; k + 1 < body.length; k++) {
      if (body[k].startsWith('\t') || !body[k + 1].startsWith('\t')) continue
      if (!/:\d+( \+0x[0-9a-f]+)?$/.test(body[k + 1])) continue
      if (body[k].startsWith('created by ')) break
      if (fallback < 0) fallback = k + 1
      if (!BORING.test(body[k])) {
        target = k + 1
        break
      }
    }
    if (target < 0) target = fallback
    const head = ` [${h[3]}]:\n`
    if (target < 0) {
      blocks.push({ pre: head + body.join('\n') + '\n\n', post: '', line: -1 })
      continue
    }
    const fileLine = body[target]
    const m = /:(\d+)( \+0x[0-9a-f]+)?$/.exec(fileLine)
    const pre = head + body.slice(0, target).join('\n') + '\n' + fileLine.slice(0, m.index + 1)
    const post = (m[2] ?? '') + '\n' + body.slice(target + 1).join('\n') + (target + 1 < body.length ? '\n' : '') + '\n'
    blocks.push({ pre, post, line: Number(m[1]) })
  }
  return blocks
}

function mulberry32(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function generate({ size, out, seed = 1, shape = 'mixed' }) {
  if (!SHAPES.includes(shape)) throw new Error(`gen: unknown shape ${shape} (known: ${SHAPES.join(', ')})`)
  const files = sourceFiles(shape)
  const stats = { seen: 0, empty: 0, elided: 0, normalised: 0 }
  const perFile = []
  const blocks = []
  for (const f of files) {
    const before = blocks.length
    const all = extractBlocks(fs.readFileSync(f, 'utf8'), stats)
    const keep = shape === 'short' ? all.filter((b) => b.pre.length + b.post.length < SHORT_MAX) : all
    stats.long = (stats.long ?? 0) + all.length - keep.length
    blocks.push(...keep)
    perFile.push({ file: path.relative(repoRoot, f).startsWith('..') ? f : path.relative(repoRoot, f), blocks: blocks.length - before })
  }
  if (blocks.length === 0) throw new Error('gen: no usable goroutine blocks')
  const rnd = mulberry32(seed)
  fs.mkdirSync(path.dirname(out), { recursive: true })
  const tmp = `${out}.tmp${process.pid}`
  const fd = fs.openSync(tmp, 'w')
  const CHUNK = 8 << 20
  let written = 0
  let goroutines = 0
  let id = 1
  let buf = ''
  const t0 = process.hrtime.bigint()
  try {
    while (written + buf.length < size) {
      const b = blocks[Math.floor(rnd() * blocks.length)]
      // Ids: unique and increasing, with gaps like a real long-running process.
      id += 1 + (rnd() < 0.25 ? Math.floor(rnd() * 8) : 0)
      if (b.line < 0) buf += 'goroutine ' + id + b.pre
      else {
        // Half the copies keep the real line; the rest move it by 1..VARIANTS-1.
        const v = rnd() < 0.5 ? 0 : 1 + Math.floor(rnd() * (VARIANTS - 1))
        buf += 'goroutine ' + id + b.pre + (b.line + v) + b.post
      }
      goroutines++
      if (buf.length >= CHUNK) {
        written += fs.writeSync(fd, buf, null, 'latin1')
        buf = ''
      }
    }
    if (buf.length) written += fs.writeSync(fd, buf, null, 'latin1')
  } finally {
    fs.closeSync(fd)
  }
  fs.renameSync(tmp, out)
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  return { bytes: written, goroutines, shape, sourceBlocks: blocks.length, sources: perFile, dropped: stats, variants: VARIANTS, seed, seconds }
}

function cacheKey(size, seed, shape) {
  const h = createHash('sha256')
  h.update(`v${GEN_VERSION} size=${size} seed=${seed} variants=${VARIANTS} shape=${shape}\n`)
  h.update(fs.readFileSync(fileURLToPath(import.meta.url)))
  for (const f of sourceFiles(shape)) h.update(f + '\n').update(fs.readFileSync(f))
  return h.digest('hex').slice(0, 16)
}

/** Generate `out` unless a cached copy with the same key exists. Returns the meta object. */
export function ensureDump({ size, out, seed = 1, shape = 'mixed', force = false, log = console.error }) {
  const metaPath = `${out}.meta.json`
  const key = cacheKey(size, seed, shape)
  if (!force && fs.existsSync(out) && fs.existsSync(metaPath)) {
    try {
      const meta = JSON.parse(fs.readFileSync(metaPath, 'utf8'))
      if (meta.key === key && fs.statSync(out).size === meta.bytes) return { ...meta, cached: true }
    } catch {}
  }
  log(`gen: writing ${path.relative(process.cwd(), out)} (${(size / 2 ** 20).toFixed(0)} MiB, ${shape})…`)
  const meta = { key, ...generate({ size, out, seed, shape }) }
  fs.writeFileSync(metaPath, JSON.stringify(meta, null, 2) + '\n')
  log(`gen: ${meta.goroutines} goroutines, ${(meta.bytes / 2 ** 20).toFixed(1)} MiB in ${meta.seconds.toFixed(1)} s (${(meta.bytes / 2 ** 20 / meta.seconds).toFixed(0)} MiB/s)`)
  return { ...meta, cached: false }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const opt = (name, dflt) => {
    const i = args.indexOf(name)
    return i >= 0 ? args[i + 1] : dflt
  }
  const size = parseSize(opt('--size', '100MiB'))
  const shape = opt('--shape', 'mixed')
  const name = (shape === 'mixed' ? '' : `${shape}-`) + opt('--size', '100MiB')
  const out = path.resolve(opt('--out', path.join(outDir, `dump-${name}.txt`)))
  const meta = ensureDump({ size, out, shape, seed: Number(opt('--seed', '1')), force: args.includes('--force') })
  console.log(JSON.stringify({ out, ...meta }, null, 2))
}
