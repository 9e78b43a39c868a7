// Building and running the Go fixture programs (fixtures/goprog, fixtures/symbolize) with either
// supported runtime: Go 1.26.8 (the local `go`) and Go 1.27.3 (GOTOOLCHAIN=go1.27.3: the go
// command fetches it from the module proxy once per machine; scripts/setup.sh does that).
// Binaries are cached by a hash of runtime, flags and sources under ~/.cache/goroscope/go-bin, so
// a test run builds each variant once per source change.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as readline from 'node:readline'

import { ROOT } from './helpers'

export type GoRuntime = 'go126' | 'go127'
export const RUNTIMES: GoRuntime[] = ['go126', 'go127']

export interface GoBuild {
  /** fixtures/<pkg> */
  pkg: 'goprog' | 'symbolize'
  go: GoRuntime
  flags?: string[]
  /** GOEXPERIMENT (Go 1.26 serves /debug/pprof/goroutineleak only with goroutineleakprofile) */
  experiment?: string
}

const CACHE = path.join(os.homedir(), '.cache', 'goroscope', 'go-bin')

function goEnv(b: GoBuild): NodeJS.ProcessEnv {
  return { ...process.env, GOTOOLCHAIN: b.go === 'go127' ? 'go1.27.3' : 'local', GOFLAGS: '-mod=mod', CGO_ENABLED: '0', GOEXPERIMENT: b.experiment ?? '' }
}

/** Builds (or takes from the cache) and returns the binary's path. */
export function goBuild(b: GoBuild): string {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' })
  } catch {
    throw new Error('these tests need the Go toolchain: `go` is not on PATH (install Go >= 1.26)')
  }
  const dir = path.join(ROOT, 'fixtures', b.pkg)
  // the fixture program is a `go 1.27` module for Go 1.27 (go127.mod), so its dumps carry labels
  const flags = [...(b.go === 'go127' && b.pkg === 'goprog' ? ['-modfile=go127.mod'] : []), ...(b.flags ?? [])]
  const h = createHash('sha256').update(JSON.stringify([b.go, b.experiment ?? '', flags]))
  for (const f of fs.readdirSync(dir).filter((f) => /\.(go|mod)$/.test(f)).sort()) h.update(f).update('\0').update(fs.readFileSync(path.join(dir, f)))
  const out = path.join(CACHE, `${b.pkg}-${h.digest('hex').slice(0, 24)}`)
  if (fs.existsSync(out)) return out
  fs.mkdirSync(CACHE, { recursive: true })
  const tmp = `${out}.tmp${process.pid}`
  execFileSync('go', ['build', ...flags, '-o', tmp, '.'], { cwd: dir, env: goEnv(b), stdio: 'inherit' })
  fs.renameSync(tmp, out) // atomic: a concurrent run never sees half a binary
  return out
}

/** goBuild's binary copied to a fresh temp dir as `goprog` (for tests that see the executable's name). */
export function goprogNamed(b: Omit<GoBuild, 'pkg'> = { go: 'go126' }): string {
  const bin = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'goroscope-goprog-')), 'goprog')
  fs.copyFileSync(goBuild({ pkg: 'goprog', ...b }), bin)
  fs.chmodSync(bin, 0o755)
  return bin
}

export interface Running {
  proc: ChildProcess
  /** http://127.0.0.1:PORT */
  base: string
}

/** Starts fixtures/goprog and waits for its "ready" (every situation verified parked). */
export async function startGoprog(bin: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Running> {
  const proc = spawn(bin, ['-ready', ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } })
  const lines = readline.createInterface({ input: proc.stdout! })
  let base = ''
  for await (const line of lines) {
    const m = /^listening on (http:\/\/\S+)/.exec(line)
    if (m) base = m[1]
    if (line.trim() === 'ready') break
  }
  if (!base) throw new Error(`the fixture program ${bin} did not say where it listens`)
  return { proc, base }
}
