// A minimal ustar writer for our bundles: regular files only, written in memory and gzipped.
import * as zlib from 'node:zlib'

export interface TarFile {
  name: string
  data: Buffer
  /** Unix mode bits (default 0o644). */
  mode?: number
  mtime?: Date
}

function field(h: Buffer, off: number, len: number, s: string): void {
  h.write(s, off, Math.min(len, Buffer.byteLength(s)), 'utf8')
}

function octal(h: Buffer, off: number, len: number, n: number): void {
  field(h, off, len, n.toString(8).padStart(len - 1, '0') + '\0')
}

/** Split a long name into ustar's prefix (≤155) and name (≤100) at a slash. */
function splitName(name: string): [string, string] {
  if (Buffer.byteLength(name) <= 100) return ['', name]
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== '/') continue
    const prefix = name.slice(0, i)
    const rest = name.slice(i + 1)
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100) return [prefix, rest]
  }
  throw new Error(`tar: name too long: ${name}`)
}

function header(f: TarFile): Buffer {
  const h = Buffer.alloc(512)
  const [prefix, name] = splitName(f.name)
  if (f.data.length >= 8 ** 11) throw new Error(`tar: ${f.name} is too large for ustar`)
  field(h, 0, 100, name)
  octal(h, 100, 8, f.mode ?? 0o644)
  octal(h, 108, 8, 0)
  octal(h, 116, 8, 0)
  octal(h, 124, 12, f.data.length)
  octal(h, 136, 12, Math.floor((f.mtime ?? new Date()).getTime() / 1000))
  h.fill(0x20, 148, 156) // checksum counted as spaces
  h[156] = 0x30 // '0' regular file
  field(h, 257, 6, 'ustar\0')
  field(h, 263, 2, '00')
  field(h, 345, 155, prefix)
  let sum = 0
  for (const b of h) sum += b
  field(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ')
  return h
}

/** The tar bytes of these files (uncompressed). */
export function tarPack(files: TarFile[]): Buffer {
  const parts: Buffer[] = []
  for (const f of files) {
    parts.push(header(f), f.data)
    const pad = (512 - (f.data.length % 512)) % 512
    if (pad) parts.push(Buffer.alloc(pad))
  }
  parts.push(Buffer.alloc(1024))
  return Buffer.concat(parts)
}

/** tar.gz of these files. */
export function tarGzip(files: TarFile[]): Promise<Buffer> {
  return new Promise((resolve, reject) => zlib.gzip(tarPack(files), { level: 9 }, (e, b) => (e ? reject(e) : resolve(b))))
}
