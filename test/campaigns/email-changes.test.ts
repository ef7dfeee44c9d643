// A hostile organizer cannot point an official's letters at an address they read: a change of an
// official's email (screen, API, CSV import) waits for an admin; admins approve or reject it.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, tableCount } from '../helper.js'
import { addUser, signIn } from '../admin/helper.js'
import { createApiToken } from '../../src/admin/api.js'
import { auditPage } from '../../src/admin/audit.js'

const PRESIDENT = 'president@akorda.example.org'
const PROSECUTOR = 2

const entries = (app: FastifyInstance, action: string) => auditPage(app.db, { limit: 1000 }).filter((a) => a.action === action)
const decode = (s: string) => s.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&')

async function bearer(app: FastifyInstance, email: string, role: 'admin' | 'organizer', campaignIds: number[] = []) {
  const user = await addUser(app, email, role, campaignIds)
  const { token } = createApiToken(app.db, user.id, 'test', app.clock())
  return (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, payload: payload === undefined ? undefined : JSON.stringify(payload) })
}

/** Where the letter a supporter writes now to this official is addressed. */
async function letterGoesTo(app: FastifyInstance, targetId: number, email: string): Promise<string> {
  app.db.$client.prepare('update campaigns set confirm_letters = 0 where id = 1').run()
  const res = await app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'application/json' }, payload: { name: 'Ann Supporter', email, country: 'GB', city: 'Leeds', targetId } })
  if (res.statusCode !== 201) throw new Error(`letter refused: ${res.statusCode} ${res.body}`)
  app.dispatcher.produce()
  const row = app.db.$client.prepare(`select recipient from outbox where kind = 'letter' order by id desc limit 1`).get() as { recipient: string }
  return row.recipient
}

const president = (app: FastifyInstance) => app.campaigns.target(1, 1)!
const officialForm = (email: string) => ({ name: 'Kassym-Jomart Tokayev', title: 'President', organisation: 'Akorda', country: 'KZ', email, language: 'ru' })

t.test("on the screen, an organizer's new address waits for an admin; mail keeps going to the old one", async (t) => {
  const app = await build(t)
  const orgUser = await addUser(app, 'org@example.org', 'organizer', [1])
  await addUser(app, 'admin@example.org', 'admin')
  const org = await signIn(app, 'org@example.org')
  const admin = await signIn(app, 'admin@example.org')

  const form = await org.get('/admin/campaigns/1/targets/1')
  t.match(form.body, 'A new address is used only once an admin approves it', 'the form says so before saving')

  const saved = await org.post('/admin/campaigns/1/targets/1', officialForm('tips@attacker.example.net'))
  t.equal(saved.statusCode, 303)
  t.equal(saved.headers.location, '/admin/campaigns/1/targets?held=1')
  t.match(president(app), { email: PRESIDENT, pendingEmail: 'tips@attacker.example.net', pendingEmailBy: orgUser.id, title: 'President' })
  t.ok(president(app).pendingEmailAt instanceof Date, 'when it was asked')
  t.equal(await letterGoesTo(app, 1, 'ann@example.com'), PRESIDENT, 'letters still go to the old address')

  const list = decode((await org.get(String(saved.headers.location))).body)
  t.match(list, "The new email address waits for an admin's approval")
  t.match(list, "Change to <strong>tips@attacker.example.net</strong> waits for an admin's approval")
  t.notMatch(list, '/email/approve', 'no approve button for an organizer')
  const again = decode((await org.get('/admin/campaigns/1/targets/1')).body)
  t.match(again, `value="${PRESIDENT}"`, 'the form shows the address in use')
  t.match(again, "A change to <strong>tips@attacker.example.net</strong> waits for an admin's approval")

  const [update] = entries(app, 'target.update')
  t.match(update, { userEmail: 'org@example.org', campaignId: 1, detail: { id: 1, email: { from: PRESIDENT, to: 'tips@attacker.example.net', held: true } } }, 'old and new audited')

  // Saving other fields with the address in use keeps the request waiting.
  await org.post('/admin/campaigns/1/targets/1', { ...officialForm(PRESIDENT), title: 'President of Kazakhstan' })
  t.match(president(app), { email: PRESIDENT, pendingEmail: 'tips@attacker.example.net', title: 'President of Kazakhstan' })

  // The organizer cannot approve their own request, on the screen or anywhere else.
  t.equal((await org.post('/admin/campaigns/1/targets/1/email/approve')).statusCode, 404)
  t.equal((await org.get('/admin/email-changes')).statusCode, 404)
  t.equal(president(app).email, PRESIDENT)

  // The admin sees it from the menu, and rejects it.
  const changes = decode((await admin.get('/admin/email-changes')).body)
  t.match(changes, 'href="/admin/email-changes"', 'in the admin menu')
  t.match(changes, /Free the Zhanaozen[\s\S]*Kassym-Jomart Tokayev[\s\S]*president@akorda\.example\.org[\s\S]*tips@attacker\.example\.net[\s\S]*org@example\.org/)
  const forged = await admin.post('/admin/campaigns/1/targets/1/email/reject', { _csrf: 'forged' })
  t.equal(forged.statusCode, 403, 'CSRF-protected')
  const rejected = await admin.post('/admin/campaigns/1/targets/1/email/reject')
  t.equal(rejected.statusCode, 303)
  t.equal(rejected.headers.location, '/admin/email-changes?rejected=1')
  t.match(president(app), { email: PRESIDENT, pendingEmail: null, pendingEmailBy: null, pendingEmailAt: null })
  t.match(entries(app, 'target.email_reject'), [{ userEmail: 'admin@example.org', detail: { id: 1, email: { current: PRESIDENT, rejected: 'tips@attacker.example.net' }, requestedBy: 'org@example.org' } }])
  t.match((await admin.get('/admin/email-changes')).body, 'No change of address is waiting')
  const twice = await admin.post('/admin/campaigns/1/targets/1/email/reject')
  t.equal(twice.statusCode, 422, 'nothing left to reject: a clear error, not a 500')
  t.match(decode(twice.body), 'No change of address is waiting for this official')
})

