// Load: 20 large inputs (10 goroutine dumps of ~25 MB, 10 profile.proto files of ~20 MB)
// analysed concurrently through the Node API. The work runs on the libuv pool, so the event loop
// must stay responsive and memory must stay bounded (the kernel's peak RSS, VmHWM, reset before the
// work starts: exact, where a sampler would miss short peaks and cost the JS thread a
// process.memoryUsage() call each time it woke). Responsiveness is
// asserted twice: on the event-loop delay (monitorEventLoopDelay) and on the JS thread's own CPU
// time (from /proc, which other processes on the machine do not disturb): the thread only
// schedules work and reads results.
// RELIABILITY.md records the numbers; LOAD_REPORT=1 prints them.
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'

import { analyzeStacks, Profile } from '../src/index'
import { tmpdir } from './helpers'

const DUMPS = 10
const PROFILES = 10
const DUMP_BYTES = 25 << 20

/** CPU seconds used so far by this process's main (JS) thread: utime + stime of its /proc task. */
function mainThreadCpuS(): number {
  const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ') // fields from 3 (state) on
  return (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime in USER_HZ (100 on Linux)
}

/** Resets the kernel's record of this process's peak RSS to its current RSS (Linux ≥ 4.0). */
function resetPeakRss(): void {
  fs.writeFileSync('/proc/self/clear_refs', '5')
}

/** This process's peak RSS in bytes since start or the last resetPeakRss(). */
function peakRssBytes(): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))
  if (!m) throw new Error('no VmHWM in /proc/self/status')
  return Number(m[1]) * 1024
}

const STATES = ['chan receive', 'select', 'semacquire', 'IO wait', 'sync.Mutex.Lock', 'running', 'sleep']

/** A debug=2 dump of about `bytes` bytes; `variant` changes ids, waits and function names. */
function dump(bytes: number, variant: number): Buffer {
  const parts: string[] = []
  let size = 0
  for (let g = 1; size < bytes; g++) {
    const st = STATES[(g * 7 + variant) % STATES.length]
    const wait = g % 3 === 0 ? `, ${(g % 50) + 1} minutes` : ''
    let s = `goroutine ${g + variant * 10_000_000} [${st}${wait}]:\n`
    const depth = 4 + (g % 12)
    for (let f = 0; f < depth; f++) {
      s += `example.com/svc/pkg${f % 9}.(*Worker${(g + f) % 37}).step${f}(0xc000${(g & 0xffff).toString(16)}, 0x${f.toString(16)})\n`
      s += `\t/src/svc/pkg${f % 9}/worker${(g + f) % 37}.go:${100 + f * 7} +0x${(0x40 + f).toString(16)}\n`
    }
    s += `created by example.com/svc.Start${variant} in goroutine 1\n\t/src/svc/start.go:42 +0x1d\n\n`
    parts.push(s)
    size += s.length
  }
  return Buffer.from(parts.join(''))
}

/** A profile.proto (uncompressed) of about `bytes` bytes: 4000 functions/locations, random stacks. */
function profile(bytes: number, variant: number): Buffer {
  const chunks: Buffer[] = []
  const put = (a: number[]) => chunks.push(Buffer.from(a))
  const varint = (n: number, out: number[]) => {
    while (n > 0x7f) {
      out.push((n & 0x7f) | 0x80)
      n = Math.floor(n / 128)
    }
    out.push(n)
  }
  const field = (f: number, payload: number[], out: number[]) => {
    varint((f << 3) | 2, out)
    varint(payload.length, out)
    for (const b of payload) out.push(b)
  }
  const strings = ['', 'samples', 'count', 'cpu', 'nanoseconds']
  const NF = 4000
  for (let i = 0; i < NF; i++) strings.push(`example.com/svc/pkg${i % 50}.Func${i}_${variant}`, `/src/svc/pkg${i % 50}/f${i}.go`)
  let head: number[] = []
  field(1, [0x08, 1, 0x10, 2], head)
  field(1, [0x08, 3, 0x10, 4], head)
  put(head)
  for (let i = 0; i < NF; i++) {
    const out: number[] = []
    const fn: number[] = [0x08]
    varint(i + 1, fn)
    fn.push(0x10)
    varint(5 + 2 * i, fn)
    fn.push(0x20)
    varint(6 + 2 * i, fn)
    field(5, fn, out)
    const line: number[] = [0x08]
    varint(i + 1, line)
    line.push(0x10, 10 + (i % 100))
    const loc: number[] = [0x08]
    varint(i + 1, loc)
    loc.push(0x18)
    varint(0x400000 + i * 16, loc)
    field(4, line, loc)
    field(4, loc, out)
    put(out)
  }
  let size = 0
  let x = 12345 + variant
  const rnd = (n: number) => {
    x = (x * 1103515245 + 12345) & 0x7fffffff
    return x % n
  }
  while (size < bytes) {
    const out: number[] = []
    for (let k = 0; k < 2000; k++) {
      const ids: number[] = []
      const depth = 8 + rnd(24)
      for (let d = 0; d < depth; d++) varint(1 + rnd(NF), ids)
      const s: number[] = []
      field(1, ids, s)
      const vals: number[] = []
      varint(1 + rnd(5), vals)
      varint(10_000_000 * (1 + rnd(5)), vals)
      field(2, vals, s)
      field(2, s, out)
    }
    size += out.length
    put(out)
  }
  const tail: number[] = []
  for (const s of strings) field(6, [...Buffer.from(s)], tail)
  put(tail)
  return Buffer.concat(chunks)
}

