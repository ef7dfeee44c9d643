// A volunteer organizer, on a phone, from an empty install to a live campaign (issue 15): the first admin
// from the printed link, a new campaign whose address comes from its title, languages picked by name,
// Publish refused with each reason and a link to fix it, an official, the letter in both languages with
// the placeholder buttons, Publish again, and the page supporters see. Screenshots and axe on the way.
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
  t.setTimeout(240_000)
  const app = await build(t, { seed: false })
  const base = await listen(app)
  const { openPage } = await launchChromium(t)
  const link = firstRunLink(app)!.replace(app.config.baseUrl, base)
  const PHONE = { width: 390, height: 844 }

  async function look(page: Page, t: Test, name: string) {
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    t.ok(width <= PHONE.width, `${name}: no sideways scrolling (${width} px)`)
    t.same(await axeFindings(page), [], `${name}: no serious or critical axe finding`)
    await page.screenshot({ path: path.join(screenshots, `volunteer-${name}-390.png`), fullPage: true })
  }
  const go = (page: Page, click: Promise<void>, path: RegExp) => Promise.all([page.waitForURL((u) => path.test(u.pathname), { waitUntil: 'load' }), click])

  t.test('from an empty install to a live campaign, on a phone', async (t) => {
    const { page, problems } = await openPage()
    t.teardown(() => page.close())
    await page.setViewportSize(PHONE)

    // The first admin, from the link the start log printed.
    await page.goto(link)
    await page.getByLabel('Your email address').fill('volunteer@union.example.org')
    await page.locator('input[name=password]').fill(PASSWORD)
    await page.getByLabel('The same again').fill(PASSWORD)
    await go(page, page.getByRole('button', { name: 'Create the admin and sign in' }).click(), /^\/admin$/)

    // A new campaign: the address follows the title as it is typed; languages by their names.
    await go(page, page.getByRole('button', { name: 'New campaign' }).click(), /^\/admin\/campaigns\/new$/)
    await page.locator('input[name=title]').fill('Free the Mangystau drivers')
    await t.resolves(page.waitForFunction(() => (document.querySelector('input[name=slug]') as HTMLInputElement).value === 'free-the-mangystau-drivers'), 'the slug suggested from the title')
    t.match(await page.locator('[data-slug-address]').innerText(), '/campaigns/free-the-mangystau-drivers', 'and the address shown')
    await page.locator('input[name=goal]').fill('5000')
    await page.getByLabel('Main language').selectOption({ label: 'English' })
    await page.locator('input[name=languages][value=ru]').check()
    t.match(await page.locator('label', { has: page.locator('input[value=ru]') }).innerText(), 'Русский — Russian', 'named, not coded')
    await look(page, t, 'new-campaign')
    await go(page, page.getByRole('button', { name: 'Create campaign' }).click(), /^\/admin\/campaigns\/\d+$/)
    const campaignPath = new URL(page.url()).pathname
    t.equal(await page.locator('[data-status]').getAttribute('data-status'), 'draft', 'a draft to begin with')

    // Publishing too early: refused, each reason with its link.
    await page.getByRole('button', { name: 'Publish', exact: true }).click()
    const refusal = page.locator('#status-refusal')
    await t.resolves(refusal.waitFor(), 'Publish is refused')
    const reasons = await refusal.locator('li').allInnerTexts()
    t.ok(reasons.some((r) => /official/i.test(r)), `it asks for an official (${reasons.join(' | ')})`)
    t.ok(reasons.some((r) => /Русский|Russian|\bru\b/i.test(r) && /letter|template/i.test(r)), 'and a letter in Russian')
    t.equal(await page.locator('[data-status]').getAttribute('data-status'), 'draft', 'still a draft')
    await look(page, t, 'publish-refused')

    // An official, from the reason's own link.
    await go(page, refusal.locator('li', { hasText: /official/i }).getByRole('link').click(), /\/targets/)
    if (!/\/targets\/new$/.test(new URL(page.url()).pathname)) await go(page, page.getByRole('button', { name: 'Add an official' }).click(), /\/targets\/new$/)
    await page.locator('input[name=name]').first().fill('Akim of Mangystau Region')
    await page.locator('select[name=country]').selectOption('KZ')
    await page.locator('input[name=email]').fill('akim@mangystau.example.org')
    await look(page, t, 'official')
    await go(page, page.getByRole('button', { name: 'Add official' }).click(), /\/targets/)
    t.match(await page.locator('main').innerText(), 'Akim of Mangystau Region', 'the official is listed')

    // The letter in English: the starter's gaps written over, a detail inserted by its plain name.
    await page.goto(`${base}${campaignPath}/templates/en`)
    const body = page.locator('textarea[name=body]')
    const starter = await body.inputValue()
    t.match(starter, 'about …', 'the starter letter has its gaps')
    await body.fill(
      starter
        .replace('about …', 'about the drivers jailed for their strike in Aktau.')
        .replace('I ask you to …', 'I ask you to release them and drop every charge. Their families live in '),
    )
    // The caret after "live in ", then the button: the supporter's city goes exactly there.
    await body.evaluate((el: HTMLTextAreaElement) => {
      const at = el.value.indexOf('live in ') + 'live in '.length
      el.focus()
      el.setSelectionRange(at, at)
    })
    await page.getByRole('button', { name: /Supporter's city/ }).click()
    t.match(await body.inputValue(), 'Their families live in {{supporter.city}}', 'the placeholder inserted at the caret')
    await look(page, t, 'letter-en')
    await go(page, page.getByRole('button', { name: 'Save template' }).click(), /\/templates/)

    // And in Russian.
    await page.goto(`${base}${campaignPath}/templates/ru`)
    await page.locator('input[name=subject]').fill('Освободите водителей Мангистау')
    await page.locator('textarea[name=body]').fill('Уважаемый {{target.name}}!\n\nЯ пишу из города {{supporter.city}} ({{supporter.country}}) с просьбой освободить водителей, арестованных за забастовку в Актау.\n\nС уважением,\n{{supporter.name}}\n{{date}}')
    await go(page, page.getByRole('button', { name: 'Save template' }).click(), /\/templates/)

    // Publish again: live.
    await page.goto(`${base}${campaignPath}`)
    await go(page, page.getByRole('button', { name: 'Publish', exact: true }).click(), new RegExp(`^${campaignPath}$`))
    t.equal(await page.locator('[data-status]').getAttribute('data-status'), 'live', 'the campaign is live')
    await look(page, t, 'live')

    // What supporters see.
    const res = await page.goto(`${base}/campaigns/free-the-mangystau-drivers`)
    t.equal(res?.status(), 200, 'the public page answers')
    await t.resolves(page.getByRole('heading', { name: 'Free the Mangystau drivers', level: 1 }).waitFor(), 'with its title')
    t.ok(await page.getByRole('button', { name: /Send|letter/i }).first().isVisible(), 'and a letter to send')
    await page.screenshot({ path: path.join(screenshots, 'volunteer-public-390.png') })

    // The refused Publish is the only failed answer on the way.
    t.same(problems.filter((p) => !/HTTP 422|status of 422/.test(p)), [], 'no console error, CSP violation or failed response')
  })
}