t.test('an admin approves from the officials list; the address then takes letters; a clash is a 422', async (t) => {
  const app = await build(t)
  await addUser(app, 'org@example.org', 'organizer', [1])
  await addUser(app, 'admin@example.org', 'admin')
  const org = await signIn(app, 'org@example.org')
  const admin = await signIn(app, 'admin@example.org')

  await org.post('/admin/campaigns/1/targets/1', officialForm('office@akorda.example.org'))
  const list = decode((await admin.get('/admin/campaigns/1/targets')).body)
  t.match(list, "One change of email address waits for an admin's approval")
  t.match(list, 'action="/admin/campaigns/1/targets/1/email/approve"', 'approve button for the admin')
  const approved = await admin.post('/admin/campaigns/1/targets/1/email/approve', { back: 'targets' })
  t.equal(approved.statusCode, 303)
  t.equal(approved.headers.location, '/admin/campaigns/1/targets?approved=1')
  t.match(president(app), { email: 'office@akorda.example.org', pendingEmail: null, pendingEmailBy: null })
  t.match(entries(app, 'target.email_approve'), [{ userEmail: 'admin@example.org', detail: { id: 1, email: { from: PRESIDENT, to: 'office@akorda.example.org' }, requestedBy: 'org@example.org' } }])
  t.equal(await letterGoesTo(app, 1, 'ben@example.com'), 'office@akorda.example.org', 'letters go to the approved address')

  // A request for an address another official takes meanwhile: approving it is refused plainly.
  await org.post('/admin/campaigns/1/targets/1', officialForm('shared@gov.example.org'))
  t.equal(president(app).pendingEmail, 'shared@gov.example.org')
  const prosecutor = app.campaigns.target(1, PROSECUTOR)!
  const adminEdit = await admin.post(`/admin/campaigns/1/targets/${PROSECUTOR}`, { name: prosecutor.name, title: prosecutor.title, country: prosecutor.country, email: 'shared@gov.example.org', language: prosecutor.language })
  t.equal(adminEdit.statusCode, 303)
  t.equal(adminEdit.headers.location, '/admin/campaigns/1/targets?saved=1', "an admin's own change applies at once")
  t.match(app.campaigns.target(1, PROSECUTOR), { email: 'shared@gov.example.org', pendingEmail: null })
  t.match(entries(app, 'target.update')[0], { userEmail: 'admin@example.org', detail: { email: { from: prosecutor.email, to: 'shared@gov.example.org', held: false } } }, 'audited with old and new')
  const clash = await admin.post('/admin/campaigns/1/targets/1/email/approve')
  t.equal(clash.statusCode, 422)
  t.match(decode(clash.body), 'Another official of this campaign already has shared@gov.example.org')
  t.match(president(app), { email: 'office@akorda.example.org', pendingEmail: 'shared@gov.example.org' }, 'nothing changed')
})

