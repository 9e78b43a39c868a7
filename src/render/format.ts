// Number formatting shared by the text and HTML reports.

export function bytes(n: number): string {
  const a = Math.abs(n)
  if (a < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n / 1024
  let i = 0
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v.toFixed(Math.abs(v) < 10 ? 2 : 1)} ${units[i]}`
}

export function duration(ns: number): string {
  if (ns < 1e3) return `${ns}ns`
  if (ns < 1e6) return `${(ns / 1e3).toFixed(1)}µs`
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)}ms`
  return `${(ns / 1e9).toFixed(2)}s`
}

export function count(n: number): string {
  return n.toLocaleString('en-US')
}

export function pct(x: number): string {
  return `${x.toFixed(1)}%`
}

/** A profile total in its unit: bytes, nanoseconds or a count. */
export function valueIn(unit: string, v: number): string {
  if (unit === 'bytes' || unit === 'B') return bytes(v)
  if (unit === 'nanoseconds' || unit === 'ns') return duration(v)
  if (unit === 's' || unit === 'seconds') return `${v.toFixed(2)}s`
  return count(v)
}
