import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, TestClock } from '../helper.js'
import { addUser, signIn } from '../admin/helper.js'
import { createApiToken } from '../../src/admin/api.js'
import { auditPage } from '../../src/admin/audit.js'

// A campaign's texts per language: edited side by side on the screens, listed where missing, taken and
// returned by the API as `translations` keyed by language (the fields themselves are the first language).

const fieldError = (html: string, field: string) => new RegExp(`id="${field}-error" class="field-error">([^<]*)<`).exec(html)?.[1]
const decode = (s: string | undefined) => (s ?? '').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, '&').replace(/&#x3D;/g, '=').replace(/&lt;/g, '<').replace(/&gt;/g, '>')

async function bearer(app: FastifyInstance, email: string) {
  const user = await addUser(app, email, 'admin')
  const { token } = createApiToken(app.db, user.id, 'test', app.clock())
  return (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, payload: payload === undefined ? undefined : JSON.stringify(payload) })
}

const base = { slug: 'mangystau-drivers', title: 'Free the Mangystau drivers', summary: 'Drivers jailed for a strike.', story: 'First.\n\nSecond.', goal: 5000, languages: ['en', 'ru', 'kk'] }

t.test('the API takes and returns translations; wrong languages, fields and lengths are 422 with their path', async (t) => {
  const clock = new TestClock()
  const app = await build(t, { clock: clock.now })
  const api = await bearer(app, 'admin@example.org')

  const created = await api('POST', '/api/admin/campaigns', { ...base, translations: { ru: { title: 'Свободу водителям Мангистау', summary: '' } } })
  t.equal(created.statusCode, 201)
  const id = created.json().campaign.id
  t.same(created.json().campaign.translations, { ru: { title: 'Свободу водителям Мангистау' } }, 'an empty text is no translation')

  const before = app.campaigns.byId(id)!.updatedAt.getTime()
  clock.advance(1000)
  const patched = await api('PATCH', `/api/admin/campaigns/${id}`, { translations: { ru: { story: 'Первый.\n\nВторой.' }, kk: { title: 'Маңғыстау жүргізушілеріне бостандық' } } })
  t.equal(patched.statusCode, 200)
  t.same(patched.json().campaign.translations, { ru: { title: 'Свободу водителям Мангистау', story: 'Первый.\n\nВторой.' }, kk: { title: 'Маңғыстау жүргізушілеріне бостандық' } }, 'merged per field')
  t.equal(app.campaigns.byId(id)!.updatedAt.getTime(), before + 1000, 'updatedAt moves, so the cached public page is rendered anew')
  t.match(auditPage(app.db, { campaignId: id, limit: 10 }).find((a) => a.action === 'campaign.update'), { detail: { changed: ['translations'], translations: ['kk', 'ru'] } }, 'audited')

  const removed = await api('PATCH', `/api/admin/campaigns/${id}`, { translations: { kk: { title: '' } } })
  t.same(removed.json().campaign.translations, { ru: { title: 'Свободу водителям Мангистау', story: 'Первый.\n\nВторой.' } }, 'an empty string removes a text')

  const got = await api('GET', `/api/admin/campaigns/${id}`)
  t.same(got.json().campaign.translations.ru.title, 'Свободу водителям Мангистау')

  for (const [body, path] of [
    [{ translations: { de: { title: 'Freiheit' } } }, ['translations', 'de']],
    [{ translations: { en: { title: 'Free them' } } }, ['translations', 'en']],
    [{ translations: { ru: { title: 'x'.repeat(201) } } }, ['translations', 'ru', 'title']],
    [{ translations: { ru: { slogan: 'Свободу' } } }, ['translations', 'ru']],
    [{ translations: { ru: 'Свободу' } }, ['translations', 'ru']],
  ] as const) {
    const res = await api('PATCH', `/api/admin/campaigns/${id}`, body)
    t.equal(res.statusCode, 422, JSON.stringify(body).slice(0, 60))
    t.same(res.json().issues[0].path, path)
  }
  const notCampaigns = await api('PATCH', `/api/admin/campaigns/${id}`, { translations: { de: { title: 'Freiheit' } } })
  t.match(notCampaigns.json().issues[0].message, /"de" is not one of this campaign's languages \(en, ru, kk\)/)
  t.same(app.campaigns.byId(id)!.translations, { ru: { title: 'Свободу водителям Мангистау', story: 'Первый.\n\nВторой.' } }, 'nothing refused was saved')
  const onCreate = await api('POST', '/api/admin/campaigns', { ...base, slug: 'other', translations: { fr: { title: 'Libérez-les' } } })
  t.equal(onCreate.statusCode, 422)
  t.same(onCreate.json().issues[0].path, ['translations', 'fr'])

  // People and officials.
  const person = await api('POST', `/api/admin/campaigns/${id}/people`, { name: 'Roza Tuletaeva', status: 'released', translations: { ru: { name: 'Роза Тулетаева', status: 'освобождена' } } })
  t.equal(person.statusCode, 201)
  clock.advance(1000)
  const beforePerson = app.campaigns.byId(id)!.updatedAt.getTime()
  t.match(person.json().person, { name: 'Roza Tuletaeva', translations: { ru: { name: 'Роза Тулетаева', status: 'освобождена' } } })
  const personId = person.json().person.id
  const replaced = await api('PUT', `/api/admin/campaigns/${id}/people/${personId}`, { name: 'Roza Tuletaeva', status: 'released', translations: { kk: { name: 'Роза Тулетаева' } } })
  t.same(replaced.json().person.translations, { ru: { name: 'Роза Тулетаева', status: 'освобождена' }, kk: { name: 'Роза Тулетаева' } })
  t.equal(app.campaigns.byId(id)!.updatedAt.getTime(), beforePerson + 1000, 'a person\'s translation moves the campaign\'s updatedAt')
  t.match(auditPage(app.db, { campaignId: id, limit: 10 }).find((a) => a.action === 'person.update'), { detail: { translations: ['kk'] } })
  t.equal((await api('PUT', `/api/admin/campaigns/${id}/people/${personId}`, { name: 'R', status: 'released', translations: { en: { name: 'R' } } })).statusCode, 422)
  t.match((await api('GET', `/api/admin/campaigns/${id}`)).json().campaign.people, [{ translations: { kk: { name: 'Роза Тулетаева' } } }])

  const official = { name: 'Nursultan Nazarbayev', title: 'President', salutation: 'Dear Mr President,', country: 'KZ', email: 'office@akorda.example.org', translations: { ru: { name: 'Нурсултан Назарбаев', salutation: 'Уважаемый Нурсултан Абишевич!' } } }
  const target = await api('POST', `/api/admin/campaigns/${id}/targets`, official)
  t.equal(target.statusCode, 201)
  t.match(target.json().target, { salutation: 'Dear Mr President,', translations: { ru: { name: 'Нурсултан Назарбаев', salutation: 'Уважаемый Нурсултан Абишевич!' } } })
  const targetId = target.json().target.id
  const put = await api('PUT', `/api/admin/campaigns/${id}/targets/${targetId}`, { ...official, salutation: undefined, translations: { ru: { salutation: '' } } })
  t.match(put.json().target, { salutation: 'Dear Mr President,', translations: { ru: { name: 'Нурсултан Назарбаев' } } }, 'an absent salutation stays, an empty translation goes')
  t.notOk(put.json().target.translations.ru.salutation)
  const tooLong = await api('PUT', `/api/admin/campaigns/${id}/targets/${targetId}`, { ...official, translations: { kk: { salutation: 'x'.repeat(201) } } })
  t.equal(tooLong.statusCode, 422)
  t.same(tooLong.json().issues[0].path, ['translations', 'kk', 'salutation'])

  // The official's salutation in a CSV import.
  const csv = await api('POST', `/api/admin/campaigns/${id}/targets/import`, { csv: 'name,country,email,salutation\nAskhat Daulbayev,KZ,prosecutor@example.org,"Dear Prosecutor General,"' })
  t.equal(csv.statusCode, 200)
  const imported = (await api('GET', `/api/admin/campaigns/${id}/targets`)).json().targets.find((x: { email: string }) => x.email === 'prosecutor@example.org')
  t.equal(imported.salutation, 'Dear Prosecutor General,')
  await api('POST', `/api/admin/campaigns/${id}/targets/import`, { csv: 'name,country,email\nAskhat Daulbayev,KZ,prosecutor@example.org' })
  t.equal((await api('GET', `/api/admin/campaigns/${id}/targets`)).json().targets.find((x: { email: string }) => x.email === 'prosecutor@example.org').salutation, 'Dear Prosecutor General,', 'without the column it stays')

  const spec = (await app.inject('/api/docs/json')).json()
  t.ok(spec.paths['/api/admin/campaigns/{id}'].patch.requestBody.content['application/json'].schema.properties.translations, 'translations are documented')
})

t.test('the screens edit texts side by side; the Translations screen lists what is missing until it is translated', async (t) => {
  const app = await build(t)
  const api = await bearer(app, 'api@example.org')
  const id = (await api('POST', '/api/admin/campaigns', base)).json().campaign.id
  const personId = (await api('POST', `/api/admin/campaigns/${id}/people`, { name: 'Roza Tuletaeva', status: 'released' })).json().person.id
  const targetId = (await api('POST', `/api/admin/campaigns/${id}/targets`, { name: 'Nursultan Nazarbayev', country: 'KZ', email: 'office@akorda.example.org' })).json().target.id
  await addUser(app, 'admin@example.org', 'admin')
  const admin = await signIn(app, 'admin@example.org')

  const page = await admin.get(`/admin/campaigns/${id}`)
  t.equal(page.statusCode, 200)
  t.match(page.body, 'name="translations.ru.title"')
  t.match(page.body, 'name="translations.kk.story"')
  t.match(page.body, /lang="ru"/)
  t.match(page.body, /Missing translations: Russian 6, Kazakh 6/, '3 campaign texts, a name and a status, a name')
  t.match(page.body, `/admin/campaigns/${id}/translations`)

  const overview = await admin.get(`/admin/campaigns/${id}/translations`)
  t.equal(overview.statusCode, 200)
  t.match(overview.body, 'id="missing-ru"')
  t.match(overview.body, `/admin/campaigns/${id}/people/${personId}">Roza Tuletaeva`)
  t.match(overview.body, `/admin/campaigns/${id}/targets/${targetId}">Nursultan Nazarbayev`)

  const fields = { title: base.title, slug: base.slug, summary: base.summary, story: base.story, goal: '5000', status: 'draft', languages: 'en, ru, kk', confirmLetters: 'on', confirmRsvps: 'on' }
  const tooLong = await admin.post(`/admin/campaigns/${id}`, { ...fields, 'translations.ru.title': 'Я'.repeat(201), 'translations.ru.summary': 'Водители' })
  t.equal(tooLong.statusCode, 422)
  t.equal(fieldError(tooLong.body, 'title-ru'), 'Title must be at most 200 characters')
  t.match(tooLong.body, 'value="Водители"', 'what was typed is kept')
  t.same(app.campaigns.byId(id)!.translations, {}, 'nothing half-saved')

  const saved = await admin.post(`/admin/campaigns/${id}`, {
    ...fields,
    'translations.ru.title': 'Свободу водителям Мангистау',
    'translations.ru.summary': 'Водители осуждены за забастовку.',
    'translations.ru.story': 'Первый.\r\n\r\nВторой.',
    'translations.kk.title': '',
  })
  t.equal(saved.statusCode, 303)
  t.same(app.campaigns.byId(id)!.translations, { ru: { title: 'Свободу водителям Мангистау', summary: 'Водители осуждены за забастовку.', story: 'Первый.\n\nВторой.' } })

  const person = await admin.post(`/admin/campaigns/${id}/people/${personId}`, { name: 'Roza Tuletaeva', status: 'released', detail: '', statusChangedOn: '', 'translations.ru.name': 'Роза Тулетаева', 'translations.ru.status': 'освобождена' })
  t.equal(person.statusCode, 303)
  const official = await admin.post(`/admin/campaigns/${id}/targets/${targetId}`, { name: 'Nursultan Nazarbayev', title: '', salutation: 'Dear Mr President,', organisation: '', country: 'KZ', email: 'office@akorda.example.org', postalAddress: '', language: '', 'translations.ru.name': 'Нурсултан Назарбаев', 'translations.ru.salutation': 'Уважаемый Нурсултан Абишевич!' })
  t.equal(official.statusCode, 303)
  t.match(app.db.$client.prepare('select salutation, translations from targets where id = ?').get(targetId), { salutation: 'Dear Mr President,', translations: JSON.stringify({ ru: { name: 'Нурсултан Назарбаев', salutation: 'Уважаемый Нурсултан Абишевич!' } }) })

  const after = await admin.get(`/admin/campaigns/${id}/translations`)
  const ru = /id="missing-ru"[\s\S]*?<\/section>/.exec(after.body)![0]
  t.match(ru, 'Everything is translated.')
  t.notMatch(ru, 'Roza Tuletaeva')
  const kk = /id="missing-kk"[\s\S]*?<\/section>/.exec(after.body)![0]
  t.match(kk, 'Roza Tuletaeva')
  t.match(kk, '7 texts are missing', '3 campaign texts, a name and a status, a name and a salutation')
  t.match((await admin.get(`/admin/campaigns/${id}`)).body, /Missing translations: Kazakh 7\./)
  t.ok(auditPage(app.db, { campaignId: id, limit: 50 }).some((a) => a.action === 'person.update'), 'audited')
})

t.test('a Russian back office: Russian labels, and a 422 re-rendered in Russian', async (t) => {
  const app = await build(t)
  await addUser(app, 'admin@example.org', 'admin')
  const admin = await signIn(app, 'admin@example.org')
  const page = await admin.get('/admin/campaigns/1/targets/new?lang=ru')
  t.equal(page.statusCode, 200)
  t.match(page.body, '<html lang="ru"')
  t.match(page.body, 'Новое должностное лицо')
  t.match(page.body, 'Обращение')
  t.match(page.body, 'Как письма доходят до адресата')

  // The lang cookie keeps the page Russian.
  const bad = await admin.post('/admin/campaigns/1/targets', { name: '', country: 'XX', email: 'nope', 'translations.ru.name': 'Я'.repeat(151) })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, 'Исправьте отмеченные ниже поля')
  t.equal(fieldError(bad.body, 'name'), decode('Заполните поле «Имя»'))
  t.equal(fieldError(bad.body, 'name-ru'), 'Поле «Имя»: не более 150 символов')
  t.equal(fieldError(bad.body, 'country'), 'Страна — двухбуквенный код ISO, например KZ')
  t.equal(fieldError(bad.body, 'email'), 'Неверный адрес электронной почты')

  const people = await admin.get('/admin/campaigns/1/people')
  t.match(people.body, 'Люди, за которых выступает кампания')
  const overview = await admin.get('/admin/campaigns/1/translations')
  t.match(overview.body, '<h1>Переводы</h1>')
  // The demo's pickets are in English and Russian: in Kazakh, each upcoming one misses its title and what to bring.
  const kazakh = overview.body.slice(overview.body.indexOf('id="missing-kk"'))
  t.match(kazakh, /<a href="\/admin\/pickets\/\d+">Picket at the Kazakh embassy in London<\/a> <small>\(пикет\)<\/small>: название, что взять с собой/)
  const russian = overview.body.slice(overview.body.indexOf('id="missing-ru"'), overview.body.indexOf('id="missing-kk"'))
  t.notMatch(russian, 'Picket at', 'the Russian titles are there')
  const list = await admin.get('/admin/campaigns/1/templates')
  t.match(list.body, 'Шаблоны писем')
})
