#!/usr/bin/env node
// Long runs of the TypeScript readers' fuzzer (__test__/fuzz-js.ts, fast-check properties):
// tar-read, zip-read, source (tar.gz and raw sniffing), gzip, classify, vars, sys. Each target
// runs in a child process with a watchdog, so a synchronous hang is caught too (the child notes
// the recipe it is on; the parent rebuilds that input); findings (crash, timeout, unhandled
// rejection, runaway heap, hang) are written to fuzz-out/js/ with their input, fast-check's shrunk
// recipe and its replay seed/path.
//
//   node scripts/fuzz-js.mjs [TARGET…]
//   env: FUZZ_JS_ITERATIONS (per target, default 5000), FUZZ_JS_SEED (default 1),
//        FUZZ_JS_OUT (default fuzz-out/js)
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const iterations = Number(process.env.FUZZ_JS_ITERATIONS ?? 5000)
const seed = Number(process.env.FUZZ_JS_SEED ?? 1)
const outDir = path.resolve(root, process.env.FUZZ_JS_OUT ?? 'fuzz-out/js')
const HANG_MS = 60_000

async function child(name) {
  const { tsImport } = await import('tsx/esm/api')
  const h = await tsImport(path.join(root, '__test__', 'fuzz-js.ts'), import.meta.url)
  const t = h.TARGETS.find((x) => x.name === name)
  const current = path.join(outDir, `.current-${name}`)
  let n = 0
  const s = await h.fuzzTarget(t, {
    iterations,
    seed,
    before: (r) => {
      // the recipe only (a few numbers): cheap enough to note before every input
      fs.writeFileSync(current, JSON.stringify(r))
      if (++n % 250 === 0) process.stdout.write(JSON.stringify({ progress: n }) + '\n')
    },
  })
  for (const f of s.findings) {
    const id = createHash('sha256').update(f.input).digest('hex').slice(0, 12)
    fs.writeFileSync(path.join(outDir, `${name}-${f.kind}-${id}.bin`), f.input)
    fs.writeFileSync(path.join(outDir, `${name}-${f.kind}-${id}.txt`), `${f.message}\nrecipe: ${JSON.stringify(f.recipe)}\nreplay: ${JSON.stringify(f.replay)}\n`)
  }
  const { findings, ...rest } = s
  process.stdout.write(JSON.stringify({ done: { ...rest, findings: findings.map((f) => `${f.kind}: ${f.message.split('\n')[0]}`) } }) + '\n')
  fs.rmSync(current, { force: true })
}

function runChild(h, name) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', name], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env })
    let done = null
    let buf = ''
    let timer
    const arm = () => {
      clearTimeout(timer)
      timer = setTimeout(() => {
        p.kill('SIGKILL')
        const recipe = JSON.parse(fs.readFileSync(path.join(outDir, `.current-${name}`), 'utf8'))
        h.pool(h.TARGETS.find((t) => t.name === name)).then((inputs) => {
          const input = h.apply(recipe, inputs)
          const id = createHash('sha256').update(input).digest('hex').slice(0, 12)
          fs.writeFileSync(path.join(outDir, `${name}-hang-${id}.bin`), input)
          fs.writeFileSync(path.join(outDir, `${name}-hang-${id}.txt`), `no progress for ${HANG_MS / 1000}s\nrecipe: ${JSON.stringify(recipe)}\n`)
        })
        done = { target: name, execs: null, findings: [`hang: no progress for ${HANG_MS / 1000}s (input and recipe saved)`] }
      }, HANG_MS)
    }
    arm()
    p.stdout.on('data', (d) => {
      buf += d
      let i
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 1)
        arm()
        try {
          const m = JSON.parse(line)
          if (m.done) done = m.done
        } catch {
          /* not ours */
        }
      }
    })
    p.on('exit', (code, sig) => {
      clearTimeout(timer)
      resolve(done ?? { target: name, execs: null, findings: [`child died: ${sig ?? `exit ${code}`}`] })
    })
  })
}

if (process.argv[2] === '--child') {
  await child(process.argv[3])
} else {
  fs.mkdirSync(outDir, { recursive: true })
  const { tsImport } = await import('tsx/esm/api')
  const h = await tsImport(path.join(root, '__test__', 'fuzz-js.ts'), import.meta.url)
  const names = process.argv.slice(2).length ? process.argv.slice(2) : h.TARGETS.map((t) => t.name)
  let bad = 0
  const t0 = Date.now()
  for (const n of names) {
    const r = await runChild(h, n)
    const rate = r.execs && r.ms ? ` (${Math.round((r.execs / r.ms) * 1000)}/s)` : ''
    console.log(`${n.padEnd(14)} execs ${String(r.execs ?? '?').padStart(7)} in ${((r.ms ?? 0) / 1000).toFixed(1)}s${rate}  results ${r.results ?? '?'}  clean errors ${r.cleanErrors ?? '?'}  max heap ${r.maxHeapMiB?.toFixed(0) ?? '?'} MiB  findings ${r.findings.length}`)
    for (const f of r.findings) console.log(`    ${f}`)
    bad += r.findings.length
  }
  console.log(`fuzz-js: ${names.length} targets, ${iterations} iterations each, seed ${seed}, ${((Date.now() - t0) / 1000).toFixed(0)}s, ${bad} findings${bad ? ` (inputs in ${path.relative(root, outDir)})` : ''}`)
  process.exitCode = bad ? 1 : 0
}
