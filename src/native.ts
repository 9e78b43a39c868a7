// Loads the napi-rs addon through the generated loader (index.js at the package root), and
// turns the errors it rejects with (an Error whose own `code`, `path`, `line` and `offset`
// properties are the core error as data: crates/goroscope-node/src/error.rs) into
// GoroscopeError.
import * as fs from 'node:fs'
import * as path from 'node:path'

import type * as Native from '../index'

function packageRoot(): string {
  let dir = __dirname
  for (;;) {
    const pkg = path.join(dir, 'package.json')
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'goroscope') return dir
    const up = path.dirname(dir)
    if (up === dir) throw new Error('goroscope: cannot find the package root from ' + __dirname)
    dir = up
  }
}

/** @internal (not in the published .d.ts: '../index' resolves from src/, not from dist/src/) */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const native: typeof Native = require(path.join(packageRoot(), 'index.js'))

/** Where in an input an error is, when the core knows. */
export interface ErrorPosition {
  /** The file (or `<buffer>`) the error is about. */
  path?: string
  /** 1-based line of a text input. */
  line?: number
  /** Byte offset in the (decompressed) input. */
  offset?: number
}

/** An error from goroscope with a stable `code` (GOROSCOPE_IO, GOROSCOPE_PARSE, …). */
export class GoroscopeError extends Error implements ErrorPosition {
  readonly code: string
  readonly path?: string
  readonly line?: number
  readonly offset?: number
  constructor(code: string, message: string, options?: { cause?: unknown } & ErrorPosition) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'GoroscopeError'
    this.code = code
    if (options?.path !== undefined) this.path = options.path
    if (options?.line !== undefined) this.line = options.line
    if (options?.offset !== undefined) this.offset = options.offset
  }
}

type NativeFields = { code?: unknown; path?: unknown; line?: unknown; offset?: unknown }

/** Map an error thrown by the addon to a GoroscopeError; other values pass through. */
export function fromNative(e: unknown): unknown {
  if (!(e instanceof Error)) return e
  const f = e as Error & NativeFields
  if (typeof f.code === 'string' && f.code.startsWith('GOROSCOPE_')) {
    return new GoroscopeError(f.code, e.message, {
      cause: e,
      path: typeof f.path === 'string' ? f.path : undefined,
      line: typeof f.line === 'number' ? f.line : undefined,
      offset: typeof f.offset === 'number' ? f.offset : undefined,
    })
  }
  // napi-rs's own argument checks (a number where a string is wanted, …).
  if (f.code === 'InvalidArg') return new GoroscopeError('GOROSCOPE_OPTIONS', e.message, { cause: e })
  return e
}

/** Await a native promise, mapping its errors. */
export async function call<T>(p: () => Promise<T>): Promise<T> {
  try {
    return await p()
  } catch (e) {
    throw fromNative(e)
  }
}
