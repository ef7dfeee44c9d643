// Issue 13: a picket's title and what to bring per language, edited side by side in the back office,
// taken and returned by the API; the back-office picket screens in the page's language.
import t from 'tap'
import { asc, eq } from 'drizzle-orm'
import { build, TestClock } from '../helper.js'
import { addUser, signIn } from '../admin/helper.js'
import { createApiToken } from '../../src/admin/api.js'
import { campaigns, capturedMail, pickets } from '../../src/db/schema/index.js'

type App = Awaited<ReturnType<typeof build>>

const form = {
  title: 'Picket at the Kazakh embassy in London',
  venue: 'Embassy of the Republic of Kazakhstan',
  address: '125 Pall Mall',
  city: 'London',
  country: 'GB',
  startsLocal: '2026-12-16T12:00',
  endsLocal: '2026-12-16T14:00',
  timeZone: 'Europe/London',
  capacity: '',
  notes: 'Banners, warm clothes',
  contact: 'Sam, +44 7700 900000',
  reminders: '24, 2',
}

const json = { ...form, capacity: 10, reminders: [1440, 120] }

async function setup(t: { teardown(fn: () => unknown): void }) {
  const clock = new TestClock(new Date('2026-12-01T10:00:00Z'))
  const app = await build(t, { clock: clock.now })
  app.db.update(campaigns).set({ confirmRsvps: false, languages: ['en', 'ru', 'kk'] }).run()
  const user = await addUser(app, 'org@example.org', 'organizer', [1])
  const token = createApiToken(app.db, user.id, 'test', app.clock()).token
  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload: payload as object }) })
  return { app, clock, call, browser: await signIn(app, 'org@example.org') }
}

const stored = (app: App, id: number) => app.db.select().from(pickets).where(eq(pickets.id, id)).get()!
const newest = (app: App) => app.db.select().from(pickets).orderBy(asc(pickets.id)).all().at(-1)!
const errorOf = (body: string, field: string) => new RegExp(`id="${field}-error" class="field-error">([^<]+)<`).exec(body)?.[1]

t.test('the form edits title and what to bring in each of the campaign languages, side by side', async (t) => {
  const { app, browser } = await setup(t)
  const page = await browser.get('/admin/campaigns/1/pickets/new')
  t.equal(page.statusCode, 200)
  for (const name of ['title', 'notes', 'tr_ru_title', 'tr_ru_bring', 'tr_kk_title', 'tr_kk_bring']) t.match(page.body, `name="${name}"`, name)
  t.match(page.body, /name="tr_ru_title" lang="ru"/, 'each box is marked with its language')
  t.notMatch(page.body, 'name="tr_en_title"', 'the first language is the picket’s own fields')

  const res = await browser.post('/admin/campaigns/1/pickets/new', { ...form, tr_ru_title: 'Пикет у посольства Казахстана в Лондоне', tr_ru_bring: 'Плакаты, тёплая одежда', tr_kk_title: '', tr_kk_bring: '' })
  t.equal(res.statusCode, 303, res.body)
  const picket = newest(app)
  t.equal(picket.title, form.title)
  t.same(picket.translations, { ru: { title: 'Пикет у посольства Казахстана в Лондоне', bring: 'Плакаты, тёплая одежда' } }, 'empty boxes store nothing')

  const edit = await browser.get(`/admin/pickets/${picket.id}`)
  t.match(edit.body, 'value="Пикет у посольства Казахстана в Лондоне"')
  t.match(edit.body, '>Плакаты, тёплая одежда</textarea>')

  // Kazakh added, Russian "what to bring" emptied: removed.
  const saved = await browser.post(`/admin/pickets/${picket.id}`, { ...form, tr_ru_title: 'Пикет у посольства Казахстана в Лондоне', tr_ru_bring: '', tr_kk_title: 'Лондондағы Қазақстан елшілігі алдындағы пикет', tr_kk_bring: 'Плакаттар' })
  t.equal(saved.statusCode, 303, saved.body)
  t.equal(saved.headers.location, `/admin/pickets/${picket.id}?saved=changed`, 'saved, nobody told')
  t.same(stored(app, picket.id).translations, { ru: { title: 'Пикет у посольства Казахстана в Лондоне' }, kk: { title: 'Лондондағы Қазақстан елшілігі алдындағы пикет', bring: 'Плакаттар' } })
  t.equal(stored(app, picket.id).sequence, 0, 'no SEQUENCE for a translation')

  // The list marks what is missing: Russian "what to bring".
  const list = await browser.get('/admin/campaigns/1/pickets')
  const row = list.body.slice(list.body.indexOf(`/admin/pickets/${picket.id}"`))
  t.match(row.slice(0, row.indexOf('</tr>')), /Not translated yet:.*Russian: What to bring/s)

  const tooLong = await browser.post(`/admin/pickets/${picket.id}`, { ...form, tr_ru_title: 'П'.repeat(151), tr_ru_bring: '', tr_kk_title: '', tr_kk_bring: '' })
  t.equal(tooLong.statusCode, 422)
  t.match(errorOf(tooLong.body, 'tr_ru_title'), 'Title must be at most 150 characters', 'the message beside the Russian title')
  t.match(tooLong.body, 'aria-describedby="tr_ru_title-error"')
})

