// The human report of `goroscope stacks`: what matters first (goroutines the runtime proved
// leaked, states, hung groups, contention with suspected holders), then the biggest groups, each
// with a representative stack, ids and label sets.
import type { Frame, Group, LabelSet, Leak, Lock, Race, StacksReport } from '../stacks'
import type { Palette } from './color'
import { escapeControls } from './terminal'

export interface TextOptions {
  /** Name of the input, for the title line. */
  name: string
  minWait: number
  /** Frames printed per stack (the rest are counted). */
  maxFrames?: number
  /** Goroutine ids printed per group (the rest are counted). */
  maxIds?: number
  /** Groups shown in the "biggest groups" section. */
  top?: number
}

const n = (x: number) => x.toLocaleString('en-US')

/** Names from the dump are escaped as they are rendered (render/terminal.ts, rule 2). */
const safe = escapeControls

function waitText(g: Group): string {
  if (!g.waitMinutes) return ''
  const { min, max } = g.waitMinutes
  return min === max ? `, ${min} min` : `, ${min}~${max} min`
}

function ids(list: number[], max: number): string {
  if (list.length === 0) return ''
  const shown = list.slice(0, max).join(' ')
  return list.length > max ? `${shown} … (+${n(list.length - max)})` : shown
}

function stack(out: string[], g: Group, p: Palette, maxFrames: number, indent: string) {
  const frames = g.frames
  frames.slice(0, maxFrames).forEach((f, i) => {
    const name = i === g.interesting ? p.bold(safe(f.function)) : safe(f.function)
    const args = f.args ? `(${safe(f.args)})` : ''
    out.push(`${indent}${name}${p.dim(args)}`)
    out.push(`${indent}    ${p.dim(`${safe(f.file)}:${f.line}`)}`)
  })
  if (frames.length > maxFrames) out.push(`${indent}${p.dim(`… ${frames.length - maxFrames} more frames`)}`)
  if (g.elided) out.push(`${indent}${p.dim('…frames elided by the Go runtime…')}`)
  if (g.createdBy) out.push(`${indent}${p.dim(`created by ${safe(g.createdBy.function)} at ${safe(g.createdBy.file)}:${g.createdBy.line}`)}`)
}

function frameLines(out: string[], frames: Frame[], p: Palette, maxFrames: number, indent: string) {
  for (const f of frames.slice(0, maxFrames)) {
    out.push(`${indent}${safe(f.function)}${p.dim(`(${safe(f.args)})`)}`)
    out.push(`${indent}    ${p.dim(f.file ? `${safe(f.file)}:${f.line}` : '(no file:line)')}`)
  }
  if (frames.length > maxFrames) out.push(`${indent}${p.dim(`… ${frames.length - maxFrames} more frames`)}`)
}

/** `Read at 0xc000014100 by goroutine 8:` … as the race detector printed it, frames and all. */
function race(out: string[], r: Race, i: number, p: Palette, maxFrames: number) {
  const who = (g: number | null) => (g === null ? 'main goroutine' : `goroutine ${p.bold(String(g))}`)
  const cut = r.truncated ? p.yellow(' (incomplete: the report is cut)') : ''
  out.push(`  ${p.red(`race ${i + 1}`)} ${p.dim(`line ${r.line}`)}${cut}`)
  for (const a of r.accesses) {
    const at = a.address !== '0x0' ? ` at ${a.address}` : ''
    out.push(`    ${p.yellow(safe(a.kind))}${at} by ${who(a.goroutine)}:`)
    if (a.frames.length === 0) out.push(`      ${p.dim('(no stack)')}`)
    frameLines(out, a.frames, p, maxFrames, '      ')
  }
  for (const c of r.created) {
    out.push(`    goroutine ${p.bold(String(c.goroutine))} (${safe(c.state)}) created at:`)
    frameLines(out, c.frames, p, maxFrames, '      ')
  }
}

/** `{tenant: "a b", worker: w}`: a label set as Go ≥1.27 prints it (quoted when not plain). */
export function labelText(labels: Record<string, string>): string {
  const q = (s: string) => (/^[A-Za-z0-9./_]+$/.test(s) ? s : JSON.stringify(s))
  return `{${Object.entries(labels).map(([k, v]) => `${q(k)}: ${q(v)}`).join(', ')}}`
}

