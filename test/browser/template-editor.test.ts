// The letter-template editor in Chromium (issue 15): the placeholders as buttons with plain names
// insert their Handlebars at the caret of the field used last (the body, or the subject), give the
// focus back there, work from the keyboard, and the live preview follows; a typo's error names the
// placeholder meant. Screenshots at 390 and 1280 px, axe clean, no console error.
import path from 'node:path'
import t from 'tap'
import type { Page } from 'playwright-core'
import { CHROMIUM, hasChromium, launchChromium, listen, screenshots } from './chromium.js'
import { build } from '../helper.js'
import { addUser, PASSWORD } from '../admin/helper.js'
import { axeFindings } from './axe.js'

const ORGANIZER = 'organizer@example.org'

if (hasChromium()) await main()
else t.fail(`no chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`)

async function main() {
  const app = await build(t)
  const base = await listen(app)
  await addUser(app, ORGANIZER, 'organizer', [1])
  const { openPage } = await launchChromium(t)

  async function signIn(page: Page) {
    await page.goto(`${base}/admin/login?lang=en`)
    await page.locator('input[name=email]').fill(ORGANIZER)
    await page.locator('input[name=password]').fill(PASSWORD)
    await Promise.all([page.waitForURL((u) => u.pathname === '/admin', { waitUntil: 'load' }), page.getByRole('button', { name: 'Sign in', exact: true }).click()])
  }

  /** The caret of a field: [start, end]. */
  const caret = (page: Page, name: string) =>
    page.evaluate((n) => {
      const f = document.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[name=${n}]`)!
      return [f.selectionStart, f.selectionEnd]
    }, name)
  const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('name') ?? document.activeElement?.tagName)
  const previewBody = (page: Page) => page.locator('[data-preview-body]').innerText()

  t.test('a button inserts its placeholder at the caret, the preview follows', async (t) => {
    const { page, problems } = await openPage()
    t.teardown(() => page.close())
    await page.setViewportSize({ width: 1280, height: 900 })
    await signIn(page)
    await page.goto(`${base}/admin/campaigns/1/templates/en`)

    // The reference list became buttons, each named in plain words with its Handlebars beside.
    const city = page.getByRole('button', { name: "Supporter's city {{supporter.city}}" })
    t.equal(await city.count(), 1, "a button named Supporter's city")
    t.equal(await city.getAttribute('title'), '{{supporter.city}}', 'its Handlebars as its title')
    t.equal(await page.locator('#placeholder-picker button').count(), 16, 'fifteen placeholders and the "if note" block')
    t.equal(await page.locator('[data-picker-hint]').isVisible(), true, 'the hint for buttons shows')
    t.equal(await page.locator('[data-picker-no-script]').isVisible(), false, 'the hint for typing by hand does not')
    t.equal(await page.getByRole('list', { name: 'The supporter' }).getByRole('button').count(), 5, 'grouped: the supporter’s five')

    // The caret in the middle of the body: the placeholder goes there, the focus comes back.
    const body = page.locator('textarea[name=body]')
    await body.fill('Dear {{target.name}},\n\nI write from .\n\nYours')
    const at = 'Dear {{target.name}},\n\nI write from '.length
    await body.evaluate((el: HTMLTextAreaElement, n) => el.setSelectionRange(n, n), at)
    await page.waitForFunction(() => document.querySelector('[data-preview-body]')?.textContent?.includes('I write from .'))
    await city.click()
    t.equal(await body.inputValue(), 'Dear {{target.name}},\n\nI write from {{supporter.city}}.\n\nYours', 'inserted at the caret')
    t.equal(await focused(page), 'body', 'the focus is back in the body')
    t.same(await caret(page, 'body'), [at + '{{supporter.city}}'.length, at + '{{supporter.city}}'.length], 'the caret after the placeholder')
    await t.resolves(page.waitForFunction(() => document.querySelector('[data-preview-body]')?.textContent?.includes('I write from Manchester.')), 'the preview shows the sample city')
    t.equal(await page.locator('[data-picker-status]').innerText(), "Inserted Supporter's city.", 'said to screen readers')

    // Typing goes on where the placeholder ended.
    await page.keyboard.type(', United Kingdom')
    t.match(await body.inputValue(), 'I write from {{supporter.city}}, United Kingdom.')

    // A selection is replaced.
    await body.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(el.value.indexOf('Yours'), el.value.length))
    await page.getByRole('button', { name: /^Supporter's name/ }).click()
    t.match(await body.inputValue(), /\n\n\{\{supporter\.name\}\}$/, 'the selection is replaced')

    // The subject, when it was used last.
    const subject = page.locator('input[name=subject]')
    await subject.fill('Free them: ')
    await subject.press('End')
    await page.getByRole('button', { name: /^Campaign title/ }).click()
    t.equal(await subject.inputValue(), 'Free them: {{campaign.title}}', 'into the subject')
    t.equal(await focused(page), 'subject')
    await t.resolves(page.waitForFunction(() => document.querySelector('[data-preview-subject]')?.textContent === 'Free them: Free the Zhanaozen oil workers'), 'the preview’s subject follows')

    // The keyboard: Tab to a button, Enter inserts into the field used last.
    await body.focus()
    await body.press('Control+End')
    const date = page.getByRole('button', { name: /^Today's date/ })
    await date.focus()
    await page.keyboard.press('Enter')
    t.match(await body.inputValue(), /\{\{supporter\.name\}\}\{\{date\}\}$/, 'Enter on a button inserts it')
    t.equal(await focused(page), 'body')
    await page.keyboard.press('Shift+Tab')
    t.match(await page.evaluate(() => document.activeElement?.textContent ?? ''), /\{\{#if note\}\}/, 'Shift+Tab from the body reaches the last button')
    await page.keyboard.press('Space')
    t.match(await body.inputValue(), /\{\{date\}\}\{\{#if note\}\}\n\{\{note\}\}\n\{\{\/if\}\}$/, 'Space inserts the "if note" block')
    await t.resolves(page.waitForFunction(() => document.querySelector('[data-preview-body]')?.textContent?.includes('A personal note.')), 'the preview shows the sample note')
    t.match(await previewBody(page), 'I write from Manchester, United Kingdom.')

    // A typo: the live preview names the placeholder meant, in plain words.
    await body.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(el.value.length, el.value.length))
    await body.focus()
    await page.keyboard.type(' {{suporter.city}}')
    await t.resolves(page.waitForFunction(() => /Did you mean/.test(document.querySelector('[data-preview-error]')?.textContent ?? '')))
    t.match(await page.locator('[data-preview-error]').innerText(), /Line 7: \{\{suporter\.city\}\} is not a placeholder Outcry knows\. Did you mean Supporter's city \(\{\{supporter\.city\}\}\)\?/)

    // The same on a phone, then axe on both.
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 })
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth)
      t.ok(scrollWidth <= width, `fits ${width} px (scrollWidth ${scrollWidth})`)
      t.same(await axeFindings(page), [], `no serious or critical axe finding at ${width} px`)
      await page.locator('#placeholder-picker').scrollIntoViewIfNeeded()
      await page.screenshot({ path: path.join(screenshots, `template-editor-${width}.png`), fullPage: true })
      await page.locator('#placeholder-picker').screenshot({ path: path.join(screenshots, `template-editor-picker-${width}.png`) })
    }
    // Help opened, on a phone.
    await page.locator('#template-help summary').click()
    t.match(await page.locator('#template-help').innerText(), 'Supporters do not write this text')
    await page.locator('#template-help').screenshot({ path: path.join(screenshots, 'template-editor-help-390.png') })
    t.same(problems, [], 'no console error, CSP violation or failed response')
  })

  t.test('in Russian: plain names and the insert in Russian words', async (t) => {
    const { page, problems } = await openPage()
    t.teardown(() => page.close())
    await page.setViewportSize({ width: 390, height: 900 })
    // The same browser profile: still signed in.
    await page.goto(`${base}/admin/campaigns/1/templates/ru?lang=ru`)
    const body = page.locator('textarea[name=body]')
    await body.fill('Я пишу из ')
    await body.press('End')
    await page.getByRole('button', { name: /^Город сторонника/ }).click()
    t.equal(await body.inputValue(), 'Я пишу из {{supporter.city}}')
    t.equal(await page.locator('[data-picker-status]').innerText(), 'Вставлено: Город сторонника.')
    await t.resolves(page.waitForFunction(() => document.querySelector('[data-preview-body]')?.textContent?.includes('Я пишу из Manchester')))
    t.same(await axeFindings(page), [], 'axe clean in Russian')
    await page.screenshot({ path: path.join(screenshots, 'template-editor-ru-390.png'), fullPage: true })
    t.same(problems, [])
  })
}
