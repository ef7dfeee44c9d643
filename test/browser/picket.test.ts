// A supporter's picket path in a real browser (Debian's chromium driven by playwright-core):
// campaign page → the London picket → RSVP → "check your mailbox" (no place taken yet) → the
// mail with the RSVP's own link in the development mailbox → "Confirm my place" → the manage
// page ("You're going") with one place fewer left → the calendar file by mail → cancel on the
// manage page → the place is free again. No page may log a console error,
// throw, answer with an HTTP error or trip the Content Security Policy.
import path from 'node:path'
import t from 'tap'
import type { Page } from 'playwright-core'
import { CHROMIUM, hasChromium, launchChromium, listen, screenshots } from './chromium.js'
import { build } from '../helper.js'

const SLUG = 'zhanaozen'
const PICKET = 'Picket at the Kazakh embassy in London'
const attendee = { name: 'Aigerim B.', email: 'aigerim@example.com' }

// A missing browser is a failure, not a skip: CI installs it (.ci/run), so must a developer.
if (hasChromium()) await main()
else t.fail(`no chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`)

async function main() {
  const app = await build(t, { startDispatcher: true, dispatcher: { pollMs: 50 } })
  const base = await listen(app)

  const { openPage } = await launchChromium(t)

  /** What the JSON API says of the picket (the browser's own request context, so cookies and all). */
  async function apiPicket(page: Page, id: string): Promise<{ capacity: number | null; going: number; waitlisted: number }> {
    const res = await page.request.get(`${base}/api/pickets/${id}`)
    if (res.status() !== 200) throw new Error(`GET /api/pickets/${id}: ${res.status()}`)
    return res.json()
  }

  /** "39 of 40 left · 1 going" from the picket page's details. */
  async function places(page: Page): Promise<{ left: number; of: number; going: number }> {
    const text = await page.locator('dl.picket-details dt:text-is("Places") + dd').innerText()
    const m = /(\d+) of (\d+) left · (\d+) going/.exec(text)
    if (!m) throw new Error(`places are not "N of M left · K going": ${JSON.stringify(text)}`)
    return { left: Number(m[1]), of: Number(m[2]), going: Number(m[3]) }
  }

  t.test('a supporter RSVPs to the London picket, gets the calendar file, and cancels', async (t) => {
    const { page, problems } = await openPage()
    t.teardown(() => page.close())

    // The campaign page lists the pickets; the London one is a link.
    const res = await page.goto(`${base}/campaigns/${SLUG}`)
    t.equal(res?.status(), 200, 'campaign page loads')
    const section = page.locator('section#pickets')
    await t.resolves(section.getByRole('heading', { name: 'Pickets near you' }).waitFor(), 'the "Pickets near you" section is shown')
    const link = section.getByRole('link', { name: PICKET })
    t.equal(await link.count(), 1, 'one link to the London picket')
    t.match(await section.locator('li', { has: page.getByRole('link', { name: PICKET }) }).innerText(), /40 places left/, 'the campaign page shows its places left')
    await Promise.all([page.waitForURL(/\/pickets\/\d+$/, { waitUntil: 'load' }), link.click()])
    const picketPath = new URL(page.url()).pathname
    const picketId = picketPath.split('/').pop()!

    // The picket page: local time at the venue, the zone named.
    await t.resolves(page.getByRole('heading', { level: 1, name: PICKET }).waitFor(), 'picket heading shown')
    const when = await page.locator('dl.picket-details dt:text-is("When") + dd').innerText()
    t.match(when, /^\w+day \d{1,2} \w+ \d{4}, 12:00–14:00/, 'noon to two, local time, with the date spelled out')
    t.match(when, /Local time at the venue: Europe\/London, (GMT|BST|UTC|GMT\+1)/, 'the zone is named')
    const before = await places(page)
    t.same(before, { left: 40, of: 40, going: 0 }, 'nobody is going yet')
    const apiBefore = await apiPicket(page, picketId)
    t.match(apiBefore, { capacity: 40, going: 0, waitlisted: 0 }, 'the API agrees')
    await page.screenshot({ path: path.join(screenshots, 'picket.png'), fullPage: true })
    const ics = await page.request.get(new URL((await page.getByRole('link', { name: 'Add to my calendar' }).getAttribute('href'))!, page.url()).href)
    t.equal(ics.status(), 200, 'the "Add to my calendar" link serves a file')
    t.match(ics.headers()['content-type'], /^text\/calendar/, 'a calendar file')
    const icsText = await ics.text()
    t.match(icsText, /BEGIN:VEVENT/, 'with an event in it')
    t.match(icsText, /DTSTART;TZID=Europe\/London:\d{8}T120000/, 'starting at noon, London time')

    /** Waits for a mail to the attendee with this subject in the development mailbox, and opens it. */
    async function openMail(subject: string): Promise<boolean> {
      const row = page.locator('tbody tr', { hasText: attendee.email }).filter({ has: page.getByRole('link', { name: subject, exact: true }) })
      const from = Date.now()
      for (;;) {
        await page.goto(`${base}/dev/mailbox`)
        if ((await row.count()) > 0) break
        if (Date.now() > from + 5000) {
          t.fail(`"${subject}" did not reach the mailbox within 5 s`, { mailbox: await page.locator('tbody').innerText() })
          return false
        }
        await page.waitForTimeout(200)
      }
      t.comment(`"${subject}" was in the mailbox ${Date.now() - from} ms after the check began`)
      t.equal(await row.count(), 1, `exactly one "${subject}" to the attendee`)
      await Promise.all([page.waitForURL(/\/dev\/mailbox\/\d+$/, { waitUntil: 'load' }), row.getByRole('link', { name: subject, exact: true }).click()])
      t.match(await page.locator('table.headers').innerText(), attendee.email, 'addressed to the attendee')
      return true
    }

    // RSVP: a plain form POST, 303 to "check your mailbox"; the link goes only to the mailbox.
    const form = page.locator('section#rsvp form')
    await form.locator('input[name=name]').fill(attendee.name)
    await form.locator('input[name=email]').fill(attendee.email)
    await form.locator('input[name=consent]').check()
    await Promise.all([page.waitForURL(/\/check-your-mailbox$/, { waitUntil: 'load' }), form.getByRole('button', { name: 'RSVP', exact: true }).click()])
    t.equal(new URL(page.url()).pathname, `${picketPath}/check-your-mailbox`, 'lands on "check your mailbox", with no token in the address')
    await t.resolves(page.getByRole('heading', { level: 1, name: 'Check your mailbox' }).waitFor(), '"Check your mailbox" shown')
    t.match(await apiPicket(page, picketId), { capacity: 40, going: 0, waitlisted: 0 }, 'no place taken before confirming')

    // The mail carries the RSVP's own link; opening it shows a button and confirms nothing.
    if (!(await openMail(`Confirm your place: ${PICKET}`))) return
    const managePath = /http:\/\/outcry\.test(\/rsvps\/[A-Za-z0-9_-]{16,})/.exec(await page.locator('pre.letter-body').innerText())?.[1]
    t.ok(managePath, 'the mail links the RSVP on BASE_URL')
    if (!managePath) return
    await page.goto(`${base}${managePath}`)
    await t.resolves(page.getByRole('heading', { level: 1, name: 'Confirm your place' }).waitFor(), '"Confirm your place" shown')
    t.match(await apiPicket(page, picketId), { going: 0 }, 'opening the link confirms nothing')
    await page.screenshot({ path: path.join(screenshots, 'rsvp-confirm.png'), fullPage: true })
    await Promise.all([page.waitForURL((url) => url.pathname === managePath, { waitUntil: 'load' }), page.getByRole('button', { name: 'Confirm my place' }).click()])
    await t.resolves(page.getByRole('heading', { level: 1, name: "You're going" }).waitFor(), '"You\'re going" shown')
    t.match(await page.locator('article').first().innerText(), PICKET, 'the manage page names the picket')
    t.match(await page.locator('dl.picket-details').innerText(), /Europe\/London/, 'and its local time zone')
    t.equal(await page.getByRole('button', { name: 'Cancel my RSVP' }).count(), 1, 'a cancel button is offered')
    await page.screenshot({ path: path.join(screenshots, 'rsvp.png'), fullPage: true })

    // One place fewer, on the API and on the picket page.
    t.match(await apiPicket(page, picketId), { capacity: 40, going: 1, waitlisted: 0 }, 'the API counts one going')
    await page.goto(`${base}${picketPath}`)
    t.same(await places(page), { left: 39, of: 40, going: 1 }, 'the picket page shows one place fewer')

    // The dispatcher sends asynchronously: poll the mailbox for "You're going" with its calendar file.
    if (!(await openMail(`You're going: ${PICKET}`))) return
    const body = await page.locator('pre.letter-body').innerText()
    t.match(body, `http://outcry.test${managePath}`, 'the mail links the manage page on BASE_URL')
    const attachments = page.locator('h2:text-is("Attachments") + ul > li')
    t.equal(await attachments.count(), 1, 'one attachment')
    t.match(await attachments.first().innerText(), /^picket\.ics \(text\/calendar/, 'it is picket.ics, a text/calendar part')

    // Back to the manage page: cancel.
    await page.goto(`${base}${managePath}`)
    await Promise.all([
      page.waitForURL((url) => url.pathname === managePath, { waitUntil: 'load' }),
      page.getByRole('button', { name: 'Cancel my RSVP' }).click(),
    ])
    await t.resolves(page.getByRole('heading', { level: 1, name: 'Your RSVP is cancelled' }).waitFor(), '"Your RSVP is cancelled" shown')
    t.equal(await page.getByRole('button', { name: 'Cancel my RSVP' }).count(), 0, 'no cancel button any more')
    t.match(await apiPicket(page, picketId), { capacity: 40, going: 0, waitlisted: 0 }, 'the API counts nobody going again')
    await page.goto(`${base}${picketPath}`)
    t.same(await places(page), { left: 40, of: 40, going: 0 }, 'the picket page has the place back')

    t.same(problems, [], 'no console errors, page errors, HTTP errors or CSP violations')
  })
}
