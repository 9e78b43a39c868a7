// The generated code we commit must be what the generators produce now.
import test from 'ava'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

import { ROOT, tmpdir, walk } from './helpers'

test('index.js and index.d.ts are what `napi build` just generated (committed and fresh)', (t) => {
  // `npm test` builds first (pretest), which rewrites both files; a diff means they were stale.
  const diff = execFileSync('git', ['status', '--porcelain', '--', 'index.js', 'index.d.ts'], { cwd: ROOT, encoding: 'utf8' })
  t.is(diff.trim(), '', 'run `npm run build:native` and commit index.js/index.d.ts')
  const dts = fs.readFileSync(path.join(ROOT, 'index.d.ts'), 'utf8')
  t.regex(dts, /export declare function analyzeStacksRaw/)
  t.regex(dts, /export declare class StackDump/)
})

test('FlatBuffers code in the repo is what flatc 25.12.19 generates from schema/*.fbs', (t) => {
  const out = tmpdir()
  execFileSync(path.join(ROOT, 'scripts', 'gen-flatbuffers.sh'), { env: { ...process.env, OUT: out } })
  const fresh = walk(out).map((f) => path.relative(out, f))
  t.true(fresh.length >= 10)
  for (const rel of fresh) {
    const committed = path.join(ROOT, rel)
    t.true(fs.existsSync(committed), `${rel} is generated but not committed`)
    t.is(fs.readFileSync(committed, 'utf8'), fs.readFileSync(path.join(out, rel), 'utf8'), `${rel} is stale: run scripts/gen-flatbuffers.sh`)
  }
})

test('npm/<platform>/ is what `napi create-npm-dirs` generates from package.json (committed and fresh)', (t) => {
  const dir = tmpdir()
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'))
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'napi'), ['create-npm-dirs', '--cwd', dir], { stdio: 'pipe' })
  const generated = walk(path.join(dir, 'npm')).map((f) => path.relative(dir, f))
  const committed = walk(path.join(ROOT, 'npm')).map((f) => path.relative(ROOT, f))
  t.deepEqual(committed, generated)
  for (const f of generated) t.is(fs.readFileSync(path.join(ROOT, f), 'utf8'), fs.readFileSync(path.join(dir, f), 'utf8'), f)
})
