import t from 'tap'
import { asc, eq } from 'drizzle-orm'
import { build, TestClock } from '../helper.js'
import { addUser, signIn } from '../admin/helper.js'
import { createApiToken } from '../../src/admin/api.js'
import { auditLog, campaigns, capturedMail, pickets, rsvps } from '../../src/db/schema/index.js'
import { parseReminderHours, formatReminderHours } from '../../src/pickets/admin-routes.js'
import { newYorkPicketForm } from './helpers.js'

type App = Awaited<ReturnType<typeof build>>

const form = newYorkPicketForm

const json = {
  title: 'Picket at the Kazakh embassy',
  venue: 'Embassy of the Republic of Kazakhstan',
  address: '125 Pall Mall',
  city: 'London',
  country: 'GB',
  startsLocal: '2026-12-16T12:00',
  endsLocal: '2026-12-16T14:00',
  timeZone: 'Europe/London',
  capacity: 2,
  notes: 'Banners',
  contact: 'Sam, +44 7700 900000',
  reminders: [1440, 120],
}

/** An app at 1 December 2026 with mail captured to the database (SMTP unset). */
async function setup(t: { teardown(fn: () => unknown): void }) {
  const clock = new TestClock(new Date('2026-12-01T10:00:00Z'))
  const app = await build(t, { clock: clock.now })
  // RSVPs count at once here; the ones waiting for confirmation are tested on their own below.
  app.db.update(campaigns).set({ confirmRsvps: false }).run()
  return { app, clock }
}

function api(app: App, token: string) {
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload: payload as object }) })
  return call
}

async function organizer(app: App, email: string, campaignIds: number[]) {
  const user = await addUser(app, email, 'organizer', campaignIds)
  return { user, browser: await signIn(app, email), call: api(app, createApiToken(app.db, user.id, 'test', app.clock()).token) }
}

function rsvp(app: App, picketId: number, email: string, name = `Supporter ${email.split('@')[0]}`, consent = false) {
  const result = app.pickets.rsvp(picketId, { name, email, consent })
  if (result.kind !== 'accepted') throw new Error(`RSVP refused: ${result.kind}`)
  // The stored RSVP's own id, as the back office knows it (the public answer's id is a random string).
  return { ...result, rsvp: { ...result.rsvp, id: result.rsvpId } }
}

const audits = (app: App, action: string) => app.db.select().from(auditLog).where(eq(auditLog.action, action)).all()
const mailSubjects = (app: App) => app.db.select().from(capturedMail).orderBy(asc(capturedMail.id)).all().map((m) => `${m.recipient}: ${m.subject}`)

t.test('reminders as hours', async (t) => {
  t.same(parseReminderHours('24, 2'), [1440, 120])
  t.same(parseReminderHours('1.5; 30m, 2d'), [90, 30, 2880])
  t.same(parseReminderHours(''), [])
  t.equal(parseReminderHours('tomorrow'), null)
  t.equal(formatReminderHours([1440, 120, 30, 90]), '24, 2, 30m, 1.5')
  t.same(parseReminderHours(formatReminderHours([1440, 120, 30, 90, 45])), [1440, 120, 30, 90, 45], 'round trip')
})

t.test('schedule on the screen: the local time in its zone is stored as the right instant', async (t) => {
  const { app } = await setup(t)
  const { browser } = await organizer(app, 'org@example.org', [1])

  const page = await browser.get('/admin/campaigns/1/pickets/new')
  t.equal(page.statusCode, 200)
  t.match(page.body, 'type="datetime-local"')
  t.match(page.body, '<select name="timeZone"')
  t.match(page.body, '<option value="America/New_York">')
  t.match(page.body, 'hours before the start', 'says reminders are hours')
  t.match(page.body, 'value="24, 2"', 'the default reminders')

  const res = await browser.post('/admin/campaigns/1/pickets/new', { ...form, capacity: '30', reminders: '24, 1.5' })
  t.equal(res.statusCode, 303, res.body)
  const id = Number(/^\/admin\/pickets\/(\d+)\?saved=scheduled$/.exec(res.headers.location as string)?.[1])
  t.ok(id, `redirected to the picket (${res.headers.location})`)
  const picket = app.db.select().from(pickets).where(eq(pickets.id, id)).get()!
  t.equal(picket.startsAt.toISOString(), '2026-12-16T17:00:00.000Z', 'noon in New York in December is 17:00 UTC')
  t.equal(picket.endsAt.toISOString(), '2026-12-16T19:00:00.000Z')
  t.equal(picket.capacity, 30)
  t.same(picket.reminders, [1440, 90], 'hours became minutes')
  t.equal(picket.bring, 'Banners, warm clothes')
  t.equal(picket.campaignId, 1)
  t.match(audits(app, 'picket.schedule'), [{ campaignId: 1, subject: `picket:${id}`, userEmail: 'org@example.org' }])

  const edit = await browser.get(res.headers.location as string)
  t.equal(edit.statusCode, 200)
  t.match(edit.body, 'The picket is scheduled')
  t.match(edit.body, 'value="2026-12-16T12:00"', 'edited in local time')
  t.match(edit.body, 'value="24, 1.5"')

  // Browsers may send seconds; an empty capacity means no limit.
  const second = await browser.post('/admin/campaigns/1/pickets/new', { ...form, startsLocal: '2026-12-17T09:30:00', endsLocal: '2026-12-17T10:30', timeZone: 'Asia/Kolkata', country: 'IN', city: 'New Delhi' })
  t.equal(second.statusCode, 303, second.body)
  const delhi = app.db.select().from(pickets).orderBy(asc(pickets.id)).all().at(-1)!
  t.equal(delhi.startsAt.toISOString(), '2026-12-17T04:00:00.000Z', 'IST is UTC+05:30')
  t.equal(delhi.capacity, null)

  const list = await browser.get('/admin/campaigns/1/pickets')
  t.equal(list.statusCode, 200)
  t.match(list.body, 'Wednesday 16 December 2026')
  t.match(list.body, '12:00–14:00')
  t.match(list.body, 'America/New_York, GMT-5')
  t.match(list.body, 'Asia/Kolkata')
  t.match(list.body, `/admin/pickets/${id}/check-in`)
})

