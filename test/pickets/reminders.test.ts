import t from 'tap'
import { DateTime } from 'luxon'
import { build, tempDir, TestClock } from '../helper.js'
import { TestSmtp } from '../smtp.js'
import { confirm, jsonRsvp, picketApp, picketFields, rsvp, subjects, tokenOf, HOUR, MINUTE } from './helpers.js'

t.test('local times are stored as the right instant on both sides of a DST change, and in a half-hour zone', async (t) => {
  const { app, campaignId } = await picketApp(t, '2027-03-01T00:00:00Z')
  // The UK clocks go forward on Sunday 28 March 2027 at 01:00 UTC.
  const before = app.pickets.schedule(campaignId, { ...picketFields, startsLocal: '2027-03-27T12:00', endsLocal: '2027-03-27T14:00' })
  const after = app.pickets.schedule(campaignId, { ...picketFields, startsLocal: '2027-03-29T12:00', endsLocal: '2027-03-29T14:00' })
  t.equal(before.startsAt.toISOString(), '2027-03-27T12:00:00.000Z', 'GMT: noon is 12:00 UTC')
  t.equal(after.startsAt.toISOString(), '2027-03-29T11:00:00.000Z', 'BST: noon is 11:00 UTC')
  const delhi = app.pickets.schedule(campaignId, { ...picketFields, city: 'New Delhi', country: 'IN', timeZone: 'Asia/Kolkata', startsLocal: '2027-03-29T12:00', endsLocal: '2027-03-29T13:30' })
  t.equal(delhi.startsAt.toISOString(), '2027-03-29T06:30:00.000Z', 'IST is UTC+05:30')

  const page = await app.inject(`/pickets/${after.id}`)
  t.match(page.body, 'Monday 29 March 2027, 12:00–14:00')
  t.match(page.body, 'Europe/London, BST')
  t.match((await app.inject(`/pickets/${before.id}`)).body, 'Europe/London, GMT')
  t.match((await app.inject(`/pickets/${delhi.id}`)).body, '12:00–13:30')

  const api = (await app.inject(`/api/pickets/${after.id}`)).json()
  t.match(api, { startsAt: '2027-03-29T11:00:00.000Z', endsAt: '2027-03-29T13:00:00.000Z', timeZone: 'Europe/London', status: 'scheduled', going: 0, waitlisted: 0 })
})

t.test('a local time the clocks skip, a bad zone and an end before the start are refused by field', async (t) => {
  const { app, campaignId } = await picketApp(t, '2027-03-01T00:00:00Z')
  const attempt = (fields: Record<string, unknown>) => {
    try {
      app.pickets.schedule(campaignId, { ...picketFields, startsLocal: '2027-03-29T12:00', endsLocal: '2027-03-29T14:00', ...fields })
      return []
    } catch (err) {
      return (err as { issues: { path: string[]; message: string }[] }).issues
    }
  }
  t.match(attempt({ startsLocal: '2027-03-28T01:30' }), [{ path: ['startsLocal'], message: /does not exist in Europe\/London/ }])
  t.match(attempt({ timeZone: 'Mars/Olympus' }), [{ path: ['timeZone'] }])
  t.match(attempt({ endsLocal: '2027-03-29T11:00' }), [{ path: ['endsLocal'], message: /end after it starts/ }])
  t.match(attempt({ startsLocal: '2027-02-01T12:00', endsLocal: '2027-02-01T13:00' }), [{ path: ['startsLocal'], message: /past/ }])
  t.match(attempt({ startsLocal: '16/12/2026 12:00' }), [{ path: ['startsLocal'] }])
  t.match(attempt({ reminders: [2] }), [{ path: ['reminders', 0] }])
  t.equal(await app.db.$count((await import('../../src/db/schema/index.js')).pickets), 4, 'only the demo pickets')
})

