// One summary of a node from a bundle, a diag-profile zip, a tarball or a directory: every file
// classified by content, then each kind analysed through the Node API. The shape is the
// documented JSON (docs/report-json.md).
//
// Layer: src/report-node is the analysis of a bundle read through src/bundle (it never collects
// and never renders: the text and HTML pages are src/render/node-text.ts and node-html.ts).
import { readSource } from '../bundle/source'
import { classify, type Classified, type FileKind, type ProfileType } from '../bundle/classify'
import type { ReadLimits, Skipped } from '../bundle/entry'
import type { Manifest } from '../bundle/manifest'
import type { TopRow } from '../profile'
import { analyzeStacks, type Group, type Leak, type Lock, type ClassCount } from '../stacks'
import { analyzeMetrics, analyzeSys, type MetricsReport, type SysReport } from './sys'
import { analyzeVars, type MemoryReport } from './vars'

export interface FileEntry {
  name: string
  size: number
  kind: FileKind
  detail: string
  /** It fed a section of the report. */
  used: boolean
  profileType?: ProfileType
}

export interface ProfileSummary {
  file: string
  sampleType: string
  unit: string
  total: number
  /** Profile duration in seconds (CPU and delta profiles), or null. */
  durationSeconds: number | null
  top: TopRow[]
}

export interface GoroutineSummary {
  file: string
  total: number
  states: Record<string, number>
  classes: ClassCount[]
  hung: Group[]
  contention: Lock[]
  /** Goroutines the runtime proved leaked (` (leaked)`), and where, most first. */
  leaked: number
  leaks: Leak[]
  /**
   * The dump `leaked` and `leaks` come from: a goroutineleak debug=2 dump when the source has one
   * (Go ≥1.27 bundles: `goroutineleak.stacks`, taken after `goroutines.stacks`), else `file`.
   */
  leakedFile: string
  groups: Group[]
  groupCount: number
  truncated: boolean
  warnings: string[]
}

export interface NodeReport {
  schema: 'goroscope-node-report/1'
  source: { path: string; container: string; layout: 'goroscope' | 'kubo-diag-profile' | 'collect-profiles' | 'files' }
  node: {
    kind: 'kubo' | 'go' | 'unknown'
    version: string | null
    commit: string | null
    golang: string | null
    system: string | null
    repo: string | null
    api: string | null
    collectedOn: string | null
    started: string | null
    ended: string | null
    seconds: number | null
  }
  collection: { complete: boolean; failed: { name: string; error: string }[]; skipped: { name: string; error: string }[]; notes: string[] } | null
  files: FileEntry[]
  skipped: Skipped[]
  goroutines: GoroutineSummary | null
  profiles: Partial<Record<'cpu' | 'heap' | 'allocs' | 'mutex' | 'block' | 'contention' | 'goroutine' | 'goroutineleak' | 'threadcreate', ProfileSummary>>
  memory: MemoryReport | null
  sys: SysReport | null
  metrics: MetricsReport | null
  warnings: string[]
}

export interface ReportOptions {
  /** Rows in each top table (default 10). */
  top?: number
  limits?: Partial<ReadLimits>
  /** Keep the classified files (with bytes and loaded profiles) for the HTML page. */
  keepFiles?: boolean
}

export interface Analysis {
  report: NodeReport
  files: Classified[]
}

async function summariseProfile(c: Classified, sampleIndex: string | undefined, top: number): Promise<ProfileSummary> {
  const r = await c.profile!.top({ nodecount: top, sampleIndex })
  const j = r.toJSON()
  const d = c.profile!.info.durationNanos
  return { file: c.name, sampleType: j.sampleType, unit: j.sampleUnit || j.outputUnit, total: j.total, durationSeconds: d ? d / 1e9 : null, top: r.top }
}

