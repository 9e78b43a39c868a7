// Goroutine-dump analysis for Node: `analyzeStacks` and `StackDump` run the Rust core on the libuv
// pool and return a `StacksReport`, a lazy view over one FlatBuffers buffer. Names follow
// schema/stacks.fbs and crates/goroscope-core/src/stacks/analyze/report.rs; `toJSON()` gives the
// documented JSON object (docs/stacks-json.md).
import * as flatbuffers from 'flatbuffers'

import * as fb from './generated/goroscope/stacks'
import { call, native, GoroscopeError } from './native'

export type StateClass = 'lock' | 'channel' | 'select' | 'io' | 'syscall' | 'sleep' | 'running' | 'runtime' | 'other'
export type LockKind = 'mutex' | 'rwMutexRead' | 'rwMutexWrite' | 'semaphore'

const CLASS_NAMES: StateClass[] = ['lock', 'channel', 'select', 'io', 'syscall', 'sleep', 'running', 'runtime', 'other']
const LOCK_KINDS: LockKind[] = ['mutex', 'rwMutexRead', 'rwMutexWrite', 'semaphore']

export interface StacksOptions {
  /** `loose` (default) ignores arguments and pc offsets when grouping; `exact` keeps them. */
  similarity?: 'loose' | 'exact'
  /** Minutes from which a group counts as hung (default 1). */
  minWait?: number
  /** Keep goroutines whose state contains this text or whose class (`lock`, `io`, …) it names. */
  state?: string
  /** Keep goroutines with a frame whose function or file matches this regular expression (RE2 syntax). */
  match?: string
  /** Keep the first N groups (hung and contention are not cut). */
  top?: number
  /** `count` (default) or `wait`. */
  sort?: 'count' | 'wait'
}

/** Resource limits of reading a dump (README "Limits"); exceeding one is a `GOROSCOPE_LIMIT` error. */
export interface LimitOptions {
  /** Largest size a gzipped dump may inflate to, in bytes (default 4 GiB). */
  maxDecompressed?: number
  /** Most goroutine records (goroutines, debug=1 buckets) a dump may hold (default 10 000 000). */
  maxGoroutines?: number
  /** Most frames in one goroutine's stack (default 100 000). */
  maxFramesPerGoroutine?: number
}

export interface AnalyzeOptions extends StacksOptions, LimitOptions {
  /** A base dump (path, Buffer or StackDump) to diff against, for leak hunting. */
  diff?: string | Buffer | StackDump
}

export interface Frame {
  function: string
  file: string
  line: number
  args: string
}
export interface CreatedBy {
  function: string
  file: string
  line: number
}
export interface WaitMinutes {
  min: number
  max: number
}
export interface Group {
  count: number
  state: string
  class: StateClass
  waitMinutes: WaitMinutes | null
  ids: number[]
  frames: Frame[]
  createdBy: CreatedBy | null
  /** Index into `frames` of the first frame outside runtime, sync and internal packages. */
  interesting: number | null
  elided: boolean
  lockedToThread: boolean
}
export interface Candidate {
  goroutine: number
  state: string
  waitMinutes: number | null
  score: number
  evidence: string[]
}
export interface Lock {
  /** The lock's address, `0x…` (`0x0` when unknown). */
  lock: string
  kind: LockKind
  waiters: number[]
  waitMax: number | null
  site: string
  candidates: Candidate[]
  note: string | null
}
export interface GroupDelta {
  group: number | null
  state: string
  function: string
  base: number
  current: number
  delta: number
}
/** One racing memory access of a race-detector report. */
export interface RaceAccess {
  /** The verb as printed: `Read`, `Write`, `Previous read`, `Previous write`, `Atomic …`. */
  kind: string
  /** The accessed address, `0x…` (`0x0` when the report did not print one). */
  address: string
  /** The accessing goroutine; null for the main goroutine. */
  goroutine: number | null
  frames: Frame[]
}
/** `Goroutine N (state) created at:` of a race-detector report. */
export interface RaceCreation {
  goroutine: number
  /** `running` or `finished`. */
  state: string
  frames: Frame[]
}
/** One `WARNING: DATA RACE` report. */
export interface Race {
  /** 1-based line of `WARNING: DATA RACE` in the input. */
  line: number
  accesses: RaceAccess[]
  created: RaceCreation[]
  /** The report is incomplete (cut); the reason is among the warnings. */
  truncated: boolean
}
export interface ClassCount {
  class: StateClass
  count: number
  explanation: string
}
export interface Warning {
  line: number
  offset: number
  message: string
}
export interface StacksJSON {
  goroutines: number
  matched: number
  states: Record<string, number>
  classes: ClassCount[]
  groups: Group[]
  hung: Group[]
  contention: Lock[]
  diff: GroupDelta[] | null
  races: Race[]
  truncated: boolean
  warnings: Warning[]
  prelude: string | null
}

const num = (b: bigint): number => Number(b)

function readFrame(f: fb.Frame): Frame {
  return { function: f.function_() ?? '', file: f.file() ?? '', line: f.line(), args: f.args() ?? '' }
}

