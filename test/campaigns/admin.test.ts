import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, tableCount } from '../helper.js'
import { addUser, signIn } from '../admin/helper.js'
import { createApiToken } from '../../src/admin/api.js'
import { auditPage } from '../../src/admin/audit.js'

// The demo's officials: the President, the Prosecutor General and four embassies.
const DEMO_OFFICIALS = 6
const EMBASSIES = ['Ambassador in London', 'Ambassador in Berlin', 'Ambassador in Warsaw', 'Ambassador in Kyiv']

const newCampaign = {
  title: 'Free the Mangystau drivers',
  slug: 'mangystau-drivers',
  summary: 'Drivers jailed for a strike.',
  story: 'First paragraph.\n\nSecond paragraph.',
  goal: '5000',
  status: 'draft',
  confirmLetters: 'on',
  languages: 'ru, en',
}

/** The message shown beside one field of a re-rendered form. */
const fieldError = (html: string, field: string) => new RegExp(`id="${field}-error" class="field-error">([^<]*)<`).exec(html)?.[1]
const decode = (s: string | undefined) => (s ?? '').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, '&').replace(/&#x3D;/g, '=').replace(/&lt;/g, '<').replace(/&gt;/g, '>')

function actions(app: FastifyInstance, campaignId?: number) {
  return auditPage(app.db, { campaignId, limit: 1000 }).map((a) => a.action)
}

async function bearer(app: FastifyInstance, email: string, role: 'admin' | 'organizer', campaignIds: number[] = []) {
  const user = await addUser(app, email, role, campaignIds)
  const { token } = createApiToken(app.db, user.id, 'test', app.clock())
  return (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, payload: payload === undefined ? undefined : JSON.stringify(payload) })
}

t.test('an admin creates a campaign on the screen; bad fields are named and kept', async (t) => {
  const app = await build(t)
  await addUser(app, 'admin@example.org', 'admin')
  const admin = await signIn(app, 'admin@example.org')

  const page = await admin.get('/admin/campaigns/new')
  t.equal(page.statusCode, 200)
  t.match(page.body, 'name="slug"')
  t.match(page.body, 'name="_csrf"')

  const bad = await admin.post('/admin/campaigns/new', { ...newCampaign, title: '', slug: 'Bad Slug!', goal: 'lots', status: 'open', languages: 'en, english!' })
  t.equal(bad.statusCode, 422)
  t.equal(fieldError(bad.body, 'title'), 'Title is required')
  t.match(fieldError(bad.body, 'slug'), /a-z, 0-9 and hyphens/)
  t.match(fieldError(bad.body, 'goal'), /whole number/)
  t.match(fieldError(bad.body, 'status'), /draft, live or closed/)
  t.match(fieldError(bad.body, 'languages'), /english!/)
  t.match(bad.body, 'value="Bad Slug!"', 'values are kept')
  t.match(bad.body, 'Second paragraph.', 'the story is kept')

  const taken = await admin.post('/admin/campaigns/new', { ...newCampaign, slug: 'zhanaozen' })
  t.equal(taken.statusCode, 422)
  t.match(decode(fieldError(taken.body, 'slug')), /already taken/)
  t.equal(tableCount(app, 'campaigns'), 1, 'nothing created')

  const created = await admin.post('/admin/campaigns/new', newCampaign)
  t.equal(created.statusCode, 303)
  const id = Number(/^\/admin\/campaigns\/(\d+)/.exec(String(created.headers.location))?.[1])
  t.ok(id > 1)
  const row = app.campaigns.byId(id)!
  t.match(row, { slug: 'mangystau-drivers', title: 'Free the Mangystau drivers', goal: 5000, status: 'draft', confirmLetters: true, languages: ['ru', 'en'], story: 'First paragraph.\n\nSecond paragraph.' })
  t.equal(tableCount(app, 'campaign_organizers', `campaign_id = ${id}`), 0, 'a new campaign has no organizers yet')
  t.ok(actions(app, id).includes('campaign.create'), 'audited')

  const edit = await admin.get(String(created.headers.location))
  t.equal(edit.statusCode, 200)
  t.match(edit.body, 'value="mangystau-drivers"')
  // Languages by name (issue 15): Russian the main one, English ticked among the others.
  t.match(edit.body, /<option value="ru" selected>Русский — Russian<\/option>/)
  t.match(edit.body, /<input type="checkbox" name="languages" value="en" data-language="en" checked>/)
  t.match(edit.body, 'There are no officials yet')
  t.match(edit.body, 'No letter template yet for: Russian, English')
})

