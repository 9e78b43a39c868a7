// pprof profiles for Node: `Profile.load` reads profiles natively off the main thread and keeps
// them with a driver session (crates/goroscope-core/src/driver), so that reports do not load or
// merge again; reports take pprof's own flags and return a `ProfileReport`, a lazy view over one
// FlatBuffers buffer. Names follow schema/profile.fbs and crates/goroscope-core/src/report/mod.rs;
// `toJSON()` gives the documented JSON object (docs/pprof-json.md).
import * as flatbuffers from 'flatbuffers'

import * as fb from './generated/goroscope/profile'
import { writeAtomic } from './io'
import { call, native } from './native'

export type ReportKind = 'top' | 'tree' | 'traces' | 'tags' | 'comments' | 'raw' | 'proto' | 'dot' | 'callgrind' | 'topproto' | 'list' | 'weblist' | 'disasm'
export type InlineMark = 'none' | 'inline' | 'partialInline'

// The schema's enums, by the values flatc generates for them (a new enum value fails to compile).
const KINDS: Record<fb.ReportKind, ReportKind> = {
  [fb.ReportKind.Top]: 'top',
  [fb.ReportKind.Tree]: 'tree',
  [fb.ReportKind.Traces]: 'traces',
  [fb.ReportKind.Tags]: 'tags',
  [fb.ReportKind.Comments]: 'comments',
  [fb.ReportKind.Raw]: 'raw',
  [fb.ReportKind.Proto]: 'proto',
  [fb.ReportKind.Dot]: 'dot',
  [fb.ReportKind.Callgrind]: 'callgrind',
  [fb.ReportKind.TopProto]: 'topproto',
  [fb.ReportKind.List]: 'list',
  [fb.ReportKind.WebList]: 'weblist',
  [fb.ReportKind.Disasm]: 'disasm',
}
const INLINE: Record<fb.InlineMark, InlineMark> = {
  [fb.InlineMark.None]: 'none',
  [fb.InlineMark.Inline]: 'inline',
  [fb.InlineMark.PartialInline]: 'partialInline',
}

export interface ValueType {
  type: string
  unit: string
}
export interface ProfileInfo {
  sampleTypes: ValueType[]
  defaultSampleType: string
  samples: number
  locations: number
  functions: number
  mappings: number
  periodType: ValueType
  period: number
  timeNanos: number
  durationNanos: number
  comments: string[]
}
export interface TopRow {
  flat: number
  flatLabel: string
  flatPct: number
  sumPct: number
  cum: number
  cumLabel: string
  cumPct: number
  name: string
  inline: InlineMark
}
export interface TreeEdge {
  name: string
  weight: number
  weightLabel: string
  pct: number
  inline: boolean
  residual: boolean
}
export interface TreeNode {
  name: string
  flat: number
  flatLabel: string
  flatPct: number
  sumPct: number
  cum: number
  cumLabel: string
  cumPct: number
  callers: TreeEdge[]
  callees: TreeEdge[]
}
export interface LabelValues {
  key: string
  values: string[]
}
export interface TraceFrame {
  name: string
  inline: boolean
}
export interface TraceSample {
  labels: LabelValues[]
  numLabels: LabelValues[]
  value: number
  valueLabel: string
  /** Leaf first. */
  frames: TraceFrame[]
}
export interface TagValue {
  value: string
  weight: number
  weightLabel: string
  pct: number
}
export interface TagKey {
  key: string
  total: number
  totalLabel: string
  pct: number
  values: TagValue[]
}
/** A `-disasm` instruction; `address` in hex as `disasm` prints it (a u64 is no JS number). */
export interface AsmInstruction {
  address: string
  text: string
  function: string
  file: string
  line: number
  sourceFunction: string
  flat: number
  flatLabel: string
  cum: number
  cumLabel: string
}
/** A `-list` line (`*Label`: pprof's strings, `.` for 0). */
export interface SourceLine {
  line: number
  text: string
  flat: number
  flatLabel: string
  cum: number
  cumLabel: string
  /** `-weblist` with the binary: the instructions of this line, in address order ([] otherwise). */
  instructions: AsmInstruction[]
}
/** A `-list` block: a function's lines in one source file. */
export interface SourceFunction {
  name: string
  file: string
  flat: number
  flatLabel: string
  cum: number
  cumLabel: string
  cumPct: number
  /** Why no lines are shown (file not readable, no source information); '' otherwise. */
  error: string
  lines: SourceLine[]
}
/** Where hung goroutines are parked, for a profile made from a goroutine dump. */
export interface HungFunction {
  function: string
  goroutines: number
  maxWaitMinutes: number
}
export interface ProfileReportJSON {
  kind: ReportKind
  text: string
  warnings: string[]
  legend: string[]
  total: number
  sampleType: string
  sampleUnit: string
  outputUnit: string
  shownTotal: number
  droppedNodes: number
  nodeCountBeforeLimit: number
  top?: TopRow[]
  tree?: TreeNode[]
  traces?: TraceSample[]
  tags?: TagKey[]
  comments?: string[]
  list?: SourceFunction[]
  /** `-output`: the file the report was written to (only when one was asked for). */
  output?: string
}