t.test('the form refuses bad input by field, keeps the values, and saves nothing', async (t) => {
  const { app } = await setup(t)
  const { browser } = await organizer(app, 'org@example.org', [1])
  const before = await app.db.$count(pickets)
  const attempt = async (fields: Record<string, string>) => {
    const res = await browser.post('/admin/campaigns/1/pickets/new', { ...form, ...fields })
    t.equal(res.statusCode, 422, `422 for ${JSON.stringify(fields)}`)
    return res.body
  }
  const errorOf = (body: string, field: string) => new RegExp(`id="${field}-error" class="field-error">([^<]+)<`).exec(body)?.[1]

  const zone = await attempt({ timeZone: 'Mars/Olympus_Mons' })
  t.match(errorOf(zone, 'timeZone'), /IANA zone/)
  t.notMatch(zone, '<option value="Mars/Olympus_Mons"', 'a zone that is none is not offered in the list')
  t.match(zone, `value="${form.title}"`, 'the other values are kept')
  t.match(zone, 'aria-invalid="true" aria-describedby="timeZone-error timeZone-help"')

  t.match(errorOf(await attempt({ endsLocal: '2026-12-16T11:00' }), 'endsLocal'), /end after it starts/)
  // New York springs forward on Sunday 14 March 2027 at 02:00: 02:30 does not exist.
  t.match(errorOf(await attempt({ startsLocal: '2027-03-14T02:30', endsLocal: '2027-03-14T04:00' }), 'startsLocal'), /does not exist in America\/New_York/)
  t.match(errorOf(await attempt({ startsLocal: '2026-11-20T12:00', endsLocal: '2026-11-20T13:00' }), 'startsLocal'), /past/)
  t.match(errorOf(await attempt({ reminders: 'the day before' }), 'reminders'), /hours before the start/)
  t.match(errorOf(await attempt({ reminders: '1m' }), 'reminders'), /at least 5 minutes/)
  t.match(errorOf(await attempt({ capacity: 'lots' }), 'capacity'), /whole number/)
  const several = await attempt({ title: '', country: '' })
  t.ok(errorOf(several, 'title') && errorOf(several, 'country'), 'every bad field has its message')
  t.equal(await app.db.$count(pickets), before, 'nothing saved')
  t.equal(audits(app, 'picket.schedule').length, 0)
})

t.test('schedule through the API: 201 with the instant in UTC; 422 with issues by field', async (t) => {
  const { app } = await setup(t)
  const { call } = await organizer(app, 'org@example.org', [1])

  const res = await call('POST', '/api/admin/campaigns/1/pickets', json)
  t.equal(res.statusCode, 201, res.body)
  const body = res.json()
  t.match(body, { picket: { id: Number, startsAt: '2026-12-16T12:00:00.000Z', startsLocal: '2026-12-16T12:00', timeZone: 'Europe/London', capacity: 2, reminders: [1440, 120], status: 'scheduled' } })
  t.match(body.picket.startsAt, /Z$/)
  const summer = await call('POST', '/api/admin/campaigns/1/pickets', { ...json, startsLocal: '2027-07-01T12:00', endsLocal: '2027-07-01T14:00' })
  t.equal(summer.json().picket.startsAt, '2027-07-01T11:00:00.000Z', 'noon BST is 11:00 UTC')
  t.match(audits(app, 'picket.schedule'), [{ subject: `picket:${body.picket.id}` }, {}])

  const issues = async (payload: unknown) => {
    const r = await call('POST', '/api/admin/campaigns/1/pickets', payload)
    t.equal(r.statusCode, 422, r.body)
    return r.json().issues as { path: (string | number)[]; message: string }[]
  }
  t.match(await issues({ ...json, timeZone: 'Europe/Atlantis' }), [{ path: ['timeZone'], message: /IANA/ }])
  t.match(await issues({ ...json, endsLocal: '2026-12-16T11:59' }), [{ path: ['endsLocal'], message: /end after it starts/ }])
  // The UK clocks go forward on Sunday 28 March 2027 at 01:00.
  t.match(await issues({ ...json, startsLocal: '2027-03-28T01:30', endsLocal: '2027-03-28T03:00' }), [{ path: ['startsLocal'], message: /does not exist in Europe\/London/ }])
  t.match(await issues({ ...json, reminders: [1440, 1] }), [{ path: ['reminders', 1] }])
  t.match(await issues({ ...json, startLocal: '2026-12-16T12:00' }), [{ path: ['startLocal'], message: /Unknown field/ }])
  const missing = await issues({ title: 'Only a title' })
  t.ok(['venue', 'address', 'city', 'country', 'startsLocal', 'endsLocal', 'timeZone'].every((f) => missing.some((i) => i.path[0] === f)), 'each missing field named')
  t.equal((await call('POST', '/api/admin/campaigns/1/pickets', [json])).statusCode, 422, 'an array is not a picket')

  const list = await call('GET', '/api/admin/campaigns/1/pickets')
  t.equal(list.statusCode, 200)
  t.ok(list.json().pickets.some((p: { id: number }) => p.id === body.picket.id))
  t.equal(list.json().pickets.length, 6, 'the four demo pickets and two new ones')
})