function layoutOf(names: string[], container: string, hasManifest: boolean): NodeReport['source']['layout'] {
  if (hasManifest) return 'goroscope'
  if (container === 'zip' && names.some((n) => /(^|\/)goroutines\.stacks$/.test(n)) && names.some((n) => /(^|\/)version\.json$/.test(n))) return 'kubo-diag-profile'
  if (container === 'tar' && names.some((n) => /(^|\/)goroutines\.stacks$/.test(n))) return 'collect-profiles'
  return 'files'
}

const LEAK_DUMP = 'goroutine leak dump (debug=2)'
// The goroutine section: a full dump (debug=2, /debug/stack, panic, SIGQUIT) first. A goroutineleak
// debug=2 dump also holds every goroutine, but it is taken after the leak-detecting GC (collect runs
// it last), so it stands in only when there is no other full dump; debug=1 dumps come last.
const PREFER_STACKS = (c: Classified) =>
  c.detail.startsWith(LEAK_DUMP) ? 1 : c.detail.startsWith('goroutine dump (debug=1)') ? 2 : c.detail.startsWith('goroutine leak dump (debug=1)') ? 3 : 0

export async function analyzeSource(file: string, o: ReportOptions = {}): Promise<Analysis> {
  const top = o.top ?? 10
  const src = await readSource(file, o.limits)
  const warnings: string[] = []
  const files: Classified[] = []
  for (const e of src.entries) files.push(await classify(e.name, e.data))
  const entries: FileEntry[] = files.map((c) => ({ name: c.name, size: c.size, kind: c.kind, detail: c.detail, used: false, profileType: c.profileType }))
  const use = (c: Classified) => {
    const f = entries.find((e) => e.name === c.name)
    if (f) f.used = true
  }
  const first = (k: FileKind, pred: (c: Classified) => boolean = () => true) => files.find((c) => c.kind === k && pred(c))

  const manifestFile = first('manifest')
  const manifest: Manifest | undefined = manifestFile?.manifest
  if (manifestFile) use(manifestFile)
  const report: NodeReport = {
    schema: 'goroscope-node-report/1',
    source: { path: file, container: src.container, layout: layoutOf(src.entries.map((e) => e.name), src.container, !!manifest) },
    node: {
      kind: manifest?.target.kind ?? 'unknown',
      version: manifest?.node?.version ?? null,
      commit: manifest?.node?.commit ?? null,
      golang: manifest?.node?.golang ?? null,
      system: manifest?.node?.system ?? null,
      repo: manifest?.node?.repo ?? null,
      api: manifest?.target.api ?? null,
      collectedOn: manifest?.collectedOn ?? null,
      started: manifest?.started ?? null,
      ended: manifest?.ended ?? null,
      seconds: manifest?.seconds ?? null,
    },
    collection: manifest
      ? {
          complete: manifest.complete,
          failed: manifest.items.filter((i) => i.status === 'failed').map((i) => ({ name: i.name, error: i.error ?? '' })),
          skipped: manifest.items.filter((i) => i.status === 'skipped').map((i) => ({ name: i.name, error: i.error ?? '' })),
          notes: manifest.items.flatMap((i) => i.notes.map((n) => `${i.name}: ${n}`)),
        }
      : null,
    files: entries,
    skipped: src.skipped,
    goroutines: null,
    profiles: {},
    memory: null,
    sys: null,
    metrics: null,
    warnings,
  }

  // identity: version.json, then diag sys, then prometheus ipfs_info
  const version = first('version')
  if (version) {
    use(version)
    const v = version.json as Record<string, string>
    report.node.kind = 'kubo'
    report.node.version ??= v.Version ?? null
    report.node.commit ??= v.Commit ?? null
    report.node.golang ??= v.Golang ?? null
    report.node.system ??= v.System ?? null
    report.node.repo ??= v.Repo ?? null
  }

  // goroutines: a full dump (debug=2 / panic / /debug/stack) beats debug=1; the leaked section
  // comes from the goroutineleak debug=2 dump when there is one (the runtime marks leaks only there)
  const dumps = files.filter((c) => c.kind === 'stacks').sort((a, b) => PREFER_STACKS(a) - PREFER_STACKS(b))
  if (dumps.length) {
    const d = dumps[0]
    try {
      const r = await analyzeStacks(d.data)
      use(d)
      let leakedFrom = { file: d.name, leaked: r.leaked, leaks: r.leaks }
      const leakDump = dumps.find((c) => c !== d && c.detail.startsWith(LEAK_DUMP))
      if (leakDump) {
        try {
          const l = await analyzeStacks(leakDump.data)
          use(leakDump)
          leakedFrom = { file: leakDump.name, leaked: l.leaked, leaks: l.leaks }
        } catch (e) {
          warnings.push(`${leakDump.name}: cannot analyse the goroutine leak dump: ${(e as Error).message}; leaks from ${d.name}`)
        }
      }
      report.goroutines = {
        file: d.name,
        total: r.goroutines,
        states: r.states,
        classes: r.classes,
        hung: r.hung.slice(0, top),
        contention: r.contention.slice(0, top),
        leaked: leakedFrom.leaked,
        leaks: leakedFrom.leaks.slice(0, top),
        leakedFile: leakedFrom.file,
        groups: r.groups.slice(0, top),
        groupCount: r.groupCount,
        truncated: r.truncated,
        warnings: r.warnings.slice(0, 20).map((w) => `line ${w.line}: ${w.message}`),
      }
    } catch (e) {
      warnings.push(`${d.name}: cannot analyse the goroutine dump: ${(e as Error).message}`)
    }
  }

  // profiles
  const sampleIndex: Partial<Record<ProfileType, string>> = { heap: 'inuse_space', allocs: 'alloc_space', mutex: 'delay', block: 'delay', contention: 'delay' }
  for (const c of files) {
    if (c.kind !== 'profile' || !c.profileType || c.profileType === 'other') continue
    const t = c.profileType
    if (report.profiles[t]) continue
    try {
      report.profiles[t] = await summariseProfile(c, sampleIndex[t], top)
      use(c)
    } catch (e) {
      warnings.push(`${c.name}: cannot report on the ${t} profile: ${(e as Error).message}`)
    }
  }
  if (!report.profiles.allocs && files.some((c) => c.profileType === 'heap')) {
    const h = files.find((c) => c.profileType === 'heap')!
    try {
      report.profiles.allocs = await summariseProfile(h, 'alloc_space', top)
    } catch {
      /* heap already reported */
    }
  }
  if (report.goroutines === null && report.profiles.goroutine) {
    warnings.push('no goroutine dump with states; only the goroutine profile (counts by stack)')
  }

  const vars = first('vars')
  if (vars) {
    try {
      report.memory = analyzeVars(vars.json)
      use(vars)
    } catch (e) {
      warnings.push(`${vars.name}: ${(e as Error).message}`)
    }
  }
  const sys = first('sys')
  if (sys) {
    try {
      report.sys = analyzeSys(sys.json)
      use(sys)
      report.node.kind = 'kubo'
      report.node.version ??= report.sys.ipfsVersion || null
      report.node.golang ??= report.sys.goVersion || null
      report.node.system ??= report.sys.arch ? `${report.sys.arch}/${report.sys.os}` : null
    } catch (e) {
      warnings.push(`${sys.name}: ${(e as Error).message}`)
    }
  }
  const metrics = first('metrics')
  if (metrics) {
    report.metrics = analyzeMetrics(metrics.data.toString('utf8'))
    use(metrics)
    if (report.metrics.ipfsVersion) {
      report.node.kind = 'kubo'
      report.node.version ??= report.metrics.ipfsVersion
    }
  }
  for (const c of files) if (['executable', 'trace', 'version-text', 'cmds', 'svg'].includes(c.kind)) use(c)
  if (report.node.kind === 'unknown' && (report.goroutines || Object.keys(report.profiles).length)) report.node.kind = 'go'
  for (const f of entries) if (f.kind === 'unknown' || f.kind === 'json' || f.kind === 'empty') warnings.push(`${f.name}: not recognised (${f.detail}); ignored`)
  return { report, files: o.keepFiles ? files : [] }
}