t.test('API: an organizer gets 202 with the pending address; admins approve or reject; others are told they may not (403)', async (t) => {
  const app = await build(t)
  const org = await bearer(app, 'org@example.org', 'organizer', [1])
  const admin = await bearer(app, 'admin@example.org', 'admin')
  const stranger = await bearer(app, 'stranger@example.org', 'organizer', [])

  const put = await org('PUT', '/api/admin/campaigns/1/targets/1', officialForm('tips@attacker.example.net'))
  t.equal(put.statusCode, 202)
  t.match(put.json(), { target: { id: 1, email: PRESIDENT, pendingEmail: 'tips@attacker.example.net' }, pendingEmail: 'tips@attacker.example.net' })
  t.match((await org('GET', '/api/admin/campaigns/1/targets/1')).json(), { target: { email: PRESIDENT, pendingEmail: 'tips@attacker.example.net' } })
  t.match(entries(app, 'target.update')[0], { detail: { email: { from: PRESIDENT, to: 'tips@attacker.example.net', held: true } } })
  const unchanged = await org('PUT', '/api/admin/campaigns/1/targets/1', { ...officialForm(PRESIDENT), title: 'Head of State' })
  t.equal(unchanged.statusCode, 200, 'no change of address: 200 as before')

  // The API's document names these operations, so an organizer's token hears 403 (a screen stays 404),
  // before anything of the campaign is looked at: one who does not run it learns nothing more.
  for (const who of [org, stranger]) {
    t.equal((await who('GET', '/api/admin/email-changes')).statusCode, 403)
    t.equal((await who('POST', '/api/admin/campaigns/1/targets/1/email/approve', {})).statusCode, 403)
    t.equal((await who('POST', '/api/admin/campaigns/1/targets/1/email/reject', {})).statusCode, 403)
  }
  t.equal(president(app).email, PRESIDENT)

  const waiting = await admin('GET', '/api/admin/email-changes')
  t.equal(waiting.statusCode, 200)
  t.match(waiting.json().changes, [{ campaign: { id: 1, slug: 'zhanaozen' }, target: { id: 1 }, email: PRESIDENT, pendingEmail: 'tips@attacker.example.net', requestedBy: 'org@example.org' }])
  const rejected = await admin('POST', '/api/admin/campaigns/1/targets/1/email/reject', {})
  t.equal(rejected.statusCode, 200)
  t.match(rejected.json().target, { email: PRESIDENT, pendingEmail: null })
  t.same((await admin('GET', '/api/admin/email-changes')).json().changes, [])

  await org('PUT', '/api/admin/campaigns/1/targets/1', officialForm('office@akorda.example.org'))
  const approved = await admin('POST', '/api/admin/campaigns/1/targets/1/email/approve', {})
  t.equal(approved.statusCode, 200)
  t.match(approved.json().target, { email: 'office@akorda.example.org', pendingEmail: null })
  const nothing = await admin('POST', '/api/admin/campaigns/1/targets/1/email/approve', {})
  t.equal(nothing.statusCode, 422)
  t.match(nothing.json().issues, [{ path: ['pendingEmail'], message: /No change of address is waiting/ }])

  // A clash at approval: 422 with the field, never a 500.
  await org('PUT', '/api/admin/campaigns/1/targets/1', officialForm('askhat@prokuror.example.org'))
  const prosecutor = app.campaigns.target(1, PROSECUTOR)!
  const adminPut = await admin('PUT', `/api/admin/campaigns/1/targets/${PROSECUTOR}`, { name: prosecutor.name, country: prosecutor.country, email: 'askhat@prokuror.example.org' })
  t.equal(adminPut.statusCode, 200, "an admin's change applies at once")
  t.equal(adminPut.json().target.email, 'askhat@prokuror.example.org')
  const clash = await admin('POST', '/api/admin/campaigns/1/targets/1/email/approve', {})
  t.equal(clash.statusCode, 422)
  t.match(clash.json().issues, [{ path: ['pendingEmail'], message: /already has askhat@prokuror\.example\.org/ }])
  t.equal((await admin('POST', '/api/admin/campaigns/1/targets/999/email/approve', {})).statusCode, 404)

  const doc = (await app.inject('/api/docs/json')).json()
  t.ok(doc.paths['/api/admin/campaigns/{id}/targets/{targetId}/email/approve'].post, 'documented')
  t.ok(doc.paths['/api/admin/email-changes'].get, 'documented')
})