t.test('organizers edit their own campaign, cannot create one, and get 404 for another', async (t) => {
  const app = await build(t)
  await addUser(app, 'admin@example.org', 'admin')
  const admin = await signIn(app, 'admin@example.org')
  await admin.post('/admin/campaigns/new', newCampaign)
  const other = app.campaigns.bySlug('mangystau-drivers')!
  await addUser(app, 'org@example.org', 'organizer', [1])
  await addUser(app, 'stranger@example.org', 'organizer', [other.id])
  const org = await signIn(app, 'org@example.org')
  const stranger = await signIn(app, 'stranger@example.org')

  t.equal((await org.get('/admin/campaigns/new')).statusCode, 404)
  t.equal((await org.post('/admin/campaigns/new', { ...newCampaign, slug: 'sneaky' })).statusCode, 404)
  t.equal(app.campaigns.bySlug('sneaky'), undefined)

  const form = await org.get('/admin/campaigns/1')
  t.equal(form.statusCode, 200)
  t.match(form.body, 'Free the Zhanaozen oil workers')
  const saved = await org.post('/admin/campaigns/1', { title: 'Free the Zhanaozen oil workers now', slug: 'zhanaozen', summary: 'Short.', story: 'Story.', goal: '12000', status: 'live', languages: 'en, ru' })
  t.equal(saved.statusCode, 303)
  t.equal(saved.headers.location, '/admin/campaigns/1?saved=1')
  t.match(app.campaigns.byId(1), { title: 'Free the Zhanaozen oil workers now', goal: 12000, confirmLetters: false, summary: 'Short.' })
  const update = auditPage(app.db, { campaignId: 1 }).find((a) => a.action === 'campaign.update')!
  t.match(update, { userEmail: 'org@example.org', detail: { changed: ['title', 'summary', 'story', 'goal'] } })

  const slugClash = await org.post('/admin/campaigns/1', { title: 'x', slug: 'mangystau-drivers', goal: '1', status: 'live', languages: 'en' })
  t.equal(slugClash.statusCode, 422)
  t.match(decode(fieldError(slugClash.body, 'slug')), 'already taken')

  const csrfless = await org.post('/admin/campaigns/1', { _csrf: 'forged', title: 'Hijacked', slug: 'zhanaozen', goal: '1', status: 'live', languages: 'en' })
  t.equal(csrfless.statusCode, 403)

  for (const url of ['/admin/campaigns/1', '/admin/campaigns/1/people', '/admin/campaigns/1/people/1', '/admin/campaigns/1/targets', '/admin/campaigns/1/targets/new', '/admin/campaigns/1/targets/1', '/admin/campaigns/1/targets/import', '/admin/campaigns/1/templates', '/admin/campaigns/1/templates/en']) {
    t.equal((await stranger.get(url)).statusCode, 404, `GET ${url}`)
  }
  for (const url of ['/admin/campaigns/1', '/admin/campaigns/1/people', '/admin/campaigns/1/people/1', '/admin/campaigns/1/people/1/delete', '/admin/campaigns/1/targets', '/admin/campaigns/1/targets/1', '/admin/campaigns/1/targets/import', '/admin/campaigns/1/templates/en', '/admin/campaigns/1/templates/en/preview']) {
    t.equal((await stranger.post(url, { title: 'x', name: 'x', status: 'jailed', csv: 'name,country,email\nA,KZ,a@example.org', subject: 'x', body: 'x' })).statusCode, 404, `POST ${url}`)
  }
  t.equal(tableCount(app, 'campaign_people', 'campaign_id = 1'), 3, 'nothing changed')
  t.equal(tableCount(app, 'targets', 'campaign_id = 1'), DEMO_OFFICIALS, 'nothing changed')
  t.equal((await app.inject('/admin/campaigns/1')).statusCode, 303, 'anonymous: to the sign-in page')
})

