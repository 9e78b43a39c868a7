// The TypeScript import graph of src/: no cycles (type-only imports included), and every import
// goes down the layers README's Layout table names: the Node API (native, stacks, profile,
// symbolize, io, generated) ← bundle ← collect ← source | report-node ← render ← server ← cli, with index.ts (the
// public API) re-exporting beside cli; src/pages (browser code) imports nothing of ours. Imports are read with the TypeScript compiler's own
// pre-processor (static, dynamic `import()` and `require()` alike).
import test from 'ava'
import * as fs from 'node:fs'
import * as path from 'node:path'
import ts from 'typescript'

import { ROOT, walk } from './helpers'

const SRC = path.join(ROOT, 'src')

/** The layer of a module (a path relative to src/, `/`-separated). */
function layer(rel: string): string {
  const top = rel.split('/')[0]
  if (['bundle', 'collect', 'source', 'report-node', 'render', 'server', 'cli', 'pages'].includes(top)) return top
  if (rel === 'index.ts') return 'index'
  return 'api'
}

/** Which layers each layer may import. */
const ALLOWED: Record<string, string[]> = {
  // browser code, bundled into what the renderers write: it imports nothing of ours
  pages: ['pages'],
  api: ['api'],
  bundle: ['api', 'bundle'],
  collect: ['api', 'bundle', 'collect'],
  // remote sources: fetched with collect's HTTP and API discovery, sniffed and saved through the Node API
  source: ['api', 'collect', 'source'],
  'report-node': ['api', 'bundle', 'report-node'],
  render: ['api', 'bundle', 'report-node', 'render'],
  // the web UI's server (pprof -http): views over the API and the renderers, started by the CLI
  server: ['api', 'bundle', 'source', 'report-node', 'render', 'server'],
  cli: ['api', 'bundle', 'collect', 'source', 'report-node', 'render', 'server', 'cli'],
  index: ['api', 'bundle', 'collect', 'report-node', 'render'],
}

function resolve(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null // a package or node: builtin
  const base = path.resolve(path.dirname(from), spec)
  for (const c of [base + '.ts', path.join(base, 'index.ts'), base.replace(/\.js$/, '.ts')]) if (fs.existsSync(c)) return c
  // index.d.ts at the package root (the napi loader's types) is outside src/
  if (fs.existsSync(base + '.d.ts') || fs.existsSync(base + '.js')) return null
  throw new Error(`${path.relative(ROOT, from)}: cannot resolve ${spec}`)
}

function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>()
  for (const file of walk(SRC).filter((f) => f.endsWith('.ts'))) {
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true)
    const deps = info.importedFiles.map((i) => resolve(file, i.fileName)).filter((d): d is string => d !== null && d.startsWith(SRC + path.sep))
    g.set(path.relative(SRC, file).split(path.sep).join('/'), [...new Set(deps.map((d) => path.relative(SRC, d).split(path.sep).join('/')))])
  }
  return g
}

/** Every cycle found by a depth-first walk, each as the path that closes it. */
function cycles(g: Map<string, string[]>): string[][] {
  const out: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (n: string) => {
    state.set(n, 'open')
    stack.push(n)
    for (const d of g.get(n) ?? []) {
      if (state.get(d) === 'open') out.push([...stack.slice(stack.indexOf(d)), d])
      else if (!state.has(d)) visit(d)
    }
    stack.pop()
    state.set(n, 'done')
  }
  for (const n of [...g.keys()].sort()) if (!state.has(n)) visit(n)
  return out
}

test('src/ has no import cycle', (t) => {
  const g = graph()
  t.true(g.size > 40, `${g.size} modules read`)
  t.true(g.get('cli/main.ts')!.length > 0, 'imports are found')
  t.deepEqual(cycles(g).map((c) => c.join(' → ')), [])
})

test('src/ imports go down the layers only', (t) => {
  const wrong: string[] = []
  for (const [from, deps] of graph()) {
    for (const d of deps) if (!ALLOWED[layer(from)].includes(layer(d))) wrong.push(`${from} (${layer(from)}) imports ${d} (${layer(d)})`)
  }
  t.deepEqual(wrong, [])
})

test('the cycle finder finds a cycle', (t) => {
  const g = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a']],
    ['d', ['a']],
  ])
  t.deepEqual(cycles(g), [['a', 'b', 'c', 'a']])
})
