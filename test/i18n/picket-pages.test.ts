// Issue 13 on the public picket pages: labels, buttons, dates in the venue's zone, places left with
// each language's plurals, country names and the RSVP form's errors in the page's language; English
// exactly as before.
import t from 'tap'
import { build, formSession, postForm, TestClock } from '../helper.js'
import { loadCatalogs, translator, LANGUAGES } from '../../src/i18n/index.js'
import { englishRsvpMessages, rsvpForm, rsvpJson } from '../../src/pickets/input.js'
import { issuesOf } from '../../src/validation.js'

type App = Awaited<ReturnType<typeof build>>

/** The demo app at 1 December 2026, with a picket at noon in Moscow on Wednesday 16 December (09:00 UTC). */
async function moscowPicket(t: Parameters<typeof build>[0], capacity: number | null = 40) {
  const app = await build(t, { clock: new TestClock().now })
  const campaignId = (await app.db.query.campaigns.findFirst())!.id
  const picket = app.pickets.schedule(campaignId, {
    title: 'Picket at the Kazakh embassy in Moscow',
    venue: 'Embassy of the Republic of Kazakhstan',
    address: 'Chistoprudny Boulevard 3A',
    city: 'Moscow',
    country: 'RU',
    timeZone: 'Europe/Moscow',
    startsLocal: '2026-12-16T12:00',
    endsLocal: '2026-12-16T14:00',
    capacity,
    notes: 'Banners',
    contact: 'moscow@pickets.example.org',
  })
  return { app, picket, campaignId }
}

