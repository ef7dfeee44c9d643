// An organizer's path through the back office in a real browser (Debian's chromium driven by
// playwright-core): /admin → the login page → sign in → a new draft campaign → an official →
// an English letter template, previewed with the sample supporter (by the Preview button, then
// live as the organizer types) → saved → the campaign set live → a supporter writes on the
// public page and sees the tally at 1 → the campaign's report → the tally-by-official CSV,
// downloaded and read. No page may log a console error, throw, answer with an HTTP error or
// trip the Content Security Policy.
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { parse } from 'csv-parse/sync'
import type { Page } from 'playwright-core'
import { CHROMIUM, hasChromium, launchChromium, listen, screenshots } from './chromium.js'
import { build, supporter } from '../helper.js'
import { addUser, PASSWORD } from '../admin/helper.js'

const ADMIN = 'admin@example.org'
const SLUG = 'free-the-miners'
const TITLE = 'Free the jailed miners'
const official = { name: 'Marat Beketayev', title: 'Minister of Justice', country: 'KZ', email: 'minister@adilet.example.org', language: 'en' }
const SUBJECT = 'Release the Zhezkazgan miners'
const BODY = `Dear {{target.name}},

I am writing from {{supporter.city}} about the miners jailed for going on strike.
{{#if note}}{{note}}{{/if}}

Yours sincerely,
{{supporter.name}}`

// A missing browser is a failure, not a skip: CI installs it (.ci/run), so must a developer.
if (hasChromium()) await main()
else t.fail(`no chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`)