t.test('a change mails the "changed" notice to everyone going; a change of capacity alone does not', async (t) => {
  const { app } = await setup(t)
  const { browser, call } = await organizer(app, 'org@example.org', [1])
  const { picket } = (await call('POST', '/api/admin/campaigns/1/pickets', json)).json()
  rsvp(app, picket.id, 'ann@example.com')
  rsvp(app, picket.id, 'bob@example.com')
  rsvp(app, picket.id, 'cem@example.com') // waiting: capacity 2
  await app.dispatcher.drain()
  app.db.delete(capturedMail).run()

  // On the screen: a new time.
  const res = await browser.post(`/admin/pickets/${picket.id}`, { ...form, title: json.title, venue: json.venue, address: json.address, city: 'London', country: 'GB', timeZone: 'Europe/London', capacity: '2', startsLocal: '2026-12-16T13:00', endsLocal: '2026-12-16T15:00' })
  t.equal(res.statusCode, 303, res.body)
  t.equal(res.headers.location, `/admin/pickets/${picket.id}?saved=changed&notified=2`)
  t.match((await browser.get(res.headers.location as string)).body, 'Saved. 2 people were told by email.')
  const moved = app.db.select().from(pickets).where(eq(pickets.id, picket.id)).get()!
  t.equal(moved.startsAt.toISOString(), '2026-12-16T13:00:00.000Z')
  t.equal(moved.sequence, 1)
  await app.dispatcher.drain()
  const changed = mailSubjects(app).filter((s) => s.includes('Changed:')).sort()
  t.equal(changed.length, 2, 'one notice for each person going')
  t.match(changed[0], /^ann@example.com: Changed: Picket at the Kazakh embassy — now .*13:00/)
  t.match(changed[1], /^bob@example.com: Changed/)
  t.notOk(mailSubjects(app).some((s) => s.startsWith('cem@')), 'not the waiting list')
  const [entry] = audits(app, 'picket.reschedule')
  t.match(entry, { campaignId: 1, subject: `picket:${picket.id}`, detail: { changes: { startsAt: { from: '2026-12-16T12:00:00.000Z', to: '2026-12-16T13:00:00.000Z' } }, notified: 2 } })

  // Through the API: partial, a new venue.
  app.db.delete(capturedMail).run()
  const patched = await call('PATCH', `/api/admin/pickets/${picket.id}`, { venue: 'Outside the consulate' })
  t.equal(patched.statusCode, 200, patched.body)
  t.match(patched.json(), { picket: { id: picket.id, venue: 'Outside the consulate', startsAt: '2026-12-16T13:00:00.000Z', capacity: 2 } })
  await app.dispatcher.drain()
  t.equal(mailSubjects(app).filter((s) => s.includes('Changed:')).length, 2)

  // More places: the waiting list moves up, but nobody is told of a change.
  app.db.delete(capturedMail).run()
  const bigger = await call('PATCH', `/api/admin/pickets/${picket.id}`, { capacity: 10 })
  t.match(bigger.json(), { picket: { capacity: 10, going: 3, waitlisted: 0 } })
  await app.dispatcher.drain()
  t.same(mailSubjects(app), ['cem@example.com: A place opened up: Picket at the Kazakh embassy'])
  t.equal(audits(app, 'picket.reschedule').length, 3)

  t.match((await call('PATCH', `/api/admin/pickets/${picket.id}`, { endsLocal: '2026-12-16T12:00' })).json(), { issues: [{ path: ['endsLocal'] }] })
  t.match((await call('PATCH', `/api/admin/pickets/${picket.id}`, { timeZone: 'Nowhere/Special' })).json(), { issues: [{ path: ['timeZone'] }] })
  const badForm = await browser.post(`/admin/pickets/${picket.id}`, { ...form, timeZone: 'Europe/London', startsLocal: '2027-03-28T01:15', endsLocal: '2027-03-28T03:00' })
  t.equal(badForm.statusCode, 422)
  t.match(badForm.body, /id="startsLocal-error" class="field-error">2027-03-28 01:15 does not exist in Europe\/London/)
  t.equal(audits(app, 'picket.reschedule').length, 3, 'refused changes are not audited')
})

