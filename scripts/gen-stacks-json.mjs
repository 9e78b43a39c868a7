#!/usr/bin/env node
// Generate the JSON side of the findings contract from schema/stacks.fbs:
//   src/generated/stacks-json.ts  the TypeScript JSON types, their readers over flatc's
//                                 accessors, and the lazy view of the root table;
//   docs/stacks-json.md           the field reference between its `fields:` markers (the rest of
//                                 the page is hand-written and kept as it is).
// The JSON rules and the attributes that change them are described at the top of the schema.
//
// Usage: node scripts/gen-stacks-json.mjs [OUT]   (OUT defaults to the repository; the
// freshness test in __test__/generated.spec.ts writes to a temporary OUT and compares).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const SCHEMA = 'schema/stacks.fbs'
const TS_OUT = 'src/generated/stacks-json.ts'
const DOC = 'docs/stacks-json.md'
const BEGIN = '<!-- fields: generated from schema/stacks.fbs by scripts/gen-stacks-json.mjs; do not edit below -->'
const END = '<!-- fields: end -->'

// ---------------------------------------------------------------------------------------------
// The schema: the subset of the FlatBuffers grammar stacks.fbs uses.
//   schema := { `attribute` string `;` | `namespace` name `;` | enum | struct | table | `root_type` name `;` }
//   enum   := docs `enum` Name `:` type `{` { docs Value [`,`] } `}`
//   struct := docs `struct` Name `{` { docs field } `}`        table := docs `table` Name `{` { docs field } `}`
//   field  := name `:` (type | `[` type `]`) [ `=` value ] [ `(` attr [`:` value] { `,` attr [`:` value] } `)` ] `;`
// `///` lines before an item are its documentation; `//` comments are dropped.

function tokenize(src) {
  const toks = []
  const re = /\s+|\/\/\/([^\n]*)|\/\/[^\n]*|"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_.]*)|(-?[0-9][0-9.]*)|([{}()[\]:;,=])/gy
  let m
  let docs = []
  while (re.lastIndex < src.length) {
    const at = re.lastIndex
    if (!(m = re.exec(src))) throw new Error(`${SCHEMA}: cannot read at offset ${at}: ${JSON.stringify(src.slice(at, at + 20))}`)
    if (m[1] !== undefined) docs.push(m[1].trim())
    else if (m[2] !== undefined) toks.push({ s: m[2], docs }), (docs = [])
    else if (m[3] !== undefined || m[4] !== undefined || m[5] !== undefined) toks.push({ t: m[3] ?? m[4] ?? m[5], docs }), (docs = [])
  }
  return toks
}

function parseSchema(src) {
  const toks = tokenize(src)
  let i = 0
  const peek = () => toks[i]?.t
  const next = () => toks[i++]
  const expect = (t) => {
    const k = next()
    if (k?.t !== t) throw new Error(`${SCHEMA}: expected \`${t}\`, found \`${k?.t ?? k?.s ?? 'end of file'}\``)
    return k
  }
  const schema = { enums: new Map(), structs: new Map(), tables: new Map(), root: null }
  while (i < toks.length) {
    const k = next()
    if (k.t === 'attribute') next(), expect(';')
    else if (k.t === 'namespace') next(), expect(';')
    else if (k.t === 'root_type') (schema.root = next().t), expect(';')
    else if (k.t === 'enum') {
      const name = next().t
      expect(':'), next(), expect('{')
      const values = []
      while (peek() !== '}') {
        const v = next()
        values.push({ name: v.t, doc: v.docs.join(' ') })
        if (peek() === ',') next()
      }
      expect('}')
      schema.enums.set(name, { name, doc: k.docs.join(' '), values })
    } else if (k.t === 'struct' || k.t === 'table') {
      const name = next().t
      expect('{')
      const fields = []
      while (peek() !== '}') fields.push(parseField())
      expect('}')
      ;(k.t === 'struct' ? schema.structs : schema.tables).set(name, { name, doc: k.docs.join(' '), fields })
    } else throw new Error(`${SCHEMA}: unexpected \`${k.t ?? k.s}\``)
  }
  return schema

  function parseField() {
    const n = next()
    expect(':')
    let vector = false
    let type
    if (peek() === '[') next(), (type = next().t), expect(']'), (vector = true)
    else type = next().t
    let def
    if (peek() === '=') next(), (def = next().t)
    const attrs = {}
    if (peek() === '(') {
      next()
      while (peek() !== ')') {
        const a = next().t
        attrs[a] = true
        if (peek() === ':') next(), (attrs[a] = next().s)
        if (peek() === ',') next()
      }
      next()
    }
    expect(';')
    return { name: n.t, type, vector, optional: def === 'null', attrs, doc: n.docs.join(' ') }
  }
}