/** The label sets of a group or leak, one line each (at most `max`), with counts. */
function labelLines(out: string[], sets: LabelSet[], other: number, p: Palette, indent: string, max = 5) {
  for (const s of sets.slice(0, max)) out.push(`${indent}${p.dim('labels')} ${safe(labelText(s.labels))} ${p.dim(`× ${n(s.count)}`)}`)
  const more = sets.slice(max).reduce((a, s) => a + s.count, 0) + other
  if (more > 0) out.push(`${indent}${p.dim(`labels … ${n(more)} goroutines with other label sets`)}`)
}

function groupTitle(g: Group, p: Palette): string {
  const where = g.interesting !== null && g.frames[g.interesting] ? g.frames[g.interesting].function : g.frames[0]?.function ?? '?'
  const state = `[${safe(g.state) || g.class}${waitText(g)}${g.lockedToThread ? ', locked to thread' : ''}]`
  const leaked = g.leaked ? ` ${p.red(`(${n(g.leaked)} leaked)`)}` : ''
  const value = g.labelValue !== null ? ` ${p.green(`{${safe(g.labelValue)}}`)}` : ''
  return `${p.bold(n(g.count))} × ${p.yellow(state)}${leaked} in ${p.cyan(safe(where))}${value}`
}

/** `4 × [chan send] parked in main.leak.func1 (main.go:24), created by main.leak at main.go:24`. */
function leakTitle(l: Leak, p: Palette): string {
  const at = l.frame ? ` parked in ${p.cyan(safe(l.frame.function))} ${p.dim(`${safe(l.frame.file)}:${l.frame.line}`)}` : ''
  const created = l.createdBy ? `, created by ${p.cyan(safe(l.createdBy.function))} ${p.dim(`${safe(l.createdBy.file)}:${l.createdBy.line}`)}` : ''
  return `${p.bold(n(l.count))} × ${p.yellow(`[${safe(l.state)}]`)}${at}${created}`
}

function lockTitle(l: Lock, p: Palette): string {
  const kind = { mutex: 'sync.Mutex', rwMutexRead: 'sync.RWMutex (readers waiting)', rwMutexWrite: 'sync.RWMutex (writer waiting)', semaphore: 'semaphore' }[l.kind]
  const wait = l.waitMax !== null ? `, up to ${l.waitMax} min` : ''
  return `${p.red(`lock ${l.lock}`)} ${kind}: ${p.bold(n(l.waiters.length))} waiting${wait}${l.site ? ` in ${p.cyan(safe(l.site))}` : ''}`
}