t.test('cancel: a confirmation step, then everyone is told; the API answers with the cancelled picket', async (t) => {
  const { app } = await setup(t)
  const { browser, call } = await organizer(app, 'org@example.org', [1])
  const { picket } = (await call('POST', '/api/admin/campaigns/1/pickets', json)).json()
  rsvp(app, picket.id, 'ann@example.com')
  rsvp(app, picket.id, 'bob@example.com')
  rsvp(app, picket.id, 'cem@example.com')
  await app.dispatcher.drain()
  app.db.delete(capturedMail).run()

  const edit = await browser.get(`/admin/pickets/${picket.id}`)
  t.match(edit.body, `href="/admin/pickets/${picket.id}/cancel"`, 'the edit page links to the confirmation, it does not cancel')
  const confirm = await browser.get(`/admin/pickets/${picket.id}/cancel`)
  t.equal(confirm.statusCode, 200)
  t.match(confirm.body, 'Cancel this picket?')
  t.match(confirm.body, 'The 3 people going or on the waiting list will get an email')
  t.equal(app.db.select().from(pickets).where(eq(pickets.id, picket.id)).get()!.status, 'scheduled', 'looking does not cancel')

  const res = await browser.post(`/admin/pickets/${picket.id}/cancel`)
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, `/admin/pickets/${picket.id}?saved=cancelled&notified=3`)
  t.equal(app.db.select().from(pickets).where(eq(pickets.id, picket.id)).get()!.status, 'cancelled')
  await app.dispatcher.drain()
  t.equal(mailSubjects(app).filter((s) => s.includes('Cancelled:')).length, 3)
  t.equal(audits(app, 'picket.cancel').length, 1)
  const after = await browser.get(`/admin/pickets/${picket.id}`)
  t.match(after.body, 'cannot be changed any more')
  t.notMatch(after.body, 'Save changes')
  t.match((await browser.get(`/admin/pickets/${picket.id}/cancel`)).body, 'already cancelled')

  // A second cancel changes nothing; a change is refused.
  const again = await call('POST', `/api/admin/pickets/${picket.id}/cancel`)
  t.equal(again.statusCode, 200)
  t.match(again.json(), { picket: { id: picket.id, status: 'cancelled' } })
  t.equal(audits(app, 'picket.cancel').length, 1)
  t.equal((await call('PATCH', `/api/admin/pickets/${picket.id}`, { venue: 'Elsewhere' })).statusCode, 422)

  const other = (await call('POST', '/api/admin/campaigns/1/pickets', json)).json().picket
  const cancelled = await call('POST', `/api/admin/pickets/${other.id}/cancel`)
  t.equal(cancelled.statusCode, 200)
  t.match(cancelled.json(), { picket: { id: other.id, status: 'cancelled', cancelledAt: '2026-12-01T10:00:00.000Z' } })
  t.match(audits(app, 'picket.cancel').at(-1), { subject: `picket:${other.id}`, userEmail: 'org@example.org' })
})

t.test('the RSVP list: going, waiting and cancelled with counts, names, and emails of those who consented', async (t) => {
  const { app } = await setup(t)
  const { browser, call } = await organizer(app, 'org@example.org', [1])
  const { picket } = (await call('POST', '/api/admin/campaigns/1/pickets', { ...json, capacity: 1 })).json()
  rsvp(app, picket.id, 'ann@example.com', 'Ann Going', true)
  rsvp(app, picket.id, 'bob@example.com', 'Bob Waiting')
  const leaving = rsvp(app, picket.id, 'cem@example.com', 'Cem Leaving', true)
  rsvp(app, picket.id, 'dan@example.com', 'Dan Waiting')
  app.pickets.cancelRsvp(leaving.token)

  const page = await browser.get(`/admin/pickets/${picket.id}/rsvps`)
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Going (1)')
  t.match(page.body, 'Waiting list (2)')
  t.match(page.body, 'Cancelled (1)')
  t.match(page.body, 'ann@example.com')
  const going = page.body.slice(page.body.indexOf('id="going"'), page.body.indexOf('id="waitlisted"'))
  const waiting = page.body.slice(page.body.indexOf('id="waitlisted"'), page.body.indexOf('id="cancelled"'))
  const cancelled = page.body.slice(page.body.indexOf('id="cancelled"'))
  t.match(going, 'Ann Going')
  t.notMatch(going, 'Bob')
  t.ok(waiting.indexOf('Bob Waiting') > 0 && waiting.indexOf('Bob Waiting') < waiting.indexOf('Dan Waiting'), 'the waiting list in queue order')
  t.match(cancelled, 'Cem Leaving')
  t.match(cancelled, 'cem@example.com')
  t.notMatch(page.body, 'bob@example.com', 'no address of someone who did not consent')
  t.notMatch(page.body, 'dan@example.com')
  t.match(waiting, /Bob Waiting<\/td>\s*<td><small><em>not shared<\/em><\/small><\/td>/, 'said plainly instead')

  const res = await call('GET', `/api/admin/pickets/${picket.id}/rsvps`)
  t.equal(res.statusCode, 200)
  const list = res.json().rsvps
  t.same(list.map((r: { name: string; status: string }) => `${r.name}:${r.status}`), ['Ann Going:going', 'Bob Waiting:waitlisted', 'Dan Waiting:waitlisted', 'Cem Leaving:cancelled'])
  t.same(Object.keys(list[0]).sort(), ['checkedInAt', 'confirmed', 'createdAt', 'email', 'emailShared', 'id', 'name', 'status'])
  t.match(list[0], { email: 'ann@example.com', emailShared: true, confirmed: true, createdAt: '2026-12-01T10:00:00.000Z', checkedInAt: null })
  t.match(list[1], { name: 'Bob Waiting', email: null, emailShared: false })
  t.notMatch(res.body, 'bob@example.com')
  t.notMatch(res.body, 'dan@example.com')
  const waitingOnly = (await call('GET', `/api/admin/pickets/${picket.id}/rsvps?status=waitlisted`)).json().rsvps
  t.same(waitingOnly.map((r: { name: string }) => r.name), ['Bob Waiting', 'Dan Waiting'])
  const bad = await call('GET', `/api/admin/pickets/${picket.id}/rsvps?status=maybe`)
  t.equal(bad.statusCode, 422)
  t.match(bad.json(), { issues: [{ path: ['status'] }] })
})

