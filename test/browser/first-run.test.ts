// First run (issue 15), in Chromium: an empty install, the link the start log prints, the first admin
// created in the browser and landing on the dashboard; on a phone and a desktop, with axe.
import path from 'node:path'
import t, { type Test } from 'tap'
import type { Page } from 'playwright-core'
import { build } from '../helper.js'
import { PASSWORD } from '../admin/helper.js'
import { firstRunLink } from '../../src/admin/setup-routes.js'
import { CHROMIUM, hasChromium, launchChromium, listen, screenshots } from './chromium.js'
import { axeFindings } from './axe.js'

if (hasChromium()) await main()
else t.fail(`no chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`)

async function main() {
  // No demo, no user: the install as `npm start` finds it the first time.
  const app = await build(t, { seed: false })
  const base = await listen(app)
  const { openPage } = await launchChromium(t)

  // What server.ts prints after listening, pointed at this test's port.
  const printed = firstRunLink(app)!
  t.match(printed, /^http:\/\/outcry\.test\/admin\/setup#[\w-]{43}$/, 'the link carries its code in the fragment')
  const link = printed.replace('http://outcry.test', base)

  async function check(page: Page, t: Test, name: string, widths = [390, 1280]) {
    for (const width of widths) {
      await page.setViewportSize({ width, height: 900 })
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth)
      t.ok(scrollWidth <= width, `${name} fits ${width} px (scrollWidth ${scrollWidth})`)
      t.same(await axeFindings(page), [], `${name} at ${width} px: no serious or critical axe finding`)
      await page.screenshot({ path: path.join(screenshots, `first-run-${name}-${width}.png`), fullPage: true })
    }
  }

  t.test('the printed link makes the first admin, who lands on the dashboard', async (t) => {
    const { page, problems } = await openPage()
    t.teardown(() => page.close())
    await page.setViewportSize({ width: 390, height: 900 })

    const res = await page.goto(link)
    t.equal(res?.status(), 200)
    await t.resolves(page.getByRole('heading', { name: 'Set up Outcry', level: 1 }).waitFor())
    await page.waitForFunction(() => location.hash === '')
    t.equal(new URL(page.url()).hash, '', 'the code leaves the address bar')
    t.equal(await page.locator('input[name=code]').inputValue(), printed.split('#')[1], 'and is in the form')
    t.equal(await page.locator('#setup-code').isVisible(), false, 'a field the organizer need not see')
    await check(page, t, 'form')

    // Two different passwords: the form comes back, the code still in it.
    await page.setViewportSize({ width: 390, height: 900 })
    await page.getByLabel('Your email address').fill('organizer@example.org')
    await page.locator('input[name=password]').fill(PASSWORD)
    await page.getByLabel('The same again').fill(`${PASSWORD}?`)
    await Promise.all([page.waitForURL((u) => u.pathname === '/admin/setup', { waitUntil: 'load' }), page.getByRole('button', { name: 'Create the admin and sign in' }).click()])
    t.match(await page.locator('[role=alert]').innerText(), 'Please correct the fields marked below.')
    t.match(await page.locator('#confirm-error').innerText(), 'The two passwords differ')
    t.equal(await page.getByLabel('Your email address').inputValue(), 'organizer@example.org', 'the address is kept')
    await check(page, t, 'form-error', [390])

    await page.locator('input[name=password]').fill(PASSWORD)
    await page.getByLabel('The same again').fill(PASSWORD)
    await Promise.all([page.waitForURL((u) => u.pathname === '/admin', { waitUntil: 'load' }), page.getByRole('button', { name: 'Create the admin and sign in' }).click()])
    await t.resolves(page.getByRole('heading', { name: 'Back office', level: 1 }).waitFor(), 'on the dashboard')
    t.match(await page.locator('main').innerText(), 'Signed in as organizer@example.org (admin)')
    await check(page, t, 'dashboard')

    // A first draft: the dashboard lists what it needs before it may go live, each with its link.
    await Promise.all([page.waitForURL((u) => u.pathname === '/admin/campaigns/new', { waitUntil: 'load' }), page.getByRole('button', { name: 'New campaign' }).click()])
    await page.locator('input[name=title]').fill('Free the Mangystau drivers')
    await page.locator('input[name=slug]').fill('mangystau-drivers')
    await Promise.all([page.waitForURL((u) => /^\/admin\/campaigns\/\d+$/.test(u.pathname), { waitUntil: 'load' }), page.getByRole('button', { name: 'Create campaign' }).click()])
    await page.goto(`${base}/admin`)
    const checklist = page.locator('details[data-campaign="mangystau-drivers"]')
    t.match(await checklist.locator('summary').innerText(), '2 of 4 done')
    t.equal(await checklist.getByRole('link', { name: /An official letters can reach/ }).getAttribute('href'), '/admin/campaigns/1/targets')
    t.equal(await checklist.getByRole('img', { name: 'done' }).count(), 2)
    await check(page, t, 'checklist')

    // The link is used: the same page now is the plain 404.
    const again = await page.goto(link)
    t.equal(again?.status(), 404, 'the link dies once used')
    // The refused form (422) and the dead link (404) are answers the browser reports as failed loads.
    const expected404 = problems.filter((p) => /HTTP 4(04|22)|status of 4(04|22)/.test(p))
    t.same(problems.filter((p) => !expected404.includes(p)), [], 'no console error, CSP violation or failed response on the way')
    t.ok(expected404.every((p) => p.includes('/admin/setup')), 'the only failed answers are the refused form and the dead link')
  })
}