/**
 * Report options with pprof's names and defaults (each becomes the pprof flag of the same name).
 * `extra` takes any other pprof flags verbatim, e.g. `['-tagfocus=bytes=1kb:']`.
 */
export interface ReportOptions {
  sampleIndex?: string | number
  unit?: string
  nodecount?: number
  nodefraction?: number
  edgefraction?: number
  focus?: string
  ignore?: string
  hide?: string
  show?: string
  showFrom?: string
  pruneFrom?: string
  tagfocus?: string
  tagignore?: string
  tagshow?: string
  taghide?: string
  granularity?: 'functions' | 'filefunctions' | 'files' | 'lines' | 'addresses'
  noinlines?: boolean
  trim?: boolean
  cum?: boolean
  divideBy?: number
  relativePercentages?: boolean
  compactLabels?: boolean
  callTree?: boolean
  allFrames?: boolean
  mean?: boolean
  dropNegative?: boolean
  normalize?: boolean
  /** Paths of base profiles to subtract (`-base`). */
  base?: string[]
  /** Paths of base profiles to compare against (`-diff_base`). */
  diffBase?: string[]
  extra?: string[]
}

/** Turn typed options into pprof's flags (one flag parser: the core's). */
export function pprofArgs(o: ReportOptions): string[] {
  const a: string[] = []
  const str = (flag: string, v: string | number | undefined) => {
    if (v !== undefined) a.push(`-${flag}=${v}`)
  }
  const bool = (flag: string, v: boolean | undefined) => {
    if (v !== undefined) a.push(`-${flag}=${v}`)
  }
  str('sample_index', o.sampleIndex)
  str('unit', o.unit)
  str('nodecount', o.nodecount)
  str('nodefraction', o.nodefraction)
  str('edgefraction', o.edgefraction)
  str('focus', o.focus)
  str('ignore', o.ignore)
  str('hide', o.hide)
  str('show', o.show)
  str('show_from', o.showFrom)
  str('prune_from', o.pruneFrom)
  str('tagfocus', o.tagfocus)
  str('tagignore', o.tagignore)
  str('tagshow', o.tagshow)
  str('taghide', o.taghide)
  if (o.granularity) a.push(`-${o.granularity}`)
  bool('noinlines', o.noinlines)
  bool('trim', o.trim)
  if (o.cum) a.push('-cum')
  str('divide_by', o.divideBy)
  bool('relative_percentages', o.relativePercentages)
  bool('compact_labels', o.compactLabels)
  bool('call_tree', o.callTree)
  bool('all_frames', o.allFrames)
  bool('mean', o.mean)
  bool('drop_negative', o.dropNegative)
  bool('normalize', o.normalize)
  for (const b of o.base ?? []) a.push(`-base=${b}`)
  for (const b of o.diffBase ?? []) a.push(`-diff_base=${b}`)
  a.push(...(o.extra ?? []))
  return a
}

const num = (b: bigint): number => Number(b)

function list<T, F>(len: number, at: (i: number) => F, read: (f: F) => T): T[] {
  const out = new Array<T>(len)
  for (let i = 0; i < len; i++) out[i] = read(at(i))
  return out
}

function strings(len: number, at: (i: number) => string): string[] {
  return list(len, at, (s) => s)
}

function byteBuffer(buf: Buffer): flatbuffers.ByteBuffer {
  return new flatbuffers.ByteBuffer(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength))
}

function readEdges(len: number, at: (i: number) => fb.TreeEdge): TreeEdge[] {
  return list(len, at, (e) => ({
    name: e.name() ?? '',
    weight: num(e.weight()),
    weightLabel: e.weightLabel() ?? '',
    pct: e.pct(),
    inline: e.inline(),
    residual: e.residual(),
  }))
}

