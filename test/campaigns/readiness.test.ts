// Going live (issue 15): refused, on the screen and in the API, until the campaign has a goal, an official
// letters can reach, a template in each of its languages and no gap left from the starter letter.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build } from '../helper.js'
import { addUser, signIn } from '../admin/helper.js'
import { createApiToken } from '../../src/admin/api.js'
import { campaignById, readiness, STARTER_BODY, starterGaps } from '../../src/campaigns/service.js'
import { translator } from '../../src/i18n/index.js'

async function bearer(app: FastifyInstance) {
  const user = await addUser(app, 'admin@example.org', 'admin')
  const { token } = createApiToken(app.db, user.id, 'test', app.clock())
  return (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, payload: JSON.stringify(payload ?? {}) })
}

const BODY = 'Dear {{target.name}},\n\nI write from {{supporter.city}} about the jailed oil workers. Free them.\n\n{{supporter.name}}'
const official = { name: 'Prosecutor General', country: 'KZ', email: 'prosecutor@example.kz' }

t.test('the demo campaign is live and complete', async (t) => {
  const app = await build(t)
  t.same(readiness(app.db, campaignById(app.db, 1)!), { ok: true, reasons: [] })
  t.same(starterGaps(), ['about …', 'I ask you to …'], 'the starter letter’s gaps, found in it')
  t.same(readiness(app.db, { ...campaignById(app.db, 1)!, goal: 0 }).reasons.map((r) => r.code), ['goal'], 'a campaign with no goal')
})

t.test('API: PATCH status live answers 422 with each reason until the campaign is ready', async (t) => {
  const app = await build(t)
  const api = await bearer(app)
  const made = await api('POST', '/api/admin/campaigns', { slug: 'drivers', title: 'Free the drivers', goal: 500, languages: ['en', 'ru'] })
  t.equal(made.statusCode, 201)
  const id = made.json().campaign.id as number
  const live = () => api('PATCH', `/api/admin/campaigns/${id}`, { status: 'live' })
  const codes = async () => {
    const res = await live()
    t.equal(res.statusCode, 422)
    return (res.json().issues as { path: string[]; code: string }[]).map((i) => { t.same(i.path, ['status']); return i.code })
  }

  const first = await live()
  t.equal(first.statusCode, 422)
  t.match(first.json(), {
    error: String,
    issues: [
      { path: ['status'], code: 'official', message: /Add an official letters can reach/ },
      { path: ['status'], code: 'templates', message: 'Write the letter template in these languages: English, Russian.' },
    ],
  })
  const ru = await api('PATCH', `/api/admin/campaigns/${id}`, { status: 'live' }, { 'accept-language': 'ru' })
  t.match(ru.json().issues[1].message, translator('ru')('readiness.reason.templates', { list: 'Английский, Русский', count: 2 }), 'in the client’s language, the languages named in it')
  t.equal(campaignById(app.db, id)!.status, 'draft', 'still a draft')

  // An official who cannot be reached does not count: a bouncing address, hand delivery with no postal address.
  const target = (await api('POST', `/api/admin/campaigns/${id}/targets`, { ...official, delivery: 'hand' })).json().target
  t.same(await codes(), ['official', 'templates'], 'hand delivery without a postal address')
  t.equal((await api('PUT', `/api/admin/campaigns/${id}/targets/${target.id}`, { ...official, delivery: 'each' })).statusCode, 200)
  app.db.$client.prepare(`update targets set delivery_state = 'bouncing' where id = ?`).run(target.id)
  t.same(await codes(), ['official', 'templates'], 'an address that bounces')
  t.equal((await api('PUT', `/api/admin/campaigns/${id}/targets/${target.id}`, { ...official, delivery: 'hand', postalAddress: 'Astana, Kabanbay Batyr 8' })).statusCode, 200)
  t.same(await codes(), ['templates'], 'hand delivery to a postal address works')

  // Templates: one per language, none with the starter's gaps.
  t.equal((await api('PUT', `/api/admin/campaigns/${id}/templates/en`, { subject: 'Free the drivers', body: STARTER_BODY })).statusCode, 200)
  t.same(await codes(), ['templates', 'placeholders'], 'ru is missing, en is the starter as it came')
  const res = await live()
  t.match(res.json().issues[0].message, 'Write the letter template in this language: Russian.')
  t.match(res.json().issues[1].message, 'Fill in the gaps left from the starter letter (“about …”, “I ask you to …”) in the template for English.')
  t.equal((await api('PUT', `/api/admin/campaigns/${id}/templates/ru`, { subject: 'Свободу водителям', body: BODY })).statusCode, 200)
  t.equal((await api('PUT', `/api/admin/campaigns/${id}/templates/en`, { subject: 'Free the drivers', body: STARTER_BODY.replace('about …', 'about the drivers') })).statusCode, 200)
  t.same(await codes(), ['placeholders'], 'one gap filled, one left')
  t.equal((await api('PUT', `/api/admin/campaigns/${id}/templates/en`, { subject: 'Free the drivers', body: BODY })).statusCode, 200)

  // A language added in the same change counts.
  const withKk = await api('PATCH', `/api/admin/campaigns/${id}`, { status: 'live', languages: ['en', 'ru', 'kk'] })
  t.equal(withKk.statusCode, 422)
  t.match(withKk.json().issues, [{ code: 'templates', message: 'Write the letter template in this language: Kazakh.' }])

  const ok = await live()
  t.equal(ok.statusCode, 200)
  t.equal(ok.json().campaign.status, 'live')
  // Closing and reopening: checked again on the way back.
  t.equal((await api('PATCH', `/api/admin/campaigns/${id}`, { status: 'closed' })).statusCode, 200)
  app.db.$client.prepare(`delete from letter_templates where campaign_id = ? and language = 'ru'`).run(id)
  t.same(await codes(), ['templates'])

  // A new campaign cannot start live: it has no official and no letter.
  const born = await api('POST', '/api/admin/campaigns', { slug: 'born-live', title: 'Born live', goal: 10, languages: ['en'], status: 'live' })
  t.equal(born.statusCode, 422)
  t.match(born.json().issues, [{ path: ['status'], code: 'official' }, { path: ['status'], code: 'templates' }])
})

