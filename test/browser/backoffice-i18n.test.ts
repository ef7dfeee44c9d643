// The back office in Russian and Kazakh in a real browser: an organizer's screens, the side-by-side
// editing of the campaign's texts per language and the translations overview. Each page: <html lang>,
// no English label left in the page's own text, axe finds nothing serious, no console error; screenshots
// at 1280 and 390 px (the phone layout of the back office is issue 15's: measured here, not required).
import path from 'node:path'
import t from 'tap'
import { CHROMIUM, hasChromium, launchChromium, listen, screenshots } from './chromium.js'
import { axeFindings } from './axe.js'
import { build } from '../helper.js'
import { addUser, PASSWORD } from '../admin/helper.js'

const ADMIN = 'admin@example.org'

if (hasChromium()) await main()
else t.fail(`no chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`)

async function main() {
  const app = await build(t)
  const base = await listen(app)
  await addUser(app, ADMIN, 'admin')
  const campaignId = (app.db.$client.prepare("select id from campaigns where slug = 'zhanaozen'").get() as { id: number }).id
  const picketId = (app.db.$client.prepare('select id from pickets order by id limit 1').get() as { id: number }).id
  const { openPage } = await launchChromium(t)

  const screens = [
    ['dashboard', '/admin'],
    ['campaign', `/admin/campaigns/${campaignId}`],
    ['translations', `/admin/campaigns/${campaignId}/translations`],
    ['people', `/admin/campaigns/${campaignId}/people`],
    ['official', `/admin/campaigns/${campaignId}/targets/1`],
    ['templates', `/admin/campaigns/${campaignId}/templates`],
    ['picket', `/admin/pickets/${picketId}`],
    ['report', `/admin/campaigns/${campaignId}/report`],
  ] as const

  // One browser profile: signed in once, then the language is chosen by ?lang= (and kept in the cookie).
  const { page: login } = await openPage()
  await login.goto(`${base}/admin/login`)
  await login.locator('input[name=email]').fill(ADMIN)
  await login.locator('input[name=password]').fill(PASSWORD)
  await Promise.all([login.waitForURL((url) => url.pathname === '/admin', { waitUntil: 'load' }), login.locator('form button[type=submit]').first().click()])
  await login.close()

  for (const lang of ['ru', 'kk'] as const) {
    t.test(`the back office in ${lang}`, async (t) => {
      const { page, problems } = await openPage()
      t.teardown(() => page.close())
      await page.goto(`${base}/admin?lang=${lang}`)
      for (const [name, url] of screens) {
        for (const width of [1280, 390]) {
          await page.setViewportSize({ width, height: width === 390 ? 844 : 800 })
          const res = await page.goto(base + url)
          t.equal(res?.status(), 200, `${name} answers`)
          t.equal(await page.getAttribute('html', 'lang'), lang, `${name}: <html lang="${lang}">`)
          if (width === 1280) {
            t.same(await axeFindings(page), [], `${name}: axe finds nothing serious`)
            // Words of our own in English: the buttons and labels (organizers' texts and codes aside).
            const english = await page.evaluate(() =>
              [...document.querySelectorAll('main button, main label, main th, main h1, main h2, main legend')]
                .filter((el) => !el.closest('[lang]:not(html)'))
                .map((el) => (el as HTMLElement).innerText.trim())
                .filter((text) => /\b(the|and|of|Save|Add|Edit|Delete|Name|Title|Status|Language|Letters?)\b/.test(text)),
            )
            t.same(english, [], `${name}: no English labels`)
          }
          await page.screenshot({ path: path.join(screenshots, `backoffice-${lang}-${name}-${width}.png`), fullPage: true })
        }
      }
      t.same(problems, [], 'no console errors, failed responses or CSP reports')
    })
  }

  t.test('side by side: the campaign form edits each language, saved at once', async (t) => {
    const { page, problems } = await openPage()
    t.teardown(() => page.close())
    await page.goto(`${base}/admin/campaigns/${campaignId}?lang=ru`)
    const kkStory = page.locator('textarea[lang=kk][name*=story]')
    await kkStory.fill('2011 жылғы 16 желтоқсанда Жаңаөзенде полиция ереуілдегі мұнайшыларға оқ атты.')
    await Promise.all([page.waitForURL(/\/admin\/campaigns\/\d+/, { waitUntil: 'load' }), page.locator('main form[method=post] button[type=submit]').last().click()])
    t.equal(await page.getAttribute('html', 'lang'), 'ru', 'back on the campaign screen in Russian')
    const saved = await app.inject({ url: '/campaigns/zhanaozen?lang=kk' })
    const story = saved.body.slice(saved.body.indexOf('<section class="story"'), saved.body.indexOf('</section>', saved.body.indexOf('<section class="story"')))
    t.notMatch(story, 'lang="en"', 'the Kazakh story is there, no longer marked English')
    t.match(saved.body, 'Жаңаөзенде полиция ереуілдегі мұнайшыларға оқ атты')
    t.same(problems, [])
  })
}
