// Every back-office page on a 390 px phone (issue 15), in Chromium: the demo campaign with letters,
// RSVPs, paper letters, a pending invitation, an API token, a failed mail and a change of an
// official's address waiting (long addresses and names among them, as real ones are), then every
// GET route under /admin opened at 390×844 and at 1280×900. The page may not scroll sideways
// (document.documentElement.scrollWidth and document.body.scrollWidth within the viewport); a wide
// table may scroll inside its own box. Offenders are printed with the elements sticking out.
// Screenshots at 390 go to test-output/screenshots/phone/.
import fs from 'node:fs'
import path from 'node:path'
import t, { type Test } from 'tap'
import type { Page } from 'playwright-core'
import { CHROMIUM, hasChromium, launchChromium, listen, screenshots } from './chromium.js'
import { build, formSession, postForm } from '../helper.js'
import { addUser, PASSWORD, signIn } from '../admin/helper.js'
import sharp from 'sharp'
import { createApiToken } from '../../src/admin/api.js'
import { processPhoto, savePhoto } from '../../src/campaigns/photos.js'

const ADMIN = 'admin@example.org'
const PHONE = { width: 390, height: 844 }
const DESKTOP = { width: 1280, height: 900 }
// Addresses and names as long as real ones get: one unbroken word wider than a phone.
const LONG_EMAIL = 'international.solidarity.secretary.northwest-region@transport-and-general-workers-union.example.org'
const LONG_ORG = 'Transport and General Workers’ Union, North West Regional Solidarity Committee'

/** GET routes that answer with a file, not a page: asserted to be downloads below, never measured. */
const DOWNLOADS: Record<string, string> = {
  '/admin/campaigns/:id/targets/:targetId/dossier.pdf': 'a PDF dossier (application/pdf)',
  '/admin/campaigns/:id/exports/letters.csv': 'a CSV export (text/csv)',
  '/admin/campaigns/:id/exports/tally.csv': 'a CSV export (text/csv)',
  '/admin/pickets/:id/exports/rsvps.csv': 'a CSV export (text/csv)',
  '/admin/campaigns/:id/people/:personId/photo': 'an image (image/webp)',
}
/** GET routes measured elsewhere. */
const ELSEWHERE: Record<string, string> = {
  '/admin/setup': 'a 404 once an admin exists; measured at 390 and 1280 px by test/browser/first-run.test.ts',
}
/** Pages a signed-in admin is sent away from: opened before signing in. */
const SIGNED_OUT = ['/admin/login', '/admin/invitations/:token']

// About 50 s on a quiet machine (40 pages opened, measured twice, photographed once); room for a busy one.
t.setTimeout(240_000)
if (hasChromium()) await main()
else t.fail(`no chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`)

async function main() {
  await t.test('every back-office page fits a 390 px phone and a 1280 px desktop without scrolling sideways', everyPage)
}

