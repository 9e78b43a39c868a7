// A real kubo daemon for the tests: built by scripts/install-kubo.sh into
// ~/.cache/goroscope/bin/ipfs; a temp IPFS_PATH, `ipfs init --profile=test`, API and gateway on
// free loopback ports, `ipfs daemon --offline`; stop() in a finally.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'

export const IPFS_BIN = process.env.GOROSCOPE_IPFS ?? path.join(os.homedir(), '.cache', 'goroscope', 'bin', 'ipfs')

export function kuboAvailable(): boolean {
  return fs.existsSync(IPFS_BIN)
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
    s.on('error', reject)
  })
}

export interface Kubo {
  ipfsPath: string
  api: string
  env: NodeJS.ProcessEnv
  proc: ChildProcess
  ipfs(args: string[]): string
  stop(): Promise<void>
}

export async function startKubo(opts: { authorizations?: Record<string, { AuthSecret: string; AllowedPaths: string[] }>; unixApi?: boolean } = {}): Promise<Kubo> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goroscope-kubo-'))
  const ipfsPath = path.join(dir, 'ipfs')
  const env = { ...process.env, IPFS_PATH: ipfsPath, IPFS_TELEMETRY: 'off', GOLOG_LOG_LEVEL: 'error' }
  const ipfs = (args: string[]) => execFileSync(IPFS_BIN, args, { env, encoding: 'utf8', timeout: 120_000 })
  ipfs(['init', '--profile=test'])
  const [apiPort, gwPort] = [await freePort(), await freePort()]
  ipfs(['config', 'Addresses.API', opts.unixApi ? `/unix${path.join(dir, 'api.sock')}` : `/ip4/127.0.0.1/tcp/${apiPort}`])
  ipfs(['config', 'Addresses.Gateway', `/ip4/127.0.0.1/tcp/${gwPort}`])
  ipfs(['config', '--json', 'Plugins.Plugins.telemetry.Disabled', 'true'])
  if (opts.authorizations) ipfs(['config', '--json', 'API.Authorizations', JSON.stringify(opts.authorizations)])
  const proc = spawn(IPFS_BIN, ['daemon', '--offline'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  proc.stdout!.on('data', (d) => (out += d))
  proc.stderr!.on('data', (d) => (out += d))
  const apiFile = path.join(ipfsPath, 'api')
  const deadline = Date.now() + 60_000
  while (!(fs.existsSync(apiFile) && out.includes('Daemon is ready'))) {
    if (proc.exitCode !== null) throw new Error(`ipfs daemon exited ${proc.exitCode}:\n${out}`)
    if (Date.now() > deadline) {
      proc.kill('SIGKILL')
      throw new Error(`ipfs daemon not ready after 60s:\n${out}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r))
      proc.kill('SIGTERM')
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(t)
    }
    fs.rmSync(dir, { recursive: true, force: true })
  }
  return { ipfsPath, api: fs.readFileSync(apiFile, 'utf8').trim(), env, proc, ipfs, stop }
}
