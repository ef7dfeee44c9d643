// An organizer in a real browser (Debian's chromium driven by playwright-core) switches an official to
// hand delivery on the official's form, opens the hand-delivery screen from the officials list,
// downloads the dossier (read back with PDF.js: every waiting letter, Cyrillic intact) and marks the
// letters delivered. No page may log a console error, throw, answer with an HTTP error or trip the
// Content Security Policy. Screenshots of the screens at 390 and 1280 px go to test-output/screenshots/.
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import type { Page } from 'playwright-core'
import { pagesOf } from '../pdf.js'
import { CHROMIUM, hasChromium, launchChromium, listen, screenshots } from './chromium.js'
import { build, tableCount } from '../helper.js'
import { addUser, PASSWORD } from '../admin/helper.js'

const ORGANIZER = 'organizer@example.org'
const PROSECUTOR = 2

// A missing browser is a failure, not a skip: CI installs it (.ci/run), so must a developer.
if (hasChromium()) await main()
else t.fail(`no chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`)

const pdfText = (file: string) => pagesOf(fs.readFileSync(file))

async function main() {
  const app = await build(t, { pacedOfficials: true })
  const base = await listen(app)
  await addUser(app, ORGANIZER, 'organizer', [1])
  // Three supporters wrote to the Prosecutor General; their letters wait for paced mail.
  const supporters = [
    { name: 'Анна Иванова', city: 'Москва', country: 'RU', language: 'ru', note: 'Свободу Розе Тулетаевой!' },
    { name: 'Әсел Құрманғазы', city: 'Алматы', country: 'KZ', language: 'ru', note: 'Әділ сот керек.' },
    { name: 'Jo Smith', city: 'Leeds', country: 'GB', language: 'en' },
  ]
  for (const [i, s] of supporters.entries()) {
    const res = await app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'application/json' }, payload: { ...s, email: `s${i}@example.com`, targetId: PROSECUTOR } })
    if (res.statusCode !== 201) throw new Error(`letter refused: ${res.body}`)
  }

  const { openPage } = await launchChromium(t, { acceptDownloads: true })

  async function submit(page: Page, button: ReturnType<Page['locator']>, to: (url: URL) => boolean) {
    try {
      await Promise.all([page.waitForURL(to, { waitUntil: 'load' }), button.click()])
    } catch (err) {
      const alerts = await page.locator('[role=alert], .field-error, .form-errors').allInnerTexts().catch(() => [])
      throw new Error(`${(err as Error).message.split('\n')[0]}; the page is ${page.url()}${alerts.length ? `: ${alerts.join(' | ')}` : ''}`)
    }
  }

  async function shoot(page: Page, name: string) {
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 })
      await page.screenshot({ path: path.join(screenshots, `${name}-${width}.png`), fullPage: true })
    }
    await page.setViewportSize({ width: 1000, height: 900 })
  }

  t.test('an organizer switches an official to hand, downloads the dossier and marks the letters delivered', async (t) => {
    const { page, problems } = await openPage()
    t.teardown(() => page.close())

    await page.goto(`${base}/admin/login`)
    await page.locator('input[name=email]').fill(ORGANIZER)
    await page.locator('input[name=password]').fill(PASSWORD)
    await submit(page, page.getByRole('button', { name: 'Sign in', exact: true }), (u) => u.pathname === '/admin')

    // The President's address refuses our mail: the campaign screen says so, with the server's answer.
    app.db.$client.prepare(`update targets set delivery_state = 'bouncing', bounce_reason = ?, bounced_at = ? where id = 1`).run('550 5.1.1 User unknown', Date.now())
    await page.goto(`${base}/admin/campaigns/1`)
    t.match(await page.locator('main').innerText(), /Letters to Nursultan Nazarbayev bounce: president@akorda\.example\.org refused our mail .*550 5\.1\.1 User unknown.*0 letters are held/s)
    await shoot(page, 'campaign-bouncing')

    // The officials list, then the Prosecutor General's form.
    await page.goto(`${base}/admin/campaigns/1/targets`)
    t.match(await page.locator('main').innerText(), 'Paced mail: up to 30 an hour')
    await submit(page, page.getByRole('link', { name: 'Askhat Daulbayev', exact: true }), (u) => u.pathname === `/admin/campaigns/1/targets/${PROSECUTOR}`)
    await t.resolves(page.getByRole('radio', { name: 'One mail per letter, paced' }).isChecked().then((on) => (on ? undefined : Promise.reject(new Error('each is not checked')))), 'paced mail is the mode')
    await shoot(page, 'target-form')

    // A wrong setting first: the field says what is wrong, nothing is saved.
    await page.locator('input[name=maxPerHour]').fill('0')
    await submit(page, page.getByRole('button', { name: 'Save', exact: true }), (u) => u.pathname === `/admin/campaigns/1/targets/${PROSECUTOR}`)
    t.match(await page.locator('#maxPerHour-error').innerText(), 'Mails an hour must be a whole number from 1 to 100,000')
    t.equal(app.campaigns.target(1, PROSECUTOR)!.maxPerHour, 30)
    // The refused form answers 422, which the browser logs: expected here, and only that.
    const refused = problems.splice(0)
    t.ok(refused.length > 0 && refused.every((p) => p.includes('422') && p.includes(`/admin/campaigns/1/targets/${PROSECUTOR}`)), 'the only problem so far is the expected 422')
    await shoot(page, 'target-form-errors')

    // Hand delivery, with its explanation.
    await page.locator('input[name=maxPerHour]').fill('30')
    t.match(await page.locator('#delivery-hand-help').innerText(), 'print their dossier')
    await page.getByRole('radio', { name: 'By hand, no mail' }).check()
    await submit(page, page.getByRole('button', { name: 'Save', exact: true }), (u) => u.pathname === '/admin/campaigns/1/targets')
    t.equal(app.campaigns.target(1, PROSECUTOR)!.delivery, 'hand', 'saved as hand')
    app.dispatcher.produce()
    t.equal(tableCount(app, 'outbox', `kind = 'letter'`), 0, 'no mail goes out for them')

    // From the officials list to the hand-delivery screen.
    t.match(await page.locator('main').innerText(), 'By hand: no mail, a printed dossier')
    await shoot(page, 'target-list')
    await submit(page, page.getByRole('link', { name: 'Hand delivery (3)' }), (u) => u.pathname.endsWith('/hand-delivery'))
    t.equal(await page.locator('#waiting-total').innerText(), '3')
    await shoot(page, 'hand-delivery')

    // The dossier.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the dossier (PDF)' }).click()])
    t.match(download.suggestedFilename(), /^dossier-askhat-daulbayev-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.pdf$/)
    const pages = await pdfText((await download.path())!)
    t.match(pages[0], /^3 письма$/m, 'the cover counts the three letters, in the Prosecutor General\'s language')
    const text = pages.join('\n')
    for (const s of supporters) t.match(text, s.name, `${s.name}'s letter is in it`)
    t.match(text, 'Свободу Розе Тулетаевой!', 'Cyrillic intact')
    t.match(text, 'Әділ сот керек.', 'Kazakh intact')

    // Delivered.
    await submit(page, page.getByRole('button', { name: 'Mark 3 letters as delivered by hand' }), (u) => u.searchParams.get('delivered') === '3')
    t.match(await page.getByRole('status').innerText(), 'Marked 3 letters as delivered by hand.')
    t.equal(await page.locator('#waiting-total').innerText(), '0')
    t.equal(tableCount(app, 'letters', `target_id = ${PROSECUTOR} and status = 'sent' and delivered_via = 'hand'`), 3)
    await shoot(page, 'hand-delivery-done')

    t.same(problems, [], 'no console errors, page errors, HTTP errors or CSP violations')
  })
}