function readLabels(len: number, at: (i: number) => fb.LabelValues): LabelValues[] {
  return list(len, at, (l) => ({ key: l.key() ?? '', values: strings(l.valuesLength(), (i) => l.values(i)) }))
}

/** A pprof report: pprof's exact text plus the same content as data, read lazily. */
export class ProfileReport {
  readonly buffer: Buffer
  private readonly root: fb.ProfileReport

  constructor(buffer: Buffer) {
    this.buffer = buffer
    this.root = fb.ProfileReport.getRootAsProfileReport(byteBuffer(buffer))
  }

  get kind(): ReportKind {
    return KINDS[this.root.kind()] ?? 'raw'
  }
  /** Exactly what `go tool pprof` prints on standard output. */
  get text(): string {
    return this.root.text() ?? ''
  }
  /**
   * What pprof prints, as bytes, without making a JS string (a report larger than V8's string
   * limit): `text`'s UTF-8, or the report's own bytes when a profile string was not UTF-8
   * (pprof passes those bytes through; `text` has U+FFFD for each).
   */
  get textBytes(): Buffer {
    const raw = this.root.textBytesArray()
    if (raw) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)
    const t = this.root.text(flatbuffers.Encoding.UTF8_BYTES) as Uint8Array | null
    return t ? Buffer.from(t.buffer, t.byteOffset, t.byteLength) : Buffer.alloc(0)
  }
  /** What pprof prints on standard error (filter notes, unit conflicts). */
  get warnings(): string[] {
    return strings(this.root.warningsLength(), (i) => this.root.warnings(i))
  }
  get legend(): string[] {
    return strings(this.root.legendLength(), (i) => this.root.legend(i))
  }
  get total(): number {
    return num(this.root.total())
  }
  get top(): TopRow[] {
    const r = this.root
    return list(r.topLength(), (i) => r.top(i)!, (t) => ({
      flat: num(t.flat()),
      flatLabel: t.flatLabel() ?? '',
      flatPct: t.flatPct(),
      sumPct: t.sumPct(),
      cum: num(t.cum()),
      cumLabel: t.cumLabel() ?? '',
      cumPct: t.cumPct(),
      name: t.name() ?? '',
      inline: INLINE[t.inline()] ?? 'none',
    }))
  }
  get tree(): TreeNode[] {
    const r = this.root
    return list(r.treeLength(), (i) => r.tree(i)!, (n) => ({
      name: n.name() ?? '',
      flat: num(n.flat()),
      flatLabel: n.flatLabel() ?? '',
      flatPct: n.flatPct(),
      sumPct: n.sumPct(),
      cum: num(n.cum()),
      cumLabel: n.cumLabel() ?? '',
      cumPct: n.cumPct(),
      callers: readEdges(n.callersLength(), (i) => n.callers(i)!),
      callees: readEdges(n.calleesLength(), (i) => n.callees(i)!),
    }))
  }
  get traces(): TraceSample[] {
    const r = this.root
    return list(r.tracesLength(), (i) => r.traces(i)!, (s) => ({
      labels: readLabels(s.labelsLength(), (i) => s.labels(i)!),
      numLabels: readLabels(s.numLabelsLength(), (i) => s.numLabels(i)!),
      value: num(s.value()),
      valueLabel: s.valueLabel() ?? '',
      frames: list(s.framesLength(), (i) => s.frames(i)!, (f) => ({ name: f.name() ?? '', inline: f.inline() })),
    }))
  }
  get tags(): TagKey[] {
    const r = this.root
    return list(r.tagsLength(), (i) => r.tags(i)!, (k) => ({
      key: k.key() ?? '',
      total: num(k.total()),
      totalLabel: k.totalLabel() ?? '',
      pct: k.pct(),
      values: list(k.valuesLength(), (i) => k.values(i)!, (v) => ({
        value: v.value() ?? '',
        weight: num(v.weight()),
        weightLabel: v.weightLabel() ?? '',
        pct: v.pct(),
      })),
    }))
  }
  get comments(): string[] {
    return strings(this.root.commentsLength(), (i) => this.root.comments(i))
  }
  /** `-list` and `-weblist`: one block per function and source file. */
  get list(): SourceFunction[] {
    const r = this.root
    return list(r.listLength(), (i) => r.list(i)!, (f) => ({
      name: f.name() ?? '',
      file: f.file() ?? '',
      flat: num(f.flat()),
      flatLabel: f.flatLabel() ?? '',
      cum: num(f.cum()),
      cumLabel: f.cumLabel() ?? '',
      cumPct: f.cumPct(),
      error: f.error() ?? '',
      lines: list(f.linesLength(), (i) => f.lines(i)!, (l) => ({
        line: num(l.line()),
        text: l.text() ?? '',
        flat: num(l.flat()),
        flatLabel: l.flatLabel() ?? '',
        cum: num(l.cum()),
        cumLabel: l.cumLabel() ?? '',
        instructions: list(l.instructionsLength(), (i) => l.instructions(i)!, (a) => ({
          address: a.address().toString(16),
          text: a.text() ?? '',
          function: a.function_() ?? '',
          file: a.file() ?? '',
          line: num(a.line()),
          sourceFunction: a.sourceFunction() ?? '',
          flat: num(a.flat()),
          flatLabel: a.flatLabel() ?? '',
          cum: num(a.cum()),
          cumLabel: a.cumLabel() ?? '',
        })),
      })),
    }))
  }
  /** `-proto`: the gzipped profile after filtering; `-topproto`: the top nodes as a profile. */
  get proto(): Buffer | null {
    const a = this.root.protoArray()
    return a ? Buffer.from(a) : null
  }
  /** `-output`: the file the report is written to by `report()`/`runPprof()` ('' if none). */
  get output(): string {
    return this.root.output() ?? ''
  }

  toJSON(): ProfileReportJSON {
    const r = this.root
    const out: ProfileReportJSON = {
      kind: this.kind,
      text: this.text,
      warnings: this.warnings,
      legend: this.legend,
      total: this.total,
      sampleType: r.sampleType() ?? '',
      sampleUnit: r.sampleUnit() ?? '',
      outputUnit: r.outputUnit() ?? '',
      shownTotal: num(r.shownTotal()),
      droppedNodes: num(r.droppedNodes()),
      nodeCountBeforeLimit: num(r.nodeCountBeforeLimit()),
    }
    switch (this.kind) {
      case 'top':
        out.top = this.top
        break
      case 'tree':
        out.tree = this.tree
        break
      case 'traces':
        out.traces = this.traces
        break
      case 'tags':
        out.tags = this.tags
        break
      case 'comments':
        out.comments = this.comments
        break
      case 'list':
      case 'weblist':
        out.list = this.list
        break
    }
    if (this.output) out.output = this.output
    return out
  }
}