async function main() {
  const started = Date.now()
  const app = await build(t, { startDispatcher: true, dispatcher: { pollMs: 50 } })
  const base = await listen(app)
  await addUser(app, ADMIN, 'admin')

  const { openPage } = await launchChromium(t, { acceptDownloads: true })

  const timings: string[] = []
  let lap = started
  const step = (name: string) => {
    const now = Date.now()
    timings.push(`${name}: ${now - lap} ms`)
    lap = now
  }
  step('app and browser start')

  /** Submits a form by its button and waits for the page the answer (or its redirect) lands on. */
  async function submit(page: Page, button: ReturnType<Page['locator']>, to: (url: URL) => boolean) {
    try {
      await Promise.all([page.waitForURL(to, { waitUntil: 'load' }), button.click()])
    } catch (err) {
      // Say where the browser is instead (a 422 page names the fields it refused).
      const alerts = await page.locator('[role=alert], .field-error, .form-errors').allInnerTexts().catch(() => [])
      throw new Error(`${(err as Error).message.split('\n')[0]}; the page is ${page.url()}${alerts.length ? `: ${alerts.join(' | ')}` : ''}`)
    }
  }

  t.test('an organizer sets up a campaign, a supporter writes, the report and its CSV count the letter', async (t) => {
    const { page, problems } = await openPage()
    t.teardown(() => page.close())

    // ---------------------------------------------------------------- sign in
    const first = await page.goto(`${base}/admin`)
    t.equal(first?.status(), 200, 'the back office answers (after its redirect)')
    const loginUrl = new URL(page.url())
    t.equal(loginUrl.pathname, '/admin/login', 'signed out, /admin leads to the login page')
    t.equal(loginUrl.searchParams.get('next'), '/admin', 'and comes back to /admin after')
    await page.locator('input[name=email]').fill(ADMIN)
    await page.locator('input[name=password]').fill(PASSWORD)
    await submit(page, page.getByRole('button', { name: 'Sign in', exact: true }), (u) => u.pathname === '/admin')
    await t.resolves(page.getByRole('heading', { name: 'Back office' }).waitFor(), 'the dashboard is shown')
    t.match(await page.locator('main').innerText(), `Signed in as ${ADMIN}`)
    step('sign in')

    // ---------------------------------------------------------------- a new draft campaign
    await submit(page, page.getByRole('button', { name: 'New campaign' }), (u) => u.pathname === '/admin/campaigns/new')
    await page.locator('input[name=title]').fill(TITLE)
    await page.locator('input[name=slug]').fill(SLUG)
    await page.locator('input[name=goal]').fill('500')
    await page.locator('textarea[name=story]').fill('Twelve miners were jailed for a strike.\n\nWrite to the minister and ask for their release.')
    await page.locator('select[name=mainLanguage]').selectOption('en')
    await submit(page, page.getByRole('button', { name: 'Create campaign' }), (u) => /^\/admin\/campaigns\/\d+$/.test(u.pathname))
    const campaignId = /^\/admin\/campaigns\/(\d+)$/.exec(new URL(page.url()).pathname)![1]
    t.match(await page.locator('[role=status]').innerText(), 'The campaign was created', 'created notice')
    t.equal(await page.locator('[data-status]').getAttribute('data-status'), 'draft', 'it starts as a draft')
    const warnings = await page.locator('p.notice').allInnerTexts()
    t.ok(warnings.some((w) => /no officials yet/.test(w)), 'warns there are no officials')
    t.ok(warnings.some((w) => /No letter template yet for: English/.test(w)), 'warns there is no English template')
    const admin = `/admin/campaigns/${campaignId}`
    step('create campaign')

    // ---------------------------------------------------------------- an official
    await submit(page, page.locator('nav[aria-label="This campaign"]').getByRole('link', { name: 'Officials' }), (u) => u.pathname === `${admin}/targets`)
    t.match(await page.locator('tbody').innerText(), 'No officials yet')
    await submit(page, page.getByRole('button', { name: 'Add an official' }), (u) => u.pathname === `${admin}/targets/new`)
    await page.locator('input[name=name]').fill(official.name)
    await page.locator('input[name=title]').fill(official.title)
    await page.locator('select[name=country]').selectOption(official.country)
    await page.locator('input[name=email]').fill(official.email)
    await page.locator('select[name=language]').selectOption(official.language)
    await submit(page, page.getByRole('button', { name: 'Add official' }), (u) => u.pathname === `${admin}/targets`)
    const officialRow = page.locator('tbody tr', { hasText: official.email })
    t.equal(await officialRow.count(), 1, 'the official is listed')
    t.match(await officialRow.innerText(), official.name)
    t.match(await officialRow.innerText(), 'Kazakhstan (KZ)')
    step('add official')

    // ---------------------------------------------------------------- the English letter template
    await submit(page, page.locator('nav.campaign-nav').getByRole('link', { name: 'Letter templates' }), (u) => u.pathname === `${admin}/templates`)
    await submit(page, page.getByRole('link', { name: 'Write', exact: true }), (u) => u.pathname === `${admin}/templates/en`)
    t.match(await page.locator('[role=status]').innerText(), 'There is no template in this language yet')
    await page.locator('input[name=subject]').fill(SUBJECT)
    await page.locator('textarea[name=body]').fill(BODY)
    // The no-JavaScript preview: a POST that re-renders the page with the letter, saving nothing.
    await submit(page, page.getByRole('button', { name: 'Preview', exact: true }), (u) => u.pathname === `${admin}/templates/en`)
    t.match(await page.locator('[role=status]').innerText(), 'This is a preview: nothing is saved')
    t.equal(await page.locator('[data-preview-subject]').innerText(), SUBJECT, 'preview subject')
    const previewBody = await page.locator('[data-preview-body]').innerText()
    t.match(previewBody, `Dear ${official.name},`, 'addressed to the official')
    t.match(previewBody, 'I am writing from Manchester about', 'the sample supporter city')
    t.match(previewBody, 'A personal note.', 'the sample note, shown by {{#if note}}')
    t.match(previewBody, /Yours sincerely,\s+Sample Supporter/, 'signed by the sample supporter')
    t.notMatch(previewBody, '{{', 'no placeholder left unrendered')
    t.equal(await page.locator('textarea[name=body]').inputValue(), BODY, 'the form keeps the body as typed')
    t.match(await page.locator('hgroup').innerText(), 'Not saved yet', 'previewing saves nothing')

    // The live preview (public/template-preview.js) follows typing without a reload.
    if ((await page.locator('script[src^="/assets/template-preview."]').count()) > 0) {
      await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true))
      const navigations: string[] = []
      const onNavigate = (frame: import('playwright-core').Frame) => {
        if (frame === page.mainFrame()) navigations.push(frame.url())
      }
      page.on('framenavigated', onNavigate)
      const body = page.locator('textarea[name=body]')
      await body.focus()
      await page.keyboard.press('Control+End')
      // Plain text at the end: every prefix of it is still a valid template.
      const line = '\nP.S. Typed live in the browser.'
      await body.pressSequentially(line, { delay: 5 })
      await t.resolves(
        page.waitForFunction(() => document.querySelector('[data-preview-body]')?.textContent?.includes('P.S. Typed live in the browser.')),
        'the preview follows the body as it is typed',
      )
      t.match(await page.locator('[data-preview-body]').innerText(), /Sample Supporter\s+P\.S\. Typed live in the browser\./)
      t.equal(await page.locator('[data-preview-error]').innerText(), '', 'no preview error')
      t.equal(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument), true, 'no reload happened')
      t.same(navigations, [], 'no navigation happened')
      page.off('framenavigated', onNavigate)
      // Back to the template as written, for the letter below.
      await body.fill(BODY)
      await page.waitForFunction(() => !document.querySelector('[data-preview-body]')?.textContent?.includes('P.S.'))
    } else {
      t.comment('no live preview script on the template page: only the Preview button was checked')
    }
    await page.locator('#template-preview').scrollIntoViewIfNeeded()
    await page.screenshot({ path: path.join(screenshots, 'backoffice-template.png'), fullPage: true })
    step('template preview')

    await submit(page, page.getByRole('button', { name: 'Save template' }), (u) => u.pathname === `${admin}/templates/en` && u.searchParams.has('saved'))
    t.match(await page.locator('[role=status]').innerText(), 'Saved.', 'the template is saved')
    t.match(await page.locator('hgroup').innerText(), 'Last saved')
    t.equal(await page.locator('textarea[name=body]').inputValue(), BODY, 'the saved body')
    step('save template')

    // ---------------------------------------------------------------- set the campaign live
    await submit(page, page.locator('nav.campaign-nav').getByRole('link', { name: TITLE }), (u) => u.pathname === admin)
    t.same(await page.locator('p.notice').allInnerTexts(), [], 'nothing stops supporters any more')
    await submit(page, page.getByRole('button', { name: 'Publish', exact: true }), (u) => u.pathname === admin && u.searchParams.has('published'))
    t.equal(await page.locator('[data-status]').getAttribute('data-status'), 'live', 'the campaign is live')
    t.match(await page.locator('hgroup').innerText(), 'live')
    step('publish')

    // ---------------------------------------------------------------- a supporter writes
    const pub = await page.goto(`${base}/campaigns/${SLUG}`)
    t.equal(pub?.status(), 200, 'the public page loads')
    t.equal(await page.getByRole('heading', { level: 1 }).innerText(), TITLE)
    t.equal(await page.locator('[data-tally]').first().innerText(), '0', 'no letters yet')
    await page.locator(`input[type=checkbox][name=target]`).first().check()
    await page.locator('input[name=name]').fill(supporter.name)
    await page.locator('input[name=email]').fill(supporter.email)
    await page.locator('input[name=city]').fill(supporter.city)
    await page.locator('select[name=country]').selectOption(supporter.country)
    await page.locator('textarea[name=note]').fill('From the Leeds branch: free them.')
    await submit(page, page.getByRole('button', { name: 'Send my letter' }), (u) => u.pathname === `/campaigns/${SLUG}/thanks`)
    // A new campaign confirms letters: the supporter confirms from their (captured) mailbox.
    await t.resolves(page.getByRole('heading', { name: /check your inbox/ }).waitFor(), 'asked to confirm')
    t.equal(await page.locator('[data-tally]').first().innerText(), '0', 'nothing counts before the confirmation')
    const confirmRow = page.locator('tbody tr', { hasText: supporter.email }).filter({ hasText: 'Please confirm' })
    for (let tries = 0; (await confirmRow.count()) === 0 && tries < 50; tries++) {
      await page.waitForTimeout(100)
      await page.goto(`${base}/dev/mailbox`)
    }
    await submit(page, confirmRow.getByRole('link').first(), (u) => /\/dev\/mailbox\/\d+$/.test(u.pathname))
    const link = /https?:\/\/\S+(\/letters\/confirm\/[\w-]+)/.exec(await page.locator('pre.letter-body').innerText())?.[1]
    t.ok(link, 'the confirmation mail carries its link')
    await page.goto(`${base}${link}`)
    await submit(page, page.getByRole('button', { name: 'Confirm and send my letter' }), (u) => u.pathname === `/campaigns/${SLUG}/thanks`)
    await t.resolves(page.getByRole('heading', { name: /Thank you/ }).waitFor(), 'the thank-you page')
    t.equal(await page.locator('[data-tally]').first().innerText(), '1', 'the tally is 1')
    step('supporter writes and confirms')

    // ---------------------------------------------------------------- the report and the tally CSV
    const report = await page.goto(`${base}${admin}/report`)
    t.equal(report?.status(), 200, 'the report loads')
    t.equal(await page.locator('[data-total]').innerText(), '1', 'one letter in the total')
    t.equal(await page.locator('[data-online]').innerText(), '1', 'online')
    t.equal(await page.locator('[data-offline]').innerText(), '0', 'offline')
    const byOfficial = page.locator('section[aria-labelledby=by-official] tbody tr', { hasText: official.name })
    t.equal(await byOfficial.count(), 1, 'the official in the report')
    t.match(await byOfficial.innerText(), /\t1$|\s1$/, 'with one letter')
    await page.screenshot({ path: path.join(screenshots, 'backoffice-report.png'), fullPage: true })
    step('report')

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tally by official', exact: true }).click()])
    t.match(download.suggestedFilename(), new RegExp(`^${SLUG}-tally-by-official-\\d{4}-\\d{2}-\\d{2}\\.csv$`), 'the file is named after the campaign')
    const file = await download.path()
    const csv = fs.readFileSync(file, 'utf8')
    t.notOk(csv.startsWith('\uFEFF'), 'no byte order mark on the plain link')
    const rows = parse(csv) as string[][]
    t.same(rows[0], ['official', 'online', 'offline', 'total'], 'the header row')
    t.same(rows.slice(1), [[official.name, '1', '', '1']], 'one row: the official with 1 letter')
    step('download CSV')

    t.same(problems, [], 'no console errors, page errors, HTTP errors or CSP violations')
    t.comment(`timings: ${timings.join(', ')}; total ${Date.now() - started} ms`)
  })
}
