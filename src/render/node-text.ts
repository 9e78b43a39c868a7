// The text summary of a NodeReport. Names from the bundle are escaped (render/terminal.ts, rule 2).
import type { Group, Leak, Lock } from '../stacks'
import type { NodeReport, ProfileSummary } from '../report-node/analyze'
import { bytes, count, duration, pct, valueIn } from './format'
import type { MemoryReport } from '../report-node/vars'
import type { SysReport } from '../report-node/sys'
import { escapeControls } from './terminal'

function where(g: Group): string {
  const f = g.frames[g.interesting ?? 0] ?? g.frames[0]
  return f ? f.function : '?'
}

/** Where leaked goroutines are parked, and who created them. */
function leakWhere(l: Leak): string {
  return `${l.frame ? l.frame.function : '?'}${l.createdBy ? `, created by ${l.createdBy.function}` : ''}`
}

function waitText(g: Group): string {
  return g.waitMinutes ? (g.waitMinutes.min === g.waitMinutes.max ? `${g.waitMinutes.max} min` : `${g.waitMinutes.min}-${g.waitMinutes.max} min`) : ''
}

function section(title: string): string {
  return `\n${title}\n${'-'.repeat(title.length)}\n`
}

function profileTable(p: ProfileSummary, rows: number): string {
  let out = `  total ${valueIn(p.unit, p.total)} (${p.sampleType}${p.durationSeconds ? `, over ${p.durationSeconds.toFixed(1)}s` : ''}) from ${p.file}\n`
  if (p.top.length === 0) return out + '  (no samples)\n'
  out += `  ${'flat'.padStart(10)} ${'flat%'.padStart(6)} ${'cum'.padStart(10)} ${'cum%'.padStart(6)}  function\n`
  for (const r of p.top.slice(0, rows)) {
    out += `  ${r.flatLabel.padStart(10)} ${pct(r.flatPct).padStart(6)} ${r.cumLabel.padStart(10)} ${pct(r.cumPct).padStart(6)}  ${r.name}\n`
  }
  return out
}

export function renderMemory(m: MemoryReport, goroutines: number | null): string {
  let out = ''
  out += `  HeapAlloc ${bytes(m.heapAlloc)} (live heap)   HeapInuse ${bytes(m.heapInuse)} (fragmentation ${bytes(m.fragmentation)})   Sys ${bytes(m.sys)} (from the OS; runtime overhead ${bytes(m.overhead)})\n`
  out += `  HeapIdle ${bytes(m.heapIdle)}, released ${bytes(m.heapReleased)}, retained ${bytes(m.retained)}   NextGC ${bytes(m.nextGC)}   objects ${count(m.heapObjects)}\n`
  const per = goroutines ? ` = ${bytes(Math.round(m.stackInuse / goroutines))} per goroutine (${count(goroutines)})` : ''
  out += `  stacks in use ${bytes(m.stackInuse)}${per}\n`
  out += `  allocated in total ${bytes(m.totalAlloc)} in ${count(m.mallocs)} allocations (${count(m.mallocs - m.frees)} live)\n`
  out += `  GC: ${count(m.numGC)} cycles (${count(m.numForcedGC)} forced), CPU fraction ${(m.gcCPUFraction * 100).toFixed(3)}%, pauses total ${duration(m.pauseTotalNs)}`
  out += m.lastGC ? `, last at ${m.lastGC}\n` : '\n'
  if (m.recentPauses.length) {
    const last = m.recentPauses.slice(-10).map((p) => duration(p.ns)).join(' ')
    out += `  recent pauses (${m.recentPauses.length}): mean ${duration(m.pauseMeanNs)}, max ${duration(m.pauseMaxNs)}; last ${Math.min(10, m.recentPauses.length)}: ${last}\n`
  }
  const b = m.badger
  if (Object.keys(b.counters).length || Object.keys(b.maps).length) {
    if (!b.active) out += '  badger: all counters zero (the repo does not use badger)\n'
    else {
      out += '  badger: ' + Object.entries(b.counters).map(([k, v]) => `${k.replace(/^badger_/, '')}=${count(v)}`).join(' ') + '\n'
      for (const [k, mm] of Object.entries(b.maps)) {
        const parts = Object.entries(mm).map(([kk, v]) => `${kk}=${k.includes('bytes') ? bytes(v) : count(v)}`)
        if (parts.length) out += `    ${k.replace(/^badger_/, '')}: ${parts.join(' ')}\n`
      }
    }
  }
  if (m.cmdline) out += `  cmdline: ${m.cmdline.join(' ')}\n`
  return escapeControls(out)
}

export function renderSys(s: SysReport): string {
  let out = `  ${s.os}/${s.arch}, ${s.goVersion}, ${s.numCPU} CPUs (GOMAXPROCS ${s.gomaxprocs}), ${count(s.numGoroutines)} goroutines, ${s.online === null ? '' : s.online ? 'online' : 'offline'}\n`
  out += `  disk: ${bytes(s.diskFree)} free of ${bytes(s.diskTotal)} available to the node (statfs Bfree vs Bavail; free can exceed total), fs ${s.fsType}\n`
  out += `  memory: virtual size ${bytes(s.memoryVirt)} (VmSize, not RSS), swap ${bytes(s.memorySwap)}\n`
  if (s.interfaceAddresses.length) out += `  addresses: ${s.interfaceAddresses.join(' ')}\n`
  if (s.ipfsPath) out += `  IPFS_PATH ${s.ipfsPath}\n`
  return escapeControls(out)
}

