// A generated debug=2 goroutine dump of `n` goroutines over `stacks` distinct stacks (channel
// receives with waits of 0..29 minutes), written in 1 MiB chunks: the 1M-goroutine input of the
// explorer's paging test (__test__/serve.spec.ts) and bench/serve-paging.mjs.
import * as fs from 'node:fs'

export function writeMillionDump(file, n = 1_000_000, stacks = 2000) {
  const fd = fs.openSync(file, 'w')
  try {
    let buf = ''
    for (let i = 1; i <= n; i++) {
      const k = i % stacks
      buf += `goroutine ${i} [chan receive, ${k % 30} minutes]:\nmain.worker${k}(0xc000010000)\n\t/app/w.go:${k + 1} +0x25\ncreated by main.main in goroutine 1\n\t/app/main.go:10 +0x25\n\n`
      if (buf.length > 1 << 20) {
        fs.writeSync(fd, buf)
        buf = ''
      }
    }
    fs.writeSync(fd, buf)
  } finally {
    fs.closeSync(fd)
  }
}
