// What an input holds, from the core's one sniffer (crates/goroscope-core/src/sniff.rs): every
// entry point routes by it instead of trying one parser and falling back to another.
import type * as Native from '../index'
import { call, native } from './native'

/** What an input holds: a goroutine dump (`goroutine-dump`: debug=2, panic, SIGQUIT, race
 *  report; `goroutine-profile`: `?debug=1`), a profile (`profile-proto`, `legacy-profile`),
 *  `gzip`, `zip`, `tar`, `executable`, `json`, other `text` or `binary`, or `empty`. */
export type InputKind =
  | 'empty'
  | 'gzip'
  | 'zip'
  | 'tar'
  | 'executable'
  | 'profile-proto'
  | 'goroutine-profile'
  | 'legacy-profile'
  | 'goroutine-dump'
  | 'json'
  | 'text'
  | 'binary'

// The union is written out so that the published types need no '../index' (it does not
// resolve from dist/src); this fails to compile when it and the binding's enum differ.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
true satisfies Same<InputKind, `${Native.InputKind}`>

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
