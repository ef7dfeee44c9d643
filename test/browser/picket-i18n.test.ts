// Issue 13 in the browser: the picket page in Russian and in Kazakh at a phone's and a desktop's width
// (screenshots in test-output/screenshots/), an RSVP with errors shown in Russian, and axe-core on the
// Russian page (serious and critical findings fail).
import path from 'node:path'
import t from 'tap'
import { build } from '../helper.js'
import { launchChromium, listen, screenshots } from './chromium.js'
import { axeFindings as axe } from './axe.js'

t.test('the picket page in Russian and Kazakh at 390 and 1280 px; axe on the Russian page', async (t) => {
  const app = await build(t)
  const base = await listen(app)
  const { openPage } = await launchChromium(t)
  const london = app.db.$client.prepare(`select id from pickets where city = 'London'`).get() as { id: number }

  for (const [lang, labels] of [
    ['ru', { when: 'Когда', button: 'Записаться', heading: 'Я приду', country: 'Великобритания', name: 'Ваше имя', fix: 'Пожалуйста, исправьте отмеченные ниже поля.', nameError: 'Пожалуйста, введите ваше имя' }],
    ['kk', { when: 'Қашан', button: 'Жазылу', heading: 'Мен барамын', country: 'Ұлыбритания', name: 'Атыңыз', fix: 'Төменде белгіленген өрістерді түзетіңіз.', nameError: 'Атыңызды жазыңыз' }],
  ] as const) {
    for (const width of [390, 1280]) {
      const { page, problems } = await openPage()
      await page.setViewportSize({ width, height: 900 })
      const res = await page.goto(`${base}/pickets/${london.id}?lang=${lang}`)
      t.equal(res?.status(), 200)
      t.equal(await page.getAttribute('html', 'lang'), lang)
      t.ok(await page.getByRole('heading', { level: 2, name: labels.heading }).isVisible(), `${lang}: "${labels.heading}"`)
      t.ok(await page.getByRole('button', { name: labels.button }).isVisible(), `${lang}: the button`)
      t.ok(await page.getByLabel(labels.name).isVisible(), `${lang}: the name field is labelled`)
      const details = await page.locator('dl.picket-details').innerText()
      t.match(details, labels.when)
      t.match(details, labels.country)
      t.notMatch(details, /Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|December/, `${lang}: the date is not English`)
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth)
      t.ok(scrollWidth <= width, `${lang} fits ${width} px (scrollWidth ${scrollWidth})`)
      await page.screenshot({ path: path.join(screenshots, `picket-${lang}-${width}.png`), fullPage: true })
      if (lang === 'ru') t.same(await axe(page), [], `ru at ${width} px: no serious or critical axe findings`)

      if (width === 390) {
        // Sent empty: the errors come back in the page's language, beside their fields.
        await Promise.all([page.waitForURL((u) => u.pathname.endsWith('/rsvps')), page.getByRole('button', { name: labels.button }).click()])
        t.ok(await page.getByRole('alert').filter({ hasText: labels.fix }).isVisible(), `${lang}: the form says what to correct`)
        t.equal(await page.locator('#name-error').innerText(), labels.nameError)
        t.equal(await page.getByLabel(labels.name).getAttribute('aria-invalid'), 'true')
        await page.screenshot({ path: path.join(screenshots, `picket-${lang}-errors-${width}.png`), fullPage: true })
        if (lang === 'ru') t.same(await axe(page), [], 'ru with errors: no serious or critical axe findings')
        // The 422 itself is the answer a form with errors gets (the browser logs it as a failed load).
        problems.splice(0, problems.length, ...problems.filter((p) => !/\b422\b/.test(p)))
      }
      t.same(problems, [], `${lang} at ${width} px: no console errors`)
      await page.close()
    }
  }
})
