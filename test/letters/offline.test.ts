import t from 'tap'
import { eq } from 'drizzle-orm'
import { build, TestClock } from '../helper.js'
import { addUser, signIn } from '../admin/helper.js'
import { createApiToken } from '../../src/admin/api.js'
import { auditLog, campaigns, offlineLetters } from '../../src/db/schema/index.js'
import { countFromForm } from '../../src/letters/admin-routes.js'
import { latestPostingDate } from '../../src/letters/offline-service.js'

type App = Awaited<ReturnType<typeof build>>

const report = { count: '250', date: '2026-11-28', group: 'Unite North West', country: 'GB', note: 'Posted from the branch meeting' }

async function setup(t: { teardown(fn: () => unknown): void }) {
  const clock = new TestClock(new Date('2026-12-01T10:00:00Z'))
  const app = await build(t, { clock: clock.now })
  return { app, clock }
}

function api(app: App, token: string) {
  return (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload: payload as object }) })
}

async function organizer(app: App, email: string, campaignIds: number[]) {
  const user = await addUser(app, email, 'organizer', campaignIds)
  return { user, browser: await signIn(app, email), call: api(app, createApiToken(app.db, user.id, 'test', app.clock()).token) }
}

const tally = async (app: App) => (await app.inject('/api/campaigns/zhanaozen/tally')).json() as { letters: number; offline: number; total: number }
const offlineCount = (app: App) => app.db.select().from(campaigns).where(eq(campaigns.id, 1)).get()!.offlineCount
const audits = (app: App, action: string) => app.db.select().from(auditLog).where(eq(auditLog.action, action)).all()

t.test('counts typed with separators', async (t) => {
  t.equal(countFromForm('1,200'), 1200)
  t.equal(countFromForm(' 1 200 '), 1200)
  t.equal(countFromForm('42'), 42)
  t.equal(countFromForm('1.5'), '1.5')
  t.equal(countFromForm('12,34'), '12,34')
  t.equal(latestPostingDate(new Date('2026-12-01T10:00:00Z')), '2026-12-02', 'already the 2nd at UTC+14')
  t.equal(latestPostingDate(new Date('2026-12-01T09:59:00Z')), '2026-12-01')
})

