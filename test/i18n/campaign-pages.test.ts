// Issue 13: the public campaign and letter pages speak the visitor's language — labels, buttons, form
// errors, numbers and plurals, country and language names, error pages — while English stays as it was.
import t from 'tap'
import { build, formSession, postForm, supporter } from '../helper.js'
import { LANGUAGES, loadCatalogs, translator } from '../../src/i18n/index.js'
import { flatKeys } from '../../src/i18n/coverage.js'
import { fieldErrors } from '../../src/validation.js'
import { letterForm } from '../../src/letters/input.js'

const page = '/campaigns/zhanaozen'
const action = '/campaigns/zhanaozen/letters'
const htmlLang = (body: string) => /<html lang="([^"]+)"/.exec(body)?.[1]
// Text as a reader sees it: tags gone, entities and runs of spaces (Intl's no-break ones too) plain.
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/[ \t\u00a0\u202f]+/g, ' ')

t.test('Accept-Language: ru gives the Russian page: labels, buttons, headings, the footer', async (t) => {
  const app = await build(t, { confirmLetters: true })
  const res = await app.inject({ url: page, headers: { 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.5' } })
  t.equal(res.statusCode, 200)
  t.equal(htmlLang(res.body), 'ru')
  for (const s of ['Напишите своё письмо', 'Ваше имя', 'Ваша электронная почта', 'Город', 'Страна', 'Выберите страну', 'Профсоюз или организация', 'Язык письма', 'Посмотреть письмо', 'Отправить письмо', 'Прислать мне копию', 'Кого мы защищаем', 'письма и пикеты международной солидарности', '(необязательно, до 2 000 символов)']) {
    t.match(text(res.body), s, s)
  }
  for (const s of ['Your name', 'Send my letter', 'Preview my letter', 'Choose your country', 'Who this campaign is for', 'letters and pickets for international solidarity']) t.notMatch(res.body, s, `no English "${s}"`)
  t.match(res.body, /<small>\(необязательно\)<\/small>/)
})

t.test('?lang=de gives German, and the cached page stays per language', async (t) => {
  const app = await build(t)
  const german = await app.inject(`${page}?lang=de`)
  t.equal(htmlLang(german.body), 'de')
  for (const s of ['Schreiben Sie Ihren Brief', 'Ihr Name', 'Brief absenden', 'Vorschau meines Briefes', 'Wählen Sie Ihr Land', 'von 11.000 Briefen']) t.match(text(german.body), s, s)
  // The English page, rendered after the German one, is still English (one cached page per language).
  const english = await app.inject(page)
  t.match(english.body, 'Send my letter')
  t.match(english.body, '0</strong> of 11,000 letters')
  t.match(english.body, 'Choose your country')
  // Each cached page has its own fresh CSRF token in its form.
  const again = await app.inject(`${page}?lang=de`)
  t.match(again.body, /name="_csrf" value="[^"_][^"]+"/)
  t.notMatch(again.body, '__outcry_csrf__')
  for (const lang of LANGUAGES) t.equal(htmlLang((await app.inject(`${page}?lang=${lang}`)).body), lang)
})

t.test('plurals and numbers on the tally follow the language: 11 000 писем', async (t) => {
  const app = await build(t)
  app.db.$client.prepare(`update campaigns set letters_count = 11000, offline_count = 0 where slug = 'zhanaozen'`).run()
  const ru = text((await app.inject({ url: page, headers: { 'accept-language': 'ru' } })).body)
  t.match(ru, /11 000 писем из 11 000/)
  t.match(text((await app.inject(page)).body), '11,000 of 11,000 letters', 'English as before')
  t.match(text((await app.inject(`${page}?lang=de`)).body), '11.000 von 11.000 Briefen')
  t.match(text((await app.inject(`${page}?lang=kk`)).body), '11 000 хат жазылды, мақсат — 11 000')
  app.db.$client.prepare(`update campaigns set letters_count = 21, offline_count = 3 where slug = 'zhanaozen'`).run()
  const few = text((await app.inject({ url: '/', headers: { cookie: 'lang=ru' } })).body)
  t.match(few, '24 письма из 11 000', 'the home page too')
  t.match(few, '(21 онлайн, 3 — бумажной почтой)')
  const r = translator('ru')
  t.equal(r('progress.ofGoal', { count: 1, goal: 5 }), 'письмо из 5')
  t.equal(r('progress.ofGoal', { count: 2, goal: 5 }), 'письма из 5')
  t.equal(r('confirmLetter.headingSeveral', { count: 5 }), 'Подтвердите 5 писем')
  t.equal(translator('en')('confirmLetter.headingSeveral', { count: 3 }), 'Confirm your 3 letters')
})

t.test('country and language names in the page\'s language', async (t) => {
  const app = await build(t)
  const ru = (await app.inject({ url: page, headers: { 'accept-language': 'ru' } })).body
  t.match(ru, /<option value="GB" >Великобритания<\/option>/)
  t.match(ru, /<option value="DE" >Германия<\/option>/)
  t.match(ru, /<option value="KZ" >Казахстан<\/option>/)
  t.ok(ru.indexOf('value="AU"') < ru.indexOf('value="AT"'), 'sorted as Russian sorts: Австралия before Австрия')
  t.match(ru, /<option value="en"[^>]*>Английский<\/option>/, 'language names in Russian')
  t.match(ru, /<option value="ru" selected>Русский<\/option>/, 'the letter in the page\'s language, the campaign having a Russian template')
  t.match((await app.inject(`${page}?lang=kk`)).body, /<option value="kk" selected>/, 'a Kazakh page: the Kazakh letter')
  // No German letter: the letter is in the language of the official it goes to first (the President's, Russian).
  t.match((await app.inject(`${page}?lang=de`)).body, /<option value="ru" selected>/, 'no German template: the official\'s own language')
  t.match(ru, /\(Казахстан\)/, 'the officials\' countries too')
  const en = (await app.inject(page)).body
  t.match(en, /<option value="GB" >United Kingdom<\/option>/)
  t.match(en, /<option value="ru"[^>]*>Russian<\/option>/)
  t.match((await app.inject(`${page}?lang=kk`)).body, /<option value="KZ" >Қазақстан<\/option>/)
})

t.test('a 422 re-rendered in Russian has Russian messages; in English, the English ones', async (t) => {
  const app = await build(t)
  const bad = { name: '', email: 'nope', country: 'XX', city: 'Leeds', organisation: 'Unite', note: 'keep me', target: '' }
  const session = await formSession(app, `${page}?lang=ru`)
  const res = await postForm(app, `${action}?lang=ru`, bad, session)
  t.equal(res.statusCode, 422)
  t.equal(htmlLang(res.body), 'ru')
  t.match(res.body, 'Исправьте поля, отмеченные ниже. Пока ничего не отправлено.')
  t.match(res.body, /id="name-error"[^>]*>Заполните поле «Ваше имя»</)
  t.match(res.body, /id="email-error"[^>]*>Введите корректный адрес электронной почты</)
  t.match(res.body, /id="country-error"[^>]*>Выберите страну</)
  t.match(res.body, /id="target-error"[^>]*>Выберите, кому вы пишете</)
  t.match(res.body, 'value="nope"', 'values kept')
  // The lang cookie alone (set by ?lang= before) is enough.
  const cookieSession = await formSession(app, page)
  const byCookie = await app.inject({
    method: 'POST',
    url: action,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${cookieSession.cookie}; lang=ru` },
    payload: new URLSearchParams({ _csrf: cookieSession.token, ...supporter, email: 'bad', target: '1' }).toString(),
  })
  t.equal(byCookie.statusCode, 422)
  t.match(byCookie.body, /id="email-error"[^>]*>Введите корректный адрес электронной почты</)
  // A link in the name, a note too long, in Kazakh.
  const kk = await postForm(app, `${action}?lang=kk`, { ...supporter, name: 'visit www.spam.ru', note: 'x'.repeat(2001), target: '1' }, await formSession(app, page))
  t.equal(kk.statusCode, 422)
  t.match(kk.body, /id="name-error"[^>]*>«Атыңыз» өрісінде веб-мекенжай болмауы керек</)
  t.match(text(kk.body), /«Өзіңізден бірнеше сөз» өрісі 2 000 таңбадан аспауы керек/)
  // English as it always was.
  const en = await postForm(app, action, bad, await formSession(app, page))
  t.match(en.body, /id="name-error"[^>]*>Please enter your name</)
  t.match(en.body, /id="email-error"[^>]*>Please enter a valid email address</)
})

t.test('fieldErrors stays English unless a language is given (the back office)', async (t) => {
  const parsed = letterForm.safeParse({ name: '', email: 'x', country: 'GB', city: '', target: '1' })
  t.notOk(parsed.success)
  const issues = parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path as (string | number)[], message: i.message }))
  t.same(fieldErrors(issues), { name: 'Please enter your name', email: 'Please enter a valid email address', city: 'Please enter your city' })
  t.same(fieldErrors(issues, 'de'), { name: 'Bitte füllen Sie „Ihr Name“ aus', email: 'Bitte geben Sie eine gültige E-Mail-Adresse ein', city: 'Bitte füllen Sie „Stadt“ aus' })
  t.same(fieldErrors([{ path: ['title'], message: 'Title must be unique' }]), { title: 'Title must be unique' })
  t.same(fieldErrors([{ path: ['title'], message: 'Title must be unique' }], 'fr'), { title: 'Veuillez vérifier ce champ' }, 'a message with no catalog message: a general one')
})

t.test('error pages and JSON errors in the request\'s language', async (t) => {
  const app = await build(t)
  const missing = await app.inject({ url: '/campaigns/nope', headers: { 'accept-language': 'ru' } })
  t.equal(missing.statusCode, 404)
  t.match(missing.body, '<h1>Страница не найдена</h1>')
  t.match(missing.body, 'По этому адресу нет кампании.')
  t.match(missing.body, 'Вернуться к кампаниям')
  const english = await app.inject('/campaigns/nope')
  t.match(english.body, '<h1>Page not found</h1>')
  t.match(english.body, 'There is no campaign at this address.')
  t.match((await app.inject('/nowhere?lang=es')).body, 'No hay nada en esta dirección.')
  // An expired or foreign form (no CSRF token) in the page's language.
  const csrf = await app.inject({ method: 'POST', url: `${action}?lang=fr`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'name=x' })
  t.equal(csrf.statusCode, 403)
  t.match(text(csrf.body), 'Ce formulaire a expiré ou n’a pas été envoyé depuis ce site.')
  // A bad confirmation link.
  t.match((await app.inject('/letters/confirm/nope?lang=de')).body, 'Dieser Bestätigungslink ist ungültig.')
  // JSON: readable English by default, the request's language when it has one.
  t.same((await app.inject('/api/campaigns/nope')).json(), { error: 'Campaign not found' })
  t.same((await app.inject({ url: '/api/campaigns/nope', headers: { 'accept-language': 'ru' } })).json(), { error: 'Кампания не найдена' })
  const invalid = await app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'application/json', 'accept-language': 'ru' }, payload: { ...supporter, email: 'nope', targetId: 1 } })
  t.equal(invalid.statusCode, 422)
  t.match(invalid.json(), { error: 'Неверные данные', issues: [{ path: ['email'], message: 'Введите корректный адрес электронной почты' }] })
})

t.test('the thank-you and confirmation pages, and the live preview\'s heading', async (t) => {
  const app = await build(t, { confirmLetters: true })
  const thanks = await app.inject({ url: '/campaigns/zhanaozen/thanks', headers: { cookie: 'lang=ru' } })
  t.match(thanks.body, 'Ещё один шаг: проверьте почту')
  t.match(thanks.body, 'Попросите написать и других')
  t.match(thanks.body, encodeURIComponent('Я написал(а) письмо:'), 'the shared text in Russian')
  const confirmed = await app.inject('/campaigns/zhanaozen/thanks?confirmed&lang=es')
  t.match(confirmed.body, 'Gracias — su carta está en camino')
  // Write in Kazakh, open the confirmation link.
  const session = await formSession(app, page)
  t.equal((await postForm(app, action, { ...supporter, target: ['1', '2'], language: 'ru' }, session)).statusCode, 303)
  const mail = app.db.$client.prepare(`select message from outbox where kind = 'confirm_letter'`).get() as { message: string }
  const link = /\/letters\/confirm\/[A-Za-z0-9_-]+/.exec(JSON.parse(mail.message).text)![0]
  const confirm = await app.inject({ url: link, headers: { 'accept-language': 'kk' } })
  t.equal(htmlLang(confirm.body), 'kk')
  t.match(confirm.body, '2 хатыңызды растаңыз')
  t.match(confirm.body, 'Растау және хаттарымды жіберу')
  t.match(confirm.body, /<div lang="ru">/, 'the letters in their own language, marked')
  t.match((await app.inject(link)).body, 'Confirm your 2 letters', 'English as before')
  // The live preview names the official in the page's language; the letter keeps its own.
  const preview = await app.inject({ method: 'POST', url: '/campaigns/zhanaozen/preview?lang=ru', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'target=1&language=en' })
  t.match(preview.json(), { to: /^Кому: /, language: 'en' })
  t.match(preview.json().body, '[ваш город]', 'the blanks in the page\'s language')
})

t.test('every message of these pages renders in every language (ICU parses, nothing left in braces)', async (t) => {
  const catalogs = loadCatalogs()
  const values = { count: 3, goal: 11000, online: 5, offline: 7, max: 2000, label: 'L', lower: 'l', name: 'N', title: 'T', date: 'D', slug: 's', allow: 'GET' }
  const parts = ['home', 'campaign', 'progress', 'thanks', 'campaignNav', 'letterForm', 'confirmLetter', 'errors', 'validation', 'common']
  for (const lang of LANGUAGES) {
    const tr = translator(lang)
    for (const key of flatKeys(catalogs[lang]).filter((k) => parts.includes(k.split('.')[0]!))) {
      const out = tr(key, values)
      if (/[{}]/.test(out) || out === key) t.fail(`${lang} ${key}: ${out}`)
    }
  }
  t.pass('all render')
})

t.test('the pickets listed on the campaign page: countries and dates in the page\'s language', async (t) => {
  const app = await build(t)
  const ru = (await app.inject({ url: '/campaigns/zhanaozen', headers: { 'accept-language': 'ru' } })).body
  t.match(ru, '<h3>Польша</h3>')
  t.match(ru, '<h3>Украина</h3>')
  t.notMatch(ru, '<h3>Poland</h3>')
  t.match(ru, /декабря 2026/, 'the month in Russian, in its genitive')
  const en = (await app.inject('/campaigns/zhanaozen')).body
  t.match(en, '<h3>Poland</h3>', 'and English stays English (the page is cached per language)')
})