t.test('reminders go out at the right instants across a DST change, once each, never after the start', async (t) => {
  const { app, smtp, clock, campaignId } = await picketApp(t, '2027-03-20T09:00:00Z', { confirmRsvps: false })
  const picket = app.pickets.schedule(campaignId, { ...picketFields, startsLocal: '2027-03-29T12:00', endsLocal: '2027-03-29T14:00' })
  const start = picket.startsAt.getTime() // 11:00 UTC, BST
  await rsvp(app, picket.id, 'ann@example.com')
  await app.dispatcher.drain()
  t.same(subjects(smtp), [`You're going: ${picket.title}`])

  clock.current = new Date(start - 24 * HOUR - MINUTE)
  await app.dispatcher.drain()
  t.equal(smtp.received.length, 1, 'not a minute early')

  clock.current = new Date(start - 24 * HOUR)
  t.equal(clock.current.toISOString(), '2027-03-28T11:00:00.000Z', '24 h before is Sunday 12:00 BST, the day the clocks changed')
  await app.dispatcher.drain()
  t.same(subjects(smtp).slice(1), [`Reminder: ${picket.title} starts in 24 hours`])
  const reminder = smtp.received[1]!.parsed
  t.match(reminder.text, 'Monday 29 March 2027, 12:00–14:00')
  t.match(reminder.text, 'Europe/London, BST')
  t.match(reminder.text, '125 Pall Mall')
  t.match(reminder.text, 'Banners and warm clothes')
  t.match(reminder.text, 'Sam, +44 7700 900000')
  t.match(reminder.text, /http:\/\/outcry\.test\/rsvps\/[\w-]{43}\n/, 'cancel link')
  const header = (name: string) => reminder.headerLines.find((h) => h.key === name)?.line.replace(/\r?\n\s+/g, ' ')
  t.match(header('list-unsubscribe'), /^List-Unsubscribe: <http:\/\/outcry\.test\/rsvps\/[\w-]{43}\/stop-reminders>$/)
  t.equal(header('list-unsubscribe-post'), 'List-Unsubscribe-Post: List-Unsubscribe=One-Click')
  t.equal(reminder.attachments[0]?.contentType, 'text/calendar')
  t.match(reminder.attachments[0]?.content.toString(), 'DTSTART;TZID=Europe/London:20270329T120000')

  clock.advance(HOUR)
  await app.dispatcher.drain()
  t.equal(smtp.received.length, 2, 'not twice')

  clock.current = new Date(start - 2 * HOUR)
  await app.dispatcher.drain()
  t.same(subjects(smtp).slice(2), [`Reminder: ${picket.title} starts in 2 hours`])

  clock.current = new Date(start + MINUTE)
  await app.dispatcher.drain()
  clock.advance(HOUR)
  await app.dispatcher.drain()
  t.equal(smtp.received.length, 3, 'nothing after the start')
})

t.test('an RSVP made (or confirmed) after a reminder time skips that reminder', async (t) => {
  const { app, smtp, clock, campaignId } = await picketApp(t)
  const picket = app.pickets.schedule(campaignId, { ...picketFields, startsLocal: '2026-12-10T12:00', endsLocal: '2026-12-10T14:00' })
  const start = picket.startsAt.getTime()
  t.equal((await jsonRsvp(app, picket.id, { name: 'Early', email: 'early@example.com' })).statusCode, 201, 'asked days before, confirmed late')
  clock.current = new Date(start - 3 * HOUR)
  await rsvp(app, picket.id, 'late@example.com')
  t.equal((await confirm(app, tokenOf(app, picket.id, 'early@example.com'))).statusCode, 303)
  await app.dispatcher.drain()
  for (const to of ['late@example.com', 'early@example.com']) {
    t.same(subjects(smtp, to), [`Confirm your place: ${picket.title}`, `You're going: ${picket.title}`], 'no "24 hours" three hours before')
  }
  clock.current = new Date(start - 2 * HOUR)
  await app.dispatcher.drain()
  for (const to of ['late@example.com', 'early@example.com']) t.same(subjects(smtp, to).slice(2), [`Reminder: ${picket.title} starts in 2 hours`])
})

t.test('after downtime the latest due reminder goes out late, once; a restart loses nothing', async (t) => {
  const smtp = new TestSmtp()
  await smtp.start()
  t.teardown(() => smtp.stop())
  const dir = tempDir(t)
  const clock = new TestClock(new Date('2026-12-01T10:00:00Z'))
  const first = await build(t, { dir, env: { SMTP_URL: smtp.url }, clock: clock.now })
  const campaignId = (await first.db.query.campaigns.findFirst())!.id
  const picket = first.pickets.schedule(campaignId, { ...picketFields, startsLocal: '2026-12-10T12:00', endsLocal: '2026-12-10T14:00' })
  for (const email of ['a@example.com', 'b@example.com']) await rsvp(first, picket.id, email)
  await first.dispatcher.drain()
  await first.close()

  // Down through the 24-hour and the 2-hour marks; back one hour before the start.
  clock.current = new Date(picket.startsAt.getTime() - HOUR)
  const second = await build(t, { dir, seed: false, env: { SMTP_URL: smtp.url }, clock: clock.now })
  await second.dispatcher.drain()
  const reminders = subjects(smtp).filter((s) => s.startsWith('Reminder'))
  t.same(reminders, [`Reminder: ${picket.title} starts in 2 hours`, `Reminder: ${picket.title} starts in 2 hours`], 'one late reminder each, the latest')
  await second.dispatcher.drain()
  t.equal(subjects(smtp).filter((s) => s.startsWith('Reminder')).length, 2)
})