t.test('a report on the screen counts in the public tally; deleting it takes it off', async (t) => {
  const { app } = await setup(t)
  const { browser } = await organizer(app, 'org@example.org', [1])
  // Some letters online first, so the two are shown apart.
  app.db.update(campaigns).set({ lettersCount: 40 }).where(eq(campaigns.id, 1)).run()
  t.match(await tally(app), { letters: 40, offline: 0, total: 40 })

  const page = await browser.get('/admin/campaigns/1/offline-letters')
  t.equal(page.statusCode, 200)
  t.match(page.body, 'No group has reported letters on paper yet')
  t.match(page.body, 'value="2026-12-01"', 'the date defaults to today')
  t.match(page.body, 'max="2026-12-02"')

  const res = await browser.post('/admin/campaigns/1/offline-letters', report)
  t.equal(res.statusCode, 303, res.body)
  t.match(res.headers.location, /^\/admin\/campaigns\/1\/offline-letters\?added=250#report-\d+$/)
  t.match(await tally(app), { letters: 40, offline: 250, total: 290 })
  const second = await browser.post('/admin/campaigns/1/offline-letters', { ...report, count: '1,000', group: 'Solidarnosc Gdansk', country: 'pl', note: '' })
  t.equal(second.statusCode, 303)
  t.match(await tally(app), { letters: 40, offline: 1250, total: 1290 })

  const list = await browser.get(res.headers.location as string)
  t.match(list.body, 'Added 250 letters to the total.')
  t.match(list.body, /<td data-online>40<\/td>\s*<td data-offline>1,250<\/td>\s*<td data-total><strong>1,290<\/strong><\/td>/)
  t.match(list.body, 'Unite North West')
  t.match(list.body, 'Solidarnosc Gdansk')
  t.match(list.body, 'Poland')
  t.match(list.body, 'org@example.org', 'who added it')

  const rows = app.db.select().from(offlineLetters).all()
  t.match(rows, [{ count: 250, date: '2026-11-28', group: 'Unite North West', country: 'GB', note: 'Posted from the branch meeting', createdBy: Number }, { count: 1000, country: 'PL' }])
  t.match(audits(app, 'offline_letters.add'), [
    { campaignId: 1, subject: `offline_letters:${rows[0]!.id}`, userEmail: 'org@example.org', detail: { count: 250, date: '2026-11-28', group: 'Unite North West', country: 'GB' } },
    { detail: { count: 1000 } },
  ])

  // Delete: a confirmation page, then the count goes down in the same step.
  const confirm = await browser.get(`/admin/campaigns/1/offline-letters/${rows[0]!.id}/delete`)
  t.equal(confirm.statusCode, 200)
  t.match(confirm.body, 'Delete this report?')
  t.match(await tally(app), { offline: 1250 }, 'looking changes nothing')
  const del = await browser.post(`/admin/campaigns/1/offline-letters/${rows[0]!.id}/delete`)
  t.equal(del.statusCode, 303)
  t.equal(del.headers.location, '/admin/campaigns/1/offline-letters?deleted=250')
  t.match(await tally(app), { letters: 40, offline: 1000, total: 1040 })
  t.match(audits(app, 'offline_letters.delete'), [{ campaignId: 1, subject: `offline_letters:${rows[0]!.id}`, detail: { count: 250 } }])
  t.equal((await browser.post(`/admin/campaigns/1/offline-letters/${rows[0]!.id}/delete`)).statusCode, 404, 'deleted once only')
  t.equal((await browser.get(`/admin/campaigns/1/offline-letters/${rows[0]!.id}/delete`)).statusCode, 404)
  t.match(await tally(app), { offline: 1000 }, 'a second delete takes nothing off')
  t.equal(audits(app, 'offline_letters.delete').length, 1)
})

t.test('the count never goes below zero', async (t) => {
  const { app } = await setup(t)
  const { browser } = await organizer(app, 'org@example.org', [1])
  await browser.post('/admin/campaigns/1/offline-letters', report)
  // A counter that drifted (edited by hand, say) below what the reports add up to.
  app.db.update(campaigns).set({ offlineCount: 100 }).where(eq(campaigns.id, 1)).run()
  const id = app.db.select().from(offlineLetters).get()!.id
  t.equal((await browser.post(`/admin/campaigns/1/offline-letters/${id}/delete`)).statusCode, 303)
  t.equal(offlineCount(app), 0)
  t.match(await tally(app), { offline: 0 })
})

t.test('the report, the counter and the audit entry are one transaction', async (t) => {
  const { app } = await setup(t)
  const { browser, call } = await organizer(app, 'org@example.org', [1])
  await browser.post('/admin/campaigns/1/offline-letters', report)
  const id = app.db.select().from(offlineLetters).get()!.id
  // Make the audit insert fail: nothing else of the change may stay.
  app.db.$client.exec("create temp trigger no_audit before insert on audit_log begin select raise(abort, 'audit refused'); end")
  t.equal((await browser.post('/admin/campaigns/1/offline-letters', { ...report, count: '7' })).statusCode, 500)
  t.equal((await call('POST', '/api/admin/campaigns/1/offline-letters', { ...report, count: 7 })).statusCode, 500)
  t.equal((await browser.post(`/admin/campaigns/1/offline-letters/${id}/delete`)).statusCode, 500)
  t.equal(offlineCount(app), 250)
  t.equal(await app.db.$count(offlineLetters), 1)
  app.db.$client.exec('drop trigger no_audit')
})

t.test('bad reports are refused by field, with the values kept', async (t) => {
  const { app } = await setup(t)
  const { browser, call } = await organizer(app, 'org@example.org', [1])
  const errorOf = (body: string, field: string) => new RegExp(`id="${field}-error" class="field-error">([^<]+)<`).exec(body)?.[1]
  const attempt = async (fields: Record<string, string>) => {
    const res = await browser.post('/admin/campaigns/1/offline-letters', { ...report, ...fields })
    t.equal(res.statusCode, 422, `422 for ${JSON.stringify(fields)}`)
    return res.body
  }
  t.match(errorOf(await attempt({ count: '0' }), 'count'), /at least 1/)
  t.match(errorOf(await attempt({ count: '100001' }), 'count'), /at most 100,000/)
  const words = await attempt({ count: 'many' })
  t.match(errorOf(words, 'count'), /whole number/)
  t.match(words, 'value="many"', 'the value is kept')
  t.match(words, 'value="Unite North West"', 'the other values are kept')
  t.match(errorOf(await attempt({ count: '2.5' }), 'count'), /whole number/)
  t.match(errorOf(await attempt({ date: '2026-12-03' }), 'date'), /future/)
  t.match(errorOf(await attempt({ date: '2026-02-30' }), 'date'), /does not exist/)
  t.match(errorOf(await attempt({ date: '28/11/2026' }), 'date'), /YYYY-MM-DD/)
  t.match(errorOf(await attempt({ group: '  ' }), 'group'), /group/i)
  t.match(errorOf(await attempt({ country: 'XX' }), 'country'), /country/i)
  t.match(errorOf(await attempt({ note: 'x'.repeat(1001) }), 'note'), /at most 1,000/)
  // A group on the other side of the date line may report today's letters.
  t.equal((await browser.post('/admin/campaigns/1/offline-letters', { ...report, date: '2026-12-02' })).statusCode, 303)
  t.equal(offlineCount(app), 250)

  const issues = async (payload: unknown) => {
    const res = await call('POST', '/api/admin/campaigns/1/offline-letters', payload)
    t.equal(res.statusCode, 422, res.body)
    return res.json().issues
  }
  t.match(await issues({ ...report, count: '250' }), [{ path: ['count'] }], 'the API wants a number')
  t.match(await issues({ ...report, count: 0 }), [{ path: ['count'] }])
  t.match(await issues({ ...report, count: 5, date: '2030-01-01' }), [{ path: ['date'], message: /future/ }])
  t.match(await issues({ count: 5 }), [{ path: ['date'] }, { path: ['group'] }, { path: ['country'] }])
  t.equal(offlineCount(app), 250)
  t.equal(audits(app, 'offline_letters.add').length, 1)
})

t.test('the API: add, list with totals, delete', async (t) => {
  const { app } = await setup(t)
  const { call } = await organizer(app, 'org@example.org', [1])
  const res = await call('POST', '/api/admin/campaigns/1/offline-letters', { count: 300, date: '2026-11-30', group: 'CGT Paris', country: 'FR', note: 'From the picket' })
  t.equal(res.statusCode, 201, res.body)
  const body = res.json()
  t.match(body, { offlineLetter: { id: Number, count: 300, date: '2026-11-30', group: 'CGT Paris', country: 'FR', note: 'From the picket' }, totals: { offline: 300, total: 300 } })
  const noNote = await call('POST', '/api/admin/campaigns/1/offline-letters', { count: 5, date: '2026-11-30', group: 'Solo', country: 'de' })
  t.match(noNote.json(), { offlineLetter: { note: '', country: 'DE' } })
  t.match(await tally(app), { offline: 305, total: 305 })

  const list = await call('GET', '/api/admin/campaigns/1/offline-letters')
  t.equal(list.statusCode, 200)
  t.match(list.json(), { offlineLetters: [{}, {}], totals: { online: 0, offline: 305, total: 305 } })
  t.equal(list.json().offlineLetters.length, 2)

  const del = await call('DELETE', `/api/admin/campaigns/1/offline-letters/${body.offlineLetter.id}`)
  t.equal(del.statusCode, 200)
  t.match(del.json(), { offlineLetter: { id: body.offlineLetter.id }, totals: { offline: 5 } })
  t.equal((await call('DELETE', `/api/admin/campaigns/1/offline-letters/${body.offlineLetter.id}`)).statusCode, 404)
  t.match(await tally(app), { offline: 5, total: 5 })
  t.equal(audits(app, 'offline_letters.add').length, 2)
  t.equal(audits(app, 'offline_letters.delete').length, 1)

  const doc = (await app.inject('/api/docs/json')).json()
  t.ok(doc.paths['/api/admin/campaigns/{id}/offline-letters'].post, 'described in the docs')
})

t.test('an organizer of another campaign gets 404 on every offline-letters screen and API call', async (t) => {
  const { app } = await setup(t)
  const now = app.clock()
  const other = app.db.insert(campaigns).values({ slug: 'other', title: 'Other campaign', goal: 10, languages: ['en'], createdAt: now, updatedAt: now }).returning().get()
  const mine = await organizer(app, 'mine@example.org', [1])
  const stranger = await organizer(app, 'stranger@example.org', [other.id])
  await mine.browser.post('/admin/campaigns/1/offline-letters', report)
  const id = app.db.select().from(offlineLetters).get()!.id

  const screens: [string, string, Record<string, string>?][] = [
    ['GET', '/admin/campaigns/1/offline-letters'],
    ['POST', '/admin/campaigns/1/offline-letters', report],
    ['GET', `/admin/campaigns/1/offline-letters/${id}/delete`],
    ['POST', `/admin/campaigns/1/offline-letters/${id}/delete`],
    // Through their own campaign's address: a report belongs to its campaign.
    ['GET', `/admin/campaigns/${other.id}/offline-letters/${id}/delete`],
    ['POST', `/admin/campaigns/${other.id}/offline-letters/${id}/delete`],
  ]
  for (const [method, url, fields] of screens) {
    const res = method === 'GET' ? await stranger.browser.get(url) : await stranger.browser.post(url, fields)
    t.equal(res.statusCode, 404, `stranger: ${method} ${url}`)
  }
  const calls: ['GET' | 'POST' | 'DELETE', string, unknown?][] = [
    ['GET', '/api/admin/campaigns/1/offline-letters'],
    ['POST', '/api/admin/campaigns/1/offline-letters', { ...report, count: 5 }],
    ['DELETE', `/api/admin/campaigns/1/offline-letters/${id}`],
    ['DELETE', `/api/admin/campaigns/${other.id}/offline-letters/${id}`],
  ]
  for (const [method, url, payload] of calls) {
    const res = await stranger.call(method, url, payload)
    t.equal(res.statusCode, 404, `stranger: ${method} ${url}`)
  }
  t.equal(offlineCount(app), 250, 'untouched')
  t.equal(await app.db.$count(offlineLetters), 1)
  t.equal(app.db.select().from(campaigns).where(eq(campaigns.id, other.id)).get()!.offlineCount, 0)

  // The same pages answer the campaign's own organizer and an admin.
  t.equal((await mine.browser.get('/admin/campaigns/1/offline-letters')).statusCode, 200)
  t.equal((await mine.browser.get(`/admin/campaigns/1/offline-letters/${id}/delete`)).statusCode, 200)
  t.equal((await mine.call('GET', '/api/admin/campaigns/1/offline-letters')).statusCode, 200)
  await addUser(app, 'admin@example.org', 'admin')
  t.equal((await (await signIn(app, 'admin@example.org')).get('/admin/campaigns/1/offline-letters')).statusCode, 200)
  t.equal((await stranger.browser.get(`/admin/campaigns/${other.id}/offline-letters`)).statusCode, 200, 'their own campaign works')
  t.equal((await app.inject('/admin/campaigns/1/offline-letters')).statusCode, 303, 'anonymous: sign in first')
  t.equal((await app.inject({ method: 'GET', url: '/api/admin/campaigns/1/offline-letters' })).statusCode, 401)
})