t.test('check-in on the day: tick and untick from a phone, attendance counted, audited', async (t) => {
  const { app, clock } = await setup(t)
  const { call } = await organizer(app, 'org@example.org', [1])
  const { picket } = (await call('POST', '/api/admin/campaigns/1/pickets', { ...json, capacity: 2 })).json()
  const ann = rsvp(app, picket.id, 'ann@example.com', 'Ann Here')
  const bob = rsvp(app, picket.id, 'bob@example.com', 'Bob Late')
  const cem = rsvp(app, picket.id, 'cem@example.com', 'Cem Waiting')
  const dan = rsvp(app, picket.id, 'dan@example.com', 'Dan Gone')
  app.pickets.cancelRsvp(dan.token)
  clock.current = new Date('2026-12-16T12:05:00Z')
  const browser = await signIn(app, 'org@example.org') // on the day, on a phone

  const page = await browser.get(`/admin/pickets/${picket.id}/check-in`)
  t.equal(page.statusCode, 200)
  t.match(page.body, '<strong>0</strong> of <strong>2</strong> here')
  t.match(page.body, `action="/admin/pickets/${picket.id}/check-in/${ann.rsvp.id}"`)
  t.match(page.body, 'Ann Here')
  t.match(page.body, 'Cem Waiting', 'the waiting list is there too, folded')
  t.notMatch(page.body, 'Dan Gone', 'not those who cancelled')
  t.notMatch(page.body, /style=/, 'no inline styles (CSP)')

  const tick = await browser.post(`/admin/pickets/${picket.id}/check-in/${ann.rsvp.id}`, { checkedIn: '1' })
  t.equal(tick.statusCode, 303)
  t.equal(tick.headers.location, `/admin/pickets/${picket.id}/check-in#rsvp-${ann.rsvp.id}`)
  const checkedAt = () => app.db.select().from(rsvps).where(eq(rsvps.id, ann.rsvp.id)).get()!.checkedInAt
  t.equal(checkedAt()?.toISOString(), '2026-12-16T12:05:00.000Z')
  const after = await browser.get(`/admin/pickets/${picket.id}/check-in`)
  t.match(after.body, '<strong>1</strong> of <strong>2</strong> here')
  t.match(after.body, '✓ Ann Here')
  t.match(after.body, 'here since 12:05', 'local time at the venue (GMT)')

  // A double tap keeps the first time; nothing new in the audit log.
  clock.advance(60_000)
  await browser.post(`/admin/pickets/${picket.id}/check-in/${ann.rsvp.id}`, { checkedIn: '1' })
  t.equal(checkedAt()?.toISOString(), '2026-12-16T12:05:00.000Z')
  t.equal(audits(app, 'rsvp.check_in').length, 1)

  // Untick, and a bare toggle.
  await browser.post(`/admin/pickets/${picket.id}/check-in/${ann.rsvp.id}`, { checkedIn: '0' })
  t.equal(checkedAt(), null)
  await browser.post(`/admin/pickets/${picket.id}/check-in/${ann.rsvp.id}`)
  t.ok(checkedAt(), 'toggled on')
  await browser.post(`/admin/pickets/${picket.id}/check-in/${cem.rsvp.id}`, { checkedIn: '1', q: 'cem' })
  t.match(audits(app, 'rsvp.check_in'), [{ detail: { checkedIn: true } }, { detail: { checkedIn: false } }, { detail: { checkedIn: true } }, { subject: `rsvp:${cem.rsvp.id}`, detail: { picketId: picket.id, checkedIn: true } }])

  // Someone else's RSVP, a cancelled one, or one of another picket: not found.
  t.equal((await browser.post(`/admin/pickets/${picket.id}/check-in/${dan.rsvp.id}`, { checkedIn: '1' })).statusCode, 404)
  const other = (await call('POST', '/api/admin/campaigns/1/pickets', { ...json, startsLocal: '2026-12-20T12:00', endsLocal: '2026-12-20T13:00' })).json().picket
  t.equal((await browser.post(`/admin/pickets/${other.id}/check-in/${bob.rsvp.id}`, { checkedIn: '1' })).statusCode, 404)
  t.equal((await browser.post(`/admin/pickets/${picket.id}/check-in/999999`, { checkedIn: '1' })).statusCode, 404)

  // The search keeps a long list usable on a phone.
  const found = await browser.get(`/admin/pickets/${picket.id}/check-in?q=bob`)
  t.match(found.body, 'Bob Late')
  t.notMatch(found.body, 'Ann Here')

  const rsvpsPage = await browser.get(`/admin/pickets/${picket.id}/rsvps`)
  t.match(rsvpsPage.body, '<strong>2</strong> checked in')
  const listed = (await call('GET', `/api/admin/pickets/${picket.id}/rsvps`)).json().rsvps
  t.match(listed.find((r: { id: number }) => r.id === ann.rsvp.id), { checkedInAt: '2026-12-16T12:06:00.000Z' })
  t.match((await call('GET', '/api/admin/campaigns/1/pickets')).json().pickets.find((p: { id: number }) => p.id === picket.id), { checkedIn: 2 })

  // The API can tick too.
  const viaApi = await call('POST', `/api/admin/pickets/${picket.id}/rsvps/${bob.rsvp.id}/check-in`, { checkedIn: true })
  t.equal(viaApi.statusCode, 200, viaApi.body)
  t.match(viaApi.json(), { rsvp: { id: bob.rsvp.id, checkedInAt: '2026-12-16T12:06:00.000Z' } })
  t.equal((await call('POST', `/api/admin/pickets/${picket.id}/rsvps/${bob.rsvp.id}/check-in`, { checkedIn: 'yes' })).statusCode, 422)

  // The picket list shows attendance once it is over.
  clock.current = new Date('2026-12-16T20:00:00Z')
  const list = await browser.get('/admin/campaigns/1/pickets')
  const past = list.body.slice(list.body.indexOf('<h2>Past</h2>'))
  t.match(past, json.title)
  t.match(past, /<td>2<\/td>\s*<td>3<\/td>/, 'going 2, attended 3 (one came from the waiting list)')
})

