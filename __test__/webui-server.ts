// The web UI served by the real CLI for the browser tests: `goroscope pprof -http=127.0.0.1:0
// -no_browser ARGS`, its address read from what it prints, its settings in a fresh config dir.
import { spawn, type ChildProcess } from 'node:child_process'
import * as path from 'node:path'

import { ROOT, tmpdir } from './helpers'

export interface Served {
  url: string
  child: ChildProcess
  config: string
}

/** Start `goroscope pprof -http=127.0.0.1:0 -no_browser ARGS` and wait for its address. */
export function serve(args: string[]): Promise<Served> {
  const config = tmpdir('goroscope-webui-config-')
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'goroscope.js'), 'pprof', '-http=127.0.0.1:0', '-no_browser', ...args], {
    env: { ...process.env, XDG_CONFIG_HOME: config, BROWSER: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    let err = ''
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString()
      const m = /Serving web UI on (http:\/\/127\.0\.0\.1:\d+\/)ui\//.exec(err)
      if (m) resolve({ url: m[1], child, config })
    })
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)))
  })
}

export function stop(s: Served): void {
  s.child.kill('SIGTERM')
}
