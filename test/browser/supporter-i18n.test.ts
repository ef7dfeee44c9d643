// Issue 13 in a real browser: the whole supporter path in Russian and, apart, in Kazakh, from a
// browser whose Accept-Language asks for that language — the campaign page, the letter form with its
// preview and a 422 re-rendered in the page's language, the thank-you page, the confirmation mail in the
// development mailbox and the page its link opens, the copy of the letter, and a picket's RSVP with its
// check-your-mailbox page; each mail's subject in that language, its Content-Language and HTML lang, and
// no English in its text but what has no translation. At 390 px (a phone; nothing may scroll sideways) and the campaign page at
// 1280 px; screenshots in test-output/screenshots/i18n-<lang>-*.png; axe-core on every page of the path
// (serious and critical findings fail); no console error, page error or CSP violation; and no English
// word on a page where the page's language is claimed (text marked with another lang is a fallback).
import path from 'node:path'
import t from 'tap'
import type { Page } from 'playwright-core'
import { CHROMIUM, hasChromium, launchChromium, listen, screenshots } from './chromium.js'
import { axeFindings as axe } from './axe.js'
import { build } from '../helper.js'

const SLUG = 'zhanaozen'

interface Language {
  lang: 'ru' | 'kk'
  acceptLanguage: string
  title: string
  /** A person the campaign is for, by their name in this script. */
  person: string
  /** The President, by his name in this language, and the salutation his letter opens with. */
  president: string
  salutation: string
  labels: { name: string; email: string; city: string; send: string; preview: string; language: string }
  supporter: { name: string; email: string; city: string; country: string; countryName: string }
  hasErrors: string
  nameError: string
  checkInbox: string
  confirmSubject: string
  confirmButton: string
  onItsWay: string
  confirmed: string
  copySubject: RegExp
  /** The Moscow picket's link text on the campaign page. */
  picket: RegExp
  rsvp: { heading: string; submit: string; name: string; email: string; sentHeading: string; mailSubject: RegExp }
  /** The story has no translation in this language: it falls back to English, marked. */
  storyFallsBack: boolean
  /** Texts with no translation in this language, in English in a plain-text mail (which cannot mark them). */
  untranslated: string[]
}

const languages: Language[] = [
  {
    lang: 'ru',
    acceptLanguage: 'ru-RU,ru;q=0.9',
    title: 'Свободу нефтяникам Жанаозена',
    person: 'Роза Тулетаева',
    president: 'Нурсултан Назарбаев',
    salutation: 'Уважаемый Нурсултан Абишевич!',
    labels: { name: 'Ваше имя', email: 'Ваша электронная почта', city: 'Город', send: 'Отправить письмо', preview: 'Посмотреть письмо', language: 'Язык письма' },
    supporter: { name: 'Ольга Петрова', email: 'olga@example.ru', city: 'Екатеринбург', country: 'RU', countryName: 'Россия' },
    hasErrors: 'Исправьте поля, отмеченные ниже. Пока ничего не отправлено.',
    nameError: 'Заполните поле «Ваше имя»',
    checkInbox: 'Ещё один шаг: проверьте почту',
    confirmSubject: 'Подтвердите письмо адресату: Нурсултан Назарбаев',
    confirmButton: 'Подтвердить и отправить письмо',
    onItsWay: 'Спасибо — ваше письмо уже в пути',
    confirmed: 'Ваше письмо подтверждено.',
    copySubject: /Копия вашего письма \(Нурсултан Назарбаев\): /,
    picket: /в Москве/,
    rsvp: { heading: 'Я приду', submit: 'Записаться', name: 'Ваше имя', email: 'Ваш адрес электронной почты', sentHeading: 'Проверьте почту', mailSubject: /Подтвердите участие: / },
    storyFallsBack: false,
    untranslated: [],
  },
  {
    lang: 'kk',
    acceptLanguage: 'kk-KZ,kk;q=0.9',
    title: 'Жаңаөзен мұнайшыларына бостандық',
    person: 'Роза Тулетаева',
    president: 'Нұрсұлтан Назарбаев',
    salutation: 'Құрметті Нұрсұлтан Әбішұлы!',
    labels: { name: 'Атыңыз', email: 'Электрондық поштаңыз', city: 'Қала', send: 'Хатты жіберу', preview: 'Хатты алдын ала қарау', language: 'Хаттың тілі' },
    supporter: { name: 'Айгүл Серікқызы', email: 'aigul@example.kz', city: 'Ақтау', country: 'KZ', countryName: 'Қазақстан' },
    hasErrors: 'Төменде белгіленген өрістерді түзетіңіз. Әзірге ештеңе жіберілген жоқ.',
    nameError: '«Атыңыз» өрісін толтырыңыз',
    checkInbox: 'Тағы бір қадам: поштаңызды тексеріңіз',
    confirmSubject: 'Нұрсұлтан Назарбаев атына жазған хатыңызды растаңыз',
    confirmButton: 'Растау және хатымды жіберу',
    onItsWay: 'Рахмет — хатыңыз жолда',
    confirmed: 'Хатыңыз расталды.',
    copySubject: /Нұрсұлтан Назарбаев атына жазған хатыңыздың көшірмесі: /,
    picket: /Moscow|Мәскеу/,
    rsvp: { heading: 'Мен барамын', submit: 'Жазылу', name: 'Атыңыз', email: 'Электрондық поштаңыз', sentHeading: 'Поштаңызды тексеріңіз', mailSubject: /Орныңызды растаңыз: / },
    storyFallsBack: true,
    // The demo's pickets have Russian titles and what to bring, no Kazakh ones.
    untranslated: ['Picket at the Kazakh embassy in Moscow', 'Union banners, the placard "Free the Zhanaozen oil workers", warm clothes'],
  },
]