t.test('an organizer of another campaign gets 404 on every picket screen and API call', async (t) => {
  const { app } = await setup(t)
  const now = app.clock()
  const other = app.db.insert(campaigns).values({ slug: 'other', title: 'Other campaign', goal: 10, languages: ['en'], createdAt: now, updatedAt: now }).returning().get()
  const mine = await organizer(app, 'mine@example.org', [1])
  const stranger = await organizer(app, 'stranger@example.org', [other.id])
  await addUser(app, 'admin@example.org', 'admin')
  const adminBrowser = await signIn(app, 'admin@example.org')

  const { picket } = (await mine.call('POST', '/api/admin/campaigns/1/pickets', json)).json()
  const going = rsvp(app, picket.id, 'ann@example.com')

  const screens: [string, string, Record<string, string>?][] = [
    ['GET', '/admin/campaigns/1/pickets'],
    ['GET', '/admin/campaigns/1/pickets/new'],
    ['POST', '/admin/campaigns/1/pickets/new', form],
    ['GET', `/admin/pickets/${picket.id}`],
    ['POST', `/admin/pickets/${picket.id}`, { ...form, timeZone: 'Europe/London', country: 'GB', startsLocal: '2026-12-18T12:00', endsLocal: '2026-12-18T13:00' }],
    ['GET', `/admin/pickets/${picket.id}/rsvps`],
    ['GET', `/admin/pickets/${picket.id}/check-in`],
    ['POST', `/admin/pickets/${picket.id}/check-in/${going.rsvp.id}`, { checkedIn: '1' }],
    ['GET', `/admin/pickets/${picket.id}/cancel`],
    ['POST', `/admin/pickets/${picket.id}/cancel`],
  ]
  for (const [method, url, fields] of screens) {
    const res = method === 'GET' ? await stranger.browser.get(url) : await stranger.browser.post(url, fields)
    t.equal(res.statusCode, 404, `stranger: ${method} ${url}`)
  }
  const apiCalls: [('GET' | 'POST' | 'PATCH'), string, unknown?][] = [
    ['GET', '/api/admin/campaigns/1/pickets'],
    ['POST', '/api/admin/campaigns/1/pickets', json],
    ['GET', `/api/admin/pickets/${picket.id}`],
    ['PATCH', `/api/admin/pickets/${picket.id}`, { venue: 'Hijacked' }],
    ['GET', `/api/admin/pickets/${picket.id}/rsvps`],
    ['POST', `/api/admin/pickets/${picket.id}/rsvps/${going.rsvp.id}/check-in`, { checkedIn: true }],
    ['POST', `/api/admin/pickets/${picket.id}/cancel`],
  ]
  for (const [method, url, payload] of apiCalls) {
    const res = await stranger.call(method, url, payload)
    t.equal(res.statusCode, 404, `stranger: ${method} ${url}`)
    t.equal(res.headers['content-type']?.toString().split(';')[0], 'application/json')
  }
  const untouched = app.db.select().from(pickets).where(eq(pickets.id, picket.id)).get()!
  t.equal(untouched.status, 'scheduled')
  t.equal(untouched.venue, json.venue)
  t.equal(app.db.select().from(rsvps).where(eq(rsvps.id, going.rsvp.id)).get()!.checkedInAt, null)
  t.equal(await app.db.$count(pickets, eq(pickets.campaignId, 1)), 5, 'nothing scheduled by the stranger')

  // The same requests work for the campaign's own organizer and for an admin (so the 404s above mean something).
  for (const [method, url] of screens) {
    if (method !== 'GET') continue
    t.equal((await mine.browser.get(url)).statusCode, 200, `organizer: GET ${url}`)
    t.equal((await adminBrowser.get(url)).statusCode, 200, `admin: GET ${url}`)
  }
  for (const [method, url] of apiCalls.filter(([m]) => m === 'GET')) {
    t.equal((await mine.call(method, url)).statusCode, 200, `organizer: ${method} ${url}`)
  }
  t.equal((await stranger.call('GET', `/api/admin/campaigns/${other.id}/pickets`)).statusCode, 200, 'the stranger runs their own campaign')

  // Anonymous: the screens ask to sign in, the API wants a token.
  const anon = await app.inject(`/admin/pickets/${picket.id}/rsvps`)
  t.equal(anon.statusCode, 303)
  t.match(anon.headers.location, /^\/admin\/login/)
  t.equal((await app.inject(`/api/admin/pickets/${picket.id}/rsvps`)).statusCode, 401)
})