/** The reports that are a gzipped profile.proto (`proto`, `topproto`), not text. */
export function isBinary(kind: ReportKind): boolean {
  return kind === 'proto' || kind === 'topproto'
}

/**
 * pprof's `-output`: the report goes to that file too (atomically, never a partial file). A
 * weblist is a page, which the renderers draw (`render/weblist.ts`, called by the CLI), not this
 * layer: here it is its blocks, with `output` naming where the page belongs.
 */
async function written(report: ProfileReport): Promise<ProfileReport> {
  if (!report.output || report.kind === 'weblist') return report
  await writeAtomic(report.output, isBinary(report.kind) ? (report.proto ?? Buffer.alloc(0)) : report.textBytes)
  return report
}

function readValueType(v: fb.ValueType | null): ValueType {
  return { type: v?.type() ?? '', unit: v?.unit() ?? '' }
}

/** One or more pprof profiles held in native memory; several are merged by every report. */
export class Profile {
  private constructor(private readonly inner: InstanceType<typeof native.Profile>) {}

  /**
   * Load profiles (paths or Buffers; gzip or not; profile.proto or the legacy text Go writes)
   * off the main thread. `maxDecompressed` caps gzip output in bytes (default 4 GiB); `binary`
   * (the ELF file that produced them) symbolizes address-only locations (see symbolize.ts).
   */
  static async load(input: string | Buffer | Array<string | Buffer>, options: { maxDecompressed?: number; binary?: string } = {}): Promise<Profile> {
    const inputs = Array.isArray(input) ? input : [input]
    return new Profile(await call(() => native.Profile.load(inputs, options.maxDecompressed, options.binary)))
  }

  /**
   * A goroutine dump (path or Buffer, gzip or plain) as a profile, parsed off the main thread:
   * sample type goroutine/count, one sample per group of identical stacks, string labels
   * `state` and `wait` (a minutes bucket). Every report works on it (`-dot` shows where
   * goroutines are parked); `hungFunctions` lists where those waiting at least `minWait`
   * minutes (default 1) are parked.
   */
  static async fromStacks(input: string | Buffer, options: { minWait?: number } = {}): Promise<Profile> {
    return new Profile(await call(() => native.profileFromStacks(input, options.minWait)))
  }

