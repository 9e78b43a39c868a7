// bench/addon-probe.cjs - preloaded (`node -r`) into one probe run of the CLI: at exit, prints the
// native addons the process loaded to stderr as `bench-addons: [...]`, so the bench can check that
// the CLI used its own release build and not the shared root `goroscope.linux-x64-gnu.node`.
'use strict'
process.on('exit', () => {
  let addons = []
  try {
    const maps = require('fs').readFileSync('/proc/self/maps', 'utf8')
    addons = [...new Set(maps.split('\n').map((l) => l.split(/\s+/).slice(5).join(' ')).filter((p) => p.endsWith('.node')))]
  } catch {}
  process.stderr.write(`bench-addons: ${JSON.stringify(addons)}\n`)
})