async function everyPage(t: Test) {
  const started = Date.now()
  const app = await build(t)
  const sqlite = app.db.$client
  const base = await listen(app)
  const admin = await addUser(app, ADMIN, 'admin')
  sqlite.prepare(`update campaigns set confirm_rsvps = 0`).run()

  // ------------------------------------------------------------------ the rows the pages show
  const form = await formSession(app, '/campaigns/zhanaozen')
  const writers = [
    { name: 'Roza T.', email: 'roza@example.com', country: 'GB', city: 'Leeds', organisation: 'Unite', target: ['1', '2'] },
    { name: 'Aigerim Zhaksylykova-Montgomery', email: LONG_EMAIL, country: 'GB', city: 'Manchester', organisation: LONG_ORG, target: ['1', '3'] },
    { name: 'Jean Dupont', email: 'jean@example.fr', country: 'FR', city: 'Saint-Rémy-lès-Chevreuse', organisation: 'CGT', target: ['2'] },
  ]
  for (const w of writers) {
    const res = await postForm(app, '/campaigns/zhanaozen/letters', { ...w, language: 'en', intent: 'send', consent: 'on' }, form)
    if (res.statusCode !== 303) throw new Error(`a letter was refused (${res.statusCode}): ${res.body.slice(0, 500)}`)
  }
  const picketForm = await formSession(app, '/pickets/1')
  for (const r of [
    { name: 'Ann Lee', email: 'ann@example.com' },
    { name: 'Bartholomew Featherstonehaugh-Cholmondeley', email: LONG_EMAIL },
  ]) {
    const res = await postForm(app, '/pickets/1/rsvps', { ...r, consent: 'on' }, picketForm)
    if (res.statusCode !== 303) throw new Error(`an RSVP was refused (${res.statusCode}): ${res.body.slice(0, 500)}`)
  }

  const office = await signIn(app, ADMIN)
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
  const paper = await office.post('/admin/campaigns/1/offline-letters', { count: '250', date: yesterday, group: LONG_ORG, country: 'GB', note: `Posted from the branch meeting; ask ${LONG_EMAIL}` })
  if (paper.statusCode !== 303) throw new Error(`the paper letters were refused (${paper.statusCode}): ${paper.body.slice(0, 500)}`)
  const reportId = (sqlite.prepare('select max(id) as id from offline_letters').get() as { id: number }).id
  const invite = await office.post('/admin/users/invite', { email: LONG_EMAIL, name: 'Nina Organizer', role: 'organizer', campaigns: ['1'] })
  if (invite.statusCode !== 303) throw new Error(`the invitation was refused (${invite.statusCode}): ${invite.body.slice(0, 500)}`)
  const userId = /\/admin\/users\/(\d+)/.exec(String(invite.headers.location))![1]!
  const invitationMail = sqlite.prepare(`select message from outbox where kind = 'invitation' order by id desc`).get() as { message: string }
  const invitationToken = /\/admin\/invitations\/([A-Za-z0-9_-]{43})/.exec(invitationMail.message)![1]!
  createApiToken(app.db, admin.id, 'Zapier: new letters to the union’s spreadsheet', new Date())
  sqlite
    .prepare(`insert into outbox (kind, recipient, message, status, attempts, next_attempt_at, created_at, last_error) values ('test', ?, '{}', 'failed', 3, 0, ?, ?)`)
    .run(LONG_EMAIL, Date.now(), `550 5.1.1 <${LONG_EMAIL}>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)`)
  sqlite.prepare(`update targets set pending_email = ?, pending_email_by = ?, pending_email_at = ? where id = 3`).run(`embassy.london.consular.section@${'kazakhstan-embassy-in-the-united-kingdom'}.example.org`, admin.id, Date.now())

  const photo = await processPhoto(await sharp({ create: { width: 600, height: 800, channels: 3, background: '#8a6d3b' } }).png().toBuffer())
  if (!photo.ok) throw new Error(`the test photo was refused: ${photo.problem}`)
  savePhoto(app.db, 1, 1, photo.photo, 'Roza Tuletaeva in 2012', { id: admin.id, email: ADMIN }, new Date())

  const fixtures: Record<string, string> = {
    id: '1',
    targetId: '1',
    personId: '1',
    language: 'en',
    updateId: '1',
    reportId: String(reportId),
    userId,
    token: invitationToken,
  }
  const fill = (route: string) =>
    route.replace(/:(\w+)/g, (_m, name: string) => {
      const value = fixtures[name]
      if (!value) throw new Error(`no value for :${name} in ${route}: add one to this test`)
      return value
    })

  // ------------------------------------------------------------------ the routes
  const routes = app.routeList.filter((r, i, all) => r.url.startsWith('/admin') && all.findIndex((o) => o.method === r.method && o.url === r.url) === i)
  const gets = routes.filter((r) => r.method === 'GET').map((r) => r.url)
  const postOnly = [...new Set(routes.filter((r) => r.method !== 'GET' && r.method !== 'HEAD' && !gets.includes(r.url)).map((r) => `${r.method} ${r.url}`))]
  t.comment(`not measured, POST only (an action, not a page; the pages they answer with are among the GETs): ${postOnly.join(', ')}`)
  for (const [route, reason] of Object.entries({ ...DOWNLOADS, ...ELSEWHERE })) {
    t.ok(gets.includes(route), `${route} still exists (skipped: ${reason})`)
    t.comment(`not measured: GET ${route}, ${reason}`)
  }
  const pages = gets.filter((r) => !(r in DOWNLOADS) && !(r in ELSEWHERE))
  t.ok(pages.length >= 35, `${pages.length} back-office pages to measure`)

  const shots = path.join(screenshots, 'phone')
  fs.rmSync(shots, { recursive: true, force: true })
  fs.mkdirSync(shots, { recursive: true })
  const { context, openPage } = await launchChromium(t)
  const { page, problems } = await openPage()
  t.teardown(() => page.close())

  const measured: string[] = []
  const spent = { open: 0, screenshot: 0, measure: 0 }
  const lap = async <T>(what: keyof typeof spent, work: Promise<T>): Promise<T> => {
    const from = Date.now()
    try {
      return await work
    } finally {
      spent[what] += Date.now() - from
    }
  }
  const offenders: string[] = []

  /** Opens the page at 390 and at 1280 px; records it as an offender where it scrolls sideways. */
  async function measure(route: string, url: string) {
    // Data for a page's script (JSON) is not a page: said, not measured (asked for with the page's cookies).
    const type = (await context.request.get(`${base}${url}`)).headers()['content-type'] ?? ''
    if (!type.startsWith('text/html')) {
      t.comment(`not measured: GET ${route} answers ${type}, not a page`)
      return
    }
    await page.setViewportSize(PHONE)
    const before = problems.length
    const res = await lap('open', page.goto(`${base}${url}`, { waitUntil: 'load' }))
    const status = res?.status()
    if (status !== 200) {
      offenders.push(`${route} (${url}): HTTP ${status} at ${page.url()}`)
      return
    }
    measured.push(route)
    const name = route.replace(/^\/admin\/?/, '').replace(/[/:]+/g, '-').replace(/^-|-$/g, '') || 'dashboard'
    await lap('screenshot', page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true }))
    for (const viewport of [PHONE, DESKTOP]) {
      if (viewport !== PHONE) await page.setViewportSize(viewport)
      const found = await lap('measure', overflow(page, viewport.width))
      if (found) offenders.push(`${route} (${url}) at ${viewport.width} px: ${found}`)
    }
    for (let i = before; i < problems.length; i++) problems[i] = `${url}: ${problems[i]}`
  }

  // ------------------------------------------------------------------ signed out, then signed in
  for (const route of SIGNED_OUT) {
    t.ok(pages.includes(route), `${route} is still a back-office page`)
    await measure(route, fill(route))
  }
  await page.goto(`${base}/admin/login`)
  await page.locator('input[name=email]').fill(ADMIN)
  await page.locator('input[name=password]').fill(PASSWORD)
  await Promise.all([page.waitForURL((u) => u.pathname === '/admin', { waitUntil: 'load' }), page.locator('form[action="/admin/login"] button[type=submit]').click()])

  for (const route of pages.filter((r) => !SIGNED_OUT.includes(r))) await measure(route, fill(route))

  // The supporter-data page with what it found (a POSTed search: the address never goes in a URL).
  await page.setViewportSize(PHONE)
  await page.goto(`${base}/admin/supporters`)
  await page.locator('input[name=email]').fill(LONG_EMAIL)
  await Promise.all([page.waitForLoadState('load'), page.locator('main form[action="/admin/supporters"] button[type=submit]').first().click()])
  await page.waitForSelector('main table, main [data-found], main h2')
  await page.screenshot({ path: path.join(shots, 'supporters-found.png'), fullPage: true })
  for (const viewport of [PHONE, DESKTOP]) {
    await page.setViewportSize(viewport)
    const found = await overflow(page, viewport.width)
    if (found) offenders.push(`POST /admin/supporters (a supporter found) at ${viewport.width} px: ${found}`)
  }
  measured.push('POST /admin/supporters')

  // Every download skipped above really is one (a route turning into a page would be measured instead).
  for (const route of Object.keys(DOWNLOADS)) {
    const res = await context.request.get(`${base}${fill(route)}`)
    t.equal(res.status(), 200, `${route} answers`)
    t.notMatch(res.headers()['content-type'] ?? '', /text\/html/, `${route} is a file, not a page (${res.headers()['content-type']})`)
  }

  t.comment(`measured ${measured.length} pages at 390 and 1280 px in ${((Date.now() - started) / 1000).toFixed(1)} s (opening ${spent.open} ms, screenshots ${spent.screenshot} ms, measuring ${spent.measure} ms); screenshots in ${shots}`)
  t.same(offenders, [], `no back-office page scrolls sideways at 390 or 1280 px (${measured.length} pages)`)
  t.same(problems, [], 'no console error, page error or HTTP error on the way')
}