// ---------------------------------------------------------------------------------------------
// Names, as flatc's TypeScript generator spells accessors, and as the JSON spells keys.

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())
const RESERVED = new Set(['function', 'class', 'delete', 'default', 'new', 'return', 'switch', 'case', 'var', 'let', 'const', 'this', 'in', 'of', 'do', 'if', 'for', 'while', 'with', 'void', 'typeof', 'instanceof', 'catch', 'finally', 'throw', 'try', 'break', 'continue', 'export', 'import', 'extends', 'super', 'enum', 'yield', 'await', 'static', 'package', 'private', 'protected', 'public', 'interface', 'implements'])
const accessor = (s) => (RESERVED.has(camel(s)) ? camel(s) + '_' : camel(s))
const lowerFirst = (s) => s[0].toLowerCase() + s.slice(1)
const upperFirst = (s) => s[0].toUpperCase() + s.slice(1)
const INT64 = new Set(['ulong', 'long', 'uint64', 'int64'])
const NUMBER = new Set(['ubyte', 'byte', 'ushort', 'short', 'uint', 'int', 'float', 'double', 'uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64'])

/** The JSON fields of table `t`, in order: plain fields, and `json_object` groups in place of their first member. */
function jsonFields(schema, t) {
  const out = []
  for (const f of t.fields) {
    if (f.attrs.json_skip) continue
    if (f.attrs.json_object) {
      const [obj, key] = f.attrs.json_object.split('.')
      let g = out.find((x) => x.object === obj)
      if (!g) out.push((g = { object: obj, key: obj, members: [] }))
      g.members.push({ key, field: f })
      continue
    }
    out.push({ key: camel(f.name), field: f })
  }
  return out
}

/** A field's TypeScript type in the JSON form. */
function tsType(schema, f) {
  if (f.attrs.json_map) {
    const [, v] = f.attrs.json_map.split('=')
    const vt = schema.tables.get(f.type).fields.find((x) => x.name === v)
    return `Record<string, ${tsType(schema, vt)}>`
  }
  let t
  if (f.type === 'string') t = 'string'
  else if (f.type === 'bool') t = 'boolean'
  else if (INT64.has(f.type)) t = f.attrs.hex ? 'string' : 'number'
  else if (NUMBER.has(f.type)) t = 'number'
  else if (schema.enums.has(f.type) || schema.tables.has(f.type)) t = f.type
  else throw new Error(`${SCHEMA}: field ${f.name}: unknown type ${f.type}`)
  if (f.vector) return `${t}[]` + (f.attrs.json_null_unless ? ' | null' : '')
  const nullable = f.optional || f.attrs.nullable || schema.tables.has(f.type)
  return nullable ? `${t} | null` : t
}

/** An expression reading one (non-vector) value `v` of field `f` into its JSON form. */
function readValue(schema, f, v) {
  if (f.type === 'string') return f.attrs.nullable || f.vector ? v : `${v} ?? ''`
  if (INT64.has(f.type)) {
    if (f.attrs.hex) return `'0x' + ${v}.toString(16)`
    return f.optional ? `nullOrNumber(${v})` : `Number(${v})`
  }
  if (schema.enums.has(f.type)) return `${enumReader(f.type)}(${v})`
  if (schema.tables.has(f.type)) return `read${f.type}(${v})`
  return v
}

const enumReader = (name) => `read${name}`
const constName = (name) => name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase() + '_NAMES'

