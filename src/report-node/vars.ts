// /debug/vars (Go's expvar): memstats read the way kubo's maintainers read them (HeapAlloc vs
// HeapInuse vs Sys, stacks vs goroutines, the PauseNs ring), the cmdline, and badger v1's
// counters (registered in every kubo binary; all zero unless the repo uses badger).

export interface GcPause {
  /** When the pause ended (ISO time), from PauseEnd. */
  end: string | null
  ns: number
}

export interface MemoryReport {
  heapAlloc: number
  heapInuse: number
  heapIdle: number
  heapReleased: number
  heapSys: number
  sys: number
  stackInuse: number
  stackSys: number
  heapObjects: number
  mallocs: number
  frees: number
  totalAlloc: number
  nextGC: number
  /** HeapInuse − HeapAlloc: fragmentation inside in-use spans. */
  fragmentation: number
  /** HeapIdle − HeapReleased: held by the runtime, returnable to the OS. */
  retained: number
  /** Sys − HeapAlloc: what the runtime holds beyond the live heap. */
  overhead: number
  numGC: number
  numForcedGC: number
  gcCPUFraction: number
  pauseTotalNs: number
  lastGC: string | null
  /** The last min(NumGC, 256) pauses, oldest first. */
  recentPauses: GcPause[]
  pauseMaxNs: number
  pauseMeanNs: number
  cmdline: string[] | null
  badger: BadgerReport
  /** Other expvars the program published (names only). */
  otherVars: string[]
}

export interface BadgerReport {
  /** Any badger counter is non-zero (the repo really uses badger). */
  active: boolean
  counters: Record<string, number>
  /** Map-valued vars, e.g. lsm/vlog sizes per directory. */
  maps: Record<string, Record<string, number>>
}

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0)
/** Unix nanoseconds → ISO time; null for 0 and for values no Date can hold (a crafted 1e308). */
const iso = (ns: number): string | null => {
  const d = new Date(ns / 1e6)
  return ns && Number.isFinite(d.getTime()) ? d.toISOString() : null
}

export function analyzeVars(v: unknown): MemoryReport {
  if (!v || typeof v !== 'object') throw new Error('not a /debug/vars object')
  const o = v as Record<string, unknown>
  const m = (o.memstats ?? {}) as Record<string, unknown>
  const numGC = n(m.NumGC)
  const pauseNs = Array.isArray(m.PauseNs) ? (m.PauseNs as unknown[]).map(n) : []
  const pauseEnd = Array.isArray(m.PauseEnd) ? (m.PauseEnd as unknown[]).map(n) : []
  const recent: GcPause[] = []
  const ring = pauseNs.length || 256
  const count = Math.min(numGC, pauseNs.length)
  for (let k = count - 1; k >= 0; k--) {
    // the most recent pause is at (NumGC+255)%256; walk back k steps, then emit oldest first
    const i = (((numGC - 1 - k) % ring) + ring) % ring
    const end = pauseEnd[i]
    recent.push({ end: end ? iso(end) : null, ns: pauseNs[i] })
  }
  const badger: BadgerReport = { active: false, counters: {}, maps: {} }
  const other: string[] = []
  for (const [k, val] of Object.entries(o)) {
    if (k === 'memstats' || k === 'cmdline') continue
    if (k.startsWith('badger_')) {
      if (typeof val === 'number') badger.counters[k] = val
      else if (val && typeof val === 'object') {
        const mm: Record<string, number> = {}
        for (const [kk, vv] of Object.entries(val as Record<string, unknown>)) mm[kk] = n(vv)
        badger.maps[k] = mm
      }
    } else other.push(k)
  }
  badger.active = Object.values(badger.counters).some((x) => x !== 0) || Object.values(badger.maps).some((mm) => Object.values(mm).some((x) => x !== 0))
  const heapAlloc = n(m.HeapAlloc)
  const lastGC = n(m.LastGC)
  return {
    heapAlloc,
    heapInuse: n(m.HeapInuse),
    heapIdle: n(m.HeapIdle),
    heapReleased: n(m.HeapReleased),
    heapSys: n(m.HeapSys),
    sys: n(m.Sys),
    stackInuse: n(m.StackInuse),
    stackSys: n(m.StackSys),
    heapObjects: n(m.HeapObjects),
    mallocs: n(m.Mallocs),
    frees: n(m.Frees),
    totalAlloc: n(m.TotalAlloc),
    nextGC: n(m.NextGC),
    fragmentation: n(m.HeapInuse) - heapAlloc,
    retained: n(m.HeapIdle) - n(m.HeapReleased),
    overhead: n(m.Sys) - heapAlloc,
    numGC,
    numForcedGC: n(m.NumForcedGC),
    gcCPUFraction: n(m.GCCPUFraction),
    pauseTotalNs: n(m.PauseTotalNs),
    lastGC: iso(lastGC),
    recentPauses: recent,
    pauseMaxNs: recent.reduce((a, p) => Math.max(a, p.ns), 0),
    pauseMeanNs: recent.length ? Math.round(recent.reduce((a, p) => a + p.ns, 0) / recent.length) : 0,
    cmdline: Array.isArray(o.cmdline) ? (o.cmdline as unknown[]).map(String) : null,
    badger,
    otherVars: other.sort(),
  }
}
