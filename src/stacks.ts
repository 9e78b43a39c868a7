// Goroutine-dump analysis for Node: `analyzeStacks` and `StackDump` run the Rust core on the libuv
// pool and return `Findings`, a lazy view over one FlatBuffers buffer (root `goroscope.stacks.Findings`,
// schema/stacks.fbs). The JSON types and their readers are generated from the schema
// (./generated/stacks-json.ts, scripts/gen-stacks-json.mjs); `toJSON()` gives the documented JSON
// object (docs/stacks-json.md).
import * as flatbuffers from 'flatbuffers'

import * as fb from './generated/goroscope/stacks'
import { FindingsView, readGroup, type FindingsJSON, type Group } from './generated/stacks-json'
import { call, native, GoroscopeError } from './native'

export type {
  Candidate,
  ClassCount,
  CreatedBy,
  FindingsJSON,
  Frame,
  Group,
  GroupDelta,
  Label,
  LabelSet,
  Leak,
  Lock,
  LockKind,
  Race,
  RaceAccess,
  RaceCreation,
  StateClass,
  WaitCycle,
  WaitEdge,
  WaitEdgeKind,
  WaitFor,
  WaitMinutes,
  WaitNode,
  WaitNodeKind,
  Warning,
} from './generated/stacks-json'

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
  /**
   * Keep goroutines carrying every one of these pprof labels (Go ≥1.26 headers, debug=1
   * `# labels:`), e.g. `{ tenant: 'a b' }`. A key may not hold `=`.
   */
  labels?: Record<string, string>
  /** Split groups of identical stacks by the value of this pprof label (labels never split groups otherwise). */
  groupByLabel?: string
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

/** How far reading a dump is, as `onProgress` hears it. */
export interface Progress {
  /** `parse` (reported chunk by chunk, `done` growing to `total`), then `analyse` once it starts. */
  phase: 'parse' | 'analyse'
  /** Input bytes parsed so far (decompressed). */
  done: number
  /** Input bytes in all (decompressed). */
  total: number
}

export interface ProgressOptions {
  /**
   * Called on the main thread as the core gets on (chunks of a large dump parsed in parallel,
   * then the analysis starting); every call has happened before the promise settles.
   */
  onProgress?: (p: Progress) => void
}

export interface AnalyzeOptions extends StacksOptions, LimitOptions, ProgressOptions {
  /** A base dump (path, Buffer or StackDump) to diff against, for leak hunting. */
  diff?: string | Buffer | StackDump
}

/**
 * The native `onProgress` for `user`, and a promise of its last (`done`) call: the core queues
 * progress calls to the main thread, so they may still be waiting when its result arrives.
 */
function progress(user: ((p: Progress) => void) | undefined) {
  if (user === undefined) return { native: null, done: Promise.resolve() }
  if (typeof user !== 'function') throw new GoroscopeError('GOROSCOPE_OPTIONS', `onProgress must be a function, not ${typeof user}`)
  let ended!: () => void
  const done = new Promise<void>((r) => (ended = r))
  const native = (p: { phase: string; done: number; total: number }) => {
    if (p.phase === 'done') ended()
    else user({ phase: p.phase as Progress['phase'], done: p.done, total: p.total })
  }
  return { native, done }
}

/** Run a native call with progress: resolves once its result and every progress call are in. */
async function withProgress<T>(user: ((p: Progress) => void) | undefined, run: (onProgress: ReturnType<typeof progress>['native']) => Promise<T>): Promise<T> {
  const p = progress(user)
  const out = await call(() => run(p.native))
  await p.done
  return out
}

/** The findings of one analysis, read lazily from the FlatBuffers buffer the core produced. */
export class Findings extends FindingsView {
  /** The raw FlatBuffers bytes (root `goroscope.stacks.Findings`, schema/stacks.fbs). */
  readonly buffer: Buffer

