// The collectors: what each fetches, into which bundle file, and how kubo differs from a plain
// Go program serving net/http/pprof and expvar.
import { describeStatus, type Reply, request } from './http'
import type { Target } from './target'

export interface Ctx {
  target: Target
  kubo: boolean
  seconds: number
  gc: boolean
  auth?: string
  /** Per-request deadline for instant requests, ms. */
  timeoutMs: number
  /** Extra notes for the manifest item. */
  note(s: string): void
}

export interface Output {
  data: Buffer
  /** The request that produced it, without secrets. */
  request: string
  /** Overrides the collector's file name (e.g. the binary's own name). */
  file?: string
}

export interface Collector {
  name: string
  file: string
  /** Runs for the whole window (cpu, mutex, block). */
  windowed?: boolean
  /** Only kubo serves it. */
  kuboOnly?: boolean
  /** Off unless asked for. */
  optIn?: boolean
  /** Runs only once `stacks` and `goroutines` are done, because it changes what they would show. */
  afterGoroutines?: boolean
  run(ctx: Ctx): Promise<Output>
}

export class Skip extends Error {}

const NOT_SERVED = 'not served by this program'
/** Go 1.27 serves goroutineleak; Go 1.26 only when built with GOEXPERIMENT=goroutineleakprofile. */
const NO_LEAK_PROFILE = 'not offered by this runtime (Go >= 1.27, or Go 1.26 built with GOEXPERIMENT=goroutineleakprofile)'


function deadline(ctx: Ctx, windowed: boolean): number {
  return windowed ? ctx.seconds * 1000 + ctx.timeoutMs : ctx.timeoutMs
}

/** `optional`: a 404 is a Skip, said with this reason. */
async function fetchOk(ctx: Ctx, method: 'GET' | 'POST', path: string, windowed = false, optional?: string): Promise<Output> {
  const r = await request(ctx.target, path, { method, timeoutMs: deadline(ctx, windowed), auth: ctx.auth })
  if (optional && r.status === 404) throw new Skip(`${optional} (${method} ${path}: HTTP 404)`)
  if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path}: ${describeStatus(r)}`)
  return { data: r.body, request: `${method} ${path}` }
}

export function isStacks(b: Buffer): boolean {
  return /^goroutine \d+ \[/.test(b.subarray(0, 64).toString('latin1'))
}

/** Switch kubo's mutex/block profiling on for the window, take a delta profile, switch it off. */
async function contention(ctx: Ctx, kind: 'mutex' | 'block'): Promise<Output> {
  const path = `/debug/pprof/${kind}?seconds=${ctx.seconds}`
  if (!ctx.kubo) {
    ctx.note(`delta profile over ${ctx.seconds}s; empty unless the program enables ${kind} profiling itself`)
    return fetchOk(ctx, 'GET', path, true)
  }
  const toggle = kind === 'mutex' ? '/debug/pprof-mutex/?fraction=' : '/debug/pprof-block/?rate='
  const on = kind === 'mutex' ? '4' : '1000000'
  const set = (v: string): Promise<Reply> => request(ctx.target, toggle + v, { method: 'POST', timeoutMs: ctx.timeoutMs, auth: ctx.auth })
  const r = await set(on)
  const enabled = r.status >= 200 && r.status < 300
  if (!enabled) ctx.note(`could not switch ${kind} profiling on (POST ${toggle}${on}: ${describeStatus(r)}); delta of what the node records`)
  try {
    const out = await fetchOk(ctx, 'GET', path, true)
    return { ...out, request: enabled ? `POST ${toggle}${on}; ${out.request}; POST ${toggle}0` : out.request }
  } finally {
    if (enabled) {
      // kubo does not tell the previous value; like its own diag profile, we leave it off
      await set('0').then(
        (x) => ctx.note(x.status < 300 ? `${kind} profiling switched on (${kind === 'mutex' ? 'fraction 4' : 'rate 1ms'}) for the window, then off` : `could not switch ${kind} profiling off again: ${describeStatus(x)}`),
        (e: Error) => ctx.note(`could not switch ${kind} profiling off again: ${e.message}`),
      )
    }
  }
}

export const COLLECTORS: Collector[] = [
  {
    name: 'version',
    file: 'version.json',
    kuboOnly: true,
    run: (ctx) => fetchOk(ctx, 'POST', '/api/v0/version?all=true'),
  },
  {
    name: 'sys',
    file: 'sys.json',
    kuboOnly: true,
    run: (ctx) => fetchOk(ctx, 'POST', '/api/v0/diag/sys'),
  },
  {
    name: 'stacks',
    file: 'goroutines.stacks',
    async run(ctx) {
      if (ctx.kubo) {
        try {
          const out = await fetchOk(ctx, 'GET', '/debug/stack')
          if (isStacks(out.data)) return out
          ctx.note('/debug/stack did not answer with a goroutine dump; used goroutine?debug=2')
        } catch (e) {
          ctx.note(`/debug/stack failed (${(e as Error).message}); used goroutine?debug=2`)
        }
      }
      return fetchOk(ctx, 'GET', '/debug/pprof/goroutine?debug=2')
    },
  },
  { name: 'goroutines', file: 'goroutines.pprof', run: (ctx) => fetchOk(ctx, 'GET', '/debug/pprof/goroutine') },
  // The runtime's own leak detector: every goroutine (debug=2), the leaked ones marked "(leaked)",
  // and the profile of only the leaked ones. Requesting it runs a leak-detecting GC whose marks
  // stay, hence afterGoroutines: goroutines.stacks shows the process as it was.
  {
    name: 'goroutineleak-stacks',
    file: 'goroutineleak.stacks',
    afterGoroutines: true,
    run: (ctx) => fetchOk(ctx, 'GET', '/debug/pprof/goroutineleak?debug=2', false, NO_LEAK_PROFILE),
  },
  {
    name: 'goroutineleak',
    file: 'goroutineleak.pprof',
    afterGoroutines: true,
    run: (ctx) => fetchOk(ctx, 'GET', '/debug/pprof/goroutineleak', false, NO_LEAK_PROFILE),
  },
  { name: 'heap', file: 'heap.pprof', run: (ctx) => fetchOk(ctx, 'GET', ctx.gc ? '/debug/pprof/heap?gc=1' : '/debug/pprof/heap') },
  { name: 'allocs', file: 'allocs.pprof', run: (ctx) => fetchOk(ctx, 'GET', '/debug/pprof/allocs') },
  { name: 'cpu', file: 'cpu.pprof', windowed: true, run: (ctx) => fetchOk(ctx, 'GET', `/debug/pprof/profile?seconds=${ctx.seconds}`, true) },
  { name: 'mutex', file: 'mutex.pprof', windowed: true, run: (ctx) => contention(ctx, 'mutex') },
  { name: 'block', file: 'block.pprof', windowed: true, run: (ctx) => contention(ctx, 'block') },
  { name: 'vars', file: 'vars.json', run: (ctx) => fetchOk(ctx, 'GET', '/debug/vars', false, NOT_SERVED) },
  {
    name: 'metrics',
    file: 'metrics.prom',
    kuboOnly: true,
    run: (ctx) => fetchOk(ctx, 'GET', '/debug/metrics/prometheus', false, NOT_SERVED),
  },
  // `binary` is filled in by the runner (it needs the target's process, not HTTP)
  { name: 'binary', file: 'ipfs', optIn: true, run: () => Promise.reject(new Error('handled by the runner')) },
]

export const COLLECTOR_NAMES = COLLECTORS.map((c) => c.name)
