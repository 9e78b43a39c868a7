// Loads the napi-rs addon through the generated loader (index.js at the package root), and
// turns the native errors' bracketed codes into `GoroscopeError.code`.
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

/** An error from goroscope with a stable `code` (GOROSCOPE_IO, GOROSCOPE_PARSE, …). */
export class GoroscopeError extends Error {
  readonly code: string
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'GoroscopeError'
    this.code = code
  }
}

const CODED = /^\[(GOROSCOPE_[A-Z_]+)\] ([\s\S]*)$/

/** Map an error thrown by the addon to a GoroscopeError; other values pass through. */
export function fromNative(e: unknown): unknown {
  if (e instanceof Error) {
    const m = CODED.exec(e.message)
    if (m) return new GoroscopeError(m[1], m[2], { cause: e })
    if ((e as { code?: string }).code === 'InvalidArg') return new GoroscopeError('GOROSCOPE_OPTIONS', e.message, { cause: e })
  }
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