function readFrames(len: number, at: (i: number, f: fb.Frame) => fb.Frame | null): Frame[] {
  const frames = new Array<Frame>(len)
  const f = new fb.Frame()
  for (let i = 0; i < len; i++) frames[i] = readFrame(at(i, f)!)
  return frames
}

function readRace(r: fb.Race): Race {
  const accesses = new Array<RaceAccess>(r.accessesLength())
  for (let i = 0; i < accesses.length; i++) {
    const a = r.accesses(i)!
    const g = a.goroutine()
    accesses[i] = {
      kind: a.kind() ?? '',
      address: '0x' + a.address().toString(16),
      goroutine: g === null ? null : num(g),
      frames: readFrames(a.framesLength(), (j, f) => a.frames(j, f)),
    }
  }
  const created = new Array<RaceCreation>(r.createdLength())
  for (let i = 0; i < created.length; i++) {
    const c = r.created(i)!
    created[i] = { goroutine: num(c.goroutine()), state: c.state() ?? '', frames: readFrames(c.framesLength(), (j, f) => c.frames(j, f)) }
  }
  return { line: num(r.line()), accesses, created, truncated: r.truncated() }
}

function readGroup(g: fb.Group): Group {
  const ids = new Array<number>(g.idsLength())
  for (let i = 0; i < ids.length; i++) ids[i] = num(g.ids(i)!)
  const frames = new Array<Frame>(g.framesLength())
  const f = new fb.Frame()
  for (let i = 0; i < frames.length; i++) frames[i] = readFrame(g.frames(i, f)!)
  const c = g.createdBy()
  const min = g.waitMin()
  const max = g.waitMax()
  return {
    count: num(g.count()),
    state: g.state() ?? '',
    class: CLASS_NAMES[g.class_()] ?? 'other',
    waitMinutes: min === null || max === null ? null : { min, max },
    ids,
    frames,
    createdBy: c ? { function: c.function_() ?? '', file: c.file() ?? '', line: c.line() } : null,
    interesting: g.interesting(),
    elided: g.elided(),
    lockedToThread: g.lockedToThread(),
  }
}

function readLock(l: fb.Lock): Lock {
  const waiters = new Array<number>(l.waitersLength())
  for (let i = 0; i < waiters.length; i++) waiters[i] = num(l.waiters(i)!)
  const candidates: Candidate[] = []
  for (let i = 0; i < l.candidatesLength(); i++) {
    const c = l.candidates(i)!
    const evidence: string[] = []
    for (let j = 0; j < c.evidenceLength(); j++) evidence.push(c.evidence(j))
    candidates.push({ goroutine: num(c.goroutine()), state: c.state() ?? '', waitMinutes: c.waitMinutes(), score: c.score(), evidence })
  }
  return {
    lock: '0x' + l.lock().toString(16),
    kind: LOCK_KINDS[l.kind()] ?? 'semaphore',
    waiters,
    waitMax: l.waitMax(),
    site: l.site() ?? '',
    candidates,
    note: l.note(),
  }
}

function list<T, F>(len: number, at: (i: number) => F, read: (f: F) => T): T[] {
  const out = new Array<T>(len)
  for (let i = 0; i < len; i++) out[i] = read(at(i))
  return out
}

/** The findings of one analysis, read lazily from the FlatBuffers buffer the core produced. */
export class StacksReport {
  /** The raw FlatBuffers bytes (root `goroscope.stacks.Report`, schema/stacks.fbs). */
  readonly buffer: Buffer
  private readonly root: fb.Report
  private cache = new Map<string, unknown>()

