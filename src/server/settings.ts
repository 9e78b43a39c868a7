// Saved configurations, in pprof's own file and format, so pprof and goroscope share them:
// `os.UserConfigDir()/pprof/settings.json` ($XDG_CONFIG_HOME, else ~/.config on Linux;
// ~/Library/Application Support on macOS; %AppData% on Windows), holding
// `{"configs": [{"name": "…", "focus": "…", …}]}` with pprof's option names. Written
// atomically; a file that does not parse is an error, never overwritten.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

import { writeAtomic } from '../io'
import { queryOf } from './params'

export interface NamedConfig {
  name: string
  [option: string]: unknown
}

/** pprof's settingsFileName (Go's os.UserConfigDir). */
export function settingsFile(): string {
  let dir: string
  if (process.platform === 'win32') dir = process.env.AppData ?? path.join(os.homedir(), 'AppData', 'Roaming')
  else if (process.platform === 'darwin') dir = path.join(os.homedir(), 'Library', 'Application Support')
  else dir = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config')
  return path.join(dir, 'pprof', 'settings.json')
}

export async function readConfigs(file = settingsFile()): Promise<NamedConfig[]> {
  let text: string
  try {
    text = await fs.promises.readFile(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new Error(`could not read settings ${file}: ${(e as Error).message}`)
  }
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch (e) {
    throw new Error(`could not parse settings ${file}: ${(e as Error).message}`)
  }
  const configs = (v as { configs?: unknown } | null)?.configs ?? []
  if (!Array.isArray(configs)) throw new Error(`could not parse settings ${file}: "configs" is not a list`)
  return configs.filter((c): c is NamedConfig => typeof c === 'object' && c !== null && typeof (c as NamedConfig).name === 'string')
}

async function edit(file: string, fn: (configs: NamedConfig[]) => NamedConfig[]): Promise<void> {
  const configs = fn(await readConfigs(file))
  await fs.promises.mkdir(path.dirname(file), { recursive: true })
  await writeAtomic(file, JSON.stringify({ configs }, null, 2))
}

/** Save (or replace) the config `name` with `options` (settings.json names). */
export function saveConfig(name: string, options: Record<string, unknown>, file = settingsFile()): Promise<void> {
  return edit(file, (cs) => {
    const c = { name, ...options }
    const i = cs.findIndex((x) => x.name === name)
    if (i >= 0) cs[i] = c
    else cs.push(c)
    return cs
  })
}

export function deleteConfig(name: string, file = settingsFile()): Promise<void> {
  return edit(file, (cs) => {
    const i = cs.findIndex((x) => x.name === name)
    if (i < 0) throw new Error(`config ${name} not found`)
    cs.splice(i, 1)
    return cs
  })
}

/** The menu: each config's name and the query string that applies it. */
export async function configMenu(file = settingsFile()): Promise<Array<{ name: string; query: string }>> {
  return (await readConfigs(file)).map((c) => ({ name: c.name, query: queryOf(c).toString() }))
}
