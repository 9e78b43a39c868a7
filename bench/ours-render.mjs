#!/usr/bin/env node
// bench/ours-render.mjs DOTFILE OUT.svg - lay out and render a DOT file with goroscope's bundled
// WebAssembly Graphviz (the renderer `goroscope svg` uses by default), in a fresh process. The
// bench feeds it the DOT that `goroscope dot` wrote, to time the layout step on its own.
import * as fs from 'node:fs'
import { createRequire } from 'node:module'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const { dotToSvg } = require(path.join(root, 'dist/src/render/svg.js'))

const [dotFile, out] = process.argv.slice(2)
if (!dotFile || !out) {
  console.error('usage: node bench/ours-render.mjs DOTFILE OUT.svg')
  process.exit(2)
}
const t0 = process.hrtime.bigint()
const svg = await dotToSvg(fs.readFileSync(dotFile, 'utf8'), 'wasm')
const t1 = process.hrtime.bigint()
fs.writeFileSync(out, svg)
console.log(JSON.stringify({ tool: 'goroscope-wasm-graphviz', renderSeconds: Number(t1 - t0) / 1e9, bytes: Buffer.byteLength(svg) }))