t.test('the people a campaign is for: list, add, edit, delete', async (t) => {
  const app = await build(t)
  await addUser(app, 'org@example.org', 'organizer', [1])
  const org = await signIn(app, 'org@example.org')

  const list = await org.get('/admin/campaigns/1/people')
  t.equal(list.statusCode, 200)
  t.match(list.body, 'Roza Tuletaeva')
  t.match(list.body, 'Kanat Zhusipbaev')

  const bad = await org.post('/admin/campaigns/1/people', { name: '', status: 'released', statusChangedOn: '2026-02-30', detail: 'Kept' })
  t.equal(bad.statusCode, 422)
  t.equal(fieldError(bad.body, 'name'), 'Name is required')
  t.match(fieldError(bad.body, 'statusChangedOn'), /date such as/)
  t.match(bad.body, '>Kept</textarea>')

  const added = await org.post('/admin/campaigns/1/people', { name: 'Maksat Dosmagambetov', status: 'jailed', detail: 'Oil worker.', statusChangedOn: '2026-11-20' })
  t.equal(added.statusCode, 303)
  const person = app.campaigns.people(1).find((p) => p.name === 'Maksat Dosmagambetov')!
  t.match(person, { status: 'jailed', statusChangedOn: '2026-11-20', detail: 'Oil worker.', position: 4 })

  const edit = await org.get(`/admin/campaigns/1/people/${person.id}`)
  t.equal(edit.statusCode, 200)
  t.match(edit.body, 'value="2026-11-20"')
  const changed = await org.post(`/admin/campaigns/1/people/${person.id}`, { name: 'Maksat Dosmagambetov', status: 'released', detail: 'Released on parole.', statusChangedOn: '2026-12-01' })
  t.equal(changed.statusCode, 303)
  t.match(app.campaigns.people(1).find((p) => p.id === person.id), { status: 'released', statusChangedOn: '2026-12-01' })
  const publicPage = await app.inject('/campaigns/zhanaozen')
  t.match(publicPage.body, 'Released on parole.')

  const removed = await org.post(`/admin/campaigns/1/people/${person.id}/delete`)
  t.equal(removed.statusCode, 303)
  t.equal(app.campaigns.people(1).length, 3)
  t.equal((await org.post(`/admin/campaigns/1/people/${person.id}/delete`)).statusCode, 404, 'gone')
  t.equal((await org.get('/admin/campaigns/1/people/999')).statusCode, 404)
  t.same(actions(app, 1).filter((a) => a.startsWith('person.')), ['person.delete', 'person.update', 'person.create'])
})

t.test('officials: list with letter counts, add and edit with errors by field, one email per campaign', async (t) => {
  const app = await build(t)
  await addUser(app, 'org@example.org', 'organizer', [1])
  const org = await signIn(app, 'org@example.org')
  const letter = await app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'application/json' }, payload: { name: 'Ann', email: 'ann@example.org', country: 'GB', city: 'Leeds', targetId: 2 } })
  t.equal(letter.statusCode, 201)

  const list = await org.get('/admin/campaigns/1/targets')
  t.equal(list.statusCode, 200)
  t.match(list.body, /Askhat Daulbayev<\/a><\/td>[\s\S]*?<td>1<\/td>/, 'the Prosecutor General has one letter')
  t.match(list.body, 'Kazakhstan (KZ)')

  t.equal((await org.get('/admin/campaigns/1/targets/new')).statusCode, 200)
  const bad = await org.post('/admin/campaigns/1/targets', { name: 'Olzhas Bektenov', title: 'Prime Minister', country: 'XX', email: 'not-an-email', language: 'Russian!' })
  t.equal(bad.statusCode, 422)
  t.match(fieldError(bad.body, 'country'), /two-letter ISO code/)
  t.equal(fieldError(bad.body, 'email'), 'Email is not valid')
  t.match(fieldError(bad.body, 'language'), /code such as en/)
  t.match(bad.body, 'value="Olzhas Bektenov"')

  const dup = await org.post('/admin/campaigns/1/targets', { name: 'Someone', country: 'KZ', email: 'President@Akorda.example.org' })
  t.equal(dup.statusCode, 422)
  t.match(fieldError(dup.body, 'email'), 'already has this email')

  const ok = await org.post('/admin/campaigns/1/targets', { name: 'Olzhas Bektenov', title: 'Prime Minister', organisation: 'Government', country: 'kz', email: 'PM@gov.example.org', postalAddress: 'Astana\nKazakhstan', language: '' })
  t.equal(ok.statusCode, 303)
  const pm = app.campaigns.targets(1).find((x) => x.name === 'Olzhas Bektenov')!
  t.match(pm, { country: 'KZ', email: 'pm@gov.example.org', language: 'en', postalAddress: 'Astana\nKazakhstan', position: DEMO_OFFICIALS + 1 })

  const edit = await org.get(`/admin/campaigns/1/targets/${pm.id}`)
  t.equal(edit.statusCode, 200)
  t.match(edit.body, 'value="pm@gov.example.org"')
  t.match(edit.body, '<option value="KZ" selected>')
  const clash = await org.post(`/admin/campaigns/1/targets/${pm.id}`, { name: 'Olzhas Bektenov', country: 'KZ', email: 'president@akorda.example.org' })
  t.equal(clash.statusCode, 422)
  const saved = await org.post(`/admin/campaigns/1/targets/${pm.id}`, { name: 'Olzhas Bektenov', title: 'Prime Minister of Kazakhstan', country: 'KZ', email: 'pm@gov.example.org', language: 'ru' })
  t.equal(saved.statusCode, 303)
  t.match(app.campaigns.target(1, pm.id), { title: 'Prime Minister of Kazakhstan', language: 'ru', organisation: '' })
  t.equal((await org.get('/admin/campaigns/1/targets/999')).statusCode, 404)
  t.same(actions(app, 1).filter((a) => a.startsWith('target.')), ['target.update', 'target.create'])
})

