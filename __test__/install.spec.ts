// The packed packages as a user gets them: scripts/pack.sh's two tarballs, installed by npm
// offline (from the cache `npm ci` filled) into an empty project whose PATH holds node and npm and
// nothing else (no cargo, go, dot or chromium); then the CLI through npx, the API from CommonJS
// and from an ES module, tsc on a strict consumer of the types, and the man page.
import test from 'ava'
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as semver from 'semver'

import { commandNames } from '../scripts/gen-man'
import { cli, FIXTURE_DUMPS, ROOT, tmpdir, walk } from './helpers'

const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
const LOCK = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'))
const PLATFORM = 'linux-x64-gnu'
const PLATFORM_PKG = `goroscope-${PLATFORM}`
const ADDON = `goroscope.${PLATFORM}.node`
const DUMP = path.join(FIXTURE_DUMPS, 'go126-debug2-minutes.txt')
const CPU = path.join(ROOT, 'fixtures', 'profiles', 'go126-cpu.pb.gz')
const BUNDLE = path.join(ROOT, 'examples', 'kubo-bundle.tar.gz')

const WORK = tmpdir('goroscope-install-')
const BIN = path.join(WORK, 'bin') // node, npm and npx: the consumer's whole PATH
const APP = path.join(WORK, 'app')
const TARBALLS = {
  root: path.join(ROOT, 'dist-pkg', `goroscope-${PKG.version}.tgz`),
  platform: path.join(ROOT, 'dist-pkg', `${PLATFORM_PKG}-${PKG.version}.tgz`),
}
const UNPACKED = { root: path.join(WORK, 'unpacked', 'root'), platform: path.join(WORK, 'unpacked', 'platform') }

const env: NodeJS.ProcessEnv = {
  HOME: process.env.HOME,
  PATH: BIN,
  TMPDIR: WORK,
  NO_COLOR: '1',
  // npm runs package bins through a shell, looked up on PATH unless named
  npm_config_script_shell: '/bin/sh',
  npm_config_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  ...(process.env.npm_config_cache ? { npm_config_cache: process.env.npm_config_cache } : {}),
}
let installLog = ''

function run(cmd: string, args: string[], cwd = APP): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 180_000 })
}
const npx = (...args: string[]) => run(path.join(BIN, 'npx'), ['goroscope', ...args])
const ok = (r: SpawnSyncReturns<string>) => r.status === 0 || console.error(r.stdout, r.stderr, r.error)
const which = (tool: string) => spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim()

/** The published packages' lock entries (what `npm ci` put in the cache), for the consumer's lock. */
function seededLock(devDependencies: Record<string, string>) {
  const packages: Record<string, unknown> = { '': { name: 'consumer', version: '1.0.0', devDependencies } }
  for (const [key, entry] of Object.entries(LOCK.packages as Record<string, { dev?: boolean; devOptional?: boolean; link?: boolean }>)) {
    if (key !== '' && !entry.dev && !entry.devOptional && !entry.link) packages[key] = entry
  }
  for (const name of [...Object.keys(devDependencies), 'undici-types']) packages[`node_modules/${name}`] = LOCK.packages[`node_modules/${name}`]
  return { name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }
}

test.before(() => {
  const pack = spawnSync('bash', [path.join(ROOT, 'scripts', 'pack.sh'), '--no-build'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 })
  if (pack.status !== 0) throw new Error(`scripts/pack.sh failed:\n${pack.stdout}\n${pack.stderr}`)
  for (const [kind, tgz] of Object.entries(TARBALLS)) {
    const dir = UNPACKED[kind as keyof typeof UNPACKED]
    fs.mkdirSync(dir, { recursive: true })
    const tar = spawnSync('tar', ['-xzf', tgz, '-C', dir, '--strip-components=1'], { encoding: 'utf8' })
    if (tar.status !== 0) throw new Error(`tar -xzf ${tgz}: ${tar.stderr}`)
  }

  fs.mkdirSync(BIN)
  for (const tool of ['node', 'npm', 'npx']) fs.symlinkSync(tool === 'node' ? process.execPath : which(tool), path.join(BIN, tool))

  // Versions come from our lockfile, as `npm ci` cached them: with no registry, npm can only
  // take what the cache holds, and a newer release listed in a cached packument is not there.
  fs.mkdirSync(APP)
  const devDependencies = {
    typescript: LOCK.packages['node_modules/typescript'].version,
    '@types/node': LOCK.packages['node_modules/@types/node'].version,
  }
  fs.writeFileSync(path.join(APP, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, devDependencies }, null, 2))
  fs.writeFileSync(path.join(APP, 'package-lock.json'), JSON.stringify(seededLock(devDependencies), null, 2))
  const install = run(path.join(BIN, 'npm'), ['install', TARBALLS.root, TARBALLS.platform])
  installLog = install.stdout + install.stderr
  if (install.status !== 0) throw new Error(`npm install of the tarballs failed:\n${installLog}`)
})