// ---------------------------------------------------------------------------------------------
// TypeScript

function jsdoc(doc, indent = '') {
  return doc ? `${indent}/** ${doc.replace(/\*\//g, '*\\/')} */\n` : ''
}

function genTs(schema) {
  const root = schema.root
  let out = `// automatically generated by scripts/gen-stacks-json.mjs from schema/stacks.fbs, do not modify
//
// The JSON form of the findings (docs/stacks-json.md): one type and one reader per table of the
// schema, over the accessors flatc generates (./goroscope/stacks), and ${root}View, the lazy
// view of the root table.

import * as fb from './goroscope/stacks'

const nullOrNumber = (v: bigint | null): number | null => (v === null ? null : Number(v))

function vec<F, T>(n: number, at: (i: number) => F, read: (f: F) => T): T[] {
  const out = new Array<T>(n)
  for (let i = 0; i < n; i++) out[i] = read(at(i))
  return out
}
`
  if ([...schema.tables.values()].some((t) => t.fields.some((f) => f.attrs.json_map))) {
    out += `
function map<F, V>(n: number, at: (i: number) => F, key: (f: F) => string, value: (f: F) => V): Record<string, V> {
  const out: Record<string, V> = {}
  for (let i = 0; i < n; i++) {
    const f = at(i)
    out[key(f)] = value(f)
  }
  return out
}
`
  }
  for (const e of schema.enums.values()) {
    const names = e.values.map((v) => `'${lowerFirst(v.name)}'`)
    const last = e.values[e.values.length - 1]
    out += `\n${jsdoc(e.doc)}export type ${e.name} = ${names.join(' | ')}\n`
    out += `const ${constName(e.name)}: Record<fb.${e.name}, ${e.name}> = {\n`
    for (const v of e.values) out += `  [fb.${e.name}.${v.name}]: '${lowerFirst(v.name)}',\n`
    out += `}\n`
    out += `/** The JSON name of a \`${e.name}\` (an unknown value reads as \`${lowerFirst(last.name)}\`). */\n`
    out += `export function ${enumReader(e.name)}(v: fb.${e.name}): ${e.name} {\n  return ${constName(e.name)}[v] ?? '${lowerFirst(last.name)}'\n}\n`
  }
  for (const t of schema.tables.values()) {
    if (t.name === root) continue
    const fields = jsonFields(schema, t)
    out += `\n${jsdoc(t.doc)}export interface ${t.name} {\n`
    for (const j of fields) {
      if (j.object) out += `${jsdoc(objectDoc(j), '  ')}  ${j.key}: ${upperFirst(j.object)} | null\n`
      else out += `${jsdoc(j.field.doc, '  ')}  ${j.key}: ${tsType(schema, j.field)}\n`
    }
    out += `}\n`
    for (const j of fields.filter((j) => j.object)) {
      out += `\n/** \`${t.name}.${j.key}\` */\nexport interface ${upperFirst(j.object)} {\n`
      for (const m of j.members) out += `${jsdoc(m.field.doc, '  ')}  ${m.key}: number\n`
      out += `}\n`
    }
    out += `\nexport function read${t.name}(t: fb.${t.name}): ${t.name} {\n`
    const locals = []
    const props = fields.map((j) => `    ${j.key}: ${readField(schema, t, j, 't', locals)},`)
    out += locals.map((l) => `  ${l}\n`).join('')
    out += `  return {\n${props.join('\n')}\n  }\n}\n`
  }
  out += genView(schema, schema.tables.get(root))
  return out
}

/** The doc of a `json_object` group: what it holds, and when it is null. */
function objectDoc(j) {
  const keys = j.members.map((m) => `\`${m.key}\``)
  const all = keys.length === 2 ? 'both are' : 'all are'
  return `${keys.slice(0, -1).join(', ')} and ${keys[keys.length - 1]} (\`${upperFirst(j.object)}\`); null unless ${all} set`
}