t.test('a reminder held up by a mail outage is dropped once the picket has started', async (t) => {
  const { app, smtp, clock, campaignId } = await picketApp(t, undefined, { confirmRsvps: false })
  const picket = app.pickets.schedule(campaignId, { ...picketFields, startsLocal: '2026-12-10T12:00', endsLocal: '2026-12-10T14:00' })
  await rsvp(app, picket.id, 'a@example.com')
  await app.dispatcher.drain()
  smtp.refuse = { code: 451, message: 'down' }
  clock.current = new Date(picket.startsAt.getTime() - 2 * HOUR)
  await app.dispatcher.drain()
  smtp.refuse = false
  clock.current = new Date(picket.startsAt.getTime() + MINUTE)
  await app.dispatcher.drain()
  t.same(subjects(smtp), [`You're going: ${picket.title}`])
  t.equal(app.db.$client.prepare(`select status from outbox where kind = 'picket_reminder'`).get()?.valueOf() && (app.db.$client.prepare(`select status from outbox where kind = 'picket_reminder'`).get() as { status: string }).status, 'expired')
})

t.test('cancelled RSVPs, stopped reminders and cancelled pickets get no reminders', async (t) => {
  const { app, smtp, clock, campaignId } = await picketApp(t, undefined, { confirmRsvps: false })
  const picket = app.pickets.schedule(campaignId, { ...picketFields, startsLocal: '2026-12-10T12:00', endsLocal: '2026-12-10T14:00' })
  const cancelled = await rsvp(app, picket.id, 'cancel@example.com')
  const stopped = await rsvp(app, picket.id, 'stop@example.com')
  await rsvp(app, picket.id, 'stays@example.com')
  app.pickets.cancelRsvp(cancelled.token)
  // One-click unsubscribe (RFC 8058): a POST without our CSRF token.
  const oneClick = await app.inject({ method: 'POST', url: `/rsvps/${stopped.token}/stop-reminders`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' })
  t.equal(oneClick.statusCode, 200)
  await app.dispatcher.drain()
  clock.current = new Date(picket.startsAt.getTime() - 24 * HOUR)
  await app.dispatcher.drain()
  t.same(smtp.received.filter((m) => m.parsed.subject?.startsWith('Reminder')).map((m) => m.envelopeTo[0]), ['stays@example.com'])

  app.pickets.cancel(picket.id)
  await app.dispatcher.drain()
  clock.current = new Date(picket.startsAt.getTime() - 2 * HOUR)
  await app.dispatcher.drain()
  t.equal(smtp.received.filter((m) => m.parsed.subject?.startsWith('Reminder')).length, 1, 'none after the picket is cancelled')
})

t.test('a reschedule recomputes reminders and tells everyone going', async (t) => {
  const { app, smtp, clock, campaignId } = await picketApp(t, undefined, { confirmRsvps: false })
  const picket = app.pickets.schedule(campaignId, { ...picketFields, startsLocal: '2026-12-10T12:00', endsLocal: '2026-12-10T14:00' })
  await rsvp(app, picket.id, 'a@example.com')
  await app.dispatcher.drain()
  clock.current = new Date(picket.startsAt.getTime() - 24 * HOUR)
  await app.dispatcher.drain()
  t.equal(smtp.received.length, 2, 'confirmation and the 24 h reminder')

  // Moved a week later: a "changed" notice, then reminders at the new instants.
  const moved = app.pickets.reschedule(picket.id, { startsLocal: '2026-12-17T15:00', endsLocal: '2026-12-17T17:00' })!
  t.equal(moved.sequence, 1)
  t.equal(moved.startsAt.toISOString(), '2026-12-17T15:00:00.000Z')
  await app.dispatcher.drain()
  const changed = smtp.received[2]!.parsed
  t.match(changed.subject, 'Changed: Picket at the Kazakh embassy — now Thursday 17 December 2026, 15:00–17:00')
  t.match(changed.attachments[0]?.content.toString(), 'SEQUENCE:1')
  t.match(changed.attachments[0]?.content.toString(), 'DTSTART;TZID=Europe/London:20261217T150000')

  clock.current = new Date(picket.startsAt.getTime() - 2 * HOUR)
  await app.dispatcher.drain()
  t.equal(smtp.received.length, 3, 'no reminder at the old time')
  clock.current = new Date(moved.startsAt.getTime() - 24 * HOUR)
  await app.dispatcher.drain()
  clock.current = new Date(moved.startsAt.getTime() - 2 * HOUR)
  await app.dispatcher.drain()
  t.same(subjects(smtp).slice(3), [`Reminder: ${picket.title} starts in 24 hours`, `Reminder: ${picket.title} starts in 2 hours`])
})

t.test('a reschedule withdraws a reminder still queued for the old time', async (t) => {
  const { app, smtp, clock, campaignId } = await picketApp(t, undefined, { confirmRsvps: false })
  const picket = app.pickets.schedule(campaignId, { ...picketFields, startsLocal: '2026-12-10T12:00', endsLocal: '2026-12-10T14:00' })
  await rsvp(app, picket.id, 'a@example.com')
  await app.dispatcher.drain()
  clock.current = new Date(picket.startsAt.getTime() - 24 * HOUR)
  app.dispatcher.produce() // queued, not yet sent
  app.pickets.reschedule(picket.id, { startsLocal: '2026-12-17T12:00', endsLocal: '2026-12-17T14:00' })
  await app.dispatcher.drain()
  t.same(subjects(smtp).slice(1), [`Changed: ${picket.title} — now Thursday 17 December 2026, 12:00–14:00 (Europe/London, GMT)`])
})

t.test('a cancellation mails everyone a METHOD:CANCEL calendar file', async (t) => {
  const { app, smtp, campaignId } = await picketApp(t, undefined, { confirmRsvps: false })
  const picket = app.pickets.schedule(campaignId, { ...picketFields, capacity: 1, startsLocal: '2026-12-10T12:00', endsLocal: '2026-12-10T14:00' })
  await rsvp(app, picket.id, 'going@example.com')
  t.equal((await rsvp(app, picket.id, 'wait@example.com')).rsvp.status, 'waitlisted')
  await app.dispatcher.drain()
  const cancelled = app.pickets.cancel(picket.id)!
  t.equal(cancelled.status, 'cancelled')
  t.equal(cancelled.sequence, 1)
  await app.dispatcher.drain()
  for (const to of ['going@example.com', 'wait@example.com']) {
    const mail = smtp.to(to).find((m) => m.parsed.subject?.startsWith('Cancelled'))
    t.ok(mail, `${to} told`)
    const ics = mail!.parsed.attachments[0]!.content.toString()
    t.match(ics, 'METHOD:CANCEL')
    t.match(ics, 'STATUS:CANCELLED')
    t.match(ics, `UID:picket-${picket.id}@outcry.test`)
  }
  const rsvpRes = await app.inject({ method: 'POST', url: `/api/pickets/${picket.id}/rsvps`, headers: { 'content-type': 'application/json' }, payload: { name: 'x', email: 'x@example.com' } })
  t.equal(rsvpRes.statusCode, 409)
  t.match(rsvpRes.json(), { error: 'This picket has been cancelled.' })
})

t.test('a picket under way can still have its details fixed, but not be moved into the past', async (t) => {
  const { app, clock, campaignId } = await picketApp(t, undefined, { confirmRsvps: false })
  const picket = app.pickets.schedule(campaignId, { ...picketFields, startsLocal: '2026-12-10T12:00', endsLocal: '2026-12-10T14:00' })
  clock.current = new Date(picket.startsAt.getTime() + 10 * MINUTE)
  const fixed = app.pickets.reschedule(picket.id, { contact: 'Sam, +44 7700 900001' })!
  t.equal(fixed.contact, 'Sam, +44 7700 900001')
  t.throws(() => app.pickets.reschedule(picket.id, { startsLocal: '2026-12-10T11:00' }), { message: 'The start is in the past' })
})
