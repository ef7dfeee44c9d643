// axe-core in a page, for the browser tests: its serious and critical findings, one line each.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: { target: string[] }[]
}

/** Runs axe in the page (`evaluate` goes through the devtools protocol, so the page's CSP stays strict). */
export async function axeFindings(page: Page): Promise<string[]> {
  await page.evaluate(axeSource)
  const result = await page.evaluate(() => (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe.run())
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)
}