// A missing browser is a failure, not a skip: CI installs it (.ci/run), so must a developer.
if (hasChromium()) await main()
else t.fail(`no chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`)

/**
 * Latin-script words in text the page claims is in its own language: visible text nodes whose nearest
 * lang attribute is the page's (text marked with another lang is a fallback or a letter, and says so),
 * once `allowed` (regular expressions' sources: names, addresses, data) is taken out.
 */
function englishWords(page: Page, allowed: string[]): Promise<string[]> {
  return page.evaluate((allowed) => {
    const pageLang = document.documentElement.lang
    const found: string[] = []
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement
      if (!parent || parent.closest('script, style, option:not(:checked), [hidden]')) continue
      if (parent.closest('[lang]')?.getAttribute('lang') !== pageLang) continue
      if (parent.getClientRects().length === 0) continue
      let text = node.textContent ?? ''
      for (const source of allowed) text = text.replace(new RegExp(source, 'gu'), ' ')
      for (const word of text.match(/[A-Za-z][A-Za-z'’-]{2,}/g) ?? []) found.push(word)
    }
    return [...new Set(found)]
  }, allowed)
}

/**
 * Latin script a Russian or Kazakh page may rightly show: the app's and messengers' names, the languages'
 * own names in the switch, e-mail addresses and links, time zones by their IANA names, and the demo
 * pickets' venues, addresses, cities and organizers — free text kept in one language (only a picket's
 * title and what to bring are translated); the organisation that runs Outcry, named as its operator wrote it
 * (ORGANISATION_NAME, here the default).
 */
const latinAllowed = [
  'The Outcry campaign team',
  '\\b(Outcry|WhatsApp|Telegram|Bluesky|Facebook|English|Deutsch|Français|Español|iCalendar|Atom)\\b',
  '[\\w.+-]+@[\\w.-]+',
  'https?://\\S+',
  '\\b[A-Z][a-z]+/[A-Za-z_]+\\b',
  '\\b(GMT|UTC)([+-]\\d+(:\\d+)?)?|\\b(EET|CET|MSK|BST)\\b',
  'Embassy of the Republic of Kazakhstan',
  'Picket organizer',
  '\\b(London|Warsaw|Kyiv|Moscow)\\b',
  'Chistoprudny Boulevard 3A|125 Pall Mall, SW1Y 5EA|ul\\. Królowej Marysieńki 14|vul\\. Melnykova 26',
]

/** Latin-script words in a mail's plain text, once `latinAllowed` is taken out. */
function englishInMail(text: string, untranslated: string[]): string[] {
  for (const fallback of untranslated) text = text.replaceAll(fallback, ' ')
  for (const source of latinAllowed) text = text.replace(new RegExp(source, 'gu'), ' ')
  return [...new Set(text.match(/[A-Za-z][A-Za-z'’-]{2,}/g) ?? [])]
}

async function main() {
  // As a real campaign: letters count once confirmed from the mailbox.
  const app = await build(t, { startDispatcher: true, dispatcher: { pollMs: 50 }, confirmLetters: true })
  const base = await listen(app)
  const { context, openPage } = await launchChromium(t)

  for (const L of languages) {
    t.test(`the supporter path in ${L.lang}`, async (t) => {
      // A browser that has never been here: no lang cookie from the other language's path (the confirmation's
      // redirect carries ?lang=, which the site remembers).
      await context.clearCookies()
      const shot = (page: Page, name: string) => page.screenshot({ path: path.join(screenshots, `i18n-${L.lang}-${name}.png`), fullPage: true })
      const fits = async (page: Page, what: string) => {
        const { scrollWidth, width } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, width: window.innerWidth }))
        t.ok(scrollWidth <= width, `${L.lang} ${what} fits ${width} px (scrollWidth ${scrollWidth})`)
      }
      const checked = async (page: Page, what: string) => {
        t.equal(await page.getAttribute('html', 'lang'), L.lang, `${L.lang} ${what}: <html lang="${L.lang}">`)
        t.same(await axe(page), [], `${L.lang} ${what}: no serious or critical axe findings`)
        t.same(await englishWords(page, latinAllowed), [], `${L.lang} ${what}: no English where the page claims ${L.lang}`)
      }

      // The desktop's campaign page first, for its screenshot and axe at that width.
      {
        const { page, problems } = await openPage()
        await page.setExtraHTTPHeaders({ 'Accept-Language': L.acceptLanguage })
        await page.setViewportSize({ width: 1280, height: 800 })
        t.equal((await page.goto(`${base}/campaigns/${SLUG}`))?.status(), 200)
        t.equal(await page.locator('h1').innerText(), L.title, `${L.lang} at 1280 px: the title`)
        await shot(page, 'campaign-1280')
        await checked(page, 'campaign page at 1280 px')
        t.same(problems, [], `${L.lang} at 1280 px: no console errors`)
        await page.close()
      }

      const { page, problems } = await openPage()
      t.teardown(() => page.close())
      await page.setExtraHTTPHeaders({ 'Accept-Language': L.acceptLanguage })
      await page.setViewportSize({ width: 390, height: 844 })

      // 1. The campaign page.
      t.equal((await page.goto(`${base}/campaigns/${SLUG}`))?.status(), 200, `${L.lang}: the campaign page loads`)
      t.equal(await page.getAttribute('html', 'lang'), L.lang)
      t.equal(await page.locator('h1').innerText(), L.title, `${L.lang}: the title`)
      t.equal(await page.locator('h1').getAttribute('lang'), null, `${L.lang}: the title is not a fallback`)
      const people = await page.locator('.people strong').allInnerTexts()
      t.ok(people.length > 0, 'the people are listed')
      t.ok(people.includes(L.person), `${L.lang}: ${L.person} among the people`)
      for (const name of people) t.match(name, /^[\p{Script=Cyrillic}\s.-]+$/u, `${L.lang}: ${name} in Cyrillic`)
      t.equal(await page.locator('.story > div').getAttribute('lang'), L.storyFallsBack ? 'en' : null, L.storyFallsBack ? `${L.lang}: the untranslated story is marked lang="en"` : `${L.lang}: the story is in the page's language`)
      for (const label of [L.labels.name, L.labels.email, L.labels.city]) {
        t.equal(await page.getByLabel(label, { exact: true }).count(), 1, `${L.lang}: a field labelled "${label}"`)
      }
      // A select's accessible name ends with its chosen option, so this one is found by its label's text.
      const letterLanguage = page.locator('label', { hasText: L.labels.language }).locator('select[name=language]')
      t.equal(await letterLanguage.count(), 1, `${L.lang}: the letter's language labelled "${L.labels.language}"`)
      t.ok(await page.getByRole('button', { name: L.labels.send }).isVisible(), `${L.lang}: the send button`)
      t.ok(await page.getByRole('button', { name: L.labels.preview }).isVisible(), `${L.lang}: the preview button`)
      t.equal(await letterLanguage.inputValue(), L.lang, `${L.lang}: the letter's language defaults to the page's`)
      await shot(page, 'campaign-390')
      await fits(page, 'campaign page')
      await checked(page, 'campaign page')

      // 2. The form: fill it, preview the letter (the no-JavaScript preview: a POST that re-renders).
      const president = page.locator('[data-officials] label', { hasText: L.president })
      await president.locator('input[name=target]').check()
      await page.getByLabel(L.labels.name, { exact: true }).fill(L.supporter.name)
      await page.getByLabel(L.labels.email, { exact: true }).fill(L.supporter.email)
      await page.getByLabel(L.labels.city, { exact: true }).fill(L.supporter.city)
      await page.locator('select[name=country]').selectOption(L.supporter.country)
      await page.locator('input[name=copy]').check()
      await Promise.all([
        page.waitForURL((u) => u.pathname === `/campaigns/${SLUG}/letters`, { waitUntil: 'load' }),
        page.getByRole('button', { name: L.labels.preview }).click(),
      ])
      const body = page.locator('[data-preview-body]')
      await body.waitFor()
      t.equal(await body.getAttribute('lang'), L.lang, `${L.lang}: the letter is marked with its language`)
      const letter = await body.innerText()
      t.ok(letter.startsWith(L.salutation), `${L.lang}: the letter opens with "${L.salutation}" (${JSON.stringify(letter.slice(0, 60))})`)
      t.match(letter, L.supporter.name, 'signed by the supporter')
      t.match(letter, L.supporter.countryName, `the supporter's country in ${L.lang}`)
      t.match(await page.locator('[data-preview-to]').innerText(), L.president, `${L.lang}: the preview is to the President by his name in ${L.lang}`)
      t.equal(await page.locator('input[name=copy]').isChecked(), true, 'the copy stays asked for')
      await shot(page, 'preview-390')
      await fits(page, 'preview')
      await checked(page, 'preview')

      // Sent without a name: the form comes back (422) with its messages in the page's language.
      await page.getByLabel(L.labels.name, { exact: true }).fill('')
      const [rejected] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/campaigns/${SLUG}/letters`) && r.request().method() === 'POST'),
        page.getByRole('button', { name: L.labels.send }).click(),
      ])
      t.equal(rejected.status(), 422, 'a missing name is a 422')
      await page.waitForLoadState('load')
      t.equal(await page.getByRole('alert').filter({ hasText: L.hasErrors }).count(), 1, `${L.lang}: the form says what to correct`)
      t.equal(await page.locator('#name-error').innerText(), L.nameError, `${L.lang}: the name's message`)
      t.equal(await page.locator('input[name=name]').getAttribute('aria-invalid'), 'true')
      t.equal(await page.locator('input[name=email]').inputValue(), L.supporter.email, 'what was typed is kept')
      t.equal(await president.locator('input[name=target]').isChecked(), true, 'the official stays chosen')
      await page.locator('#write').scrollIntoViewIfNeeded()
      await shot(page, 'errors-390')
      await fits(page, 'form with errors')
      await checked(page, 'form with errors')
      // The 422 is the answer a form with errors gets (the browser logs it as a failed load).
      problems.splice(0, problems.length, ...problems.filter((p) => !/\b422\b/.test(p)))

      // Sent properly.
      await page.locator('input[name=name]').fill(L.supporter.name)
      await Promise.all([
        page.waitForURL((u) => u.pathname === `/campaigns/${SLUG}/thanks`, { waitUntil: 'load' }),
        page.getByRole('button', { name: L.labels.send }).click(),
      ])

      // 3. The thank-you page.
      t.equal(await page.locator('h1').innerText(), L.checkInbox, `${L.lang}: asked to confirm from the mailbox`)
      await shot(page, 'thanks-390')
      await fits(page, 'thank-you page')
      await checked(page, 'thank-you page')

      // 4. The confirmation in the development mailbox (the dispatcher sends asynchronously: poll).
      async function mailTo(subject: string | RegExp, what: string, shotName: string): Promise<{ subject: string; text: string } | undefined> {
        const row = page.locator('tbody tr', { hasText: L.supporter.email }).filter({ hasText: subject })
        const deadline = Date.now() + 5000
        for (;;) {
          await page.goto(`${base}/dev/mailbox`)
          if ((await row.count()) > 0) break
          if (Date.now() > deadline) {
            t.fail(`${L.lang}: ${what} did not reach the mailbox within 5 s`, { mailbox: await page.locator('tbody').innerText() })
            return undefined
          }
          await page.waitForTimeout(200)
        }
        t.equal(await row.count(), 1, `${L.lang}: one ${what}`)
        const subjectText = await row.getByRole('link').first().innerText()
        await Promise.all([page.waitForURL(/\/dev\/mailbox\/\d+$/), row.getByRole('link').first().click()])
        const raw = await (await page.request.get(`${page.url()}/raw`)).text()
        t.match(raw, new RegExp(`^Content-Language: ${L.lang}\\r?$`, 'mi'), `${L.lang}: the ${what} says its language`)
        const text = await page.locator('pre.letter-body').innerText()
        const html = await (await page.request.get(`${page.url()}/html`)).text()
        t.match(html, new RegExp(`<html lang="${L.lang}"`), `${L.lang}: the ${what}'s HTML part says its language`)
        t.match(html, L.supporter.name, `${L.lang}: the ${what}'s HTML part greets the supporter`)
        await shot(page, `mail-${shotName}`)
        t.same(englishInMail(text, L.untranslated), [], `${L.lang}: no English in the ${what}`)
        return { subject: subjectText, text }
      }
      const confirmation = await mailTo(L.confirmSubject, 'confirmation', 'confirm')
      if (!confirmation) return
      t.equal(confirmation.subject, L.confirmSubject, `${L.lang}: the confirmation's subject`)
      const link = /https?:\/\/\S+\/letters\/confirm\/[\w-]+/.exec(confirmation.text)?.[0]
      t.ok(link, 'the confirmation carries its link')
      t.equal((await page.goto(`${base}${new URL(link!).pathname}`))?.status(), 200)
      t.ok(await page.getByRole('button', { name: L.confirmButton }).isVisible(), `${L.lang}: "${L.confirmButton}"`)
      t.match(await page.locator('h1').innerText(), L.president, `${L.lang}: the confirmation page names the President in ${L.lang}`)
      await shot(page, 'confirm-390')
      await fits(page, 'confirmation page')
      await checked(page, 'confirmation page')
      await Promise.all([
        page.waitForURL((u) => u.pathname === `/campaigns/${SLUG}/thanks`, { waitUntil: 'load' }),
        page.getByRole('button', { name: L.confirmButton }).click(),
      ])
      t.equal(await page.locator('h1').innerText(), L.onItsWay, `${L.lang}: the letter is on its way`)
      t.ok(await page.getByText(L.confirmed, { exact: true }).isVisible(), `${L.lang}: "${L.confirmed}"`)
      await shot(page, 'confirmed-390')
      await fits(page, 'confirmed page')
      await checked(page, 'confirmed page')

      // The copy they asked for: its subject in the page's language.
      const copy = await mailTo(L.copySubject, 'copy of the letter', 'copy')
      if (copy) {
        t.match(copy.subject, L.copySubject, `${L.lang}: the copy's subject`)
        t.match(copy.text, L.salutation, 'the copy carries the letter')
      }

      // 5. A picket from the campaign page: RSVP in the page's language.
      await page.goto(`${base}/campaigns/${SLUG}`)
      const picketLink = page.locator('#pickets a', { hasText: L.picket })
      t.equal(await picketLink.count(), 1, `${L.lang}: the Moscow picket is listed`)
      await Promise.all([page.waitForURL(/\/pickets\/\d+$/), picketLink.click()])
      t.ok(await page.getByRole('heading', { level: 2, name: L.rsvp.heading }).isVisible(), `${L.lang}: "${L.rsvp.heading}"`)
      // The demo's pickets are titled in English and Russian: a Kazakh page shows the English title, marked.
      t.equal(await page.locator('h1').getAttribute('lang'), L.untranslated.length ? 'en' : null, `${L.lang}: the picket's title ${L.untranslated.length ? 'falls back, marked lang="en"' : 'is translated'}`)
      await shot(page, 'picket-390')
      await fits(page, 'picket page')
      await checked(page, 'picket page')
      await page.getByLabel(L.rsvp.name, { exact: true }).fill(L.supporter.name)
      await page.getByLabel(L.rsvp.email, { exact: true }).fill(L.supporter.email)
      await Promise.all([
        page.waitForURL((u) => u.pathname.endsWith('/check-your-mailbox'), { waitUntil: 'load' }),
        page.getByRole('button', { name: L.rsvp.submit }).click(),
      ])
      t.equal(await page.locator('h1').innerText(), L.rsvp.sentHeading, `${L.lang}: "${L.rsvp.sentHeading}"`)
      await shot(page, 'rsvp-sent-390')
      await fits(page, 'check-your-mailbox page')
      await checked(page, 'check-your-mailbox page')
      const rsvpMail = await mailTo(L.rsvp.mailSubject, 'RSVP confirmation', 'rsvp')
      if (rsvpMail) t.match(rsvpMail.subject, L.rsvp.mailSubject, `${L.lang}: the RSVP mail's subject`)

      t.same(problems, [], `${L.lang}: no console errors, page errors or CSP violations`)
    })
  }
}