test.after.always(() => fs.rmSync(WORK, { recursive: true, force: true }))

test('the consumer has node and npm on PATH, and no cargo, go, dot or chromium', (t) => {
  for (const tool of ['node', 'npm', 'npx']) t.true(fs.existsSync(path.join(BIN, tool)), tool)
  for (const tool of ['cargo', 'rustc', 'go', 'dot', 'chromium', 'flatc', 'ipfs']) {
    const r = spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { env, encoding: 'utf8' })
    t.not(r.status, 0, `${tool} found at ${r.stdout}`)
  }
})

test('the root package holds the JS, types, sources, man page and nothing of the build', (t) => {
  const files = walk(UNPACKED.root).map((f) => path.relative(UNPACKED.root, f))
  for (const want of ['package.json', 'README.md', 'bin/goroscope.js', 'index.js', 'index.d.ts', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js', 'dist/man/goroscope.1', 'schema/stacks.fbs']) {
    t.true(files.includes(want), `${want} in the package`)
  }
  const unwanted = files.filter((f) => /(^|\/)(__test__|fixtures|target|crates|fuzz|bench|node_modules|npm)\/|\.(rs|node|log|tsbuildinfo)$|^Cargo\./.test(f))
  t.deepEqual(unwanted, [])

  // every source map's sources, and every sourceMappingURL, are files of the package
  const missing: string[] = []
  for (const f of files) {
    const abs = path.join(UNPACKED.root, f)
    if (f.endsWith('.map')) {
      const map = JSON.parse(fs.readFileSync(abs, 'utf8'))
      for (const s of map.sources as string[]) {
        const src = path.resolve(path.dirname(abs), map.sourceRoot ?? '', s)
        if (!src.startsWith(UNPACKED.root + path.sep) || !fs.existsSync(src)) missing.push(`${f} → ${s}`)
      }
    } else if (/\.(js|d\.ts)$/.test(f)) {
      const m = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(fs.readFileSync(abs, 'utf8'))
      if (m && !m[1].startsWith('data:') && !fs.existsSync(path.resolve(path.dirname(abs), m[1]))) missing.push(`${f} → ${m[1]}`)
    }
  }
  t.deepEqual(missing, [])
  t.true(files.some((f) => f.endsWith('.js.map')), 'source maps shipped, with their sources')

  const pkg = JSON.parse(fs.readFileSync(path.join(UNPACKED.root, 'package.json'), 'utf8'))
  t.deepEqual(pkg.optionalDependencies, { [PLATFORM_PKG]: PKG.version })
  t.deepEqual(pkg.man, ['./dist/man/goroscope.1'])
  t.deepEqual(pkg.engines, PKG.engines)
  t.deepEqual(pkg.dependencies, PKG.dependencies)
  t.log(size('root', TARBALLS.root, UNPACKED.root))
})

test('the platform package holds the release addon and says which platform it is for', (t) => {
  const files = walk(UNPACKED.platform).map((f) => path.relative(UNPACKED.platform, f))
  t.deepEqual(files, ['README.md', ADDON, 'package.json'].sort())
  const pkg = JSON.parse(fs.readFileSync(path.join(UNPACKED.platform, 'package.json'), 'utf8'))
  t.like(pkg, { name: PLATFORM_PKG, version: PKG.version, main: ADDON, os: ['linux'], cpu: ['x64'], libc: ['glibc'], engines: PKG.engines })
  // the release profile strips symbols: no .symtab left
  const nm = spawnSync('readelf', ['-S', path.join(UNPACKED.platform, ADDON)], { encoding: 'utf8' })
  t.is(nm.status, 0, nm.stderr)
  t.notRegex(nm.stdout, /\.symtab/)
  t.log(size('platform', TARBALLS.platform, UNPACKED.platform))
})

function size(kind: string, tgz: string, dir: string): string {
  const files = walk(dir)
  const unpacked = files.reduce((n, f) => n + fs.statSync(f).size, 0)
  const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`
  return `${kind}: ${path.basename(tgz)} ${kB(fs.statSync(tgz).size)} packed, ${kB(unpacked)} unpacked, ${files.length} files`
}

test('npm installs both offline, with no engine warning, the platform package as the optional dependency', (t) => {
  t.notRegex(installLog, /EBADENGINE|ENOTCACHED|ERR!/)
  const top = path.join(APP, 'node_modules')
  t.true(fs.existsSync(path.join(top, PLATFORM_PKG, ADDON)))
  t.false(fs.existsSync(path.join(top, 'goroscope', 'node_modules', PLATFORM_PKG)), 'no second copy under goroscope')
  t.false(fs.existsSync(path.join(top, 'goroscope', ADDON)), 'the addon is not in the root package')
  const ls = run(path.join(BIN, 'npm'), ['ls', '--all', '--omit=dev'])
  t.is(ls.status, 0, ls.stdout + ls.stderr) // nothing missing, invalid or extraneous
  t.regex(ls.stdout, new RegExp(`goroscope@${PKG.version.replace(/\./g, '\\.')}`))

  // what we promise in engines, every installed runtime dependency allows
  t.true(semver.satisfies(process.version, PKG.engines.node), `${process.version} is in ${PKG.engines.node}`)
  const narrower: string[] = []
  for (const dir of fs.readdirSync(top).flatMap((d) => (d.startsWith('@') ? fs.readdirSync(path.join(top, d)).map((s) => `${d}/${s}`) : [d]))) {
    if (dir.startsWith('.') || dir === 'typescript' || dir.startsWith('@types/') || dir === 'undici-types') continue
    const engines = JSON.parse(fs.readFileSync(path.join(top, dir, 'package.json'), 'utf8')).engines?.node
    if (engines && !semver.subset(PKG.engines.node, engines)) narrower.push(`${dir}: ${engines}`)
  }
  t.deepEqual(narrower, [], `engines.node ${PKG.engines.node} is wider than these dependencies allow`)
})

test('npx goroscope stacks DUMP prints what the checkout prints', (t) => {
  const r = npx('stacks', DUMP)
  t.true(ok(r))
  t.regex(r.stdout, /237 goroutines/)
  t.regex(r.stdout, /Biggest groups/)
  t.is(r.stdout, cli(['stacks', DUMP]).stdout)
  const v = npx('--version')
  t.is(v.stdout.trim(), PKG.version, 'the version is goroscope\'s, not the consumer project\'s')
})

test('npx goroscope svg PROFILE -o x.svg draws every DOT node with the bundled WebAssembly Graphviz', (t) => {
  const dot = npx('dot', CPU)
  t.true(ok(dot))
  t.is(dot.stdout, cli(['dot', CPU]).stdout)
  const r = npx('svg', CPU, '-o', 'x.svg')
  t.true(ok(r))
  const svg = fs.readFileSync(path.join(APP, 'x.svg'), 'utf8')
  t.regex(svg, /^<\?xml[^>]*>\s*<!DOCTYPE svg[\s\S]*<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/)
  t.regex(svg, /<\/svg>\s*$/)
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#45;/g, '-').replace(/&amp;/g, '&')
  const drawn = new Set([...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => unescape(m[1])))
  const labels = [...dot.stdout.matchAll(/^N\d+ \[label="((?:[^"\\]|\\.)*)"/gm)].flatMap((m) => m[1].split(/\\[nlr]/).filter(Boolean)).map((s) => s.replace(/\\(.)/g, '$1'))
  t.true(labels.length >= 10, `${labels.length} label lines in the DOT`)
  t.deepEqual(labels.filter((l) => !drawn.has(l)), [], 'every node label line is drawn')
})

test('npx goroscope report BUNDLE summarises the bundled example as the checkout does', (t) => {
  const r = npx('report', BUNDLE)
  t.true(ok(r))
  t.regex(r.stdout, /kubo 0\.43\.1, go1\.26\.8/)
  t.regex(r.stdout, /36 goroutines in 25 groups/)
  t.is(r.stdout, cli(['report', BUNDLE]).stdout)
})

/**
 * Starts `npx goroscope ARGS` (a server) in its own process group, so that stopping it stops the
 * node process npx starts too, and resolves the first URL `re` finds on its stderr.
 */
function server(args: string[], re: RegExp): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(path.join(BIN, 'npx'), ['goroscope', ...args], { cwd: APP, env: { ...env, BROWSER: '' }, stdio: ['ignore', 'ignore', 'pipe'], detached: true })
  return new Promise((resolve, reject) => {
    let err = ''
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString()
      const m = re.exec(err)
      if (m) resolve({ url: m[1], child })
    })
    child.on('exit', (code) => reject(new Error(`npx goroscope ${args.join(' ')} exited with ${code}: ${err}`)))
  })
}

test('npx goroscope pprof -http and serve answer from the packed install, their numbers the CLI\'s', async (t) => {
  const web = await server(['pprof', '-http=127.0.0.1:0', '-no_browser', CPU], /Serving web UI on (http:\/\/127\.0\.0\.1:\d+\/)ui\//)
  try {
    const page = await fetch(`${web.url}ui/top`)
    t.is(page.status, 200)
    for (const asset of ['webui.js', 'webui.css']) t.is((await fetch(`${web.url}ui/assets/${asset}`)).status, 200, asset)
    const top = (await (await fetch(`${web.url}api/top`)).json()) as { text: string }
    t.is(top.text, npx('top', CPU, '-nodecount=500').stdout)
    // the graph view's SVG comes from the bundled WebAssembly Graphviz: no dot on this PATH
    const svg = await fetch(`${web.url}api/graph.svg`)
    t.is(svg.status, 200)
    t.regex(await svg.text(), /<svg[\s\S]*class="node"/)
  } finally {
    process.kill(-web.child.pid!, 'SIGTERM')
  }
  const explorer = await server(['serve', '--no-browser', DUMP], /Serving goroutine explorer on (http:\/\/127\.0\.0\.1:\d+\/)explorer/)
  try {
    t.is((await fetch(`${explorer.url}explorer`)).status, 200)
    const inputs = (await (await fetch(`${explorer.url}api/dump/inputs`)).json()) as Array<{ goroutines: number }>
    t.is(inputs[0].goroutines, (JSON.parse(npx('stacks', DUMP, '--json').stdout) as { goroutines: number }).goroutines)
  } finally {
    process.kill(-explorer.child.pid!, 'SIGTERM')
  }
})

test('require("goroscope") from CommonJS loads the addon from the platform package', (t) => {
  fs.writeFileSync(
    path.join(APP, 'use.cjs'),
    `const g = require('goroscope')
g.analyzeStacks(process.argv[2]).then((r) => {
  const addon = Object.keys(require.cache).filter((f) => f.endsWith('.node'))
  console.log(JSON.stringify({ report: r.toJSON(), addon }))
})\n`,
  )
  const r = run(path.join(BIN, 'node'), ['use.cjs', DUMP])
  t.true(ok(r))
  const out = JSON.parse(r.stdout)
  t.deepEqual(out.addon, [fs.realpathSync(path.join(APP, 'node_modules', PLATFORM_PKG, ADDON))])
  t.deepEqual(out.report, JSON.parse(cli(['stacks', DUMP, '--json']).stdout))
})

test('import { analyzeStacks } from "goroscope" works in an ES module', (t) => {
  fs.writeFileSync(
    path.join(APP, 'use.mjs'),
    `import { analyzeStacks, Profile, GoroscopeError } from 'goroscope'
const r = await analyzeStacks(process.argv[2])
const p = await Profile.load(process.argv[3])
let code = null
try { await analyzeStacks(Buffer.from('not a dump')) } catch (e) { code = e instanceof GoroscopeError ? e.code : String(e) }
console.log(JSON.stringify({ goroutines: r.goroutines, top: (await p.top({ nodecount: 3 })).text, code }))\n`,
  )
  const r = run(path.join(BIN, 'node'), ['use.mjs', DUMP, CPU])
  t.true(ok(r))
  const out = JSON.parse(r.stdout)
  t.is(out.goroutines, 237)
  t.is(out.top, cli(['top', '-nodecount=3', CPU]).stdout)
  t.is(out.code, 'GOROSCOPE_PARSE')
})

test('tsc --strict accepts a consumer of the types, and rejects a wrong use of them', (t) => {
  fs.writeFileSync(
    path.join(APP, 'consumer.ts'),
    `import { analyzeStacks, GoroscopeError, Profile, type Lock, type StacksReport } from 'goroscope'

export async function summary(file: string): Promise<string> {
  const report: StacksReport = await analyzeStacks(file, { minWait: 5, sort: 'wait' })
  const locks: Lock[] = report.contention
  return \`\${report.goroutines} goroutines, \${locks.length} locks, \${report.groups[0]?.frames[0]?.function ?? ''}\`
}
export const isOurs = (e: unknown): e is GoroscopeError => e instanceof GoroscopeError && e.code.startsWith('GOROSCOPE_')
export const load = (files: string[]): Promise<Profile> => Profile.load(files)
`,
  )
  fs.writeFileSync(
    path.join(APP, 'consumer.mts'),
    `import { analyzeStacks } from 'goroscope'\nexport const count = async (f: string): Promise<number> => (await analyzeStacks(f)).goroutines\n`,
  )
  fs.writeFileSync(
    path.join(APP, 'wrong.ts'),
    `import { analyzeStacks } from 'goroscope'\nexport const bad = async (f: string): Promise<string> => (await analyzeStacks(f, { sort: 'size' })).goroutines\n`,
  )
  const tsconfig = (files: string[]) => ({
    compilerOptions: { strict: true, module: 'node16', moduleResolution: 'node16', target: 'es2022', noEmit: true, types: ['node'] },
    files,
  })
  fs.writeFileSync(path.join(APP, 'tsconfig.json'), JSON.stringify(tsconfig(['consumer.ts', 'consumer.mts'])))
  fs.writeFileSync(path.join(APP, 'tsconfig.wrong.json'), JSON.stringify(tsconfig(['wrong.ts'])))
  const tsc = path.join(APP, 'node_modules', 'typescript', 'bin', 'tsc')
  const good = run(path.join(BIN, 'node'), [tsc, '-p', 'tsconfig.json'])
  t.is(good.status, 0, good.stdout + good.stderr)
  const bad = run(path.join(BIN, 'node'), [tsc, '-p', 'tsconfig.wrong.json'])
  t.not(bad.status, 0)
  t.regex(bad.stdout, /wrong\.ts\(2,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/)
  t.regex(bad.stdout, /wrong\.ts\(2,\d+\): error TS2322: Type '"size"' is not assignable/)
})

test('man -l of the packed man page shows every command the CLI lists', (t) => {
  const names = commandNames(npx('--help').stdout)
  for (const core of ['stacks', 'collect', 'report', 'redact', 'top', 'peek', 'svg', 'flame', 'symbolize']) t.true(names.includes(core), core)
  const page = path.join(APP, 'node_modules', 'goroscope', 'dist', 'man', 'goroscope.1')
  const man = spawnSync('man', ['-l', page], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '200', MAN_KEEP_FORMATTING: '', PAGER: 'cat' } })
  t.is(man.status, 0, man.stderr)
  t.is(man.stderr, '', 'groff has no complaint')
  t.regex(man.stdout, /^GOROSCOPE\(1\)/)
  t.regex(man.stdout, new RegExp(`${PKG.version.replace(/\./g, '\\.')}\\s+goroscope manual|goroscope manual[\\s\\S]*${PKG.version.replace(/\./g, '\\.')}`))
  const headed = new Set([...man.stdout.matchAll(/^ {3}goroscope (.+)$/gm)].flatMap((m) => m[1].split(', ')))
  t.deepEqual(names.filter((n) => !headed.has(n)), [], 'a section for every command')
  t.true(man.stdout.includes('--min-wait'), 'the commands\' own help is in the page')
})
