// Writes goroscope(1), the man page, from the help text the CLI itself prints: `goroscope --help`
// and every command's `--help`, as markdown rendered to roff by marked-man.
//
// Usage: node --import=tsx scripts/gen-man.ts OUT.1   (after `npm run build`; scripts/pack.sh runs it)
//
// The command list is read from the "Commands:" block of `goroscope --help` (yargs' layout):
// an entry starts with "  goroscope NAME", and yargs wraps a long NAME column onto lines that
// start with exactly two spaces; `a|b|c` names commands that share one help text.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

const ROOT = path.resolve(__dirname, '..')

/** Run the built CLI; its stdout, or an error naming the command. */
export function help(args: string[], root = ROOT): string {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'goroscope.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  })
  if (r.status !== 0) throw new Error(`gen-man: goroscope ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}`)
  return r.stdout
}

/** Command names listed in the "Commands:" block of `goroscope --help`, in order. */
export function commandNames(topHelp: string): string[] {
  const lines = topHelp.split('\n')
  const start = lines.findIndex((l) => /^Commands:\s*$/.test(l))
  if (start < 0) throw new Error('gen-man: no "Commands:" block in goroscope --help')
  const columns: string[] = []
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') break
    const m = /^ {2}(goroscope )?(\S+)/.exec(line)
    if (!m) continue // a wrapped description
    if (m[1]) columns.push(m[2])
    else if (columns.length > 0) columns[columns.length - 1] += m[2]
  }
  const names = columns.flatMap((c) => c.split('|')).filter((n) => /^[a-z][a-z0-9-]*$/.test(n))
  if (names.length === 0) throw new Error('gen-man: no commands found in goroscope --help')
  return [...new Set(names)]
}

/** The man page as markdown (marked-man's ronn-style header), from the CLI's help texts. */
export function manMarkdown(root = ROOT): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
  const top = help(['--help'], root)
  // commands printing the same help text (the pprof family) share one section
  const sections = new Map<string, string[]>()
  for (const name of commandNames(top)) {
    const text = help([name, '--help'], root)
    const names = sections.get(text) ?? []
    names.push(name)
    sections.set(text, names)
  }
  const block = (text: string) => '```text\n' + text.replace(/\s+$/, '') + '\n```\n'
  const out = [
    `goroscope(1) -- ${pkg.description.replace(/\.$/, '')}`,
    '='.repeat(20),
    '',
    '## SYNOPSIS',
    '',
    '`goroscope` *command* [*options*] *file*...',
    '',
    '## DESCRIPTION',
    '',
    `${pkg.description} Below, \`goroscope --help\` and then each command's \`--help\`, as the installed command prints them.`,
    '',
    block(top),
    '## COMMANDS',
    '',
  ]
  for (const [text, names] of sections) out.push(`### goroscope ${names.join(', ')}`, '', block(text))
  out.push('## SEE ALSO', '', `The README of goroscope ${pkg.version}, in the installed package's directory.`, '')
  return out.join('\n')
}

/** Render markdown to roff with marked-man (the date from SOURCE_DATE_EPOCH when set). */
export function renderRoff(markdown: string, version: string, root = ROOT): string {
  const bin = path.join(root, 'node_modules', 'marked-man', 'bin', 'marked-man.js')
  const r = spawnSync(process.execPath, [bin, '--version', version, '--manual', 'goroscope manual'], {
    input: markdown,
    encoding: 'utf8',
  })
  if (r.status !== 0 || !r.stdout.startsWith('.')) throw new Error(`gen-man: marked-man failed: ${r.stderr}`)
  return r.stdout
}

if (require.main === module) {
  const out = process.argv[2]
  if (!out) {
    process.stderr.write('usage: node --import=tsx scripts/gen-man.ts OUT.1\n')
    process.exit(2)
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
  const roff = renderRoff(manMarkdown(), pkg.version)
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true })
  // written whole and renamed, so a failure never leaves half a page over a good one
  const tmp = `${out}.tmp-${process.pid}`
  fs.writeFileSync(tmp, roff)
  fs.renameSync(tmp, out)
}