const setCapacity = (app: App, id: number, capacity: number) => app.db.$client.prepare('update pickets set capacity = ? where id = ?').run(capacity, id)
const text = (html: string) =>
  html
    .replace(/<\/?(strong|em|mark|a|small)\b[^>]*>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')

t.test('Accept-Language: ru — Russian labels and buttons, the date in Russian in the venue\'s zone, the country in Russian', async (t) => {
  const { app, picket } = await moscowPicket(t)
  const res = await app.inject({ url: `/pickets/${picket.id}`, headers: { 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.5' } })
  t.equal(res.statusCode, 200)
  t.match(res.body, '<html lang="ru"')
  const page = text(res.body)
  for (const label of ['Когда', 'Где', 'Что взять с собой', 'Организатор', 'Места', 'Добавить в мой календарь', 'Я приду', 'Ваше имя', 'Ваш адрес электронной почты', 'Со мной можно связываться по поводу этой кампании', 'В каждом письме есть ссылка для отмены записи.']) {
    t.match(page, label, `label: ${label}`)
  }
  t.match(res.body, /<button type="submit">Записаться<\/button>/, 'the button')
  t.match(page, 'Среда, 16 декабря 2026 г., 12:00–14:00', 'noon in Moscow, in Russian (the genitive month)')
  t.match(page, 'Время указано местное: Europe/Moscow, GMT+3')
  t.match(page, /Chistoprudny Boulevard 3A, Moscow\s*, Россия/, 'the country in Russian')
  t.match(page, 'свободно 40 из 40 · 0 участников')
  t.notMatch(page, /\b(When|Where|Your name|Add to my calendar|December|Wednesday)\b/, 'no English left')

  // The list and the check-your-mailbox page too.
  const list = text((await app.inject({ url: '/campaigns/zhanaozen/pickets', headers: { 'accept-language': 'ru' } })).body)
  t.match(list, 'Пикеты')
  t.match(list, 'Среда, 16 декабря 2026 г., 12:00–14:00 (Europe/Moscow, GMT+3) · 40 свободных мест')
  t.match(list, 'Россия')
  t.match(list, 'Подписаться на все пикеты в своём календаре')
  const sent = text((await app.inject({ url: `/pickets/${picket.id}/check-your-mailbox`, headers: { 'accept-language': 'ru' } })).body)
  t.match(sent, 'Проверьте почту')
  t.match(sent, 'Подтвердить участие')
  t.match(sent, 'Вернуться к пикету')
})

t.test('?lang=kk — Kazakh', async (t) => {
  const { app, picket } = await moscowPicket(t)
  const res = await app.inject(`/pickets/${picket.id}?lang=kk`)
  t.match(res.body, '<html lang="kk"')
  const page = text(res.body)
  for (const label of ['Қашан', 'Қайда', 'Өзіңізбен не алу керек', 'Ұйымдастырушы', 'Мен барамын', 'Атыңыз', 'Электрондық поштаңыз', 'Күнтізбеме қосу']) t.match(page, label, `label: ${label}`)
  t.match(res.body, /<button type="submit">Жазылу<\/button>/)
  t.match(page, '2026 ж. 16 желтоқсан, сәрсенбі, 12:00–14:00')
  t.match(page, 'Ресей', 'the country in Kazakh')
  t.match(page, '40 орынның 40 орны бос · 0 адам қатысады')
})

t.test('an RSVP form sent back with errors speaks the page\'s language', async (t) => {
  const { app, picket } = await moscowPicket(t)
  const session = await formSession(app, `/pickets/${picket.id}?lang=ru`)
  t.match(session.cookie, 'lang=ru', 'the language is remembered for the POST')
  const res = await postForm(app, `/pickets/${picket.id}/rsvps`, { name: '', email: 'not an address' }, session)
  t.equal(res.statusCode, 422)
  t.match(res.body, '<html lang="ru"')
  t.match(res.body, 'Пожалуйста, исправьте отмеченные ниже поля.')
  t.match(res.body, /id="name-error"[^>]*>Пожалуйста, введите ваше имя</)
  t.match(res.body, /id="email-error"[^>]*>Пожалуйста, введите правильный адрес электронной почты</)
  t.match(res.body, 'value="not an address"', 'what was typed stays')
  const link = await postForm(app, `/pickets/${picket.id}/rsvps`, { name: 'Ann www.example.com', email: 'ann@example.org' }, session)
  t.match(link.body, /id="name-error"[^>]*>Пожалуйста, введите имя без веб-адреса</)

  // English as before, and the JSON API in English unless a language is asked for.
  const english = await formSession(app, `/pickets/${picket.id}`)
  const en = await postForm(app, `/pickets/${picket.id}/rsvps`, { name: '', email: 'x' }, english)
  t.match(en.body, /id="name-error"[^>]*>Please enter your name</)
  t.match(en.body, 'Please correct the fields marked below.')
  const json = (url: string) => app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: { name: '', email: 'x' } })
  t.match((await json(`/api/pickets/${picket.id}/rsvps`)).json().issues, [{ path: ['name'], message: 'Please enter your name' }, { path: ['email'], message: 'Please enter a valid email address' }])
  t.match((await json(`/api/pickets/${picket.id}/rsvps?lang=ru`)).json().issues, [{ path: ['name'], message: 'Пожалуйста, введите ваше имя' }, { path: ['email'], message: 'Пожалуйста, введите правильный адрес электронной почты' }])
})

t.test('each message the RSVP rules give has its catalog message, English word for word, every language translated', async (t) => {
  const bad: [typeof rsvpForm | typeof rsvpJson, Record<string, unknown>][] = [
    [rsvpForm, { email: 'a@b.org' }],
    [rsvpForm, { name: 'x'.repeat(101), email: 'a@b.org' }],
    [rsvpForm, { name: 'a\nb', email: 'a@b.org' }],
    [rsvpForm, { name: 'a\ud800', email: 'a@b.org' }],
    [rsvpForm, { name: '  ', email: 'a@b.org' }],
    [rsvpForm, { name: 'see www.example.com', email: 'a@b.org' }],
    [rsvpForm, { name: 'Ann' }],
    [rsvpForm, { name: 'Ann', email: `${'a'.repeat(250)}@b.org` }],
    [rsvpForm, { name: 'Ann', email: 'nope' }],
    [rsvpJson, { name: 'Ann', email: 'a@b.org', consent: 'yes' }],
  ]
  const english = new Set(englishRsvpMessages())
  for (const [schema, input] of bad) {
    const parsed = schema.safeParse(input)
    t.notOk(parsed.success, JSON.stringify(input).slice(0, 60))
    if (!parsed.success) for (const issue of issuesOf(parsed.error)) t.ok(english.has(issue.message), `in the catalog: "${issue.message}"`)
  }
  const en = translator('en')
  const keys = Object.keys((loadCatalogs().en as { pickets: { errors: Record<string, string> } }).pickets.errors)
  for (const lang of LANGUAGES.filter((l) => l !== 'en')) {
    const tr = translator(lang)
    t.same(keys.filter((k) => tr(`pickets.errors.${k}`, { max: 100 }) === en(`pickets.errors.${k}`, { max: 100 })), [], `${lang}: every RSVP message translated`)
  }
})

t.test('places left follow each language\'s plural rules (ru: 1, 2, 5, 21)', async (t) => {
  const { app, picket } = await moscowPicket(t)
  const expected: Record<number, { ru: string; en: string; kk: string }> = {
    1: { ru: '1 свободное место', en: '1 place left', kk: '1 бос орын қалды' },
    2: { ru: '2 свободных места', en: '2 places left', kk: '2 бос орын қалды' },
    5: { ru: '5 свободных мест', en: '5 places left', kk: '5 бос орын қалды' },
    21: { ru: '21 свободное место', en: '21 places left', kk: '21 бос орын қалды' },
  }
  for (const [n, want] of Object.entries(expected)) {
    setCapacity(app, picket.id, Number(n))
    for (const lang of ['ru', 'en', 'kk'] as const) {
      const list = text((await app.inject(`/campaigns/zhanaozen/pickets?lang=${lang}`)).body)
      t.match(list, `(Europe/Moscow, GMT+3) · ${want[lang]}`, `${lang}, ${n}`)
    }
  }
  const ru = translator('ru')
  t.equal(ru('pickets.list.placesLeft', { count: 11 }), '11 свободных мест')
  t.equal(ru('pickets.details.going', { count: 3 }), '3 участника')
  t.equal(ru('pickets.details.waiting', { count: 5 }), '5 человек в листе ожидания')
  t.match(ru('pickets.details.placesOf', { left: 1500, capacity: 2000 }), /^свободно 1\s500 из 2\s000$/u, 'numbers grouped the Russian way')
  t.equal(translator('fr')('pickets.details.placesOf', { left: 1, capacity: 40 }), '1 place libre sur 40')
})

t.test('the RSVP\'s own pages in Russian; a full picket\'s waiting list counted in words', async (t) => {
  const { app, picket } = await moscowPicket(t, 1)
  const answer = await app.inject({ method: 'POST', url: `/api/pickets/${picket.id}/rsvps`, headers: { 'content-type': 'application/json' }, payload: { name: 'Roza', email: 'roza@example.org' } })
  t.equal(answer.statusCode, 201)
  const token = (app.db.$client.prepare('select token from rsvps where picket_id = ?').get(picket.id) as { token: string }).token
  const pending = text((await app.inject({ url: `/rsvps/${token}`, headers: { 'accept-language': 'ru' } })).body)
  t.match(pending, 'Подтвердите участие')
  t.match(pending, 'Нажмите кнопку, чтобы записаться на Picket at the Kazakh embassy in Moscow.')
  t.match(pending, 'Я не записывался / Я не смогу прийти')
  const session = await formSession(app, `/rsvps/${token}?lang=ru`)
  t.equal((await postForm(app, `/rsvps/${token}/confirm`, {}, session)).statusCode, 303)
  const going = await app.inject({ url: `/rsvps/${token}`, headers: { cookie: 'lang=ru' } })
  t.match(text(going.body), 'Вы записаны')
  t.match(text(going.body), 'Отменить запись')
  t.match(going.body, '<strong lang="en">Picket at the Kazakh embassy in Moscow</strong>', 'the English title on a Russian page says so')
  const stop = text((await app.inject({ url: `/rsvps/${token}/stop-reminders`, headers: { cookie: 'lang=ru' } })).body)
  t.match(stop, 'Отключить письма с напоминаниями о пикете Picket at the Kazakh embassy in Moscow (Среда, 16 декабря 2026 г.).')

  // Full: another RSVP waits; the picket page counts it.
  await app.inject({ method: 'POST', url: `/api/pickets/${picket.id}/rsvps`, headers: { 'content-type': 'application/json' }, payload: { name: 'Bob', email: 'bob@example.org' } })
  const second = (app.db.$client.prepare('select token from rsvps where picket_id = ? and email_normalized = ?').get(picket.id, 'bob@example.org') as { token: string }).token
  const s2 = await formSession(app, `/rsvps/${second}`)
  await postForm(app, `/rsvps/${second}/confirm`, {}, s2)
  const full = text((await app.inject(`/pickets/${picket.id}?lang=ru`)).body)
  t.match(full, 'Мест нет — новые заявки попадают в лист ожидания · 1 участник · 1 человек в листе ожидания')
  t.match(full, 'Записаться в лист ожидания')
  const englishFull = text((await app.inject({ url: `/pickets/${picket.id}`, headers: { cookie: 'lang=en' } })).body)
  t.match(englishFull, 'Full — new RSVPs join the waiting list · 1 going · 1 on the waiting list')

  // An organizer's title cannot inject markup into the messages that hold some.
  app.db.$client.prepare('update pickets set title = ? where id = ?').run('<script>x</script>', picket.id)
  const escaped = (await app.inject({ url: `/rsvps/${token}`, headers: { cookie: 'lang=ru' } })).body
  t.notMatch(escaped, '<script>x</script>')
  t.match(escaped, '<strong lang="en">&lt;script&gt;x&lt;/script&gt;</strong>')
})

t.test('pages\' errors in the visitor\'s language', async (t) => {
  const { app } = await moscowPicket(t)
  t.match((await app.inject({ url: '/pickets/99999', headers: { 'accept-language': 'ru' } })).body, 'По этому адресу нет пикета.')
  t.match((await app.inject({ url: '/rsvps/nope?lang=kk' })).body, 'Бұл жазылу сілтемесі жарамсыз.')
  t.match((await app.inject('/pickets/99999')).body, 'There is no picket at this address.')
})
