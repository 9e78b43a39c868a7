// A small version of the web UI load test (bench/webui-load.mjs; the 60-second, 20-client run
// and its numbers are in RELIABILITY.md): concurrent clients refining views of google/pprof's
// large.cpu in `goroscope pprof -http` and paging a generated dump in `goroscope serve`, after a
// warm-up that asks every distinct request once. Asserted: no request fails, both servers
// answered many requests, and neither server's RSS grows by half of what it was after the
// warm-up (its caches full) — a per-request leak (an unbounded cache of answers, reports kept
// per request) grows past that within the run. Latency is measured by the bench, not here.
import * as fs from 'node:fs'

import test from 'ava'

import { LARGE_CPU, PROFILE_PATHS, runLoad } from '../bench/webui-load.mjs'

test('load: concurrent refines of large.cpu and explorer pages: no errors, RSS bounded after the caches fill', async (t) => {
  t.timeout(180_000)
  t.true(fs.existsSync(LARGE_CPU), LARGE_CPU)
  const r = await runLoad({ clients: 6, seconds: 12, goroutines: 200_000, stacks: 2000 })
  t.log(JSON.stringify(r))
  t.is(r.errors, 0, r.failures.join('\n'))
  t.deepEqual(r.failures, [])
  // every client kept asking: far more requests than the distinct ones of the warm-up
  t.true(r.profile.requests > 2 * PROFILE_PATHS.length, `${r.profile.requests} profile requests`)
  t.true(r.explorer.requests > 50, `${r.explorer.requests} explorer requests`)
  for (const k of ['pprofMB', 'serveMB'] as const) {
    t.true(r.rssAfter[k] < r.rssBefore[k] * 1.5, `${k}: ${r.rssBefore[k]} → ${r.rssAfter[k]} MB`)
  }
})