function lockLine(l: Lock): string {
  const holder = l.candidates[0]
  const who = holder ? `suspected holder goroutine ${holder.goroutine} [${holder.state}] (${holder.evidence[0] ?? `score ${holder.score}`})` : 'holder not found'
  return `  ${l.kind} ${l.lock} at ${l.site}: ${l.waiters.length} waiting${l.waitMax ? ` up to ${l.waitMax} min` : ''}; ${who}\n`
}

export function renderNodeText(r: NodeReport, top = 10): string {
  const n = r.node
  let out = `goroscope report ${r.source.path}\n`
  out += `  ${r.source.layout === 'goroscope' ? 'goroscope bundle' : r.source.layout === 'kubo-diag-profile' ? 'ipfs diag profile zip' : r.source.layout === 'collect-profiles' ? 'collect-profiles tarball' : r.source.container}, ${r.files.length} files${r.skipped.length ? `, ${r.skipped.length} skipped` : ''}\n`
  out += section('Node')
  const id = n.kind === 'kubo' ? `kubo ${n.version ?? '?'}${n.commit ? ` (${n.commit})` : ''}` : n.kind === 'go' ? 'Go program' : 'unknown program'
  out += `  ${id}${n.golang ? `, ${n.golang}` : ''}${n.system ? `, ${n.system}` : ''}${n.repo ? `, repo ${n.repo}` : ''}\n`
  if (n.api) out += `  API ${n.api}${n.collectedOn ? `, collected on ${n.collectedOn}` : ''}\n`
  if (n.started) out += `  ${n.started} → ${n.ended} (window ${n.seconds}s)\n`
  if (r.collection) {
    if (r.collection.complete) out += '  collection complete\n'
    for (const f of r.collection.failed) out += `  MISSING ${f.name}: ${f.error}\n`
    for (const f of r.collection.skipped) out += `  skipped ${f.name}: ${f.error}\n`
  }

  const g = r.goroutines
  out += section('Goroutines')
  if (!g) out += r.profiles.goroutine ? `  ${count(r.profiles.goroutine.total)} goroutines (profile only; no states)\n` : '  no goroutine dump\n'
  else {
    out += `  ${count(g.total)} goroutines in ${count(g.groupCount)} groups (from ${g.file}${g.truncated ? ', TRUNCATED' : ''})\n`
    out += '  ' + g.classes.filter((c) => c.count > 0).map((c) => `${c.class} ${count(c.count)}`).join(', ') + '\n'
    if (g.leaked) {
      out += `  leaked (proven by the runtime): ${count(g.leaked)} goroutine${g.leaked === 1 ? '' : 's'} (from ${g.leakedFile})\n`
      for (const l of g.leaks) out += `    ${String(l.count).padStart(6)}  [${l.state}]  ${leakWhere(l)}\n`
    }
    if (r.memory && g.total) out += `  stacks in use ${bytes(r.memory.stackInuse)} ≈ ${bytes(Math.round(r.memory.stackInuse / g.total))} per goroutine\n`
    if (g.hung.length) {
      out += `  hung (waiting ≥ 1 min):\n`
      for (const h of g.hung) out += `    ${String(h.count).padStart(6)}  [${h.state}, ${waitText(h)}]  ${where(h)}\n`
    } else out += '  no hung goroutines (none waiting ≥ 1 min)\n'
    if (g.contention.length) {
      out += '  lock contention:\n'
      for (const l of g.contention) out += '  ' + lockLine(l)
    }
    out += '  biggest groups:\n'
    for (const h of g.groups.slice(0, top)) out += `    ${String(h.count).padStart(6)}  [${h.state}${h.waitMinutes ? `, ${waitText(h)}` : ''}]  ${where(h)}\n`
  }

  const p = r.profiles
  const prof = (title: string, s: ProfileSummary | undefined) => {
    if (!s) return
    out += section(title)
    out += profileTable(s, top)
  }
  prof('CPU', p.cpu)
  prof('Heap in use', p.heap)
  prof('Allocations', p.allocs)
  prof('Mutex contention', p.mutex)
  prof('Blocking', p.block)
  prof('Contention (mutex or block)', p.contention)
  if (p.threadcreate) out += section('Threads') + `  ${count(p.threadcreate.total)} threads created\n`

  if (r.memory) out += section('Memory (/debug/vars)') + renderMemory(r.memory, g?.total ?? r.sys?.numGoroutines ?? null)
  if (r.sys) out += section('System (ipfs diag sys)') + renderSys(r.sys)
  if (r.metrics) {
    const m = r.metrics
    out += section('Metrics (Prometheus)')
    out += `  ${m.families} metric families; go_goroutines ${m.goGoroutines ?? '?'}, go_threads ${m.goThreads ?? '?'}, peers ${m.peers ?? '?'}\n`
    if (m.peers && g) out += `  ${(g.total / m.peers).toFixed(1)} goroutines per peer\n`
  }

  out += section('Files')
  for (const f of r.files) out += `  ${f.used ? '*' : ' '} ${f.name.padEnd(24)} ${bytes(f.size).padStart(10)}  ${f.detail}\n`
  for (const s of r.skipped) out += `  ! ${s.name.padEnd(24)} ${'skipped'.padStart(10)}  ${s.reason}\n`
  if (r.warnings.length) {
    out += section('Warnings')
    for (const w of r.warnings) out += `  ${w}\n`
  }
  return escapeControls(out)
}
