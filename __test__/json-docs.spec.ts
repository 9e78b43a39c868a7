// The JSON docs list every field the JSON emits: the JSON of every fixture (the dumps of
// fixtures/dumps and the corpus through `goroscope stacks --json`, the profiles through the pprof
// commands' `--json`, the example bundle through `report --json`, its manifest, plain and
// redacted) is walked against the field lists parsed from docs/stacks-json.md,
// docs/pprof-json.md and docs/report-json.md. A field emitted but not documented fails; so does
// a documented field that no fixture emits, unless it is listed below with the reason.
//
// How the docs are read: every ```jsonc block is an example object. The block under a doc's
// title is its root type (`stacks`, `pprof`, `report`); a block under `## Name` or `### Name…`
// defines the type Name. In a block, `//` comments are notes; `/* Name */` (alone in an array
// or an object, or as a value) refers to a type defined in one of the three docs (or to one of
// the ALIASES); `…` is a value left out; an elided array `[ … ]` has the elements of the array
// before it in the same object (`callees` like `callers`); an object with a key that is not an
// identifier (`"chan receive"`, `"<name>"`) is a map, its keys data. `null` may stand for any
// value being absent, so a documented field may also be emitted as null.
import test from 'ava'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

import type { Manifest } from '../src/bundle/manifest'
import { redactEntries } from '../src/bundle/redact'
import { readSource } from '../src/bundle/source'
import { tarGzip } from '../src/bundle/tar-write'
import { analyzeStacks, Profile, runPprof } from '../src/index'
import { goBuild } from './goprog'
import { cli, DUMPS, FIXTURE_DUMPS, ROOT, tmpdir, walk } from './helpers'

// ---- the docs' field lists

type Schema =
  | { kind: 'any' }
  | { kind: 'leaf' }
  | { kind: 'ref'; name: string }
  | { kind: 'array'; item: Schema }
  | { kind: 'map'; value: Schema; at: string }
  | { kind: 'object'; fields: Map<string, Schema>; at: string }

/** Types the docs refer to without a section of their own: where their shape is given. */
const ALIASES: Record<string, string> = {
  Frame: 'Group.frames[]',
  ClassCount: 'stacks.classes[]',
  TopRow: 'pprof.top[]',
}

/** jsonc → JSON: comments dropped, `/* Name *\/` → "$ref:Name", bare `…` → "$any", trailing commas dropped. */
export function jsoncToJSON(src: string): string {
  let out = ''
  for (let i = 0; i < src.length; ) {
    if (src[i] === '"') {
      let j = i + 1
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1
      out += src.slice(i, j + 1)
      i = j + 1
    } else if (src.startsWith('//', i)) {
      const nl = src.indexOf('\n', i)
      i = nl < 0 ? src.length : nl
    } else if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i)
      if (end < 0) throw new Error(`unclosed /* at ${i}`)
      const body = src.slice(i + 2, end).trim()
      out += /^[A-Z]\w*$/.test(body) ? `"$ref:${body}"` : ''
      i = end + 2
    } else if (src[i] === '…') {
      out += '"$any"'
      i++
    } else out += src[i++]
  }
  return out.replace(/\{\s*("\$(?:ref:\w+|any)")\s*\}/g, '$1').replace(/,(\s*[}\]])/g, '$1')
}

function schemaOf(v: unknown, at: string): Schema {
  if (v === '$any') return { kind: 'any' }
  if (typeof v === 'string' && v.startsWith('$ref:')) return { kind: 'ref', name: v.slice(5) }
  if (Array.isArray(v)) {
    const items = v.map((x) => schemaOf(x, `${at}[]`))
    return { kind: 'array', item: items.length ? merge(items) : { kind: 'any' } }
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v)
    if (entries.some(([k]) => !/^[A-Za-z_$][\w$]*$/.test(k))) return { kind: 'map', value: merge(entries.map(([, x]) => schemaOf(x, `${at}{}`))), at }
    const fields = new Map<string, Schema>()
    let lastArray: Schema | undefined
    for (const [k, x] of entries) {
      let s = schemaOf(x, `${at}.${k}`)
      if (s.kind === 'array' && s.item.kind === 'any' && Array.isArray(x) && x[0] === '$any' && lastArray) s = lastArray
      if (s.kind === 'array') lastArray = s
      fields.set(k, s)
    }
    return { kind: 'object', fields, at }
  }
  return { kind: 'leaf' }
}

function merge(list: Schema[]): Schema {
  const objects = list.filter((s): s is Extract<Schema, { kind: 'object' }> => s.kind === 'object')
  if (objects.length > 1) {
    const fields = new Map<string, Schema>()
    for (const o of objects) for (const [k, s] of o.fields) if (!fields.has(k)) fields.set(k, s)
    return { kind: 'object', fields, at: objects[0].at }
  }
  return list.find((s) => s.kind !== 'any' && s.kind !== 'leaf') ?? list[0]
}

