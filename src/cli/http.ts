// `goroscope pprof -http=[host]:port [-no_browser] [pprof flags] PROFILE…`: load the input once,
// serve the web UI (src/server) until interrupted, open it in the browser unless -no_browser.
import { isLoopback, parseListen } from '../server/host'
import { startServer } from '../server/index'
import { ViewSession } from '../server/session'
import { openInBrowser } from './browser'
import { UsageError } from './errors'
import { BINARY_FLAG, MAX_DECOMPRESSED_FLAG, MIN_WAIT_FLAG, type OwnFlag, splitFlags } from './flags'
import { say, warn } from './output'

export const HTTP_FLAG: OwnFlag = {
  name: 'http',
  spellings: ['-http'],
  withEquals: ['-http', '--http'],
  describe: 'serve the web UI on [host]:port (no host: 127.0.0.1 only)',
  value: { name: '[HOST]:PORT', missing: 'needs [host]:port, e.g. -http=:8080' },
}
export const NO_BROWSER: OwnFlag = { name: 'no_browser', spellings: ['-no_browser', '--no-browser'], describe: 'with -http: do not open a browser' }

export async function serve(args: string[]): Promise<number> {
  const { own, rest } = splitFlags(args, [HTTP_FLAG, NO_BROWSER, BINARY_FLAG, MAX_DECOMPRESSED_FLAG, MIN_WAIT_FLAG])
  let listen
  try {
    listen = parseListen(String(own.get('http')))
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  // URL and kubo API sources are fetched (and saved) first, as for every pprof command
  const { resolvePprofArgs } = require('./sources') as typeof import('./sources')
  const sources = await resolvePprofArgs(rest)
  const session = await ViewSession.open(sources, {
    binary: own.get('binary') as string | undefined,
    maxDecompressed: own.get('max-decompressed') as number | undefined,
    minWait: own.get('min-wait') as number | undefined,
  })
  // A first report checks the command line's own flags now, not at the first page view.
  for (const w of (await session.report(['-top', '-nodecount=1'])).warnings) warn(w)
  if (!isLoopback(listen.host)) warn(`warning: serving on ${listen.host}, reachable from other machines; anyone who can connect reads the profile`)
  const running = await startServer({ ...listen, session })
  const url = `${running.url}ui/`
  say(`Serving web UI on ${url}`)
  if (!own.has('no_browser') && !openInBrowser(url)) say('no browser to open: visit the address above')
  await new Promise<void>((resolve) => {
    const stop = () => running.close().then(resolve)
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  return 0
}
