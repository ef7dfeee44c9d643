// Issue 15: the .ics files as RFC 5545 and RFC 5546 (iTIP) say: CRLF after every line, DTSTAMP the time
// the file was made, a cancellation mailed to one RSVP naming that RSVP as its attendee, and the public
// files (the feed, /pickets/:id.ics) never naming anyone. Parsed with ical.js.
import t from 'tap'
import ICAL from 'ical.js'
import { HOUR, picketApp, picketFields, rsvp } from './helpers.js'

type App = Awaited<ReturnType<typeof picketApp>>['app']

const schedule = (app: App, campaignId: number, extra: Record<string, unknown> = {}) =>
  app.pickets.schedule(campaignId, { ...picketFields, startsLocal: '2026-12-10T12:00', endsLocal: '2026-12-10T14:00', ...extra })

function parse(text: string) {
  const cal = new ICAL.Component(ICAL.parse(text))
  for (const tz of cal.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz)
  return { cal, events: cal.getAllSubcomponents('vevent') }
}

const stampOf = (event: ICAL.Component) => (event.getFirstPropertyValue('dtstamp') as ICAL.Time).toJSDate().toISOString()

/** Every line ends with CRLF, the last too; no bare CR or LF; no line longer than 75 octets (RFC 5545 3.1). */
function wellFormed(t: Pick<typeof import('tap').default, 'ok' | 'notMatch' | 'same'>, text: string, label: string) {
  t.ok(text.endsWith('END:VCALENDAR\r\n'), `${label}: the last line ends with CRLF`)
  t.notMatch(text, /\r(?!\n)|(?<!\r)\n/, `${label}: no bare CR or LF`)
  const long = text.split('\r\n').filter((line) => Buffer.byteLength(line, 'utf8') > 75)
  t.same(long, [], `${label}: lines folded at 75 octets`)
}

t.test('public files: CRLF lines, DTSTAMP when made (not when the picket was), PUBLISH even when cancelled, no attendees', async (t) => {
  const { app, clock, campaignId } = await picketApp(t, '2026-12-01T10:00:00Z', { confirmRsvps: false })
  const picket = schedule(app, campaignId)
  await rsvp(app, picket.id, 'ann@example.com', 'Ann Going')
  clock.advance(3 * HOUR)

  const one = await app.inject(`/pickets/${picket.id}.ics`)
  t.equal(one.statusCode, 200)
  wellFormed(t, one.body, 'picket')
  const { cal, events } = parse(one.body)
  t.equal(cal.getFirstPropertyValue('method'), 'PUBLISH')
  t.equal(stampOf(events[0]!), '2026-12-01T13:00:00.000Z', 'DTSTAMP: now, by the app clock')
  t.equal((events[0]!.getFirstPropertyValue('last-modified') as ICAL.Time).toJSDate().toISOString(), '2026-12-01T10:00:00.000Z', "LAST-MODIFIED: the picket's last change")
  t.equal(events[0]!.getAllProperties('attendee').length, 0)

  clock.advance(HOUR)
  const later = parse((await app.inject(`/pickets/${picket.id}.ics`)).body)
  t.equal(stampOf(later.events[0]!), '2026-12-01T14:00:00.000Z', 'made again later: a later DTSTAMP (the cached file is stamped anew)')

  const feed = await app.inject('/campaigns/zhanaozen/pickets.ics')
  wellFormed(t, feed.body, 'feed')
  const parsedFeed = parse(feed.body)
  t.ok(parsedFeed.events.length > 1)
  t.same([...new Set(parsedFeed.events.map(stampOf))], ['2026-12-01T14:00:00.000Z'], 'every event of the feed stamped now')

  app.pickets.cancel(picket.id)
  for (const url of [`/pickets/${picket.id}.ics`, '/campaigns/zhanaozen/pickets.ics']) {
    const res = await app.inject(url)
    wellFormed(t, res.body, url)
    const parsed = parse(res.body)
    t.equal(parsed.cal.getFirstPropertyValue('method'), 'PUBLISH', `${url}: public, so PUBLISH (iTIP wants attendees in a CANCEL)`)
    const event = parsed.events.find((e) => e.getFirstPropertyValue('uid') === `picket-${picket.id}@outcry.test`)!
    t.equal(event.getFirstPropertyValue('status'), 'CANCELLED')
    t.equal(event.getFirstPropertyValue('sequence'), 1)
    t.notMatch(res.body, /ATTENDEE|ann@example\.com/i, `${url}: nobody named`)
  }
})

t.test("mailed files: PUBLISH without attendees, and a cancellation naming its recipient alone, stamped when mailed", async (t) => {
  const { app, smtp, clock, campaignId } = await picketApp(t, '2026-12-01T10:00:00Z', { confirmRsvps: false })
  const picket = schedule(app, campaignId, { capacity: 1 })
  const long = 'Жанна "Жанка" Тулетаева-Ахметова; Profsoyuz ^ workers, with a long name to fold'
  await rsvp(app, picket.id, 'zhanna@example.com', long)
  t.equal((await rsvp(app, picket.id, 'wait@example.com', 'Wait Listed')).rsvp.status, 'waitlisted')
  await app.dispatcher.drain()
  const going = smtp.to('zhanna@example.com')[0]!.parsed.attachments.find((a) => a.filename === 'picket.ics')!
  const goingText = going.content.toString()
  wellFormed(t, goingText, 'going')
  const goingCal = parse(goingText)
  t.equal(goingCal.cal.getFirstPropertyValue('method'), 'PUBLISH')
  t.equal(goingCal.events[0]!.getAllProperties('attendee').length, 0, 'PUBLISH carries no attendee (RFC 5546 3.2.1)')
  t.equal(stampOf(goingCal.events[0]!), '2026-12-01T10:00:00.000Z')

  clock.advance(2 * HOUR)
  app.pickets.cancel(picket.id)
  await app.dispatcher.drain()
  for (const [to, name, other] of [
    ['zhanna@example.com', long, 'wait@example.com'],
    ['wait@example.com', 'Wait Listed', 'zhanna@example.com'],
  ] as const) {
    const mail = smtp.to(to).find((m) => m.parsed.subject?.startsWith('Cancelled'))!
    const file = mail.parsed.attachments.find((a) => a.filename === 'picket.ics')!
    t.match(file.contentType, 'text/calendar')
    const text = file.content.toString()
    wellFormed(t, text, `cancel to ${to}`)
    const { cal, events } = parse(text)
    t.equal(cal.getFirstPropertyValue('method'), 'CANCEL')
    t.equal(events[0]!.getFirstPropertyValue('status'), 'CANCELLED')
    t.equal(events[0]!.getFirstPropertyValue('sequence'), 1)
    t.equal(stampOf(events[0]!), '2026-12-01T12:00:00.000Z', 'DTSTAMP: when the cancellation was mailed')
    const attendees = events[0]!.getAllProperties('attendee')
    t.equal(attendees.length, 1, 'one attendee: the recipient')
    t.equal(String(attendees[0]!.getFirstValue()).toLowerCase(), `mailto:${to}`)
    t.equal(attendees[0]!.getParameter('cn'), name, 'the name back intact (quotes as RFC 6868 ^\')')
    t.equal(attendees[0]!.getParameter('role'), 'REQ-PARTICIPANT')
    t.ok(events[0]!.getFirstProperty('organizer'), 'with the organizer')
    t.notMatch(text, other, "nobody else's address")
  }
})
