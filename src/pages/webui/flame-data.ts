// Reading the core's flame report bytes (crates/goroscope-core/src/flame.rs,
// `FlameReport::to_bytes`): a JSON head (names, types, legend) and typed arrays read in place,
// so the page parses no numbers. Used by the web UI's flame view and the `goroscope flame`
// page (src/pages/flame.ts), which share the renderer in ./flame.ts.

export interface FlameData {
  title: string
  types: Array<{ type: string; unit: string }>
  defaultType: number
  /** pprof's profile labels and the active filters. */
  legend: string[]
  warnings: string[]
  /** The report total of the chosen sample type (what percentages in the CLI are of). */
  total: number
  /** Nodes before the core pruned what no zoom level draws. */
  folded: number
  names: string[]
  /** Per node: index into `names` (node 0 is the root). */
  name: Uint32Array
  /** Per node: its parent, smaller than its own index; -1 for the root. */
  parent: Int32Array
  /** Per sample type, per node: the cumulative value. */
  values: Float64Array[]
  /** With -diff_base: per sample type, per node, the base samples' (negated) share of `values`. */
  base: Float64Array[] | null
}

export class FlameDataError extends Error {}

export function decodeFlame(bytes: ArrayBuffer | Uint8Array): FlameData {
  // typed arrays need their offsets aligned: copy a view that does not start on 8 bytes
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)
  const buf = u8.byteOffset % 8 === 0 ? u8.buffer : u8.slice().buffer
  const at = u8.byteOffset % 8 === 0 ? u8.byteOffset : 0
  const len = u8.byteLength
  const dv = new DataView(buf, at, len)
  if (len < 16 || dv.getUint32(0, true) !== 0x4d4c4647 /* "GFLM" */) throw new FlameDataError('not a goroscope flame report')
  if (dv.getUint32(4, true) !== 1) throw new FlameDataError(`flame report version ${dv.getUint32(4, true)}, this page reads 1`)
  const h = dv.getUint32(8, true)
  const n = dv.getUint32(12, true)
  const head = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, at + 16, h))) as Omit<FlameData, 'name' | 'parent' | 'values' | 'base'> & { diff: boolean }
  const parentAt = 16 + h
  const valuesAt = Math.ceil((parentAt + 8 * n) / 8) * 8
  const cols = head.types.length * (head.diff ? 2 : 1)
  if (valuesAt + cols * n * 8 !== len) throw new FlameDataError(`flame report of ${len} bytes, expected ${valuesAt + cols * n * 8}`)
  const col = (k: number) => new Float64Array(buf, at + valuesAt + k * n * 8, n)
  const nt = head.types.length
  return {
    title: head.title,
    types: head.types,
    defaultType: head.defaultType,
    legend: head.legend,
    warnings: head.warnings,
    total: head.total,
    folded: head.folded,
    names: head.names,
    parent: new Int32Array(buf, at + parentAt, n),
    name: new Uint32Array(buf, at + parentAt + 4 * n, n),
    values: Array.from({ length: nt }, (_, k) => col(k)),
    base: head.diff ? Array.from({ length: nt }, (_, k) => col(nt + k)) : null,
  }
}
