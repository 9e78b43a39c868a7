#!/usr/bin/env node
// Bundle the browser code of src/pages/ (real .ts files, type-checked against the DOM by
// src/pages/tsconfig.json) into dist/pages/NAME.js with esbuild: one self-contained IIFE per page
// script, which the renderers inline into what they write (src/render/assets.ts pageScript), so
// an SVG or HTML page makes no request; a page's CSS imports become NAME.css, and its .html
// shells are copied (the web UI, src/server, serves webui.html, webui.js and webui.css).
// Modules in subfolders (src/pages/webui/) are bundled into their page. Part of `npm run build:ts`.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const src = path.join(root, 'src', 'pages')
const out = path.join(root, 'dist', 'pages')

execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(src, 'tsconfig.json')], { stdio: 'inherit' })
const pages = fs.readdirSync(src).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
fs.rmSync(out, { recursive: true, force: true })
await esbuild.build({
  entryPoints: pages.map((f) => path.join(src, f)),
  outdir: out,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2019',
  minify: true,
  legalComments: 'inline',
  logLevel: 'warning',
})
// The web UI's page shell (src/server serves it as it is; its script and style are the bundles).
for (const f of fs.readdirSync(src).filter((f) => f.endsWith('.html'))) fs.copyFileSync(path.join(src, f), path.join(out, f))
for (const f of pages) console.log(`pages: dist/pages/${f.replace(/\.ts$/, '.js')} ${fs.statSync(path.join(out, f.replace(/\.ts$/, '.js'))).size} bytes`)