  constructor(buffer: Buffer) {
    super(fb.Findings.getRootAsFindings(new flatbuffers.ByteBuffer(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength))))
    this.buffer = buffer
  }

  /** Number of groups, without reading them. */
  get groupCount(): number {
    return this.root.groupsLength()
  }
  /** Leaked goroutines per raw state, most first (each state's `leaked`; the JSON `states` map holds the counts only). */
  get leakedByState(): Record<string, number> {
    const out: Record<string, number> = {}
    for (let i = 0; i < this.root.statesLength(); i++) {
      const s = this.root.states(i)!
      if (s.leaked() > 0n) out[s.state() ?? ''] = Number(s.leaked())
    }
    return out
  }
  /** One group, read on demand. */
  group(i: number): Group {
    const g = this.root.groups(i)
    if (!g) throw new RangeError(`group ${i} out of range (0..${this.groupCount})`)
    return readGroup(g)
  }
}

/** @deprecated The old name of {@link Findings}. */
export const StacksReport = Findings
/** @deprecated The old name of {@link Findings}. */
export type StacksReport = Findings
/** @deprecated The old name of {@link FindingsJSON}. */
export type StacksJSON = FindingsJSON

function limitOptions(o: LimitOptions) {
  const { maxDecompressed, maxGoroutines, maxFramesPerGoroutine } = o
  for (const [k, v] of Object.entries({ maxDecompressed, maxGoroutines, maxFramesPerGoroutine })) {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new GoroscopeError('GOROSCOPE_OPTIONS', `${k} must be a whole number ≥ 1, not ${v}`)
  }
  return { maxDecompressed, maxGoroutines, maxFramesPerGoroutine }
}

function nativeOptions(o: StacksOptions & LimitOptions) {
  const { similarity, minWait, state, match, top, sort, labels, groupByLabel } = o
  if (minWait !== undefined && (!Number.isInteger(minWait) || minWait < 0)) {
    throw new GoroscopeError('GOROSCOPE_OPTIONS', `minWait must be a whole number of minutes ≥ 0, not ${minWait}`)
  }
  if (top !== undefined && (!Number.isInteger(top) || top < 0)) {
    throw new GoroscopeError('GOROSCOPE_OPTIONS', `top must be a whole number ≥ 0, not ${top}`)
  }
  const label = Object.entries(labels ?? {}).map(([k, v]) => {
    if (k === '' || k.includes('=')) throw new GoroscopeError('GOROSCOPE_OPTIONS', `labels: a key must be non-empty and hold no '=', not ${JSON.stringify(k)}`)
    if (typeof v !== 'string') throw new GoroscopeError('GOROSCOPE_OPTIONS', `labels: the value of ${JSON.stringify(k)} must be a string`)
    return `${k}=${v}`
  })
  return { similarity, minWait, state, match, top, sort, label, groupByLabel, ...limitOptions(o) }
}

/**
 * Parse and analyse a goroutine dump (a path or the bytes; plain or gzip; debug=1, debug=2,
 * panic or SIGQUIT text). Work runs on the libuv pool; the main thread only reads the result.
 */
export async function analyzeStacks(input: string | Buffer, options: AnalyzeOptions = {}): Promise<Findings> {
  const opts = nativeOptions(options)
  const base = options.diff
  if (base instanceof StackDump) {
    const dump = await StackDump.open(input, options)
    return dump.analyze({ ...options, diff: base })
  }
  const buf = await withProgress(options.onProgress, (onProgress) => native.analyzeStacksRaw(input, opts, base ?? null, onProgress))
  return new Findings(buf)
}

/** A dump parsed once and kept in native memory, for repeated analyses with other options. */
export class StackDump {
  private constructor(private readonly inner: InstanceType<typeof native.StackDump>) {}

  /** Parse a dump (path or Buffer) off the main thread, within `limits`; `onProgress` hears of the parse. */
  static async open(input: string | Buffer, limits: LimitOptions & ProgressOptions = {}): Promise<StackDump> {
    const opts = limitOptions(limits)
    return new StackDump(await withProgress(limits.onProgress, (onProgress) => native.StackDump.open(input, opts, onProgress)))
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
  async analyze(options: StacksOptions & { diff?: StackDump } = {}): Promise<Findings> {
    const opts = nativeOptions(options)
    const buf = await call(() => this.inner.analyzeRaw(opts, options.diff ? options.diff.inner : null))
    return new Findings(buf)
  }
}