t.test('the API is described in the OpenAPI document', async (t) => {
  const { app } = await setup(t)
  const doc = (await app.inject('/api/docs/json')).json()
  for (const path of ['/api/admin/campaigns/{id}/pickets', '/api/admin/pickets/{id}', '/api/admin/pickets/{id}/cancel', '/api/admin/pickets/{id}/rsvps']) t.ok(doc.paths[path], path)
  t.ok(doc.paths['/api/admin/campaigns/{id}/pickets'].post.requestBody.content['application/json'].schema.properties.startsLocal, 'the body is described')
})

t.test("addresses of people who did not consent are hidden everywhere in the back office, from admins too", async (t) => {
  const { app, clock } = await setup(t)
  const { call } = await organizer(app, 'org@example.org', [1])
  const admin = await addUser(app, 'admin@example.org', 'admin')
  const adminCall = api(app, createApiToken(app.db, admin.id, 'test', app.clock()).token)
  const { picket } = (await call('POST', '/api/admin/campaigns/1/pickets', json)).json()
  rsvp(app, picket.id, 'shared@example.com', 'Ann Shares', true)
  const quiet = rsvp(app, picket.id, 'quiet@example.com', 'Bob Quiet')
  clock.current = new Date('2026-12-16T12:05:00Z') // on the day
  const browser = await signIn(app, 'org@example.org')
  const adminBrowser = await signIn(app, 'admin@example.org')

  for (const who of [browser, adminBrowser]) {
    const page = await who.get(`/admin/pickets/${picket.id}/rsvps`)
    t.match(page.body, 'shared@example.com')
    t.notMatch(page.body, 'quiet@example.com')
    t.match(page.body, 'not shared')
    const checkIn = await who.get(`/admin/pickets/${picket.id}/check-in`)
    t.match(checkIn.body, 'Bob Quiet')
    t.notMatch(checkIn.body, 'quiet@example.com')
    // The search finds an address only where it is shown: it cannot tell whether an address RSVPed.
    const byHiddenAddress = await who.get(`/admin/pickets/${picket.id}/check-in?q=quiet%40example.com`)
    t.notMatch(byHiddenAddress.body, 'Bob Quiet', 'no match on a hidden address')
    t.match(byHiddenAddress.body, 'Nobody going matches')
    t.match((await who.get(`/admin/pickets/${picket.id}/check-in?q=shared%40example.com`)).body, 'Ann Shares', 'a shared address is found')
    t.match((await who.get(`/admin/pickets/${picket.id}/check-in?q=bob`)).body, 'Bob Quiet', 'names are found')
  }
  for (const c of [call, adminCall]) {
    const listed = await c('GET', `/api/admin/pickets/${picket.id}/rsvps`)
    t.notMatch(listed.body, 'quiet@example.com')
    t.match(listed.json().rsvps, [{ email: 'shared@example.com', emailShared: true }, { email: null, emailShared: false }])
    const ticked = await c('POST', `/api/admin/pickets/${picket.id}/rsvps/${quiet.rsvp.id}/check-in`, { checkedIn: true })
    t.equal(ticked.statusCode, 200)
    t.notMatch(ticked.body, 'quiet@example.com', 'not in the check-in answer either')
    for (const url of [`/api/admin/pickets/${picket.id}/exports/rsvps.csv`]) t.notMatch((await c('GET', url)).body, 'quiet@example.com', url)
  }
  t.notMatch((await browser.get(`/admin/pickets/${picket.id}/exports/rsvps.csv`)).body, 'quiet@example.com')
})

