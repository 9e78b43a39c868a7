// What an input holds, from the core's one sniffer (crates/goroscope-core/src/sniff.rs): every
// entry point routes by it instead of trying one parser and falling back to another.
import type * as Native from '../index'
import { call, native } from './native'

/** What an input holds: `goroutine-dump`, `goroutine-profile` (`?debug=1`), `profile-proto`,
 *  `legacy-profile`, `gzip`, `zip`, `tar`, `executable`, `json`, `text`, `binary`, `empty`. */
export type InputKind = `${Native.InputKind}`

/** What an input holds, looked at through gzip. */
export interface Sniffed {
  kind: InputKind
  /** The input is gzip; `kind` is what it inflates to. */
  gzip: boolean
}

/** What a file (path) or Buffer holds; a file is read only as far as its first 64 KiB. */
export async function sniff(input: string | Buffer): Promise<Sniffed> {
  const s = await call(() => native.sniff(input))
  return { kind: s.kind as InputKind, gzip: s.gzip }
}

/** A goroutine dump in either text form (`?debug=2`/panic/SIGQUIT, or `?debug=1`). */
export function isDump(kind: InputKind): boolean {
  return kind === 'goroutine-dump' || kind === 'goroutine-profile'
}
