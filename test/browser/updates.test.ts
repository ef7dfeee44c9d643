// Issue 14 in a real browser (Debian's chromium driven by playwright-core), two people in two browsers:
// a supporter on a phone (390×844) writes a letter from the Russian page with consent ticked and confirms
// it from the development mailbox; an organizer on a desktop (1280×800) writes "Roza Tuletaeva released"
// in English with a Russian translation and a Markdown body, records Roza's status change to "released"
// today, previews, sends a test to themselves, sees one recipient and publishes with mailing. The campaign
// page then shows Roza released with her timeline and the news; the update page and its Atom feed answer.
// The supporter's mail arrives in Russian with List-Unsubscribe; its link unsubscribes in two steps (GET
// shows a button, the button POSTs), and a second update mailed after it reaches no one. Screenshots of
// every step in test-output/screenshots/updates-*.png; axe on each new page; no console errors or CSP reports.
import path from 'node:path'
import t from 'tap'

type Tap = Pick<typeof t, 'same' | 'ok'>
import type { Page } from 'playwright-core'
import { XMLParser } from 'fast-xml-parser'
import { CHROMIUM, hasChromium, launchChromium, listen, screenshots } from './chromium.js'
import { axeFindings } from './axe.js'
import { build } from '../helper.js'
import { addUser, PASSWORD } from '../admin/helper.js'

const SLUG = 'zhanaozen'
const ORGANIZER = 'organizer@union.example'
const SUPPORTER = { name: 'Aigerim Sadykova', email: 'aigerim@example.com', city: 'Leeds', country: 'GB' }
const TITLE = 'Roza Tuletaeva released'
const TITLE_RU = 'Роза Тулетаева освобождена'
const BODY = `Roza Tuletaeva walked free today, **two years early**, after an international protest campaign.

- Thank you to everyone who wrote.
- Kanat and Shabdal are still in jail: keep writing.

Read [the union's statement](https://union.example/statement).`
const BODY_RU = `Роза Тулетаева сегодня вышла на свободу, **на два года раньше срока**, после международной кампании протеста.

- Спасибо всем, кто писал.
- Канат и Шабдал всё ещё в заключении: продолжайте писать.

Читайте [заявление профсоюза](https://union.example/statement).`
const PHONE = { width: 390, height: 844 }
const DESKTOP = { width: 1280, height: 800 }

// A missing browser is a failure, not a skip: CI installs it (.ci/run), so must a developer.
if (hasChromium()) await main()
else t.fail(`no chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`)