t.test('CSV import: a line with an id can change an address, held for an organizer and applied for an admin', async (t) => {
  const app = await build(t)
  await addUser(app, 'org@example.org', 'organizer', [1])
  await addUser(app, 'admin@example.org', 'admin')
  const org = await signIn(app, 'org@example.org')
  const admin = await signIn(app, 'admin@example.org')
  const orgApi = await bearer(app, 'org2@example.org', 'organizer', [1])

  t.match((await org.get('/admin/campaigns/1/targets/import')).body, "a new email waits for an admin's approval")
  const csv = 'id,name,country,email,title\n1,Kassym-Jomart Tokayev,KZ,tips@attacker.example.net,President\n,Erlan Karin,KZ,karin@akorda.example.org,State Counsellor'
  const res = await org.post('/admin/campaigns/1/targets/import', { csv })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/admin/campaigns/1/targets?imported=1&created=1&updated=1&held=1')
  t.match(decode((await org.get(String(res.headers.location))).body), "Imported: 1 new, 1 updated. One change of email address waits for an admin's approval")
  t.match(president(app), { email: PRESIDENT, pendingEmail: 'tips@attacker.example.net', title: 'President' })
  t.match(entries(app, 'target.import')[0], { detail: { created: 1, updated: 1, emailChanges: [{ id: 1, from: PRESIDENT, to: 'tips@attacker.example.net', held: true }] } })
  t.equal(await letterGoesTo(app, 1, 'ann@example.com'), PRESIDENT)

  const viaApi = await orgApi('POST', '/api/admin/campaigns/1/targets/import', { csv: 'id,name,country,email\n1,Kassym-Jomart Tokayev,KZ,other@attacker.example.net' })
  t.equal(viaApi.statusCode, 202)
  t.same(viaApi.json(), { created: 0, updated: 1, pendingEmails: [{ id: 1, name: 'Kassym-Jomart Tokayev', email: PRESIDENT, pendingEmail: 'other@attacker.example.net' }] })
  t.equal(president(app).email, PRESIDENT)

  const bad = [
    ['id,name,country,email\n99,X,KZ,x@example.org', /line 2: id 99 is not one of this campaign&#x27;s officials/],
    ['id,name,country,email\n1,X,KZ,prosecutor-general@prokuror.example.org', /line 2: email prosecutor-general@prokuror.example.org belongs to another official \(id 2\)/],
    [`id,name,country,email\n1,X,KZ,new@example.org\n,Y,KZ,${PRESIDENT}`, /line 3: official 1 is already on line 2/],
  ] as const
  for (const [text, message] of bad) {
    const r = await org.post('/admin/campaigns/1/targets/import', { csv: text })
    t.equal(r.statusCode, 422, text)
    t.match(r.body, message)
  }
  // The demo's six officials (the President, the Prosecutor General, four embassies) and Erlan Karin.
  t.equal(tableCount(app, 'targets', 'campaign_id = 1'), 7, 'nothing imported from the bad files')

  const byAdmin = await admin.post('/admin/campaigns/1/targets/import', { csv: 'id,name,country,email\n1,Kassym-Jomart Tokayev,KZ,office@akorda.example.org' })
  t.equal(byAdmin.headers.location, '/admin/campaigns/1/targets?imported=1&created=0&updated=1', 'nothing held for an admin')
  t.match(president(app), { email: 'office@akorda.example.org', pendingEmail: null })
})
