#!/usr/bin/env node
// bench/ours.mjs FILE - one benchmark run of goroscope through its Node API, in a fresh process:
// analyzeStacks(FILE, {}) = read + parse + full analysis (groups, states, contention, hung).
// Prints one JSON line with counts (to check against the peers) and the in-process time.
import * as fs from 'node:fs'
import { createRequire } from 'node:module'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const { analyzeStacks } = require(path.join(root, 'dist/src/index.js'))

const file = process.argv[2]
if (!file) {
  console.error('usage: node bench/ours.mjs FILE')
  process.exit(2)
}
const t0 = process.hrtime.bigint()
const report = await analyzeStacks(file, {})
const t1 = process.hrtime.bigint()
// Touch the summary the CLI's text view shows first; groups stay lazy (FlatBuffers view).
const out = {
  tool: 'goroscope',
  goroutines: report.goroutines,
  groups: report.groupCount,
  hung: report.hung.length,
  contention: report.contention.length,
  warnings: report.warnings.length,
  analyzeSeconds: Number(t1 - t0) / 1e9,
  viewSeconds: Number(process.hrtime.bigint() - t1) / 1e9,
  addons: loadedAddons(),
}
console.log(JSON.stringify(out))

/** The native addons this process loaded (the bench checks it used its own release build). */
function loadedAddons() {
  try {
    return [...new Set(fs.readFileSync('/proc/self/maps', 'utf8').split('\n').map((l) => l.split(/\s+/).slice(5).join(' ')).filter((p) => p.endsWith('.node')))]
  } catch {
    return []
  }
}