async function main() {
  const started = Date.now()
  const app = await build(t, { startDispatcher: true, dispatcher: { pollMs: 50 }, confirmLetters: true })
  const base = await listen(app)
  const campaignId = (app.db.$client.prepare(`select id from campaigns where slug = ?`).get(SLUG) as { id: number }).id
  await addUser(app, ORGANIZER, 'organizer', [campaignId])
  const today = app.clock().toISOString().slice(0, 10)
  const admin = `/admin/campaigns/${campaignId}`
  const sql = <T>(query: string, ...args: unknown[]) => app.db.$client.prepare(query).get(...args) as T

  // Two browsers, so the supporter's language cookie and the organizer's session stay apart.
  const phone = await launchChromium(t)
  const desktop = await launchChromium(t)

  const timings: string[] = []
  let lap = started
  const step = (name: string) => {
    const now = Date.now()
    timings.push(`${name}: ${now - lap} ms`)
    lap = now
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(screenshots, `updates-${name}.png`), fullPage: true })

  /** Clicks and waits for the page the answer (or its redirect) lands on; says where the browser is instead. */
  async function submit(page: Page, button: ReturnType<Page['locator']>, to: (url: URL) => boolean) {
    try {
      await Promise.all([page.waitForURL(to, { waitUntil: 'load' }), button.click()])
    } catch (err) {
      const alerts = await page.locator('[role=alert], .field-error, .form-errors').allInnerTexts().catch(() => [])
      throw new Error(`${(err as Error).message.split('\n')[0]}; the page is ${page.url()}${alerts.length ? `: ${alerts.join(' | ')}` : ''}`)
    }
  }

  /** The dispatcher sends asynchronously: polls the mailbox until a row matches, then opens it. */
  async function openMail(page: Page, to: string, subject: string | RegExp): Promise<boolean> {
    const row = page.locator('tbody tr', { hasText: to }).filter({ has: page.getByRole('link', { name: subject }) })
    const deadline = Date.now() + 5000
    for (;;) {
      await page.goto(`${base}/dev/mailbox`)
      if ((await row.count()) > 0) break
      if (Date.now() > deadline) {
        t.fail(`no mail to ${to} matching ${subject} within 5 s`, { mailbox: await page.locator('tbody').innerText() })
        return false
      }
      await page.waitForTimeout(100)
    }
    await submit(page, row.first().getByRole('link', { name: subject }), (u) => /^\/dev\/mailbox\/\d+$/.test(u.pathname))
    return true
  }

  async function noAxeFindings(t: Tap, page: Page, what: string) {
    t.same(await axeFindings(page), [], `axe: no serious or critical findings on ${what}`)
  }

  const { page: sp, problems: supporterProblems } = await phone.openPage()
  await sp.setViewportSize(PHONE)
  // The supporter's phone speaks Russian.
  await sp.setExtraHTTPHeaders({ 'accept-language': 'ru-RU,ru;q=0.9' })
  const { page: op, problems: organizerProblems } = await desktop.openPage()
  await op.setViewportSize(DESKTOP)
  t.teardown(() => Promise.all([sp.close(), op.close()]))
  step('app and browsers')

  /** No element on a public page reaches past the phone's width. */
  async function fitsPhone(t: Tap, page: Page, what: string) {
    const wide = await page.evaluate(() => {
      const limit = document.documentElement.clientWidth
      return [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > limit + 1 && getComputedStyle(el).position !== 'absolute')
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).replace(/\s+/g, '.') : ''} (${Math.round(el.getBoundingClientRect().right)} px)`)
    })
    t.same(wide, [], `nothing on ${what} is wider than ${PHONE.width} px`)
    t.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= PHONE.width, `${what} does not scroll sideways`)
  }

  await t.test('a supporter writes from the Russian page, agreeing to hear from the campaign', async (t) => {
    t.equal((await sp.goto(`${base}/campaigns/${SLUG}`))?.status(), 200)
    t.equal(await sp.locator('html').getAttribute('lang'), 'ru', 'the page in Russian, as the phone asks')
    await shot(sp, '1-campaign-before-phone')
    await sp.locator('input[type=checkbox][name=target]').first().check()
    await sp.locator('input[name=name]').fill(SUPPORTER.name)
    await sp.locator('input[name=email]').fill(SUPPORTER.email)
    await sp.locator('input[name=city]').fill(SUPPORTER.city)
    await sp.locator('select[name=country]').selectOption(SUPPORTER.country)
    await sp.locator('input[type=checkbox][name=consent]').check()
    await submit(sp, sp.locator('button[name=intent][value=send]'), (u) => u.pathname === `/campaigns/${SLUG}/thanks`)
    // The confirmation, from the mailbox (the only mail to the supporter so far).
    if (!(await openMail(sp, SUPPORTER.email, /./))) return
    const link = /https?:\/\/\S+(\/letters\/confirm\/[\w-]+)/.exec(await sp.locator('pre.letter-body').innerText())?.[1]
    t.ok(link, 'the confirmation mail carries its link')
    await sp.goto(`${base}${link}`)
    await submit(sp, sp.locator('main form button[type=submit]'), (u) => u.pathname === `/campaigns/${SLUG}/thanks`)
    t.equal(sql<{ n: number }>(`select count(*) as n from letters where email_normalized = ? and consent = 1 and counted_at is not null`, SUPPORTER.email).n, 1, 'one confirmed letter with consent')
    // Before: the desktop page too, to compare with after.
    await op.goto(`${base}/campaigns/${SLUG}`)
    await shot(op, '1-campaign-before-desktop')
    step('supporter writes and confirms')
  })

  let updateId = 0
  await t.test('an organizer writes the update with a status change, previews, tests, publishes with mailing', async (t) => {
    await op.goto(`${base}/admin/login`)
    await op.locator('input[name=email]').fill(ORGANIZER)
    await op.locator('input[name=password]').fill(PASSWORD)
    await submit(op, op.getByRole('button', { name: 'Sign in', exact: true }), (u) => u.pathname === '/admin')
    await op.goto(`${base}${admin}`)
    await submit(op, op.locator('nav.campaign-nav').getByRole('link', { name: 'Updates' }), (u) => u.pathname === `${admin}/updates`)
    await t.resolves(op.getByRole('heading', { level: 1, name: 'Updates' }).waitFor(), 'the Updates screen')
    t.match(await op.locator('tbody').innerText(), 'moved to a colony-settlement', "the demo's first update is listed")
    await noAxeFindings(t, op, 'the Updates screen')
    await shot(op, '2-admin-list')

    await submit(op, op.getByRole('button', { name: 'Write an update' }), (u) => u.pathname === `${admin}/updates/new`)
    await op.locator('select[name=language]').selectOption('en')
    await op.locator('input[name=title_en]').fill(TITLE)
    await op.locator('textarea[name=body_en]').fill(BODY)
    await op.locator('input[name=title_ru]').fill(TITLE_RU)
    await op.locator('textarea[name=body_ru]').fill(BODY_RU)
    await op.locator('select[name=change_0_person]').selectOption({ label: 'Roza Tuletaeva' })
    await op.locator('input[name=change_0_date]').fill(today)
    await op.locator('input[name=change_0_status_en]').fill('released')
    await op.locator('input[name=change_0_status_ru]').fill('освобождена')

    // The preview: the Markdown rendered, nothing saved.
    await submit(op, op.getByRole('button', { name: 'Preview', exact: true }), (u) => u.pathname === `${admin}/updates/new`)
    const preview = op.locator('.update-preview')
    t.equal(await preview.locator('h3').innerText(), TITLE)
    t.equal(await preview.locator('.update-body li').count(), 2, 'the list rendered')
    t.equal(await preview.locator('.update-body a[href="https://union.example/statement"]').innerText(), "the union's statement", 'the link rendered')
    t.equal(await preview.locator('.update-body strong').innerText(), 'two years early')
    t.equal(await op.locator('textarea[name=body_en]').inputValue(), BODY, 'the form keeps the text as typed')
    t.equal(await op.locator('input[name=change_0_status_en]').inputValue(), 'released', 'and the status change')
    t.equal(sql<{ n: number }>(`select count(*) as n from updates where campaign_id = ?`, campaignId).n, 1, 'previewing saves nothing')
    await noAxeFindings(t, op, 'the update form with its preview')
    await shot(op, '3-admin-form-preview')
    // The form on a phone: the status-change rows stay usable.
    await op.setViewportSize(PHONE)
    await shot(op, '3-admin-form-phone')
    await op.locator('fieldset.status-changes').screenshot({ path: path.join(screenshots, 'updates-3-admin-changes-phone.png') })
    await op.setViewportSize(DESKTOP)

    await submit(op, op.getByRole('button', { name: 'Save draft' }), (u) => /\/updates\/\d+$/.test(u.pathname) && u.searchParams.get('saved') === 'created')
    updateId = Number(/\/updates\/(\d+)$/.exec(new URL(op.url()).pathname)![1])
    t.match(await op.locator('[role=status]').innerText(), 'The draft is saved')
    t.match(await op.locator('#send-heading + p').innerText(), 'One supporter would receive it by email.', 'the organizer sees how many would receive it')

    await submit(op, op.getByRole('button', { name: `Send a test to me (${ORGANIZER})` }), (u) => u.searchParams.get('saved') === 'tested')
    t.match(await op.locator('[role=status]').innerText(), 'A test is on its way')
    const back = op.url()
    if (!(await openMail(op, ORGANIZER, `[Test] ${TITLE}`))) return
    const testText = await op.locator('pre.letter-body').innerText()
    t.match(testText, 'This is a test sent only to you', 'the test says so')
    t.match(testText, 'two years early', 'with the text')
    t.equal(sql<{ n: number }>(`select count(*) as n from update_recipients`).n, 0, 'the test mails no supporter')
    await shot(op, '4-admin-test-mail')
    await op.goto(back)

    await op.locator('input[name=notify]').check()
    t.match(await op.locator('label:has(input[name=notify])').innerText(), 'the one supporter who agreed')
    await submit(op, op.getByRole('button', { name: 'Publish', exact: true }), (u) => u.searchParams.get('saved') === 'mailed')
    t.match(await op.locator('[role=status]').innerText(), 'Published and being mailed')
    t.match(await op.locator('hgroup').innerText(), /Published .*(Being mailed to one supporter|Mailed to one supporter)/)
    t.equal(sql<{ recipients: number }>(`select recipients from updates where id = ?`, updateId).recipients, 1, 'one recipient')
    await shot(op, '5-admin-published')
    step('organizer writes, tests and publishes')
  })

  await t.test('the campaign page shows Roza released, her timeline and the news; the update page and feed', async (t) => {
    t.equal((await sp.goto(`${base}/campaigns/${SLUG}?lang=en`))?.status(), 200)
    const roza = sp.locator('#people article', { hasText: 'Roza Tuletaeva' })
    t.equal(await roza.locator('header mark').innerText(), 'released', 'her status is now released')
    const steps = roza.locator('ol.timeline > li')
    t.equal(await steps.count(), 2, 'two steps on her timeline')
    t.match(await steps.nth(0).innerText(), 'moved to a colony-settlement')
    t.match(await steps.nth(1).innerText(), 'released')
    t.equal(await steps.nth(1).getAttribute('aria-current'), 'step', 'the latest step is the current one')
    t.equal(await steps.nth(1).locator('time').getAttribute('datetime'), today)
    t.equal(await steps.nth(0).getAttribute('aria-current'), null)
    const news = sp.locator('section.updates-latest')
    t.equal(await news.locator('article h3').first().innerText(), TITLE, 'the newest update first in the news')
    t.equal(await news.locator('article').count(), 2, 'and the earlier one')
    await noAxeFindings(t, sp, 'the campaign page with the timeline and the news')
    await fitsPhone(t, sp, 'the campaign page')
    await shot(sp, '6-campaign-after-phone')
    // The new parts up close, on the phone and the desktop.
    await sp.locator('#people').screenshot({ path: path.join(screenshots, 'updates-6-people-phone.png') })
    await news.screenshot({ path: path.join(screenshots, 'updates-6-news-phone.png') })
    await op.goto(`${base}/campaigns/${SLUG}?lang=en`)
    await shot(op, '6-campaign-after-desktop')
    await op.locator('#people').screenshot({ path: path.join(screenshots, 'updates-6-people-desktop.png') })
    await op.locator('section.updates-latest').screenshot({ path: path.join(screenshots, 'updates-6-news-desktop.png') })

    await submit(sp, news.getByRole('link', { name: TITLE }), (u) => u.pathname === `/campaigns/${SLUG}/updates/${updateId}`)
    t.equal(await sp.getByRole('heading', { level: 1 }).innerText(), TITLE)
    t.equal(await sp.locator('.update-body li').count(), 2)
    t.ok(await sp.locator('ul.share a[href^="https://t.me/share/url"]').count(), 'share links')
    await noAxeFindings(t, sp, 'the update page')
    await fitsPhone(t, sp, 'the update page')
    await shot(sp, '7-update-phone')

    const feedHref = await sp.getByRole('link', { name: 'Atom feed' }).getAttribute('href')
    const feed = await sp.request.get(new URL(feedHref!, sp.url()).href)
    t.equal(feed.status(), 200, 'the feed answers')
    t.match(feed.headers()['content-type'], 'application/atom+xml')
    const entries = new XMLParser().parse(await feed.text()).feed.entry
    t.equal((Array.isArray(entries) ? entries[0] : entries).title, TITLE, 'the new update first in the feed')

    await submit(sp, sp.getByRole('link', { name: 'All news' }), (u) => u.pathname === `/campaigns/${SLUG}/updates`)
    await fitsPhone(t, sp, 'the news page')
    await shot(sp, '7-news-phone')
    step('public pages')
  })

  await t.test("the supporter's mail arrives in Russian with List-Unsubscribe; one click unsubscribes", async (t) => {
    if (!(await openMail(sp, SUPPORTER.email, TITLE_RU))) return
    const headers = await sp.locator('table.headers').innerText()
    t.match(headers, new RegExp(`<http://outcry\\.test/unsubscribe/[\\w-]+>`), 'List-Unsubscribe with the https… (here the base URL) address')
    const text = await sp.locator('pre.letter-body').innerText()
    t.match(text, 'на два года раньше срока', 'the text in Russian')
    t.notMatch(text, 'two years early')
    const raw = await (await sp.request.get(`${sp.url()}/raw`)).text()
    t.match(raw, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m, 'List-Unsubscribe-Post')
    t.match(raw, /^Content-Language: ru\r?$/m, 'Content-Language: ru')
    await shot(sp, '8-mail-phone')
    const unsubscribe = /https?:\/\/\S+(\/unsubscribe\/[\w-]+)/.exec(text)?.[1]
    t.ok(unsubscribe, 'the mail carries the unsubscribe link')

    // Opened from the mail app, without the site's cookie (English was chosen above): in Russian again.
    // GET changes nothing: it shows a button.
    await phone.context.clearCookies()
    t.equal((await sp.goto(`${base}${unsubscribe}`))?.status(), 200)
    t.equal(await sp.locator('html').getAttribute('lang'), 'ru', 'the page in Russian')
    t.equal(sql<{ n: number }>(`select count(*) as n from unsubscribes`).n, 0, 'opening the link unsubscribes no one')
    await noAxeFindings(t, sp, 'the unsubscribe page')
    await fitsPhone(t, sp, 'the unsubscribe page')
    await shot(sp, '9-unsubscribe-ask-phone')
    await submit(sp, sp.locator('main form button[type=submit]'), (u) => u.pathname === unsubscribe)
    await t.resolves(sp.getByRole('heading', { level: 1, name: 'Вы отписались' }).waitFor(), 'the confirmation')
    t.equal(sql<{ n: number }>(`select count(*) as n from unsubscribes where email_normalized = ?`, SUPPORTER.email).n, 1, 'unsubscribed')
    await noAxeFindings(t, sp, 'the unsubscribed page')
    await shot(sp, '9-unsubscribe-done-phone')
    step('mail and unsubscribe')
  })

  await t.test('a second update mailed after the unsubscribe reaches no one', async (t) => {
    const mailsBefore = sql<{ n: number }>(`select count(*) as n from outbox where recipient = ?`, SUPPORTER.email).n
    await op.goto(`${base}${admin}/updates/new`)
    await op.locator('select[name=language]').selectOption('en')
    await op.locator('input[name=title_en]').fill('Kanat Zhusipbaev appeals')
    await op.locator('textarea[name=body_en]').fill('His appeal is heard next month.')
    await submit(op, op.getByRole('button', { name: 'Save draft' }), (u) => u.searchParams.get('saved') === 'created')
    const second = Number(/\/updates\/(\d+)$/.exec(new URL(op.url()).pathname)![1])
    t.match(await op.locator('#send-heading + p').innerText(), 'No supporter would receive it by email now.', 'nobody left to mail')
    await op.locator('input[name=notify]').check()
    await submit(op, op.getByRole('button', { name: 'Publish', exact: true }), (u) => u.searchParams.get('saved') === 'mailed')
    t.equal(sql<{ recipients: number }>(`select recipients from updates where id = ?`, second).recipients, 0, 'recipients 0')
    t.equal(sql<{ n: number }>(`select count(*) as n from update_recipients where update_id = ?`, second).n, 0, 'no one in its recipient list')
    // A few dispatcher passes: still nothing new for the supporter.
    await op.waitForTimeout(300)
    t.equal(sql<{ n: number }>(`select count(*) as n from outbox where recipient = ?`, SUPPORTER.email).n, mailsBefore, 'no new mail to the supporter')
    t.match(await op.locator('hgroup').innerText(), 'Mailed to no one')
    await submit(op, op.getByRole('link', { name: 'All updates' }), (u) => u.pathname === `${admin}/updates`)
    t.match(await op.locator('tbody').innerText(), 'Mailed to one supporter', 'the list says who got the first')
    await shot(op, '10-admin-list-after')
    step('second update')
  })

  t.same(supporterProblems, [], "no console errors, page errors, HTTP errors or CSP violations on the supporter's pages")
  t.same(organizerProblems, [], "no console errors, page errors, HTTP errors or CSP violations on the organizer's pages")
  t.comment(`timings: ${timings.join(', ')}; total ${Date.now() - started} ms`)
}
