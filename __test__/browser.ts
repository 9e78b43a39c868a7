// Headless Chromium (the system's /usr/bin/chromium, driven by playwright-core) for the HTML
// report tests: fresh profile directory, no network services, console errors collected.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

export const CHROMIUM = process.env.GOROSCOPE_CHROMIUM ?? '/usr/bin/chromium'

export function chromiumAvailable(): boolean {
  return fs.existsSync(CHROMIUM)
}

/** Open `file` (a path, or an http:// URL of a test server) in a fresh headless Chromium. */
export async function openPage(file: string, fn: (page: Page, errors: string[]) => Promise<void>): Promise<void> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'goroscope-chromium-'))
  let ctx: BrowserContext | undefined
  try {
    ctx = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
    const page = await ctx.newPage()
    const errors: string[] = []
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text())
    })
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(/^https?:\/\//.test(file) ? file : 'file://' + path.resolve(file))
    await fn(page, errors)
  } finally {
    await ctx?.close()
    fs.rmSync(userDataDir, { recursive: true, force: true })
  }
}
