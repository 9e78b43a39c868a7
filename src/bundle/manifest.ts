// manifest.json of a bundle (documented in docs/report-json.md, "Bundle manifest").

export type ItemStatus = 'ok' | 'failed' | 'skipped'

export interface ManifestItem {
  name: string
  /** File in the bundle (null when nothing was written). */
  file: string | null
  status: ItemStatus
  size: number | null
  sha256: string | null
  /** Wall time of the collector, ms. */
  durationMs: number
  /** The requests made, e.g. `GET /debug/pprof/profile?seconds=30`. */
  request: string | null
  error: string | null
  notes: string[]
}

export interface Manifest {
  format: 'goroscope-bundle/1'
  tool: { name: 'goroscope'; version: string }
  /** The machine that ran the collector. */
  collectedOn: string
  target: { api: string; from: string; kind: 'kubo' | 'go' | 'unknown' }
  node: { version: string; commit: string; golang: string; system: string; repo: string } | null
  started: string
  ended: string
  seconds: number
  options: { gc: boolean; binary: boolean; collectors: string[]; timeoutSeconds: number; auth: boolean }
  items: ManifestItem[]
  /** Every requested item was collected. */
  complete: boolean
  /** Present when the bundle was redacted (`goroscope redact`, `collect --redact`). */
  redaction?: Redaction
}

export function isManifest(v: unknown): v is Manifest {
  return typeof v === 'object' && v !== null && (v as Manifest).format === 'goroscope-bundle/1' && Array.isArray((v as Manifest).items)
}

export interface RedactedFile {
  file: string
  /** `rewritten`: kept with the listed parts removed; `removed`: not in the bundle. */
  action: 'rewritten' | 'removed' | 'unchanged'
  /** What was removed or rewritten, or why the file was dropped. */
  removed: string[]
}

/** The manifest's `redaction` field. */
export interface Redaction {
  format: 'goroscope-redaction/1'
  at: string
  tool: string
  files: RedactedFile[]
  /** Manifest fields blanked or rewritten. */
  manifest: string[]
  /** Distinct hex addresses aliased in goroutine dumps. */
  addresses: number
  /** File paths rewritten (dumps and profiles). */
  paths: number
}