test('20 large dumps and profiles concurrently: event loop responsive, memory bounded', async (t) => {
  const dir = tmpdir('goroscope-load-')
  try {
    const files: Array<{ kind: 'dump' | 'profile'; path: string; bytes: number }> = []
    for (let i = 0; i < DUMPS; i++) {
      const p = path.join(dir, `dump${i}.txt`)
      const b = dump(DUMP_BYTES, i)
      fs.writeFileSync(p, b)
      files.push({ kind: 'dump', path: p, bytes: b.length })
    }
    for (let i = 0; i < PROFILES; i++) {
      const p = path.join(dir, `profile${i}.pb`)
      const b = profile(20 << 20, i)
      fs.writeFileSync(p, b)
      files.push({ kind: 'profile', path: p, bytes: b.length })
    }
    const inputBytes = files.reduce((s, f) => s + f.bytes, 0)
    if (global.gc) global.gc()
    const baseRss = process.memoryUsage.rss()
    resetPeakRss()
    const h = monitorEventLoopDelay({ resolution: 10 })
    h.enable()
    const t0 = performance.now()
    const cpu0 = process.cpuUsage()
    const main0 = mainThreadCpuS()
    const results = await Promise.all(
      files.map(async (f) => {
        if (f.kind === 'dump') {
          const r = await analyzeStacks(f.path, { top: 5 })
          return r.goroutines
        }
        const p = await Profile.load(f.path)
        const r = await p.top({ nodecount: 10 })
        return r.top.length
      }),
    )
    const elapsed = performance.now() - t0
    const mainCpuS = mainThreadCpuS() - main0
    const cpu = process.cpuUsage(cpu0)
    const processCpuS = (cpu.user + cpu.system) / 1e6
    h.disable()
    const peakRss = peakRssBytes()
    const ms = (ns: number) => ns / 1e6
    const report = {
      inputs: files.length,
      inputMB: +(inputBytes / 2 ** 20).toFixed(1),
      elapsedS: +(elapsed / 1000).toFixed(1),
      delayP50ms: +ms(h.percentile(50)).toFixed(1),
      delayP99ms: +ms(h.percentile(99)).toFixed(1),
      delayMaxms: +ms(h.max).toFixed(1),
      mainThreadCpuS: +mainCpuS.toFixed(2),
      processCpuS: +processCpuS.toFixed(1),
      baseRssMB: Math.round(baseRss / 2 ** 20),
      peakRssMB: Math.round(peakRss / 2 ** 20),
    }
    t.log(JSON.stringify(report))
    if (process.env.LOAD_REPORT) console.log('LOAD_REPORT ' + JSON.stringify(report))
    for (let i = 0; i < DUMPS; i++) t.true(results[i] > 10_000, `dump ${i}: ${results[i]} goroutines`)
    for (let i = DUMPS; i < files.length; i++) t.true(results[i] > 0, `profile ${i}`)
    // The JS thread only schedules work and reads results: a small share of the CPU the work
    // took. Parsing even one 25 MB dump on it would cost it about a second.
    t.true(mainCpuS < 0.05 * processCpuS, `JS thread used ${mainCpuS.toFixed(2)} s of ${processCpuS.toFixed(1)} s CPU`)
    t.true(mainCpuS < 3, `JS thread used ${mainCpuS.toFixed(2)} s of CPU`)
    // And timers stay on time (the bound leaves room for a busy 2-core machine).
    t.true(report.delayP99ms < 150, `event-loop delay p99 ${report.delayP99ms} ms`)
    // At most 4 inputs are in flight (the libuv pool); the growth must stay within a small
    // multiple of all the input together.
    t.true(peakRss - baseRss < 5 * inputBytes, `RSS grew ${Math.round((peakRss - baseRss) / 2 ** 20)} MB for ${report.inputMB} MB of input`)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
