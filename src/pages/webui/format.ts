// Values in pprof's units for the flame graph's labels: the largest unit in which the value is
// at least 1, two decimals at most (pprof's measurement.ScaledLabel).

const TIME: Array<[number, string]> = [[1, 'ns'], [1e3, 'us'], [1e6, 'ms'], [1e9, 's'], [6e10, 'mins'], [3.6e12, 'hrs']]
const BYTES: Array<[number, string]> = [[1, 'B'], [1024, 'kB'], [1048576, 'MB'], [1073741824, 'GB'], [1099511627776, 'TB']]
const TO_NS: Record<string, number> = { nanoseconds: 1, ns: 1, microseconds: 1e3, us: 1e3, milliseconds: 1e6, ms: 1e6, seconds: 1e9, s: 1e9 }

function trimmed(x: number): string {
  const s = x.toFixed(2)
  return s.replace(/\.?0+$/, '') || '0'
}

function scaled(v: number, steps: Array<[number, string]>): string {
  if (v === 0) return '0'
  const a = Math.abs(v)
  let k = 0
  while (k + 1 < steps.length && a >= steps[k + 1][0]) k++
  return trimmed(v / steps[k][0]) + steps[k][1]
}

export function formatValue(v: number, unit: string): string {
  if (unit in TO_NS) return scaled(v * TO_NS[unit], TIME)
  if (unit === 'bytes') return scaled(v, BYTES)
  if (unit === 'count' || unit === '') return String(v)
  return `${v} ${unit}`
}

export function percent(a: number, total: number): string {
  return total ? `${trimmed((100 * a) / total)}%` : '-'
}