t.test('RSVPs not confirmed yet are shown as such, count as nobody going, and cannot be checked in', async (t) => {
  const { app, clock } = await setup(t)
  const { call } = await organizer(app, 'org@example.org', [1])
  const { picket } = (await call('POST', '/api/admin/campaigns/1/pickets', { ...json, capacity: 1 })).json()
  rsvp(app, picket.id, 'ann@example.com', 'Ann Going')
  const pending = app.db
    .insert(rsvps)
    .values({ picketId: picket.id, token: 'pending-token', name: 'Pat Unconfirmed', email: 'pat@example.com', emailNormalized: 'pat@example.com', consent: true, status: 'pending_confirmation', createdAt: app.clock() })
    .returning()
    .get()
  clock.current = new Date('2026-12-16T12:05:00Z') // on the day
  const browser = await signIn(app, 'org@example.org')

  const page = await browser.get(`/admin/pickets/${picket.id}/rsvps`)
  t.match(page.body, 'Going (1)')
  t.match(page.body, '<strong>1</strong> not confirmed yet')
  const going = page.body.slice(page.body.indexOf('id="going"'), page.body.indexOf('id="waitlisted"'))
  t.notMatch(going, 'Pat Unconfirmed', 'not among those going')
  const unconfirmed = page.body.slice(page.body.indexOf('id="unconfirmed"'), page.body.indexOf('id="cancelled"'))
  t.match(unconfirmed, 'Pat Unconfirmed')
  t.match(unconfirmed, '<mark>unconfirmed</mark>')
  t.match((await browser.get(`/admin/pickets/${picket.id}`)).body, '1 not confirmed yet')

  const listed = (await call('GET', `/api/admin/pickets/${picket.id}/rsvps`)).json().rsvps
  t.match(listed.find((r: { id: number }) => r.id === pending.id), { status: 'pending_confirmation', confirmed: false })
  t.match((await call('GET', `/api/admin/pickets/${picket.id}`)).json().picket, { going: 1 })

  const checkIn = await browser.get(`/admin/pickets/${picket.id}/check-in`)
  t.notMatch(checkIn.body, 'Pat Unconfirmed', 'not on the check-in list')
  t.match(checkIn.body, 'of <strong>1</strong> here')
  const tick = await browser.post(`/admin/pickets/${picket.id}/check-in/${pending.id}`, { checkedIn: '1' })
  t.equal(tick.statusCode, 409)
  t.match(tick.body, 'not confirmed yet')
  const viaApi = await call('POST', `/api/admin/pickets/${picket.id}/rsvps/${pending.id}/check-in`, { checkedIn: true })
  t.equal(viaApi.statusCode, 409)
  t.match(viaApi.json(), { error: /not confirmed yet/ })
  t.equal(app.db.select().from(rsvps).where(eq(rsvps.id, pending.id)).get()!.checkedInAt, null)
  t.equal(audits(app, 'rsvp.check_in').length, 0)
})

t.test('every read of an RSVP list is audited, with who and which picket', async (t) => {
  const { app } = await setup(t)
  const { browser, call } = await organizer(app, 'org@example.org', [1])
  const { picket } = (await call('POST', '/api/admin/campaigns/1/pickets', json)).json()
  rsvp(app, picket.id, 'ann@example.com', 'Ann Going')
  t.equal(audits(app, 'rsvps.read').length, 0)

  t.equal((await browser.get(`/admin/pickets/${picket.id}/rsvps`)).statusCode, 200)
  t.equal((await call('GET', `/api/admin/pickets/${picket.id}/rsvps?status=going`)).statusCode, 200)
  t.equal((await browser.get(`/admin/pickets/${picket.id}/check-in?q=ann%40example.com`)).statusCode, 200)
  t.equal((await browser.get(`/admin/pickets/${picket.id}/exports/rsvps.csv`)).statusCode, 200)
  t.equal((await call('GET', `/api/admin/pickets/${picket.id}/exports/rsvps.csv`)).statusCode, 200)

  const reads = audits(app, 'rsvps.read')
  t.match(reads, [
    { userEmail: 'org@example.org', campaignId: 1, subject: `picket:${picket.id}`, detail: { via: 'admin', rows: 1 } },
    { userEmail: 'org@example.org', campaignId: 1, subject: `picket:${picket.id}`, detail: { via: 'api', rows: 1, status: 'going' } },
    { userEmail: 'org@example.org', campaignId: 1, subject: `picket:${picket.id}`, detail: { via: 'check-in', rows: 1, search: true } },
  ])
  t.notMatch(JSON.stringify(reads), 'ann@example.com', 'the search text is not recorded')
  t.match(audits(app, 'export.rsvps'), [{ userEmail: 'org@example.org', subject: `picket:${picket.id}`, detail: { via: 'admin' } }, { subject: `picket:${picket.id}`, detail: { via: 'api' } }])
})