/** The expression of JSON field `j` of table `t` read from `src` (`locals` collects `const`s it needs). */
function readField(schema, t, j, src, locals) {
  if (j.object) {
    const names = j.members.map((m) => camel(m.field.name))
    for (const m of j.members) locals.push(`const ${camel(m.field.name)} = ${src}.${accessor(m.field.name)}()`)
    const test = names.map((n) => `${n} === null`).join(' || ')
    return `${test} ? null : { ${j.members.map((m, k) => `${m.key}: ${names[k]}`).join(', ')} }`
  }
  const f = j.field
  const acc = `${src}.${accessor(f.name)}`
  let e
  if (f.attrs.json_map) {
    const [k, v] = f.attrs.json_map.split('=')
    const mt = schema.tables.get(f.type)
    const kf = mt.fields.find((x) => x.name === k)
    const vf = mt.fields.find((x) => x.name === v)
    e = `map(${acc}Length(), (i) => ${acc}(i)!, (x) => ${readValue(schema, kf, `x.${accessor(k)}()`)}, (x) => ${readValue(schema, vf, `x.${accessor(v)}()`)})`
  } else if (f.vector) {
    if (schema.tables.has(f.type)) {
      const o = `${camel(f.name)}Obj`
      locals.push(`const ${o} = new fb.${f.type}()`)
      e = `vec(${acc}Length(), (i) => ${acc}(i, ${o})!, read${f.type})`
    } else {
      const one = f.type === 'string' ? `${acc}(i)` : `${acc}(i)!`
      e = `vec(${acc}Length(), (i) => ${one}, (x) => ${readValue(schema, { ...f, vector: f.type === 'string', optional: false }, 'x')})`
    }
  } else if (schema.tables.has(f.type)) {
    const l = camel(f.name)
    locals.push(`const ${l} = ${acc}()`)
    e = `${l} ? read${f.type}(${l}) : null`
  } else e = readValue(schema, f, `${acc}()`)
  if (f.attrs.json_null_unless) e = `${src}.${accessor(f.attrs.json_null_unless)}() ? ${e} : null`
  return e
}

function genView(schema, t) {
  const fields = jsonFields(schema, t)
  let out = `\n${jsdoc(`${t.doc} The plain JSON object (\`${t.name}View.toJSON()\`).`)}export interface ${t.name}JSON {\n`
  for (const j of fields) out += `${jsdoc(j.field.doc, '  ')}  ${j.key}: ${tsType(schema, j.field)}\n`
  out += `}\n`
  out += `\n/** The root table read lazily: scalars on each access, everything else once, on first access. */\n`
  out += `export class ${t.name}View {\n  protected readonly root: fb.${t.name}\n`
  const memo = fields.filter((j) => !isScalar(schema, j.field))
  for (const j of memo) out += `  #${j.key}: ${tsType(schema, j.field)} | undefined\n`
  out += `\n  constructor(root: fb.${t.name}) {\n    this.root = root\n  }\n`
  for (const j of fields) {
    if (j.object) throw new Error(`${SCHEMA}: ${t.name}.${j.key}: json_object is not supported on the root table`)
    const locals = []
    const e = readField(schema, t, j, 'this.root', locals)
    out += `${jsdoc(j.field.doc, '  ')}  get ${j.key}(): ${tsType(schema, j.field)} {\n`
    if (isScalar(schema, j.field)) {
      out += `    return ${e}\n  }\n`
      continue
    }
    out += `    if (this.#${j.key} === undefined) {\n`
    for (const l of locals) out += `      ${l}\n`
    out += `      this.#${j.key} = ${e}\n    }\n    return this.#${j.key}\n  }\n`
  }
  out += `\n  /** The documented JSON object (docs/stacks-json.md). */\n  toJSON(): ${t.name}JSON {\n    return {\n`
  for (const j of fields) out += `      ${j.key}: this.${j.key},\n`
  out += `    }\n  }\n}\n`
  return out
}

const isScalar = (schema, f) => !f.vector && !schema.tables.has(f.type)

// ---------------------------------------------------------------------------------------------
// The field reference of docs/stacks-json.md

/** A field's description in the reference: its doc, and the JSON form where the type does not say it. */
function fieldDoc(f) {
  return f.attrs.hex ? `${f.doc} (\`0x…\` hex, no zero padding)` : f.doc
}