  /**
   * How many times the sources were combined (merged, `-base` applied, `drop_frames` dropped)
   * for reports: once, while the reports keep to the same sources, bases and fetch options.
   */
  get fetches(): number {
    return this.inner.fetches
  }

  /** For a profile made by `fromStacks`: where hung goroutines are parked (else empty). */
  get hungFunctions(): HungFunction[] {
    return this.inner.hungFunctions
  }

  /**
   * The samples folded into one call tree for a flame graph, as compact JSON (documented in
   * crates/goroscope-core/src/flame.rs; safe inside an HTML script element). Filter first
   * with a `-proto` report and `Profile.load` of its bytes.
   */
  flameJSON(title = ''): Promise<string> {
    return call(() => native.flameJson(this.inner, title))
  }

  /**
   * The flame graph of the profile refined by pprof's flags (`['-focus=main']`), from the same
   * session as `report`: the folded call tree pruned to what a page can draw (frames under
   * 1/8192 of their parent), its legend (profile labels, active filters) and total, as the
   * compact bytes of `FlameReport::to_bytes` (crates/goroscope-core/src/flame.rs), which
   * src/pages/webui/flame-data.ts reads.
   */
  flameReport(flags: string[] = [], title = ''): Promise<Buffer> {
    return call(() => this.inner.flameReportRaw(['-proto', ...flags], title))
  }

  /** Sample types, counts, period and times (of the first source). */
  get info(): ProfileInfo {
    const i = fb.ProfileInfo.getRootAsProfileInfo(byteBuffer(this.inner.infoRaw()))
    return {
      sampleTypes: list(i.sampleTypesLength(), (k) => i.sampleTypes(k), readValueType),
      defaultSampleType: i.defaultSampleType() ?? '',
      samples: num(i.samples()),
      locations: num(i.locations()),
      functions: num(i.functions()),
      mappings: num(i.mappings()),
      periodType: readValueType(i.periodType()),
      period: num(i.period()),
      timeNanos: num(i.timeNanos()),
      durationNanos: num(i.durationNanos()),
      comments: strings(i.commentsLength(), (k) => i.comments(k)),
    }
  }

  /**
   * A report from pprof's own flags, e.g. `['-top', '-nodecount=10']`. The profile is combined
   * (merged, `drop_frames` applied) for the first report and kept: later reports with the same
   * sources, `-base`/`-diff_base` and fetch options reuse it.
   */
  async report(args: string[]): Promise<ProfileReport> {
    return written(new ProfileReport(await call(() => this.inner.reportRaw(args))))
  }

  top(o: ReportOptions = {}): Promise<ProfileReport> {
    return this.report(['-top', ...pprofArgs(o)])
  }
  traces(o: ReportOptions = {}): Promise<ProfileReport> {
    return this.report(['-traces', ...pprofArgs(o)])
  }
  tree(o: ReportOptions = {}): Promise<ProfileReport> {
    return this.report(['-tree', ...pprofArgs(o)])
  }
  peek(regex: string, o: ReportOptions = {}): Promise<ProfileReport> {
    return this.report([`-peek=${regex}`, ...pprofArgs(o)])
  }
  tags(o: ReportOptions = {}): Promise<ProfileReport> {
    return this.report(['-tags', ...pprofArgs(o)])
  }
  raw(o: ReportOptions = {}): Promise<ProfileReport> {
    return this.report(['-raw', ...pprofArgs(o)])
  }
  /** pprof's `-dot`: the call graph in Graphviz DOT (in `text`), byte for byte as
   *  `go tool pprof -dot` prints it (entropy-ordered nodes, nodelets, default -nodecount=80). */
  dot(o: ReportOptions = {}): Promise<ProfileReport> {
    return this.report(['-dot', ...pprofArgs(o)])
  }
}

/** Run a whole pprof command line, e.g. `['-top', '-nodecount=5', 'cpu.pprof']`. */
export async function runPprof(args: string[], options: { maxDecompressed?: number; binary?: string } = {}): Promise<ProfileReport> {
  return written(new ProfileReport(await call(() => native.runPprofRaw(args, options.maxDecompressed, options.binary))))
}
