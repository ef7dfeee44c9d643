// The pages people meet, checked as a person with a phone or a screen reader would meet them:
// axe-core (serious and critical findings fail), and no sideways scrolling at 390 px.
import path from 'node:path'
import t from 'tap'
import { build, supporter } from '../helper.js'
import { addUser, PASSWORD } from '../admin/helper.js'
import { launchChromium, listen, screenshots } from './chromium.js'
import { axeFindings as axe } from './axe.js'

t.test('public and back-office pages pass axe and fit a 390 px phone', async (t) => {
  const app = await build(t, { confirmLetters: true })
  await addUser(app, 'admin@example.org', 'admin')
  const base = await listen(app)
  const { openPage } = await launchChromium(t)

  // A pending letter gives a real confirmation page.
  await app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'application/json' }, payload: { ...supporter, targetIds: [1, 2] } })
  const message = JSON.parse((app.db.$client.prepare(`select message from outbox where kind = 'confirm_letter'`).get() as { message: string }).message) as { text: string }
  const confirmPath = /\/letters\/confirm\/[\w-]+/.exec(message.text)![0]

  const publicPages = ['/', '/campaigns/zhanaozen', '/campaigns/zhanaozen/thanks', confirmPath, '/campaigns/zhanaozen/pickets', '/pickets/1', '/pickets/1/check-your-mailbox', '/admin/login']
  const adminPages = ['/admin', '/admin/campaigns/1', '/admin/campaigns/1/targets', '/admin/email-changes', '/admin/tokens', '/admin/supporters', '/admin/campaigns/1/preview']

  for (const width of [390, 1280]) {
    const { page } = await openPage()
    await page.setViewportSize({ width, height: 900 })
    const check = async (url: string) => {
      const res = await page.goto(`${base}${url}`)
      t.equal(res?.status(), 200, `${url} at ${width} px loads`)
      t.same(
        await axe(page),
        [],
        `${url} at ${width} px: no serious or critical axe findings`,
      )
      // The back office's phone layout is issue 15's; public pages must fit now.
      if (width === 390 && !url.startsWith('/admin')) {
        const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth)
        t.ok(scrollWidth <= width, `${url} fits ${width} px (scrollWidth ${scrollWidth})`)
      }
      if (width === 390) {
        await page.screenshot({ path: path.join(screenshots, `a11y-${url.replace(/(\/letters\/confirm)\/.*/, '$1').replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'home'}-${width}.png`), fullPage: true })
      }
    }
    for (const url of publicPages) await check(url)
    await page.goto(`${base}/admin/login`)
    // The browser profile keeps the session from the first round.
    if ((await page.locator('input[name=password]').count()) > 0) {
      await page.locator('input[name=email]').fill('admin@example.org')
      await page.locator('input[name=password]').fill(PASSWORD)
      await Promise.all([page.waitForURL((u) => u.pathname === '/admin'), page.locator('form button[type=submit]').click()])
    }
    for (const url of adminPages) await check(url)
    await page.close()
  }
})

// Issue 13: the campaign page in Russian and Kazakh (longer words, Cyrillic, the form's errors in the
// page's language) passes axe and fits a phone; screenshots at 390 and 1280 px.
t.test('the campaign page in Russian and Kazakh passes axe and fits a 390 px phone', async (t) => {
  const app = await build(t, { confirmLetters: true })
  // Figures large enough to need the language's grouping and plural (11 000 писем, 2 534 онлайн).
  app.db.$client.prepare(`update campaigns set letters_count = 11000, offline_count = 1234 where slug = 'zhanaozen'`).run()
  const base = await listen(app)
  const { openPage } = await launchChromium(t)
  for (const lang of ['ru', 'kk'] as const) {
    for (const width of [390, 1280]) {
      const { page } = await openPage()
      await page.setViewportSize({ width, height: 900 })
      const res = await page.goto(`${base}/campaigns/zhanaozen?lang=${lang}`)
      t.equal(res?.status(), 200, `${lang} at ${width} px loads`)
      t.equal(await page.getAttribute('html', 'lang'), lang)
      // Send with a bad email: the page comes back (422) with the messages in its language.
      await page.locator('input[name=name]').fill('Роза Т.')
      await page.locator('input[name=email]').fill('nope')
      await page.locator('input[name=city]').fill('Алматы')
      await page.locator('select[name=country]').selectOption('KZ')
      await Promise.all([page.waitForURL((u) => u.pathname.endsWith('/letters')), page.locator('button[value=send]').click()])
      const message = await page.locator('#email-error').innerText()
      t.equal(message, lang === 'ru' ? 'Введите корректный адрес электронной почты' : 'Дұрыс электрондық пошта мекенжайын енгізіңіз', `${lang}: the field's message in the page's language`)
      for (const state of ['page', 'errors']) {
        if (state === 'page') await page.goto(`${base}/campaigns/zhanaozen?lang=${lang}`)
        else {
          await page.locator('input[name=email]').fill('nope')
          await Promise.all([page.waitForURL((u) => u.pathname.endsWith('/letters')), page.locator('button[value=send]').click()])
        }
        t.same(await axe(page), [], `${lang} ${state} at ${width} px: no serious or critical axe findings`)
        if (width === 390) {
          const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth)
          t.ok(scrollWidth <= width, `${lang} ${state} fits ${width} px (scrollWidth ${scrollWidth})`)
        }
        await page.screenshot({ path: path.join(screenshots, `a11y-campaign-${lang}-${state}-${width}.png`), fullPage: true })
      }
      await page.close()
    }
  }
})