t.test('screen: the form comes back with every reason in the page’s language; the dashboard shows a checklist per campaign', async (t) => {
  const app = await build(t)
  await addUser(app, 'admin@example.org', 'admin')
  const admin = await signIn(app, 'admin@example.org')
  const created = await admin.post('/admin/campaigns/new', { title: 'Free the drivers', slug: 'drivers', goal: '500', status: 'draft', languages: 'en' })
  t.equal(created.statusCode, 303)
  const id = Number(/\/admin\/campaigns\/(\d+)/.exec(created.headers.location as string)![1])
  const form = { title: 'Free the drivers', slug: 'drivers', goal: '500', status: 'live', languages: 'en' }

  const refused = await admin.post(`/admin/campaigns/${id}?lang=ru`, form)
  t.equal(refused.statusCode, 422)
  const ru = translator('ru')
  const message = /id="status-error" class="field-error">([^<]*)</.exec(refused.body)?.[1] ?? ''
  t.match(message, ru('readiness.reason.official').slice(0, 30), 'the official reason, in Russian')
  t.match(message, ru('readiness.reason.templates', { list: 'en', count: 1 }).slice(0, 20), 'and the templates one')
  t.match(refused.body, 'value="Free the drivers"', 'the form keeps what was typed')
  t.equal(campaignById(app.db, id)!.status, 'draft')

  const home = await admin.get('/admin?lang=en')
  t.equal(home.statusCode, 200)
  const checklist = (slug: string) => [...home.body.matchAll(/<details data-campaign="([^"]+)"[^>]*>[\s\S]*?<\/details>/g)].find((m) => m[1] === slug)?.[0] ?? ''
  const drivers = checklist('drivers')
  t.match(drivers, /<details data-campaign="drivers" open>/, 'open while something is missing')
  t.match(drivers, '2 of 4 done')
  t.match(drivers, /<li data-check="goal" data-done="true"><span role="img" aria-label="done">✓<\/span> A goal/)
  t.match(drivers, `<a href="/admin/campaigns/${id}/targets">An official letters can reach`)
  t.match(drivers, `<a href="/admin/campaigns/${id}/templates/en">A letter template in each of its languages (English)`)
  t.match(drivers, /data-check="placeholders" data-done="true"/)
  const demo = checklist('zhanaozen')
  t.match(demo, /<details data-campaign="zhanaozen" >/, 'a ready campaign’s list stays folded')
  t.match(demo, '· ready</summary>')
  t.notMatch(demo, 'data-done="false"')
  const kk = await admin.get('/admin?lang=kk')
  t.match(kk.body, translator('kk')('readiness.heading'))
  t.match(kk.body, translator('kk')('readiness.check.official'))
})
