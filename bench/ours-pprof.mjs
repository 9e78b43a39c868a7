#!/usr/bin/env node
// bench/ours-pprof.mjs FILE [top|tree|dot] - one benchmark run of goroscope's pprof reports through
// its Node API, in a fresh process: `Profile.load(FILE)` then `.top()` (or `.tree()`, `.dot()`).
// Prints one JSON line: in-process times, the report's length and SHA-256 (the bench compares it
// with `go tool pprof`'s output), and which native addon was loaded (from /proc/self/maps).
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import { createRequire } from 'node:module'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const { Profile } = require(path.join(root, 'dist/src/index.js'))

const [file, kind = 'top'] = process.argv.slice(2)
if (!file || !['top', 'tree', 'dot'].includes(kind)) {
  console.error('usage: node bench/ours-pprof.mjs FILE [top|tree|dot]')
  process.exit(2)
}
const t0 = process.hrtime.bigint()
const profile = await Profile.load(file)
const t1 = process.hrtime.bigint()
const report = await profile[kind]()
const text = report.text
const t2 = process.hrtime.bigint()
let addons = []
try {
  addons = [...new Set(fs.readFileSync('/proc/self/maps', 'utf8').split('\n').map((l) => l.split(/\s+/).slice(5).join(' ')).filter((p) => p.endsWith('.node')))]
} catch {}
console.log(
  JSON.stringify({
    tool: 'goroscope',
    kind,
    loadSeconds: Number(t1 - t0) / 1e9,
    reportSeconds: Number(t2 - t1) / 1e9,
    bytes: Buffer.byteLength(text),
    sha256: createHash('sha256').update(text).digest('hex'),
    addons,
  }),
)
