// Where a shell report goes, as pprof's interactive mode sends it: first the command's post-
// processing (DOT → SVG with the bundled Graphviz, → png/pdf/… with the system's `dot`; the
// `proto` report → a flame graph page; `weblist`'s source blocks → its HTML page), then `>file`/`output=` if one is set, else the
// command's own place: standard output, a new `profileNNN.<suffix>` in the current directory
// for binary formats (never over an existing file), or a temporary `pprofNNN.<suffix>` opened
// in the browser or viewer (removed when the shell ends, as pprof does).
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

import { writeAtomic } from '../../io'
import { Profile } from '../../profile'
import type { ShellReport } from '../../pprof-session'
import { onPath, openInBrowser } from '../browser'
import { writeOut } from '../output'

export interface Ui {
  print(text: string): void
  printErr(text: string): void
}

/** Temporary files opened in viewers, removed when the shell ends. */
const viewed: string[] = []

export function removeViewedFiles(): void {
  for (const f of viewed.splice(0)) fs.rmSync(f, { force: true })
}

/** pprof's `newTempFile`: the first free `<prefix>NNN<suffix>` in `dir`, created empty. */
export function newFile(dir: string, prefix: string, suffix: string): string {
  for (let i = 1; i < 10000; i++) {
    const f = path.join(dir, `${prefix}${String(i).padStart(3, '0')}${suffix}`)
    try {
      fs.closeSync(fs.openSync(f, 'wx'))
      return f
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
  }
  throw new Error(`could not create file of the form ${prefix}001${suffix}`)
}

/** The system Graphviz's `dot -T<format>` of a DOT text (pprof's `invokeDot`). */
function graphviz(dot: string, format: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('dot', [`-T${format}`], { stdio: ['pipe', 'pipe', 'inherit'] })
    const out: Buffer[] = []
    const fail = (why: string) => reject(new Error(`failed to execute dot. Is Graphviz installed? Error: ${why}`))
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.on('error', (e) => fail(e.message))
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : fail(`exit status ${code}`)))
    child.stdin.on('error', () => {}) // reported through 'error'/'close'
    child.stdin.end(dot)
  })
}

async function postProcess(r: ShellReport): Promise<string | Buffer> {
  const rep = r.report
  switch (r.post) {
    case 'svg': {
      const { dotToSvg } = require('../../render/svg') as typeof import('../../render/svg')
      return dotToSvg(rep.text, 'wasm')
    }
    case 'dot':
      return graphviz(rep.text, r.format)
    case 'flame': {
      const { renderFlameHtml } = require('../../render/flame') as typeof import('../../render/flame')
      const profile = await Profile.load(rep.proto ?? Buffer.alloc(0))
      return renderFlameHtml(await profile.flameReport([], 'profile'))
    }
    case 'weblist': {
      const { renderWebListHtml } = require('../../render/weblist') as typeof import('../../render/weblist')
      return renderWebListHtml(rep)
    }
    default:
      // a terminal gets the text escaped (writeOut); a pipe or file the bytes, however large
      return rep.proto ?? (process.stdout.isTTY && !rep.output ? rep.text : rep.textBytes)
  }
}

/** Start a viewer on `file` without waiting for it; false when it is not on PATH. */
function startProgram(program: string, file: string): boolean {
  const [cmd, ...args] = program.split(' ')
  const exe = onPath(cmd)
  if (!exe) return false
  const child = spawn(exe, [...args, file], { detached: true, stdio: 'ignore' })
  child.on('error', () => {})
  child.unref()
  return true
}

export async function deliver(r: ShellReport, ui: Ui): Promise<void> {
  for (const w of r.report.warnings) ui.printErr(w)
  const data = await postProcess(r)
  if (r.report.output) return writeAtomic(r.report.output, data)
  switch (r.show) {
    case 'stdout':
      return writeOut(data, undefined)
    case 'file': {
      const file = newFile('', 'profile', `.${r.suffix}`)
      ui.printErr(`Generating report in ${file}`)
      return writeAtomic(file, data)
    }
    default: {
      const file = newFile(os.tmpdir(), 'pprof', `.${r.suffix}`)
      await writeAtomic(file, data)
      const opened = r.show === 'browser' ? openInBrowser(file) : startProgram(r.program, file)
      if (!opened) {
        const what = r.show === 'browser' ? 'a browser (set $BROWSER)' : `"${r.program.split(' ')[0]}" on PATH`
        ui.printErr(`could not find ${what} to open ${file}`)
        return
      }
      viewed.push(file)
      // as pprof: give the viewer a second to open the file before anything can remove it
      await new Promise((res) => setTimeout(res, 1000))
    }
  }
}