t.test('CSV import: a good file, a bad line that rolls everything back, a known email updated', async (t) => {
  const app = await build(t)
  await addUser(app, 'org@example.org', 'organizer', [1])
  const org = await signIn(app, 'org@example.org')
  t.equal((await org.get('/admin/campaigns/1/targets/import')).statusCode, 200)

  const badFile = [
    'name,title,organisation,country,email,postal_address,language',
    'Erlan Karin,State Counsellor,Akorda,KZ,karin@akorda.example.org,"Akorda, Astana",ru',
    'Nobody,Clerk,Office,KZ,not an email,,ru',
    'Someone,,,ZZ,someone@example.org,,',
  ].join('\n')
  const bad = await org.post('/admin/campaigns/1/targets/import', { csv: badFile })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, 'line 3: email is not valid')
  t.match(bad.body, 'line 4: country must be a two-letter ISO code')
  t.match(bad.body, 'Nothing was imported')
  t.match(bad.body, 'Erlan Karin,State Counsellor', 'the text is kept')
  t.equal(tableCount(app, 'targets', 'campaign_id = 1'), DEMO_OFFICIALS, 'the good line was not imported either')

  const goodFile = [
    '\ufeffName, Title ,organisation,country,email,postal_address,language',
    'Erlan Karin,State Counsellor,Akorda,kz,karin@akorda.example.org,"Akorda,',
    'Astana 010000",ru',
    '',
    'Nursultan Nazarbayev,First President,Library of the First President,KZ,PRESIDENT@akorda.example.org,"Astana",ru',
    'Olzhas Bektenov,Prime Minister,,KZ,pm@gov.example.org,,',
  ].join('\r\n')
  const good = await org.post('/admin/campaigns/1/targets/import', { csv: goodFile })
  t.equal(good.statusCode, 303)
  t.equal(good.headers.location, '/admin/campaigns/1/targets?imported=1&created=2&updated=1')
  const targets = app.campaigns.targets(1)
  t.equal(targets.length, DEMO_OFFICIALS + 2, 'the existing official was updated, not duplicated')
  t.match(targets.find((x) => x.email === 'president@akorda.example.org'), { id: 1, title: 'First President', organisation: 'Library of the First President', postalAddress: 'Astana' })
  t.match(targets.find((x) => x.email === 'karin@akorda.example.org'), { postalAddress: 'Akorda,\nAstana 010000', country: 'KZ', language: 'ru' })
  t.match(targets.find((x) => x.email === 'pm@gov.example.org'), { language: 'en', organisation: '' })
  const shown = await org.get(String(good.headers.location))
  t.match(shown.body, 'Imported: 2 new, 1 updated.')
  t.match(auditPage(app.db, { campaignId: 1 }).find((a) => a.action === 'target.import'), { userEmail: 'org@example.org', detail: { created: 2, updated: 1 } })

  // The same file again changes nothing in number.
  const again = await org.post('/admin/campaigns/1/targets/import', { csv: goodFile })
  t.equal(again.headers.location, '/admin/campaigns/1/targets?imported=1&created=0&updated=3')
  t.equal(app.campaigns.targets(1).length, DEMO_OFFICIALS + 2)

  const cases: [string, RegExp][] = [
    ['', /line 1: the CSV is empty/],
    ['name,phone,country,email\nA,1,KZ,a@example.org', /line 1: unknown column &quot;phone&quot;/],
    ['name,title\nA,B', /line 1: the columns &quot;country&quot;, &quot;email&quot; are missing/],
    ['name,country,email\nA,KZ,a@example.org\nB,KZ', /line 3: this line has 2 fields but the header has 3/],
    ['name,country,email\nA,KZ,"a@example.org\n', /line \d: quote not closed/i],
    ['name,country,email\nA,KZ,dup@example.org\nB,KZ,DUP@example.org', /line 3: email dup@example.org is already on line 2/],
    ['name,country,email', /line 2: the CSV has a header row but no officials/],
    ['name,country,email\n,KZ,x@example.org', /line 2: name is required/],
  ]
  for (const [csv, message] of cases) {
    const res = await org.post('/admin/campaigns/1/targets/import', { csv })
    t.equal(res.statusCode, 422, JSON.stringify(csv))
    t.match(res.body, message)
  }
  t.equal(app.campaigns.targets(1).length, DEMO_OFFICIALS + 2)
})

