#!/usr/bin/env node
// The web UI flame view's server work on one profile (default google/pprof's large.cpu), both
// ways this build can still do it, in one process: the path before the core's flame report
// (a `-proto` report of the refine, `Profile.load` of its bytes, the flame JSON, and a `-top`
// report for the legend) and `Profile.flameReport` (the refined profile folded and pruned in the
// core, legend included, as bytes). Median of RUNS of each, for each refine: process CPU time
// (user + system of every thread, which other processes on a loaded machine disturb less than
// wall time), wall time and the answer's size. Usage: node bench/webui-flame.mjs [PROFILE] [RUNS]
import { createRequire } from 'node:module'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const { Profile } = require(path.join(root, 'dist', 'src', 'profile.js'))
const file = process.argv[2] ?? path.resolve(root, '..', 'shared', 'corpus', 'google-pprof', 'internal', 'proftest', 'testdata', 'large.cpu')
const runs = Number(process.argv[3] ?? 5)
const p = await Profile.load([file])
await p.report(['-top', '-nodecount=1']) // the session's one fetch, outside the measurement

async function measure(work) {
  const rows = []
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    const bytes = await work()
    const wall = performance.now() - t0
    const c = process.cpuUsage(c0)
    rows.push({ cpu: (c.user + c.system) / 1000, wall, bytes })
  }
  const med = (k) => rows.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(rows.length / 2)]
  return `cpu ${med('cpu').toFixed(0)} ms, wall ${med('wall').toFixed(0)} ms, ${(med('bytes') / 1e6).toFixed(2)} MB`
}

for (const refine of [[], ['-focus=main'], ['-focus=time.now'], ['-focus=runtime\\.']]) {
  const before = await measure(async () => {
    const [json, top] = await Promise.all([
      p.report(['-proto', ...refine]).then((r) => Profile.load(r.proto)).then((f) => f.flameJSON('x')),
      p.report(['-top', ...refine]),
    ])
    return Buffer.byteLength(json) + JSON.stringify(top.legend).length
  })
  const after = await measure(async () => (await p.flameReport(refine, 'x')).length)
  console.log(`${refine.join(' ') || '(none)'}: before: ${before}; after: ${after}`)
}
