// Files of the installed package read at run time: the package root (found from this module,
// whether it runs compiled from dist/ or as TypeScript from src/) and the page scripts that the
// build bundles into dist/pages (scripts/build-pages.mjs).
import * as fs from 'node:fs'
import * as path from 'node:path'

let root: string | undefined

/** The directory of goroscope's package.json. */
export function packageRoot(): string {
  if (root) return root
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json')
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'goroscope') return (root = dir)
    if (path.dirname(dir) === dir) throw new Error(`goroscope: cannot find the package root from ${__dirname}`)
  }
}

const pages = new Map<string, string>()

/** A bundled page script (`dist/pages/NAME.js`), read once. */
export function pageScript(name: string): string {
  return pageFile(`${name}.js`)
}

/** The bundled style of a page script that imports CSS (`dist/pages/NAME.css`), read once. */
export function pageStyle(name: string): string {
  return pageFile(`${name}.css`)
}

function pageFile(name: string): string {
  let s = pages.get(name)
  if (s === undefined) {
    const file = path.join(packageRoot(), 'dist', 'pages', name)
    try {
      s = fs.readFileSync(file, 'utf8')
    } catch (e) {
      throw new Error(`goroscope: ${file} is missing (npm run build writes it): ${(e as Error).message}`)
    }
    pages.set(name, s)
  }
  return s
}
