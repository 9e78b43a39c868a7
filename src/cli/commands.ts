// The command table: every goroscope command and the family module that implements it (a
// `Family`, family.ts). Family modules load only when one of their commands runs (or when yargs
// needs them all, for help and completion); their heavy imports (the native addon, Graphviz,
// yauzl) load inside the handlers.
import type { Family } from './family'

const FAMILIES: Record<string, () => Family> = {
  stacks: () => (require('./stacks') as typeof import('./stacks')).family,
  pprof: () => (require('./pprof') as typeof import('./pprof')).family,
  graph: () => (require('./graph') as typeof import('./graph')).family,
  symbolize: () => (require('./symbolize') as typeof import('./symbolize')).family,
  node: () => (require('./node') as typeof import('./node')).family,
  serve: () => (require('./serve') as typeof import('./serve')).family,
}

/** Command name → family, in the order `goroscope --help` lists them. */
export const COMMANDS: Record<string, keyof typeof FAMILIES> = {
  stacks: 'stacks',
  top: 'pprof',
  text: 'pprof',
  traces: 'pprof',
  tree: 'pprof',
  peek: 'pprof',
  list: 'pprof',
  disasm: 'pprof',
  weblist: 'pprof',
  raw: 'pprof',
  tags: 'pprof',
  comments: 'pprof',
  callgrind: 'pprof',
  proto: 'pprof',
  topproto: 'pprof',
  pprof: 'pprof',
  dot: 'graph',
  svg: 'graph',
  web: 'graph',
  flame: 'graph',
  symbolize: 'symbolize',
  collect: 'node',
  report: 'node',
  redact: 'node',
  vars: 'node',
  sys: 'node',
  serve: 'serve',
}

export function family(name: string): Family {
  return FAMILIES[name]()
}

/** Every family, each once, in table order. */
export function families(): Family[] {
  return [...new Set(Object.values(COMMANDS))].map(family)
}