export function renderStacksText(r: StacksReport, p: Palette, o: TextOptions): string {
  const maxFrames = o.maxFrames ?? 12
  const maxIds = o.maxIds ?? 12
  const out: string[] = []
  const filtered = r.matched !== r.goroutines ? ` (${n(r.matched)} match the filters)` : ''
  const races = r.races
  const raceCount = races.length ? `, ${n(races.length)} data race${races.length === 1 ? '' : 's'}` : ''
  out.push(p.bold(`${o.name}: ${n(r.goroutines)} goroutines${filtered}${raceCount}`))
  if (r.truncated) out.push(p.red('warning: the dump ends in the middle of a goroutine: it was cut (debug=2 stops at 64 MiB); the rest was kept'))
  for (const w of r.warnings.slice(0, 5)) out.push(p.yellow(`warning: line ${w.line}: ${safe(w.message)}`))
  if (r.warnings.length > 5) out.push(p.yellow(`warning: … ${r.warnings.length - 5} more`))
  if (r.prelude) out.push('', p.red(safe(r.prelude.trimEnd())))
  if (r.panicRepanicked) out.push(p.yellow('a recovered panic was raised again ([recovered, repanicked]): the first panic value is the cause'))
  else if (r.panicRecovered) out.push(p.yellow('a panic was recovered before the fatal one ([recovered])'))

  if (r.leaked > 0) {
    const leaks = r.leaks
    out.push('', p.red(p.bold(`Leaked: ${n(r.leaked)} goroutine${r.leaked === 1 ? '' : 's'} proven leaked by the runtime`)))
    out.push(p.dim('  the GC found nothing that can ever wake them (Go ≥1.26 goroutineleak profile); fix where they were created'))
    for (const l of leaks.slice(0, 10)) {
      out.push(`  ${leakTitle(l, p)}`)
      if (l.ids.length) out.push(`    ${p.dim('ids')} ${ids(l.ids, maxIds)}`)
      labelLines(out, l.labels, l.labelsOther, p, '    ')
    }
    if (leaks.length > 10) out.push(p.dim(`  … ${leaks.length - 10} more leak sites`))
  }

  if (races.length) {
    out.push('', p.bold(`Data races (${n(races.length)})`))
    for (const [i, x] of races.slice(0, 20).entries()) race(out, x, i, p, maxFrames)
    if (races.length > 20) out.push(p.dim(`  … ${n(races.length - 20)} more races`))
  }

  out.push('', p.bold('States'))
  if (r.goroutines === 0) out.push(p.dim('  no goroutine stacks in the input'))
  const states = r.states
  for (const c of r.classes) {
    out.push(`  ${c.class.padEnd(8)} ${n(c.count).padStart(10)}  ${p.dim(c.explanation)}`)
  }
  const raw = Object.entries(states).slice(0, 20).map(([s, c]) => `${safe(s) || '(no state)'} ${n(c)}`)
  const leakedStates = Object.entries(r.leakedByState).map(([s, c]) => `${safe(s)} ${n(c)}`)
  if (leakedStates.length) raw.push(`leaked: ${leakedStates.join(' · ')}`)
  if (raw.length) out.push(p.dim(`  as printed: ${raw.join(' · ')}`))

  out.push('', p.bold(`Hung: waiting ≥ ${o.minWait} min`))
  if (r.hung.length === 0) out.push(p.dim('  none (waits appear only once a GC has seen the goroutine blocked for a minute)'))
  for (const g of r.hung.slice(0, 10)) {
    out.push(`  ${groupTitle(g, p)}`)
    out.push(`    ${p.dim('ids')} ${ids(g.ids, maxIds)}`)
  }
  if (r.hung.length > 10) out.push(p.dim(`  … ${r.hung.length - 10} more hung groups`))

  out.push('', p.bold('Lock contention'))
  if (r.contention.length === 0) out.push(p.dim('  no goroutine waits on a lock'))
  for (const l of r.contention.slice(0, 10)) {
    out.push(`  ${lockTitle(l, p)}`)
    out.push(`    ${p.dim('waiters')} ${ids(l.waiters, maxIds)}`)
    if (l.note) out.push(`    ${p.yellow(safe(l.note))}`)
    l.candidates.forEach((c, i) => {
      const wait = c.waitMinutes !== null ? `, ${c.waitMinutes} min` : ''
      out.push(`    ${i === 0 ? p.green('suspected holder') : 'candidate'} goroutine ${p.bold(String(c.goroutine))} [${safe(c.state)}${wait}] score ${c.score.toFixed(2)}`)
      for (const e of c.evidence) out.push(`      - ${safe(e)}`)
    })
    if (l.candidates.length === 0 && !l.note) out.push(p.dim('    no candidate holder found'))
  }

  const diff = r.diff
  if (diff) {
    out.push('', p.bold('Change since the base dump'))
    const changed = diff.filter((d) => d.delta !== 0)
    if (changed.length === 0) out.push(p.dim('  no group changed size'))
    for (const d of changed.slice(0, 20)) {
      const sign = d.delta > 0 ? p.red(`+${n(d.delta)}`) : p.green(n(d.delta))
      out.push(`  ${sign.padStart(8)}  ${n(d.base)} → ${n(d.current)}  [${safe(d.state)}] ${p.cyan(safe(d.function))}`)
    }
  }

  const top = o.top ?? 10
  const groups = r.groups
  out.push('', p.bold(`Biggest groups (${Math.min(top, groups.length)} of ${n(groups.length)})`))
  for (const g of groups.slice(0, top)) {
    out.push(`  ${groupTitle(g, p)}`)
    if (g.ids.length) out.push(`    ${p.dim('ids')} ${ids(g.ids, maxIds)}`)
    labelLines(out, g.labels, g.labelsOther, p, '    ')
    stack(out, g, p, maxFrames, '    ')
    out.push('')
  }
  return out.join('\n').trimEnd() + '\n'
}
