// What every bundle reader yields: entries (name + bytes, in memory; nothing is ever written to
// disk) and the entries it refused, with the reason. Limits keep hostile archives harmless.

export interface Entry {
  /** The entry's path inside the archive or directory, `/`-separated, relative. */
  name: string
  data: Buffer
}

export interface Skipped {
  name: string
  reason: string
}

export interface ReadLimits {
  /** Largest single entry read into memory (uncompressed bytes). */
  maxEntryBytes: number
  /** Largest total of uncompressed bytes read from one archive. */
  maxTotalBytes: number
  /** Most entries looked at. */
  maxEntries: number
}

export const DEFAULT_LIMITS: ReadLimits = {
  maxEntryBytes: 512 * 1024 * 1024,
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
  maxEntries: 10_000,
}

export interface SourceContents {
  /** `tar` (plain or gzip), `zip`, `dir` or `file`. */
  container: 'tar' | 'zip' | 'dir' | 'file'
  entries: Entry[]
  skipped: Skipped[]
}

/** Why an entry path is unsafe (absolute, `..`, drive letters, NUL, empty), or null when it is fine. */
export function unsafePath(name: string): string | null {
  if (name.includes('\0')) return 'path contains NUL'
  if (name.startsWith('/') || name.startsWith('\\')) return 'absolute path'
  if (/^[A-Za-z]:/.test(name)) return 'absolute path (drive letter)'
  if (name.split(/[\\/]+/).some((s) => s === '..')) return 'path escapes the archive (..)'
  if (cleanPath(name) === '') return 'empty path'
  return null
}

/** `./a//b` → `a/b`. */
export function cleanPath(name: string): string {
  return name
    .split(/[\\/]+/)
    .filter((s) => s !== '' && s !== '.')
    .join('/')
}

export function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 2 : 0)} MiB`
}
