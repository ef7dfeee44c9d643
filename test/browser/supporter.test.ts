// The supporter's path in a real browser (Debian's chromium driven by playwright-core):
// campaign page → preview → send → thank-you page with the tally one higher → the
// letter in the development mailbox. Also the script's live preview, the embassy in the
// supporter's country suggested as they choose it, and that no page logs a console error,
// throws, or trips the Content Security Policy.
import path from 'node:path'
import t from 'tap'
import type { Page } from 'playwright-core'
import { CHROMIUM, hasChromium, launchChromium, listen, screenshots } from './chromium.js'
import { build, supporter } from '../helper.js'

const SLUG = 'zhanaozen'
const SUBJECT = 'Free the Zhanaozen oil workers'
const OFFICIAL_EMAIL = 'president@akorda.example.org'

// A missing browser is a failure, not a skip: CI installs it (.ci/run), so must a developer.
if (hasChromium()) await main()
else t.fail(`no chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`)

async function main() {
  // As a real campaign: letters count once confirmed from the mailbox.
  const app = await build(t, { startDispatcher: true, dispatcher: { pollMs: 50 }, confirmLetters: true })
  const base = await listen(app)

  const { openPage } = await launchChromium(t)

  async function tally(page: Page): Promise<number> {
    const text = await page.locator('[data-tally]').first().innerText()
    const n = Number(text.replace(/[^\d]/g, ''))
    if (!Number.isInteger(n) || text.trim() === '') throw new Error(`tally is not a number: ${JSON.stringify(text)}`)
    return n
  }

  t.test('a supporter previews and sends a letter, and it reaches the official', async (t) => {
    const { page, problems } = await openPage()
    t.teardown(() => page.close())
    const note = 'Solidarity from the Leeds branch: release them now.'

    const res = await page.goto(`${base}/campaigns/${SLUG}`)
    t.equal(res?.status(), 200, 'campaign page loads')
    const before = await tally(page)
    // Without an icon link chromium asks for /favicon.ico, and that 404 is a console error.
    const icon = await page.locator('link[rel=icon]').getAttribute('href')
    t.ok(icon, 'the layout links an icon')
    if (icon) t.equal((await page.request.get(new URL(icon, page.url()).href)).status(), 200, 'the icon is served')

    const firstOfficial = page.locator('input[type=checkbox][name=target]').first()
    await firstOfficial.check()
    const targetId = await firstOfficial.getAttribute('value')
    await page.locator('input[name=name]').fill(supporter.name)
    await page.locator('input[name=email]').fill(supporter.email)
    await page.locator('input[name=city]').fill(supporter.city)
    await page.locator('select[name=country]').selectOption('GB')
    await page.locator('textarea[name=note]').pressSequentially(note, { delay: 2 })

    // The no-JavaScript preview: a POST that re-renders the page with the letter.
    await Promise.all([
      page.waitForURL((url) => url.pathname === `/campaigns/${SLUG}/letters`, { waitUntil: 'load' }),
      page.locator('button[value=preview]').click(),
    ])
    const preview = page.locator('[data-preview-body]')
    await preview.waitFor()
    const previewText = await preview.innerText()
    t.match(previewText, supporter.name, 'preview shows the supporter name')
    t.match(previewText, note, 'preview shows the note')
    t.match(previewText, 'Dear Mr President,', 'preview is addressed to the first official')
    t.match(previewText, 'United Kingdom', 'preview names the supporter country')
    // The form keeps what was typed, so "Send" sends the previewed letter.
    t.equal(await page.locator('input[name=name]').inputValue(), supporter.name)
    t.equal(await page.locator('textarea[name=note]').inputValue(), note)
    t.equal(await page.locator('select[name=country]').inputValue(), 'GB')
    t.equal(await page.locator(`input[name=target][value="${targetId}"]`).isChecked(), true, 'official stays chosen')
    await page.locator('#preview').scrollIntoViewIfNeeded()
    await page.screenshot({ path: path.join(screenshots, 'campaign-preview.png'), fullPage: true })

    await Promise.all([
      // The form posts to …/letters#write; the browser carries that fragment across the 303.
      page.waitForURL((url) => url.pathname === `/campaigns/${SLUG}/thanks`, { waitUntil: 'load' }),
      page.getByRole('button', { name: 'Send my letter' }).click(),
    ])
    t.equal(new URL(page.url()).pathname, `/campaigns/${SLUG}/thanks`, 'lands on the thank-you page')
    await t.resolves(page.getByRole('heading', { name: /check your inbox/ }).waitFor(), 'asked to confirm from the mailbox')
    t.equal(await tally(page), before, 'nothing counts before the confirmation')
    await page.screenshot({ path: path.join(screenshots, 'thanks.png'), fullPage: true })

    // The dispatcher sends asynchronously: poll the mailbox for a message matching `row`.
    async function waitInMailbox(row: ReturnType<Page['locator']>, what: string): Promise<boolean> {
      const deadline = Date.now() + 5000
      for (;;) {
        await page.goto(`${base}/dev/mailbox`)
        if ((await row.count()) > 0) return true
        if (Date.now() > deadline) {
          t.fail(`${what} did not reach the mailbox within 5 s`, { mailbox: await page.locator('tbody').innerText() })
          return false
        }
        await page.waitForTimeout(200)
      }
    }
    const confirmRow = page.locator('tbody tr', { hasText: supporter.email }).filter({ hasText: 'Please confirm' })
    if (!(await waitInMailbox(confirmRow, 'the confirmation'))) return
    await Promise.all([page.waitForURL(/\/dev\/mailbox\/\d+$/), confirmRow.getByRole('link').first().click()])
    const confirmText = await page.locator('pre.letter-body').innerText()
    t.notMatch(confirmText, note, 'the confirmation carries none of the text they typed')
    const link = /https?:\/\/\S+\/letters\/confirm\/[\w-]+/.exec(confirmText)?.[0]
    t.ok(link, 'the confirmation carries its link')
    await page.goto(`${base}${new URL(link!).pathname}`)
    await Promise.all([
      page.waitForURL((url) => url.pathname === `/campaigns/${SLUG}/thanks`, { waitUntil: 'load' }),
      page.getByRole('button', { name: 'Confirm and send my letter' }).click(),
    ])
    t.equal(await tally(page), before + 1, 'the tally is exactly one higher once confirmed')

    const row = page.locator('tbody tr', { hasText: OFFICIAL_EMAIL }).filter({ has: page.getByRole('link', { name: SUBJECT, exact: true }) })
    if (!(await waitInMailbox(row, 'the letter to the official'))) return
    t.equal(await row.count(), 1, 'exactly one letter to the official')
    await Promise.all([page.waitForURL(/\/dev\/mailbox\/\d+$/), row.getByRole('link', { name: SUBJECT, exact: true }).click()])
    const text = await page.locator('pre.letter-body').innerText()
    t.match(text, note, 'the mail carries the note')
    t.match(text, supporter.name, 'the mail is signed by the supporter')
    const headers = await page.locator('table.headers').innerText()
    t.match(headers, OFFICIAL_EMAIL, 'addressed to the official')
    t.notMatch(headers, supporter.email, 'the supporter did not choose to share their address: it is not in the letter')
    t.match(headers, /Reply-To/i, 'replies go to the campaign')

    t.same(problems, [], 'no console errors, page errors or CSP violations')
  })

  t.test('the live preview follows typing without a reload', async (t) => {
    const { page, problems } = await openPage()
    t.teardown(() => page.close())
    await page.goto(`${base}/campaigns/${SLUG}`)
    // Mark this document: a reload or navigation would lose the mark.
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true))
    const navigations: string[] = []
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url())
    })

    const name = 'Kamila Live-Preview'
    await page.locator('input[name=name]').pressSequentially(name, { delay: 5 })
    const body = page.locator('[data-preview-body]')
    await t.resolves(
      page.waitForFunction((n) => document.querySelector('[data-preview-body]')?.textContent?.includes(n), name),
      'preview body picks up the name',
    )
    t.match(await body.innerText(), name)

    // Choosing the second official re-addresses the letter.
    await page.locator('input[type=checkbox][name=target]').nth(1).check()
    await t.resolves(
      page.waitForFunction(() => document.querySelector('[data-preview-body]')?.textContent?.includes('Dear Prosecutor General,')),
      'preview follows the chosen official',
    )
    t.match(await page.locator('[data-preview-to]').innerText(), 'Askhat Daulbayev')

    t.equal(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument), true, 'no reload happened')
    t.same(navigations, [], 'no navigation happened')
    t.same(problems, [], 'no console errors, page errors or CSP violations')
  })

  t.test('choosing United Kingdom moves the London embassy first and ticks it, live', async (t) => {
    const { page, problems } = await openPage()
    t.teardown(() => page.close())
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${base}/campaigns/${SLUG}`)
    const navigations: string[] = []
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url())
    })
    const officials = page.locator('[data-officials] label')
    const firstBox = page.locator('[data-officials] input[name=target]').first()
    t.match(await officials.first().innerText(), 'Nursultan Nazarbayev', 'no country yet: the President first')
    t.equal(await page.locator('[data-officials] input[name=target]:checked').count(), 0, 'nothing ticked')

    await page.locator('select[name=country]').selectOption({ label: 'United Kingdom' })
    await t.resolves(
      page.waitForFunction(() => document.querySelector('[data-officials] label')?.textContent?.includes('Ambassador in London')),
      'the London embassy moves first',
    )
    await t.resolves(firstBox.waitFor({ state: 'attached' }), 'officials listed')
    t.equal(await firstBox.isChecked(), true, 'and ticked')
    t.equal(await page.locator('[data-officials] input[name=target]:checked').count(), 1, 'only it')
    t.equal(await officials.first().locator('mark.suggested').isVisible(), true, 'marked as suggested')
    t.equal(await page.locator('[data-officials] mark.suggested:visible').count(), 1, 'no other official is marked')
    await t.resolves(page.waitForFunction(() => document.querySelector('[data-preview-to]')?.textContent?.includes('Ambassador in London')), 'the preview is to the embassy')
    await page.locator('[data-officials]').screenshot({ path: path.join(screenshots, 'campaign-suggested-390.png') })

    // Another country: the suggestion, and the tick that was only a suggestion, follow it.
    await page.locator('select[name=country]').selectOption('DE')
    await t.resolves(
      page.waitForFunction(() => document.querySelector('[data-officials] label')?.textContent?.includes('Ambassador in Berlin')),
      'Germany: the Berlin embassy first',
    )
    t.same(
      await page.locator('[data-officials] label:has(input:checked) strong').allInnerTexts(),
      ['Ambassador in Berlin'],
      'the London tick went with the country',
    )
    t.same(navigations, [], 'no navigation happened')
    await page.setViewportSize({ width: 1280, height: 900 })
    await page.locator('#write').screenshot({ path: path.join(screenshots, 'campaign-suggested-1280.png') })
    t.same(problems, [], 'no console errors, page errors or CSP violations')
  })
}
