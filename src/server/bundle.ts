// `goroscope serve` for bundles and several inputs: the index page of every input given, the
// node summary of each bundle, and the pprof web UI of each profile a bundle holds. A bundle is
// read once: the node report is the one `goroscope report --json` prints (analyzeSource), and
// each profile (already loaded by the classification) gets its own ViewSession, whose web UI
// (index.ts `routes`) is mounted at `/bundle/N/profile/K/` (its page asks for paths relative to
// itself). The goroutine dumps of every input are the explorer's (explorer.ts). Routes:
// `/` the index, `/bundle/N/` the node summary, `/assets/…` their bundled script and style,
// `/api/inputs` and `/api/bundle?bundle=N`. Nothing reads a file named by a request.
import * as fs from 'node:fs'
import * as path from 'node:path'

import type { Classified } from '../bundle/classify'
import { packageRoot } from '../render/assets'
import { analyzeSource, type NodeReport } from '../report-node/analyze'
import type { DumpInput } from './explorer'
import { routes } from './index'
import { ParamError } from './params'
import { redirect, type Router } from './router'
import { ViewSession } from './session'
import type { Answer } from './views'

const JSON_TYPE = 'application/json; charset=utf-8'
const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"

/** One profile of a bundle, served by its own web UI. */
export interface BundleProfile {
  file: string
  profileType: string
  detail: string
  session: ViewSession
}

/** A bundle given to `goroscope serve`: its node report and its profiles. */
export class BundleInput {
  private constructor(
    readonly name: string,
    readonly report: NodeReport,
    readonly profiles: BundleProfile[],
    /** The bundle's goroutine dumps, as explorer inputs. */
    readonly dumps: DumpInput[],
  ) {}

  /** Read `file` once: the report `goroscope report --json` prints, and every profile it holds loaded. */
  static async open(file: string, dumpsOf: (files: Classified[]) => Promise<DumpInput[]>): Promise<BundleInput> {
    const { report, files } = await analyzeSource(file, { keepFiles: true })
    const name = path.basename(file)
    const profiles = files
      .filter((c) => c.kind === 'profile' && c.profile)
      .map((c) => ({ file: c.name, profileType: c.profileType ?? 'other', detail: c.detail, session: ViewSession.of(c.profile!, `${name}:${c.name}`) }))
    return new BundleInput(name, report, profiles, await dumpsOf(files))
  }
}

/** A command-line input of `goroscope serve`: a dump, or a bundle. */
export type ServeInput = { kind: 'dump'; name: string; dump: DumpInput } | { kind: 'bundle'; name: string; bundle: BundleInput }

function asset(file: string): string {
  return fs.readFileSync(path.join(packageRoot(), 'dist', 'pages', file), 'utf8')
}

const json = (v: unknown): Answer => ({ status: 200, type: JSON_TYPE, body: JSON.stringify(v) })

/**
 * Add the index, the node summaries and the profiles' web UIs to `r` (the explorer's router,
 * whose inputs are `explorer`, every dump in command-line order). `settings`: pprof's
 * settings.json for the web UIs.
 */
export function serveRoutes(r: Router, inputs: ServeInput[], explorer: DumpInput[], settings?: string): Router {
  const bundles = inputs.flatMap((i) => (i.kind === 'bundle' ? [i.bundle] : []))
  const html = (file: string) => {
    const body = asset(file)
    return () => ({ status: 200, type: 'text/html; charset=utf-8', body, headers: { 'Content-Security-Policy': PAGE_CSP } })
  }
  r.get('/', html('index.html'))
  for (const [file, type] of [
    ['index.js', 'text/javascript'],
    ['index.css', 'text/css'],
    ['node.js', 'text/javascript'],
    ['node.css', 'text/css'],
  ] as const) {
    const body = asset(file)
    r.get(`/assets/${file}`, () => ({ status: 200, type: `${type}; charset=utf-8`, body }))
  }
  const inputOf = (d: DumpInput) => explorer.indexOf(d)
  r.get('/api/inputs', () =>
    json(
      inputs.map((i) =>
        i.kind === 'dump'
          ? { kind: 'dump', name: i.name, goroutines: i.dump.dump.goroutines, explorer: [inputOf(i.dump)], base: i.dump.baseName }
          : {
              kind: 'bundle',
              name: i.name,
              bundle: bundles.indexOf(i.bundle),
              node: i.bundle.report.node,
              explorer: i.bundle.dumps.map(inputOf),
              dumps: i.bundle.dumps.map((d) => d.name),
              profiles: i.bundle.profiles.map((p) => ({ file: p.file, profileType: p.profileType })),
            },
      ),
    ),
  )
  r.get('/api/bundle', (u) => {
    const v = u.searchParams.get('bundle') ?? ''
    if (!/^\d{1,6}$/.test(v) || Number(v) >= bundles.length) throw new ParamError(`bundle must be 0..${bundles.length - 1}, not ${JSON.stringify(v)}`)
    const b = bundles[Number(v)]
    return json({
      name: b.name,
      report: b.report,
      profiles: b.profiles.map((p) => ({ file: p.file, profileType: p.profileType, detail: p.detail })),
      dumps: b.dumps.map((d) => ({ name: d.name, input: inputOf(d), goroutines: d.dump.goroutines })),
    })
  })
  const node = html('node.html')
  bundles.forEach((b, n) => {
    r.get(`/bundle/${n}`, () => redirect(`/bundle/${n}/`))
    r.get(`/bundle/${n}/`, node)
    b.profiles.forEach((p, k) => r.mount(`/bundle/${n}/profile/${k}`, routes({ host: '', port: 0, session: p.session, settings })))
  })
  return r
}