t.test('API: campaigns', async (t) => {
  const app = await build(t)
  const admin = await bearer(app, 'admin@example.org', 'admin')
  const org = await bearer(app, 'org@example.org', 'organizer', [1])

  const body = { slug: 'mangystau-drivers', title: 'Free the Mangystau drivers', story: 'Story', goal: 5000, status: 'draft', languages: ['ru', 'en'], confirmLetters: true }
  const created = await admin('POST', '/api/admin/campaigns', body)
  t.equal(created.statusCode, 201)
  const id = created.json().campaign.id
  t.type(id, 'number')
  t.match(created.json().campaign, { slug: 'mangystau-drivers', languages: ['ru', 'en'], confirmLetters: true, status: 'draft', summary: '' })
  t.ok(actions(app, id).includes('campaign.create'))

  const taken = await admin('POST', '/api/admin/campaigns', body)
  t.equal(taken.statusCode, 422)
  t.match(taken.json().issues, [{ path: ['slug'], message: /already taken/ }])

  const invalid = await admin('POST', '/api/admin/campaigns', { slug: 'Nope Nope', title: '', goal: '100', status: 'paused', languages: [], confirmLetters: 'yes' })
  t.equal(invalid.statusCode, 422)
  const paths = invalid.json().issues.map((i: { path: string[] }) => i.path[0])
  for (const field of ['slug', 'title', 'goal', 'status', 'languages', 'confirmLetters']) t.ok(paths.includes(field), `issue for ${field}`)
  t.equal((await admin('POST', '/api/admin/campaigns', 'not json')).statusCode, 422)

  const forbidden = await org('POST', '/api/admin/campaigns', { ...body, slug: 'by-organizer' })
  t.equal(forbidden.statusCode, 403, 'organizers cannot create campaigns (the API says so: the operation is in its document)')
  t.match(forbidden.json(), { error: String })

  const patched = await org('PATCH', '/api/admin/campaigns/1', { status: 'closed', goal: 12000 })
  t.equal(patched.statusCode, 200)
  t.match(patched.json().campaign, { id: 1, status: 'closed', goal: 12000, slug: 'zhanaozen', title: 'Free the Zhanaozen oil workers' })
  t.match(auditPage(app.db, { campaignId: 1 }).find((a) => a.action === 'campaign.update'), { detail: { changed: ['goal', 'status'], status: { from: 'live', to: 'closed' } } })
  const badPatch = await org('PATCH', '/api/admin/campaigns/1', { languages: 'en' })
  t.equal(badPatch.statusCode, 422)
  t.match(badPatch.json().issues, [{ path: ['languages'] }])
  t.equal((await org('PATCH', '/api/admin/campaigns/1', { slug: 'mangystau-drivers' })).statusCode, 422)
  t.equal((await org('PATCH', `/api/admin/campaigns/${id}`, { status: 'live' })).statusCode, 404, 'organizer of A gets 404 for B')
  t.equal((await org('GET', `/api/admin/campaigns/${id}`)).statusCode, 404)
  t.equal((await org('GET', `/api/admin/campaigns/${id}/targets`)).statusCode, 404)

  const mine = await org('GET', '/api/admin/campaigns')
  t.same(mine.json().campaigns.map((c: { id: number }) => c.id), [1])
  const all = await admin('GET', '/api/admin/campaigns')
  t.same(all.json().campaigns.map((c: { id: number }) => c.id).sort(), [1, id])
  const one = await org('GET', '/api/admin/campaigns/1')
  t.equal(one.statusCode, 200)
  t.equal(one.json().campaign.people.length, 3)
})

