// Shared paths and helpers for the ava suites.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

export const ROOT = path.resolve(__dirname, '..')
/** ../shared/corpus, read in place (never copied into the repo). */
export const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus')
export const DUMPS = path.join(CORPUS, 'goroutine-dumps')
export const FIXTURE_DUMPS = path.join(ROOT, 'fixtures', 'dumps')

export function tmpdir(prefix = 'goroscope-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

/** Every regular file below `dir`. */
export function walk(dir: string): string[] {
  const out: string[] = []
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) out.push(...walk(p))
    else if (e.isFile()) out.push(p)
  }
  return out.sort()
}

/** Run the installed CLI (bin/goroscope.js) and capture everything. */
export function cli(args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [path.join(ROOT, 'bin', 'goroscope.js'), ...args], {
    encoding: 'utf8',
    input: opts.input,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
  })
}

/** Run the CLI without blocking this process (servers the test itself runs keep answering). */
export function runAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(ROOT, 'bin', 'goroscope.js'), ...args], { env: { ...process.env, NO_COLOR: '1', ...env } })
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (d) => (stdout += d))
    p.stderr.on('data', (d) => (stderr += d))
    p.on('exit', (status) => resolve({ status, stdout, stderr }))
  })
}

/** The rows of a CLI `top` text (the lines after its column header), split in fields as the web UI's table shows them. */
export function cliRows(text: string): string[][] {
  const lines = text.split('\n')
  const head = lines.findIndex((l) => /^\s+flat\s+flat%/.test(l))
  return lines.slice(head + 1).filter((l) => l.trim()).map((l) => {
    const f = l.trim().split(/\s+/)
    return [...f.slice(0, 5), f.slice(5).join(' ')]
  })
}