  constructor(buffer: Buffer) {
    this.buffer = buffer
    this.root = fb.Report.getRootAsReport(new flatbuffers.ByteBuffer(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)))
  }

  private memo<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make())
    return this.cache.get(key) as T
  }

  get goroutines(): number {
    return num(this.root.goroutines())
  }
  get matched(): number {
    return num(this.root.matched())
  }
  get truncated(): boolean {
    return this.root.truncated()
  }
  get prelude(): string | null {
    return this.root.prelude()
  }
  get states(): Record<string, number> {
    return this.memo('states', () => {
      const out: Record<string, number> = {}
      for (let i = 0; i < this.root.statesLength(); i++) {
        const s = this.root.states(i)!
        out[s.state() ?? ''] = num(s.count())
      }
      return out
    })
  }
  get classes(): ClassCount[] {
    return this.memo('classes', () =>
      list(this.root.classesLength(), (i) => this.root.classes(i)!, (c) => ({
        class: CLASS_NAMES[c.class_()] ?? 'other',
        count: num(c.count()),
        explanation: c.explanation() ?? '',
      })),
    )
  }
  /** Number of groups, without reading them. */
  get groupCount(): number {
    return this.root.groupsLength()
  }
  /** One group, read on demand. */
  group(i: number): Group {
    const g = this.root.groups(i)
    if (!g) throw new RangeError(`group ${i} out of range (0..${this.groupCount})`)
    return readGroup(g)
  }
  get groups(): Group[] {
    return this.memo('groups', () => list(this.root.groupsLength(), (i) => this.root.groups(i)!, readGroup))
  }
  get hung(): Group[] {
    return this.memo('hung', () => list(this.root.hungLength(), (i) => this.root.hung(i)!, readGroup))
  }
  get contention(): Lock[] {
    return this.memo('contention', () => list(this.root.contentionLength(), (i) => this.root.contention(i)!, readLock))
  }
  get diff(): GroupDelta[] | null {
    if (!this.root.hasDiff()) return null
    return this.memo('diff', () =>
      list(this.root.diffLength(), (i) => this.root.diff(i)!, (d) => ({
        group: d.group(),
        state: d.state() ?? '',
        function: d.function_() ?? '',
        base: num(d.base()),
        current: num(d.current()),
        delta: num(d.delta()),
      })),
    )
  }
  /** Race-detector reports (`WARNING: DATA RACE`), in input order; not filtered by `state`/`match`. */
  get races(): Race[] {
    return this.memo('races', () => list(this.root.racesLength(), (i) => this.root.races(i)!, readRace))
  }
  get warnings(): Warning[] {
    return this.memo('warnings', () =>
      list(this.root.warningsLength(), (i) => this.root.warnings(i)!, (w) => ({
        line: num(w.line()),
        offset: num(w.offset()),
        message: w.message() ?? '',
      })),
    )
  }

  /** The documented JSON object (docs/stacks-json.md). */
  toJSON(): StacksJSON {
    return {
      goroutines: this.goroutines,
      matched: this.matched,
      states: this.states,
      classes: this.classes,
      groups: this.groups,
      hung: this.hung,
      contention: this.contention,
      diff: this.diff,
      races: this.races,
      truncated: this.truncated,
      warnings: this.warnings,
      prelude: this.prelude,
    }
  }
}

function limitOptions(o: LimitOptions) {
  const { maxDecompressed, maxGoroutines, maxFramesPerGoroutine } = o
  for (const [k, v] of Object.entries({ maxDecompressed, maxGoroutines, maxFramesPerGoroutine })) {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new GoroscopeError('GOROSCOPE_OPTIONS', `${k} must be a whole number ≥ 1, not ${v}`)
  }
  return { maxDecompressed, maxGoroutines, maxFramesPerGoroutine }
}

function nativeOptions(o: StacksOptions & LimitOptions) {
  const { similarity, minWait, state, match, top, sort } = o
  if (minWait !== undefined && (!Number.isInteger(minWait) || minWait < 0)) {
    throw new GoroscopeError('GOROSCOPE_OPTIONS', `minWait must be a whole number of minutes ≥ 0, not ${minWait}`)
  }
  if (top !== undefined && (!Number.isInteger(top) || top < 0)) {
    throw new GoroscopeError('GOROSCOPE_OPTIONS', `top must be a whole number ≥ 0, not ${top}`)
  }
  return { similarity, minWait, state, match, top, sort, ...limitOptions(o) }
}

/**
 * Parse and analyse a goroutine dump (a path or the bytes; plain or gzip; debug=1, debug=2,
 * panic or SIGQUIT text). Work runs on the libuv pool; the main thread only reads the result.
 */
export async function analyzeStacks(input: string | Buffer, options: AnalyzeOptions = {}): Promise<StacksReport> {
  const opts = nativeOptions(options)
  const base = options.diff
  if (base instanceof StackDump) {
    const dump = await StackDump.open(input, options)
    return dump.analyze({ ...options, diff: base })
  }
  const buf = await call(() => native.analyzeStacksRaw(input, opts, base ?? null))
  return new StacksReport(buf)
}

/** A dump parsed once and kept in native memory, for repeated analyses with other options. */
export class StackDump {
  private constructor(private readonly inner: InstanceType<typeof native.StackDump>) {}

  /** Parse a dump (path or Buffer) off the main thread, within `limits`. */
  static async open(input: string | Buffer, limits: LimitOptions = {}): Promise<StackDump> {
    const opts = limitOptions(limits)
    return new StackDump(await call(() => native.StackDump.open(input, opts)))
  }

  /** Goroutines in the dump (debug=1 buckets count N each). */
  get goroutines(): number {
    return this.inner.goroutines
  }
  /** Parsed records: goroutines, or debug=1 buckets. */
  get records(): number {
    return this.inner.records
  }
  /** Race-detector reports in the input. */
  get races(): number {
    return this.inner.races
  }
  /** The input ended inside a goroutine (a cut dump). */
  get truncated(): boolean {
    return this.inner.truncated
  }

  /** Analyse with these options; `diff` takes another StackDump. */
  async analyze(options: StacksOptions & { diff?: StackDump } = {}): Promise<StacksReport> {
    const opts = nativeOptions(options)
    const buf = await call(() => this.inner.analyzeRaw(opts, options.diff ? options.diff.inner : null))
    return new StacksReport(buf)
  }
}
