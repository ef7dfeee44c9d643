// The picket screens on a phone (390×844, Debian's chromium through playwright-core): check-in with one
// hand — 30 people going, two of them "Aigul Bekova", the count and the search sticky at the top, rows
// filtered live as a name is typed (accents ignored), one tap on a big button and the person is here —
// and the picket form, where the time zone follows the country and city and the start reads back at the
// venue and in the organizer's own time. No horizontal scrolling, no console error, no CSP violation.
import path from 'node:path'
import t from 'tap'
import type { Page } from 'playwright-core'
import { CHROMIUM, hasChromium, launchChromium, listen, screenshots } from './chromium.js'
import { build, TestClock } from '../helper.js'
import { addUser, PASSWORD } from '../admin/helper.js'
import { picketFields } from '../pickets/helpers.js'
import { campaigns } from '../../src/db/schema/index.js'

const ORGANIZER = 'org@example.org'
const PHONE = { width: 390, height: 844 }

// A missing browser is a failure, not a skip: CI installs it (.ci/run), so must a developer.
if (hasChromium()) await main()
else t.fail(`no chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`)

async function main() {
  const clock = new TestClock(new Date('2026-12-01T10:00:00Z'))
  const app = await build(t, { clock: clock.now })
  app.db.update(campaigns).set({ confirmRsvps: false }).run()
  await addUser(app, ORGANIZER, 'organizer', [1])
  const picket = app.pickets.schedule(1, { ...picketFields, startsLocal: '2026-12-16T12:00', endsLocal: '2026-12-16T14:00', capacity: 30 })
  const names = ['Aigul Bekova', 'Aigul Bekova', 'Aigül Serikova', 'Maximilian-Alexander Hohenzollern-Sigmaringen-Wittgenstein-Berleburg']
  for (let i = names.length; i < 30; i++) names.push(`Supporter Number${i + 1}`)
  names.forEach((name, i) => {
    clock.advance(47 * 60_000)
    const result = app.pickets.rsvp(picket.id, { name, email: `person${i + 1}@example.com`, consent: i % 2 === 0 })
    if (result.kind !== 'accepted') throw new Error(`RSVP refused: ${result.kind}`)
  })
  clock.current = new Date('2026-12-16T11:50:00Z') // on the day, ten minutes before
  const base = await listen(app)
  const { openPage } = await launchChromium(t)

  /** Opens `next`, signing in first when the browser is not signed in yet (the pages share a profile). */
  async function signIn(page: Page, next: string) {
    await page.goto(`${base}${next}`)
    if (new URL(page.url()).pathname !== '/admin/login') return
    await page.locator('input[name=email]').fill(ORGANIZER)
    await page.locator('input[name=password]').fill(PASSWORD)
    await Promise.all([page.waitForURL((u) => u.pathname === next, { waitUntil: 'load' }), page.getByRole('button', { name: 'Sign in', exact: true }).click()])
  }
  const scrollWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth)

  t.test('check-in at 390 px: the count and search stay on top, rows filter live, one tap and a person is here', async (t) => {
    const { page, problems } = await openPage()
    t.teardown(() => page.close())
    await page.setViewportSize(PHONE)
    await signIn(page, `/admin/pickets/${picket.id}/check-in`)

    const count = page.locator('.check-in-count')
    t.equal(await count.innerText(), '0 of 30 here')
    t.ok((await scrollWidth(page)) <= PHONE.width, `no sideways scrolling (${await scrollWidth(page)} px wide)`)
    const rows = page.locator('.check-in-list > li:not([hidden]) button.check-in-row')
    t.equal(await rows.count(), 30, 'everyone going')
    const heights = await rows.evaluateAll((buttons) => buttons.map((b) => b.getBoundingClientRect()))
    t.ok(heights.every((r) => r.height >= 48), `every row at least 48 px high (lowest ${Math.min(...heights.map((r) => Math.round(r.height)))})`)
    t.ok(heights.every((r) => r.width >= PHONE.width - 2 * 24 && r.right <= PHONE.width), 'full width, inside the screen')
    const search = page.locator('input[type=search][name=q]')
    t.ok(((await search.boundingBox())?.height ?? 0) >= 48, 'the search box is big enough for a thumb')

    // Scrolled to the bottom, the count and the search are still at the top.
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight))
    const bar = await page.locator('.check-in-bar').boundingBox()
    t.ok(bar && Math.abs(bar.y) < 1, `the bar sticks to the top (y ${bar?.y})`)
    await page.evaluate(() => window.scrollTo(0, 0))

    // Live search: case and accents do not matter; two Aigul Bekova are told apart by when they RSVPed.
    await search.fill('aigul')
    await t.resolves(page.waitForFunction(() => document.querySelectorAll('.check-in-list > li:not([hidden])').length === 3), 'three Aigul, as typed')
    const found = await rows.allInnerTexts()
    t.same(found.map((r) => r.split('\n')[0]!.replace(/ — .*/, '').trim()), ['Aigul Bekova', 'Aigul Bekova', 'Aigül Serikova'])
    const times = found.map((r) => /RSVP (.+)$/m.exec(r)?.[1])
    t.equal(new Set(times).size, 3, `each with its own time of RSVP (${times.join(', ')})`)
    t.notMatch(await page.locator('main').innerText(), /@example\.com/, 'no address on the screen')
    await search.fill('nobody like this')
    await t.resolves(page.locator('.check-in-none', { hasText: 'Nobody going matches “nobody like this”.' }).waitFor(), 'says when nobody matches')
    await search.fill('AIGUL BEK')
    await page.waitForFunction(() => document.querySelectorAll('.check-in-list > li:not([hidden])').length === 2)

    // One tap on the second Aigul Bekova.
    const second = rows.nth(1)
    const box = await second.boundingBox()
    t.ok(box && box.height >= 48, `the button tapped is ${Math.round(box?.height ?? 0)} px high`)
    await Promise.all([page.waitForURL(/\/check-in(\?q=[^#]*)?#rsvp-\d+$/, { waitUntil: 'load' }), second.tap().catch(() => second.click())])
    t.equal(await count.innerText(), '1 of 30 here', 'counted')
    const here = page.locator('button.check-in-row.is-here')
    t.equal(await here.count(), 1)
    t.match(await here.innerText(), /✓ Aigul Bekova\s+— here since 11:50 · tap to undo/, 'here in words and with a tick')
    t.equal(await here.getAttribute('aria-pressed'), 'true')
    const colours = await here.evaluate((b) => getComputedStyle(b).backgroundColor)
    t.not(colours, (await page.locator('button.check-in-row:not(.is-here)').first().evaluate((b) => getComputedStyle(b).backgroundColor)), 'and in colour')
    t.ok(((await here.boundingBox())?.height ?? 0) >= 48)
    t.ok((await scrollWidth(page)) <= PHONE.width, 'still no sideways scrolling')
    await page.locator('input[type=search]').fill('')
    await page.screenshot({ path: path.join(screenshots, 'check-in-390.png') })
    t.same(problems, [], 'no console error, failed request or CSP violation')
  })

  t.test('the picket form at 390 px: the zone follows country and city unless chosen by hand, the start read back', async (t) => {
    const { page, problems } = await openPage()
    t.teardown(() => page.close())
    await page.setViewportSize(PHONE)
    // The organizer's browser is in London; the picket is in Almaty.
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Emulation.setTimezoneOverride', { timezoneId: 'Europe/London' })
    await signIn(page, '/admin/campaigns/1/pickets/new')

    const zone = page.locator('select[name=timeZone]')
    t.equal(await zone.inputValue(), '', 'nothing chosen yet')
    await page.locator('select[name=country]').selectOption('KZ')
    await page.locator('input[name=city]').fill('Aktobe')
    await t.resolves(page.waitForFunction(() => (document.querySelector('select[name=timeZone]') as HTMLSelectElement).value === 'Asia/Aqtobe'), 'Aktobe’s zone chosen')
    t.match(await zone.locator('optgroup').first().getAttribute('label'), 'In Kazakhstan', 'the country’s zones first')
    await page.locator('input[name=city]').fill('Almaty')
    await t.resolves(page.waitForFunction(() => (document.querySelector('select[name=timeZone]') as HTMLSelectElement).value === 'Asia/Almaty'), 'follows the city')

    await page.locator('input[name=startsLocal]').fill('2026-12-19T11:00')
    const preview = page.locator('#local-preview')
    await t.resolves(page.locator('#local-preview', { hasText: 'Saturday 19 December, 11:00 in Almaty' }).waitFor(), 'the start at the venue')
    t.match(await preview.innerText(), '(= 06:00 your time)', 'and in the organizer’s own time')

    // Chosen by hand: the city no longer moves it.
    await zone.selectOption('Asia/Aqtau')
    await page.locator('input[name=city]').fill('Oral')
    await page.waitForTimeout(800)
    t.equal(await zone.inputValue(), 'Asia/Aqtau', 'a zone chosen by hand stays')
    t.match(await preview.innerText(), /Saturday 19 December, 11:00 in Oral\s+\(= 06:00 your time\)/)

    t.ok((await scrollWidth(page)) <= PHONE.width, `no sideways scrolling (${await scrollWidth(page)} px wide)`)
    await page.locator('#local-preview').scrollIntoViewIfNeeded()
    await page.screenshot({ path: path.join(screenshots, 'picket-form-zone-390.png') })
    t.same(problems, [], 'no console error, failed request or CSP violation')
  })
}
