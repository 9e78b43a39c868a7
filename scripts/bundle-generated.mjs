#!/usr/bin/env node
// Start-up (issue 13): flatc writes one TypeScript file per FlatBuffers table, so reading a
// report made Node resolve and compile 17 modules (dist/src/generated/goroscope/profile/*.js)
// before the first byte was read: +11 ms over `node -e 0`, measured (BENCHMARKS.md, start-up).
// After tsc, each schema's index module (dist/src/generated/goroscope/{profile,stacks}.js) is
// replaced by an esbuild bundle of itself and its table modules: one file to resolve and compile.
// The generated sources stay as flatc writes them (scripts/gen-flatbuffers.sh); the `flatbuffers`
// runtime stays an external package, so the API modules and the readers share one copy of it.
// Part of `npm run build:ts`, after tsc.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const dir = path.join(root, 'dist', 'src', 'generated', 'goroscope')

for (const schema of ['profile', 'stacks']) {
  const entry = path.join(dir, `${schema}.js`)
  const r = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'external',
    outfile: entry,
    allowOverwrite: true,
    logLevel: 'warning',
  })
  for (const f of r.outputFiles) fs.writeFileSync(f.path, f.path.endsWith('.map') ? f.text : `${f.text}//# sourceMappingURL=${schema}.js.map\n`)
  console.log(`generated: dist/src/generated/goroscope/${schema}.js bundled, ${fs.statSync(entry).size} bytes`)
}