t.test('the API returns translations and takes them on create and change; 422 with paths', async (t) => {
  const { app, call } = await setup(t)
  const created = await call('POST', '/api/admin/campaigns/1/pickets', { ...json, translations: { ru: { title: 'Пикет в Лондоне', bring: 'Плакаты' } } })
  t.equal(created.statusCode, 201, created.body)
  const { picket } = created.json()
  t.same(picket.translations, { ru: { title: 'Пикет в Лондоне', bring: 'Плакаты' } })
  t.same((await call('GET', `/api/admin/pickets/${picket.id}`)).json().picket.translations, { ru: { title: 'Пикет в Лондоне', bring: 'Плакаты' } })
  const listed = (await call('GET', '/api/admin/campaigns/1/pickets')).json().pickets.find((p: { id: number }) => p.id === picket.id)
  t.same(listed.translations, { ru: { title: 'Пикет в Лондоне', bring: 'Плакаты' } })

  // Merged by text: Kazakh added, Russian "bring" removed by an empty string, the Russian title kept.
  const patched = await call('PATCH', `/api/admin/pickets/${picket.id}`, { translations: { kk: { title: 'Лондондағы пикет' }, ru: { bring: '' } } })
  t.equal(patched.statusCode, 200, patched.body)
  t.same(patched.json().picket.translations, { ru: { title: 'Пикет в Лондоне' }, kk: { title: 'Лондондағы пикет' } })
  // A change without translations keeps them.
  t.same((await call('PATCH', `/api/admin/pickets/${picket.id}`, { contact: 'Alex' })).json().picket.translations, { ru: { title: 'Пикет в Лондоне' }, kk: { title: 'Лондондағы пикет' } })

  const issues = async (method: 'POST' | 'PATCH', url: string, payload: unknown) => {
    const r = await call(method, url, payload)
    t.equal(r.statusCode, 422, r.body)
    return r.json().issues as { path: (string | number)[]; message: string }[]
  }
  t.match(await issues('POST', '/api/admin/campaigns/1/pickets', { ...json, translations: { de: { title: 'Kundgebung' } } }), [{ path: ['translations', 'de'], message: /not one of the campaign's other languages/ }])
  t.match(await issues('PATCH', `/api/admin/pickets/${picket.id}`, { translations: { en: { title: 'Picket' } } }), [{ path: ['translations', 'en'], message: /first language/ }])
  t.match(await issues('PATCH', `/api/admin/pickets/${picket.id}`, { translations: { ru: { title: 'x', notes: 'y' } } }), [{ path: ['translations', 'ru'], message: /only title and bring/ }])
  t.match(await issues('PATCH', `/api/admin/pickets/${picket.id}`, { translations: { ru: { title: 'П'.repeat(151) } } }), [{ path: ['translations', 'ru', 'title'], message: 'Title must be at most 150 characters' }])
  t.match(await issues('PATCH', `/api/admin/pickets/${picket.id}`, { translations: { ru: { bring: 'x'.repeat(2001) } } }), [{ path: ['translations', 'ru', 'bring'], message: /at most 2,000 characters/ }])
  t.match(await issues('PATCH', `/api/admin/pickets/${picket.id}`, { translations: { ru: 'Пикет' } }), [{ path: ['translations', 'ru'] }])
  t.match(await issues('PATCH', `/api/admin/pickets/${picket.id}`, { translations: ['ru'] }), [{ path: ['translations'] }])
  const both = await issues('POST', '/api/admin/campaigns/1/pickets', { ...json, venue: '', translations: { xx: { title: 'x' } } })
  t.ok(both.some((i) => i.path[0] === 'venue') && both.some((i) => i.path.join('.') === 'translations.xx'), 'every issue at once')
  t.same(stored(app, picket.id).translations, { ru: { title: 'Пикет в Лондоне' }, kk: { title: 'Лондондағы пикет' } }, 'refused changes change nothing')
})

t.test('changing only translations mails nobody and keeps SEQUENCE', async (t) => {
  const { app, call } = await setup(t)
  const { picket } = (await call('POST', '/api/admin/campaigns/1/pickets', json)).json()
  for (const email of ['ann@example.com', 'bob@example.com']) {
    const r = app.pickets.rsvp(picket.id, { name: 'Supporter', email, consent: false, language: 'ru' })
    t.equal(r.kind, 'accepted')
  }
  await app.dispatcher.drain()
  app.db.delete(capturedMail).run()
  const before = stored(app, picket.id)

  const res = await call('PATCH', `/api/admin/pickets/${picket.id}`, { translations: { ru: { title: 'Пикет в Лондоне', bring: 'Плакаты' } } })
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.json().picket.sequence, before.sequence, 'SEQUENCE unchanged')
  await app.dispatcher.drain()
  t.equal(await app.db.$count(capturedMail), 0, 'nobody mailed')
  t.equal(stored(app, picket.id).remindersDoneThrough, before.remindersDoneThrough, 'reminders as they were')

  // A new title in the first language is a change everyone going hears of.
  await call('PATCH', `/api/admin/pickets/${picket.id}`, { title: 'A new title' })
  await app.dispatcher.drain()
  t.equal(stored(app, picket.id).sequence, before.sequence + 1)
  t.equal(await app.db.$count(capturedMail), 2)
})

t.test('?lang=ru: the back-office picket screens in Russian, and a refused form in Russian', async (t) => {
  const { app, browser, call } = await setup(t)
  const { picket } = (await call('POST', '/api/admin/campaigns/1/pickets', json)).json()
  app.pickets.rsvp(picket.id, { name: 'Ann', email: 'ann@example.com', consent: true })

  const list = await browser.get('/admin/campaigns/1/pickets?lang=ru')
  t.equal(list.statusCode, 200)
  t.match(list.body, '<html lang="ru"')
  for (const text of ['Запланировать пикет', 'Предстоящие', 'Когда (местное время)', 'Ещё не переведено:', 'Русский: Название, Что взять с собой']) t.match(list.body, text)
  t.notMatch(list.body, 'Upcoming')

  const edit = await browser.get(`/admin/pickets/${picket.id}`)
  t.match(edit.body, 'Сохранить изменения', 'the language is remembered')
  t.match(edit.body, 'Название и что взять с собой — на каждом языке кампании')
  t.match(edit.body, 'Придут: <strong>1</strong> из 10 мест')
  t.match(edit.body, 'декабря 2026', 'the date in Russian')

  const rsvps = await browser.get(`/admin/pickets/${picket.id}/rsvps`)
  t.match(rsvps.body, 'Придут (1)')
  t.match(rsvps.body, 'Скачать CSV')
  const checkIn = await browser.get(`/admin/pickets/${picket.id}/check-in`)
  t.match(checkIn.body, 'Отмечено <strong>0</strong> из <strong>1</strong> записавшихся.')
  t.match((await browser.get(`/admin/pickets/${picket.id}/cancel`)).body, 'Отменить этот пикет?')

  const bad = await browser.post(`/admin/pickets/${picket.id}`, { ...form, title: '', endsLocal: '2026-12-16T11:00', timeZone: 'Europe/London', reminders: 'завтра', tr_ru_title: 'П'.repeat(151), tr_ru_bring: '', tr_kk_title: '', tr_kk_bring: '' })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, 'Пожалуйста, проверьте отмеченные ниже поля.')
  t.equal(errorOf(bad.body, 'title'), 'Заполните поле «Название»')
  t.equal(errorOf(bad.body, 'tr_ru_title'), 'Поле «Название» должно быть не длиннее 150 символов')
  t.match(errorOf(bad.body, 'reminders'), /^Напоминания — это часы до начала/)
  const ends = await browser.post(`/admin/pickets/${picket.id}`, { ...form, endsLocal: '2026-12-16T11:00', tr_ru_title: '', tr_ru_bring: '', tr_kk_title: '', tr_kk_bring: '' })
  t.equal(errorOf(ends.body, 'endsLocal'), 'Пикет должен закончиться позже, чем начнётся')
  const gap = await browser.post(`/admin/pickets/${picket.id}`, { ...form, startsLocal: '2027-03-28T01:30', endsLocal: '2027-03-28T03:00', tr_ru_title: '', tr_ru_bring: '', tr_kk_title: '', tr_kk_bring: '' })
  t.match(errorOf(gap.body, 'startsLocal'), /^Укажите дату и время/, 'a time the clocks skip, in Russian')

  // The API stays English unless a language is asked for.
  const api = await call('PATCH', `/api/admin/pickets/${picket.id}`, { endsLocal: '2026-12-16T11:00' })
  t.match(api.json(), { issues: [{ path: ['endsLocal'], message: 'The picket must end after it starts' }] })
  const ru = await call('PATCH', `/api/admin/pickets/${picket.id}?lang=ru`, { endsLocal: '2026-12-16T11:00' })
  t.match(ru.json(), { issues: [{ path: ['endsLocal'], message: 'Пикет должен закончиться позже, чем начнётся' }] })
})
