// Debian's chromium driven by playwright-core, shared by the browser tests: a fresh profile per
// run, the flags this machine needs, and pages that collect every console error, uncaught
// exception, HTTP error and Content Security Policy violation.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import type { FastifyInstance } from 'fastify'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const screenshots = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url))
export const hasChromium = () => fs.existsSync(CHROMIUM)

interface Teardownable {
  teardown(fn: () => unknown): void
}

/** Listens on a free loopback port and returns the base URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (!address || typeof address === 'string') throw new Error('the app is not listening on a TCP port')
  return `http://127.0.0.1:${address.port}`
}

/** Call after build(): teardowns run last-in, first-out, so the browser closes before the app. */
export async function launchChromium(t: Teardownable, options: { acceptDownloads?: boolean } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'outcry-chromium-'))
  t.teardown(() => fs.rmSync(profile, { recursive: true, force: true }))
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: options.acceptDownloads ?? false,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1000, height: 900 },
  })
  t.teardown(() => context.close())
  context.setDefaultTimeout(10_000)
  context.setDefaultNavigationTimeout(10_000)
  fs.mkdirSync(screenshots, { recursive: true })

  /** A fresh page whose console errors, uncaught exceptions, failed responses and CSP reports are collected. */
  async function openPage(): Promise<{ page: Page; problems: string[] }> {
    const page = await context.newPage()
    const problems: string[] = []
    page.on('console', (msg) => {
      const text = msg.text()
      const where = msg.location().url || page.url()
      // Includes "Failed to load resource" (a 404 for /favicon.ico too) and CSP refusals.
      if (msg.type() === 'error' || /Content[- ]Security[- ]Policy/i.test(text)) problems.push(`console ${msg.type()}: ${text} (${where})`)
    })
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`))
    page.on('response', (res) => {
      if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.request().method()} ${res.url()}`)
    })
    // A violation report reaches the page as an event even when nothing is logged.
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`)
      })
    })
    return { page, problems }
  }
  return { context, openPage }
}