t.test('API: officials', async (t) => {
  const app = await build(t)
  const org = await bearer(app, 'org@example.org', 'organizer', [1])
  const stranger = await bearer(app, 'stranger@example.org', 'organizer', [])
  const official = { name: 'Olzhas Bektenov', title: 'Prime Minister', organisation: 'Government', country: 'KZ', email: 'pm@gov.example.org', postalAddress: 'Astana', language: 'ru' }

  const created = await org('POST', '/api/admin/campaigns/1/targets', official)
  t.equal(created.statusCode, 201)
  t.match(created.json(), { target: { id: Number, name: 'Olzhas Bektenov', country: 'KZ', lettersCount: 0 } })
  const dup = await org('POST', '/api/admin/campaigns/1/targets', official)
  t.equal(dup.statusCode, 422)
  t.match(dup.json().issues, [{ path: ['email'], message: /already has this email/ }])
  const bad = await org('POST', '/api/admin/campaigns/1/targets', { name: '', country: 'Kazakhstan', email: 'x' })
  t.equal(bad.statusCode, 422)
  t.same(bad.json().issues.map((i: { path: string[] }) => i.path[0]).sort(), ['country', 'email', 'name'])

  const list = await org('GET', '/api/admin/campaigns/1/targets')
  t.same(list.json().targets.map((x: { name: string }) => x.name), ['Nursultan Nazarbayev', 'Askhat Daulbayev', ...EMBASSIES, 'Olzhas Bektenov'])
  const id = created.json().target.id
  const put = await org('PUT', `/api/admin/campaigns/1/targets/${id}`, { ...official, title: 'Prime Minister of Kazakhstan' })
  t.equal(put.statusCode, 200)
  t.equal(put.json().target.title, 'Prime Minister of Kazakhstan')

  const imported = await org('POST', '/api/admin/campaigns/1/targets/import', { csv: 'name,country,email\nA,KZ,a@example.org\nB,KZ,broken' })
  t.equal(imported.statusCode, 422)
  t.match(imported.json().issues, [{ path: ['csv', 3], message: 'line 3: email is not valid' }])
  const ok = await org('POST', '/api/admin/campaigns/1/targets/import', { csv: 'name,country,email\nA,KZ,a@example.org\nB,KZ,pm@gov.example.org' })
  t.same(ok.json(), { created: 1, updated: 1, pendingEmails: [] })

  t.equal((await stranger('POST', '/api/admin/campaigns/1/targets', { ...official, email: 'other@example.org' })).statusCode, 404)
  t.equal((await stranger('GET', '/api/admin/campaigns/1/targets')).statusCode, 404)
  t.equal((await stranger('PUT', `/api/admin/campaigns/1/targets/${id}`, official)).statusCode, 404)
  t.equal(tableCount(app, 'targets', "email = 'other@example.org'"), 0)
  t.same(actions(app, 1).filter((a) => a.startsWith('target.')), ['target.import', 'target.update', 'target.create'])
})

t.test('the API routes are documented', async (t) => {
  const app = await build(t)
  const doc = (await app.inject('/api/docs/json')).json()
  t.ok(doc.paths['/api/admin/campaigns'].post.requestBody, 'POST /campaigns has a body schema')
  t.ok(doc.paths['/api/admin/campaigns/{id}'].patch)
  t.ok(doc.paths['/api/admin/campaigns/{id}/targets'].post.requestBody)
  t.ok(doc.paths['/api/admin/campaigns/{id}/templates/{language}'].put.requestBody)
})

t.test('a change to the people shows on the cached public page at once', async (t) => {
  const app = await build(t)
  await addUser(app, 'admin@example.org', 'admin')
  const admin = await signIn(app, 'admin@example.org')
  t.notMatch((await app.inject('/campaigns/zhanaozen')).body, 'Maksat Dosmagambetov', 'page rendered and cached')
  const res = await admin.post('/admin/campaigns/1/people', { name: 'Maksat Dosmagambetov', status: 'jailed', detail: '' })
  t.ok([200, 303].includes(res.statusCode), `person added (${res.statusCode})`)
  t.match((await app.inject('/campaigns/zhanaozen')).body, 'Maksat Dosmagambetov', 'no wait for the cache to expire')
})
