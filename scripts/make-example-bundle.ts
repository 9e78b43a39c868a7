// Regenerate examples/kubo-bundle.tar.gz: a real kubo daemon (scripts/install-kubo.sh), kept busy
// adding random data while our own collector takes a 3-second bundle from it.
//   node --import=tsx scripts/make-example-bundle.ts
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import * as path from 'node:path'

import { IPFS_BIN, startKubo } from '../__test__/kubo'
import { collect } from '../src/collect/run'
import { discover } from '../src/collect/target'

const OUT = path.resolve(__dirname, '..', 'examples', 'kubo-bundle.tar.gz')

async function main() {
  const k = await startKubo()
  let busy = true
  const load = (async () => {
    while (busy) {
      await new Promise<void>((resolve) => {
        const p = spawn(IPFS_BIN, ['add', '-q', '--pin=false'], { env: k.env, stdio: ['pipe', 'ignore', 'ignore'] })
        p.on('exit', () => resolve())
        p.stdin.end(randomBytes(4 * 1024 * 1024))
      })
    }
  })()
  try {
    await new Promise((r) => setTimeout(r, 500))
    const target = { ...discover(undefined, k.env) }
    const r = await collect({ target, seconds: 3, output: OUT, toolVersion: require('../package.json').version })
    console.log(r.file, r.missing.length ? `missing ${r.missing.join(',')}` : 'complete')
  } finally {
    busy = false
    await load
    await k.stop()
  }
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