/** A table row's type (`string`, `Name[]`, `Record<string, number>`, `… or null`) as a schema. */
function tableType(text: string): Schema {
  const t = text.replace(/`/g, '').replace(/ or null$/, '').trim()
  if (t.endsWith('[]')) return { kind: 'array', item: tableType(t.slice(0, -2)) }
  if (/^Record<string, /.test(t)) return { kind: 'map', value: tableType(t.slice(15, -1)), at: t }
  if (t === 'string' || t === 'number' || t === 'boolean') return { kind: 'leaf' }
  return { kind: 'ref', name: t }
}

/**
 * The types of a generated field reference (`## Field reference`, as scripts/gen-stacks-json.mjs
 * writes it): one `### Name` section per type, a table of `| \`field\` | type | … |` rows for an
 * object, a list of `- \`value\`` items for a string from a list. The first section is the root.
 */
function parseFieldReference(lines: string[], root: string): Map<string, Schema> {
  const types = new Map<string, Schema>()
  let name: string | undefined
  for (const line of lines) {
    const h = /^### (\w+)/.exec(line)
    if (h) {
      name = h[1]
      types.set(name, { kind: 'leaf' }) // a list of values, unless rows follow
      if (types.size === 1) types.set(root, { kind: 'ref', name })
      continue
    }
    const row = /^\| `(\w+)` \| ([^|]+) \|/.exec(line)
    if (!row || !name) continue
    let t = types.get(name)!
    if (t.kind !== 'object') types.set(name, (t = { kind: 'object', fields: new Map(), at: name }))
    t.fields.set(row[1], tableType(row[2]))
  }
  return types
}

/**
 * The types of one doc: its root (named `root`) and one per titled section with a jsonc block —
 * or, for a doc with a generated field reference, the reference's tables (its jsonc blocks are
 * then examples only).
 */
export function parseDoc(markdown: string, root: string): Map<string, Schema> {
  const ref = markdown.split('\n')
  const at = ref.indexOf('## Field reference')
  if (at >= 0) return parseFieldReference(ref.slice(at + 1), root)
  const types = new Map<string, Schema>()
  let section = root
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const h = /^(#{1,3}) (.*)$/.exec(lines[i])
    if (h) {
      section = h[1] === '#' ? root : (/[A-Za-z]\w*/.exec(h[2].replace(/`/g, '')) ?? [root])[0]
      continue
    }
    if (lines[i].trim() !== '```jsonc') continue
    const end = lines.indexOf('```', i + 1)
    if (end < 0) throw new Error(`${root}: unclosed jsonc block at line ${i + 1}`)
    const text = lines.slice(i + 1, end).join('\n')
    let v: unknown
    try {
      v = JSON.parse(jsoncToJSON(text))
    } catch (e) {
      throw new Error(`${root} doc, block at line ${i + 1} (section ${section}) does not parse: ${(e as Error).message}`)
    }
    if (types.has(section)) throw new Error(`${root} doc: two jsonc blocks for ${section}`)
    types.set(section, schemaOf(v, section))
    i = end
  }
  return types
}

class Docs {
  readonly types = new Map<string, Schema>()
  readonly documented = new Set<string>()
  readonly seen = new Set<string>()
  readonly problems: string[] = []

  constructor(docs: [markdown: string, root: string][]) {
    for (const [markdown, root] of docs) for (const [k, s] of parseDoc(markdown, root)) this.types.set(k, s)
    for (const s of this.types.values()) this.collect(s)
  }

  private collect(s: Schema): void {
    if (s.kind === 'object')
      for (const [k, f] of s.fields) {
        this.documented.add(`${s.at}.${k}`)
        this.collect(f)
      }
    else if (s.kind === 'array') this.collect(s.item)
    else if (s.kind === 'map') this.collect(s.value)
  }

  resolve(name: string): Schema {
    const t = this.types.get(name)
    if (t) return t
    const alias = ALIASES[name]
    if (!alias) throw new Error(`the docs refer to ${name}, which no doc defines`)
    const [type, ...rest] = alias.split('.')
    let s = this.resolve(type)
    for (const part of rest) {
      const field = part.replace(/\[\]$/, '')
      if (s.kind !== 'object' || !s.fields.has(field)) throw new Error(`alias ${name}: ${alias} is not in the docs`)
      s = s.fields.get(field)!
      if (part.endsWith('[]')) {
        if (s.kind !== 'array') throw new Error(`alias ${name}: ${field} is not an array`)
        s = s.item
      }
    }
    return s
  }

  /** Walk an emitted value against a type; `where` names the value for the messages. */
  check(v: unknown, s: Schema, where: string): void {
    if (s.kind === 'ref') return this.check(v, this.resolve(s.name), where)
    if (s.kind === 'any' || v === null || v === undefined) return
    if (Array.isArray(v)) {
      if (s.kind !== 'array') return void this.problems.push(`${where}: an array where the docs show a ${s.kind}`)
      for (const x of v) this.check(x, s.item, `${where}[]`)
      return
    }
    if (typeof v === 'object') {
      if (s.kind === 'map') {
        for (const [k, x] of Object.entries(v)) this.check(x, s.value, `${where}.${k}`)
        return
      }
      if (s.kind !== 'object') return void this.problems.push(`${where}: an object where the docs show a ${s.kind}`)
      for (const [k, x] of Object.entries(v)) {
        const f = s.fields.get(k)
        if (!f) {
          this.problems.push(`${where}.${k}: emitted, not documented (${s.at})`)
          continue
        }
        this.seen.add(`${s.at}.${k}`)
        this.check(x, f, `${where}.${k}`)
      }
      return
    }
    if (s.kind !== 'leaf') this.problems.push(`${where}: a ${typeof v} where the docs show a ${s.kind}`)
  }
}

/** Documented fields no fixture emits, and why that is fine. */
const NEVER_EMITTED_HERE: Record<string, string> = {}

// ---- what the JSON emits

const PROFILES = path.join(ROOT, 'fixtures', 'profiles')
const EXAMPLE = path.join(ROOT, 'examples', 'kubo-bundle.tar.gz')
const KINDS = ['-top', '-tree', '-traces', '-tags', '-comments', '-raw', '-peek=.', '-dot', '-list=main\\.', '-callgrind']

function json(r: { status: number | null; stdout: string; stderr: string }, what: string): unknown {
  if (r.status !== 0) throw new Error(`${what}: exit ${r.status}: ${r.stderr}`)
  return JSON.parse(r.stdout)
}

test('every field the JSON emits is documented, and every documented field is emitted', async (t) => {
  const doc = (f: string) => fs.readFileSync(path.join(ROOT, 'docs', f), 'utf8')
  const docs = new Docs([
    [doc('stacks-json.md'), 'stacks'],
    [doc('pprof-json.md'), 'pprof'],
    [doc('report-json.md'), 'report'],
  ])
  t.true(docs.documented.size > 150, `${docs.documented.size} documented fields`)

  // dumps: every fixture and corpus dump (the CLI for the fixtures, the API's same object for the corpus)
  const dumps = walk(FIXTURE_DUMPS).filter((f) => f.endsWith('.txt'))
  for (const f of dumps) docs.check(json(cli(['stacks', f, '--json']), f), docs.resolve('stacks'), path.basename(f))
  docs.check(json(cli(['stacks', dumps[0], '--json', '--diff', dumps[1]]), 'diff'), docs.resolve('stacks'), 'diff')
  let corpus = 0
  for (const f of walk(DUMPS).filter((f) => f.endsWith('.txt'))) {
    const r = await analyzeStacks(f).catch(() => null) // the corpus has inputs that are errors on purpose
    if (r) docs.check(r.toJSON(), docs.resolve('stacks'), path.relative(DUMPS, f)), corpus++
  }
  t.true(corpus > 40, `${corpus} corpus dumps`)

  // profiles: every report kind of every fixture profile
  const profiles = fs.readdirSync(PROFILES).filter((f) => /\.pb\.gz$|-debug\d\.txt$/.test(f))
  t.true(profiles.length > 10)
  for (const f of profiles) {
    for (const kind of KINDS) {
      const r = await runPprof([kind, path.join(PROFILES, f)]).catch(() => null)
      if (r) docs.check(r.toJSON(), docs.resolve('pprof'), `${f} ${kind}`)
    }
  }
  docs.check(json(cli(['top', path.join(PROFILES, 'go126-cpu.pb.gz'), '--json']), 'top --json'), docs.resolve('pprof'), 'top --json')
  // -output (Node API): the report names the file it wrote
  const outDir = tmpdir()
  const written = await runPprof(['-top', `-output=${path.join(outDir, 'top.txt')}`, path.join(PROFILES, 'go126-cpu.pb.gz')])
  t.true(fs.existsSync(path.join(outDir, 'top.txt')))
  docs.check(written.toJSON(), docs.resolve('pprof'), '-output')
  // a dump read as a profile has string labels (state, wait)
  const asProfile = await Profile.fromStacks(path.join(FIXTURE_DUMPS, 'go126-debug2-minutes.txt'))
  for (const kind of KINDS) docs.check((await asProfile.report([kind])).toJSON(), docs.resolve('pprof'), `dump as profile ${kind}`)

  // the example bundle: report, vars, sys; its manifest, plain and redacted
  const report = json(cli(['report', EXAMPLE, '--json']), 'report') as Record<string, unknown>
  docs.check(report, docs.resolve('report'), 'report')
  const src = await readSource(EXAMPLE)
  const manifest = JSON.parse(src.entries.find((e) => e.name === 'manifest.json')!.data.toString('utf8'))
  docs.check(manifest, docs.resolve('Manifest'), 'manifest.json')
  const redacted = (await redactEntries(src.entries)).manifest
  t.truthy(redacted?.redaction)
  docs.check(redacted, docs.resolve('Manifest'), 'redacted manifest.json')
  // a bundle whose collection failed in part, with an entry that is refused
  const partial: Manifest = structuredClone(manifest)
  partial.complete = false
  partial.items[0] = { ...partial.items[0], status: 'failed', error: 'GET /debug/pprof/heap: HTTP 500', file: null, size: null, sha256: null }
  partial.items[1] = { ...partial.items[1], status: 'skipped', error: 'kubo only', file: null, size: null, sha256: null }
  const files = src.entries.map((e) => (e.name === 'manifest.json' ? { name: e.name, data: Buffer.from(JSON.stringify(partial)) } : e))
  const bundle = path.join(tmpdir(), 'partial.tar.gz')
  fs.writeFileSync(bundle, await tarGzip([...files, { name: '../evil', data: Buffer.from('x') }]))
  const rp = json(cli(['report', bundle, '--json']), 'report partial') as { collection: { failed: unknown[] }; skipped: unknown[] }
  t.true(rp.collection.failed.length > 0 && rp.skipped.length > 0)
  docs.check(rp, docs.resolve('report'), 'partial report')

  // weblist with the binary: its lines carry their instructions (a CPU profile of the fixture program)
  const binary = goBuild({ pkg: 'symbolize', go: 'go126', flags: [] })
  const cpu = path.join(tmpdir(), 'weblist.pprof')
  execFileSync(binary, ['-o', cpu, '-cpu', '1s'], { stdio: 'ignore' })
  const wl = json(cli(['pprof', '-weblist=main\\.', '--binary', binary, cpu, '--json']), 'weblist --binary') as { list: Array<{ lines: Array<{ instructions: unknown[] }> }> }
  t.true(wl.list.some((b) => b.lines.some((l) => l.instructions.length > 0)), 'weblist lines with instructions')
  docs.check(wl, docs.resolve('pprof'), 'weblist --binary')

  t.deepEqual(docs.problems, [])
  const unseen = [...docs.documented].filter((f) => !docs.seen.has(f) && !NEVER_EMITTED_HERE[f]).sort()
  t.deepEqual(unseen, [], 'documented, never emitted by a fixture')
})

test('the docs parser: refs, elided values and arrays, maps, trailing commas', (t) => {
  t.deepEqual(JSON.parse(jsoncToJSON('{ "a": [ /* Group */ ], "b": …, // note\n "c": { /* Lock */ }, "d": [ … ], "e": "x//y", }')), {
    a: ['$ref:Group'],
    b: '$any',
    c: '$ref:Lock',
    d: ['$any'],
    e: 'x//y',
  })
  const types = parseDoc('# T\n\n```jsonc\n{ "m": { "chan receive": 1 }, "xs": [ { "k": 1 } ], "ys": [ … ] }\n```\n\n## Item\n\n```jsonc\n{ "n": 1 }\n```\n', 'root')
  t.deepEqual([...types.keys()], ['root', 'Item'])
  const root = types.get('root') as Extract<Schema, { kind: 'object' }>
  t.is(root.fields.get('m')!.kind, 'map')
  t.is(root.fields.get('ys'), root.fields.get('xs'))
  t.throws(() => parseDoc('# T\n```jsonc\n{ "a": }\n```\n', 'root'), { message: /block at line 2 .* does not parse/ })
  const docs = new Docs([['# T\n\n```jsonc\n{ "xs": [ /* Item */ ], "m": { "<k>": 1 } }\n```\n\n## Item\n\n```jsonc\n{ "n": 1, "o": null }\n```\n', 'root']])
  docs.check({ xs: [{ n: 2, extra: true }], m: { any: 3 } }, docs.resolve('root'), 'x')
  t.deepEqual(docs.problems, ['x.xs[].extra: emitted, not documented (Item)'])
  t.deepEqual([...docs.documented].filter((f) => !docs.seen.has(f)), ['Item.o'])
})