/**
 * Where the page is wider than the viewport: undefined when it fits, or its scroll widths and the
 * elements whose right edge passes the viewport (outside any box that scrolls or clips them), the
 * widest first.
 */
async function overflow(page: Page, width: number): Promise<string | undefined> {
  const result = await page.evaluate((width) => {
    const doc = document.documentElement.scrollWidth
    const body = document.body.scrollWidth
    if (doc <= width && body <= width) return undefined
    const clipped = (el: Element) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        if (getComputedStyle(p).overflowX !== 'visible') return true
      }
      return false
    }
    const describe = (el: Element) => {
      const id = el.id ? `#${el.id}` : ''
      const cls = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : ''
      const parent = el.parentElement ? `${el.parentElement.tagName.toLowerCase()} > ` : ''
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60)
      return `${parent}${el.tagName.toLowerCase()}${id}${cls}${text ? ` "${text}"` : ''}`
    }
    const wide: { right: number; what: string }[] = []
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect()
      if (r.width === 0 || r.right <= width + 0.5 || clipped(el)) continue
      // The outermost ones only: an element sticking out whose parent does not.
      const parent = el.parentElement
      if (parent && parent !== document.body && parent.getBoundingClientRect().right > width + 0.5 && !clipped(parent)) continue
      wide.push({ right: Math.round(r.right), what: describe(el) })
    }
    wide.sort((a, b) => b.right - a.right)
    return `scrollWidth ${doc} (body ${body}); sticking out: ${wide.slice(0, 5).map((w) => `${w.what} to ${w.right} px`).join('; ') || 'nothing found'}`
  }, width)
  return result ?? undefined
}