function docType(schema, f) {
  const t = tsType(schema, f)
  return t.endsWith(' | null') ? `\`${t.slice(0, -7)}\` or null` : `\`${t}\``
}

function genDoc(schema) {
  const root = schema.tables.get(schema.root)
  // JSON object types in the order they are first reached from the root, each with the paths
  // it is found at (`groups[].frames[]`: a key, `[]` for an element of an array).
  const order = []
  const paths = new Map()
  const visit = (name, at) => {
    if (!paths.has(name)) order.push(name), paths.set(name, [])
    paths.get(name).push(at)
    const t = schema.tables.get(name)
    if (!t) return
    for (const j of jsonFields(schema, t)) {
      const p = (at ? at + '.' : '') + j.key + (j.field?.vector ? '[]' : '')
      if (j.object) visit(upperFirst(j.object), p)
      else if (!j.field.attrs.json_map && (schema.tables.has(j.field.type) || schema.enums.has(j.field.type))) visit(j.field.type, p)
    }
  }
  visit(root.name, '')
  const where = (name) => {
    const at = paths.get(name)
    return at[0] === '' ? 'At the top level.' : `At ${at.map((p) => `\`${p}\``).join(', ')}.`
  }
  const esc = (s) => s.replace(/\|/g, '\\|')
  let out = `${BEGIN}

## Field reference

One section per JSON object type, starting at the top-level object (\`${root.name}\`), one table row per
field. Each section first says where its objects (or strings) are found: a path of keys joined by
\`.\`, \`[]\` standing for every element of an array; a field's path is that path, \`.\`, and its name.
The type column is one of \`string\`, \`number\`, \`boolean\`, \`Record<string, number>\` (an
object with free-form keys), or the name of another section (an object, or a string from a list of
values), optionally followed by \`[]\` (an array of it), then optionally by \` or null\`.
`
  for (const name of order) {
    const e = schema.enums.get(name)
    if (e) {
      out += `\n### ${name}\n\n${where(name)} ${e.doc} A string, one of:\n\n`
      for (const v of e.values) out += `- \`${lowerFirst(v.name)}\`${v.doc ? `: ${v.doc}` : ''}\n`
      continue
    }
    const t = schema.tables.get(name)
    if (!t) {
      // A json_object group: find its members.
      const owner = [...schema.tables.values()].flatMap((t) => jsonFields(schema, t)).find((j) => j.object && upperFirst(j.object) === name)
      out += `\n### ${name}\n\n${where(name)}\n\n| field | type | description |\n|---|---|---|\n`
      for (const m of owner.members) out += `| \`${m.key}\` | \`number\` | ${esc(m.field.doc)} |\n`
      continue
    }
    out += `\n### ${name}\n\n${where(name)} ${t.doc}\n\n| field | type | description |\n|---|---|---|\n`
    for (const j of jsonFields(schema, t)) {
      if (j.object) out += `| \`${j.key}\` | \`${upperFirst(j.object)}\` or null | ${esc(objectDoc(j))} |\n`
      else out += `| \`${j.key}\` | ${docType(schema, j.field)} | ${esc(fieldDoc(j.field))} |\n`
    }
  }
  out += `\n${END}\n`
  return out
}

function spliceDoc(page, fields) {
  const b = page.indexOf(BEGIN)
  const e = page.indexOf(END)
  if (b < 0 || e < b) return page.trimEnd() + '\n\n' + fields
  return page.slice(0, b) + fields + page.slice(e + END.length + 1)
}

// ---------------------------------------------------------------------------------------------

const out = path.resolve(process.argv[2] ?? ROOT)
const schema = parseSchema(fs.readFileSync(path.join(ROOT, SCHEMA), 'utf8'))
const write = (rel, text) => {
  fs.mkdirSync(path.dirname(path.join(out, rel)), { recursive: true })
  fs.writeFileSync(path.join(out, rel), text)
}
write(TS_OUT, genTs(schema))
write(DOC, spliceDoc(fs.readFileSync(path.join(ROOT, DOC), 'utf8'), genDoc(schema)))
