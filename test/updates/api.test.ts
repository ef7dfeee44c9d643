import { test } from 'tap'
import { tableCount } from '../helper.js'
import { api, organizer, setup } from './helper.js'

test('POST /api/admin/campaigns/:id/updates: the contract', async (t) => {
  const { app, campaign, kanat } = await setup(t)
  const { call } = await organizer(app, 'org@union.example', [campaign.id])
  const url = `/api/admin/campaigns/${campaign.id}/updates`
  const res = await call('POST', url, { title: 'Roza Tuletaeva released', body: 'Released early **following an international protest campaign**.', language: 'en', personChanges: [{ personId: kanat.id, status: 'released', date: '2016-01-01' }], publish: true, notify: true })
  t.equal(res.statusCode, 201, res.body)
  const body = res.json()
  t.same(Object.keys(body), ['update'])
  t.same(Object.keys(body.update).sort(), ['id', 'recipients'])
  t.type(body.update.id, 'number')
  t.type(body.update.recipients, 'number')
  t.equal(app.campaigns.people(campaign.id).find((p) => p.id === kanat.id)!.status, 'released')

  const again = await call('PATCH', `${url}/${body.update.id}`, { notify: true })
  t.equal(again.statusCode, 409, 'notifying twice')
  t.match(again.json().error, /mailed already/)

  const draft = await call('POST', url, { title: 'Draft', body: 'Text', language: 'ru' })
  t.equal(draft.statusCode, 201)
  t.same(draft.json(), { update: { id: draft.json().update.id, recipients: 0 } })

  const list = await call('GET', url)
  t.equal(list.statusCode, 200)
  t.equal(list.json().updates.length, 3, 'with the demo one')
  const one = await call('GET', `${url}/${body.update.id}`)
  t.equal(one.json().update.status, 'published')
  t.match(one.json().update.html, /<strong>following an international protest campaign<\/strong>/)
  t.equal(one.json().update.url, `http://outcry.test/campaigns/zhanaozen/updates/${body.update.id}`)
  t.same(one.json().update.personChanges.map((c: { personId: number; date: string }) => [c.personId, c.date]), [[kanat.id, '2016-01-01']])

  const patched = await call('PATCH', `${url}/${draft.json().update.id}`, { translations: { en: { title: 'Draft in English' } }, publish: true })
  t.equal(patched.statusCode, 200)
  t.equal(patched.json().update.status, 'published')
  t.same(patched.json().update.translations, { en: { title: 'Draft in English' } })
  t.equal(patched.json().recipients, 0)
})

test('errors: 401, 404, 415, 422 with paths, in the request language', async (t) => {
  const { app, campaign, kanat } = await setup(t)
  const { call } = await organizer(app, 'org@union.example', [campaign.id])
  const url = `/api/admin/campaigns/${campaign.id}/updates`
  t.equal((await api(app, 'oc_' + 'x'.repeat(43))('GET', url)).statusCode, 401)
  const other = await organizer(app, 'other@union.example', [])
  t.equal((await other.call('GET', url)).statusCode, 404, "another's campaign is not found (the shell's rule)")
  t.equal((await call('GET', `${url}/999`)).statusCode, 404)
  t.equal((await call('PATCH', `${url}/999`, { title: 'x' })).statusCode, 404)
  const form = await call('POST', url, 'title=x', { 'content-type': 'application/x-www-form-urlencoded' })
  t.equal(form.statusCode, 415)

  const bad = await call('POST', url, { title: '', body: 'x'.repeat(20_001), language: 'xx', personChanges: [{ personId: 99999, status: 'free', date: '2099-01-01' }, { personId: kanat.id, status: 'x', date: 'soon' }], notify: true, extra: 1 })
  t.equal(bad.statusCode, 422)
  t.same(bad.json().issues.map((i: { path: (string | number)[] }) => i.path.join('.')).sort(), ['extra'])
  const bad2 = await call('POST', url, { title: '', body: 'x'.repeat(20_001), language: 'xx', personChanges: [{ personId: 99999, status: 'free', date: '2099-01-01' }, { personId: kanat.id, status: 'x', date: 'soon' }], notify: true })
  t.equal(bad2.statusCode, 422)
  t.same(bad2.json().issues.map((i: { path: (string | number)[] }) => i.path.join('.')).sort(), ['body', 'language', 'notify', 'personChanges.0.date', 'personChanges.0.personId', 'personChanges.1.date', 'title'])
  const ru = await call('POST', url, { title: '', body: 'x', language: 'en' }, { 'accept-language': 'ru' })
  t.equal(ru.json().issues[0].message, 'Введите заголовок')
  t.equal(tableCount(app, 'updates'), 1, 'nothing written')
  const notObject = await call('POST', url, '[1]')
  t.equal(notObject.statusCode, 422)
})

test('the API is documented', async (t) => {
  const { app } = await setup(t)
  const doc = (await app.inject('/api/docs/json')).json()
  t.ok(doc.paths['/api/admin/campaigns/{id}/updates'].post)
  t.ok(doc.paths['/api/admin/campaigns/{id}/updates/{updateId}'].patch)
})
