// goroscope's version, from the package's own package.json.
import * as fs from 'node:fs'
import * as path from 'node:path'

import { packageRoot } from '../render/assets'

let version: string | undefined

export function toolVersion(): string {
  if (version === undefined) {
    try {
      version = String(JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version)
    } catch {
      version = '0.0.0'
    }
  }
  return version
}
