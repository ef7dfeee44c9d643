// Issue 12: a letter's way to its official — paced mail, digests, a switch of mode — with a real
// in-process SMTP server and a clock moved by hand.
import t from 'tap'
import { DateTime } from 'luxon'
import { parse as parseCsv } from 'csv-parse/sync'
import { build, tableCount, tempDir, TestClock } from '../helper.js'
import { TestSmtp } from '../smtp.js'
import { inSendHours, lastDigestTime } from '../../src/letters/delivery.js'

type App = Awaited<ReturnType<typeof build>>
const HOUR = 3_600_000
const PRESIDENT = 'president@akorda.example.org'

async function smtp(t: { teardown(fn: () => unknown): void }) {
  const server = new TestSmtp()
  await server.start()
  t.teardown(() => server.stop())
  return server
}

/** Counted letters waiting for the President, as if written by `n` supporters (fast: straight rows). */
function waitingLetters(app: App, n: number, at: Date, targetId = 1) {
  const insert = app.db.$client.prepare(
    `insert into letters (public_id, campaign_id, target_id, language, supporter_name, supporter_email, email_normalized, country, city, note, subject, body, status, created_at, counted_at)
     values (?, 1, ?, 'ru', ?, ?, ?, ?, 'Алматы', ?, 'Свободу рабочим Жанаозена', ?, 'queued', ?, ?)`,
  )
  app.db.$client.transaction(() => {
    for (let i = 0; i < n; i++) {
      const email = `s${i}.${at.getTime()}@example.org`
      insert.run(`p${targetId}-${i}-${at.getTime()}`, targetId, `Сторонник ${i}`, email, email, i % 3 ? 'KZ' : 'GB', i % 4 ? null : `Личная записка ${i}: освободите их.`, `Уважаемый господин Президент!\n\nПисьмо ${i}. Қазақстан, әділдік.`, at.getTime(), at.getTime())
    }
  })()
}

t.test('sending hours and digest times are kept in the official\'s own zone', async (t) => {
  const president = { timeZone: null, country: 'KZ', sendHoursFrom: 8, sendHoursTo: 18 }
  // Almaty is UTC+5: 02:59 UTC is 07:59 there, 03:00 is 08:00.
  t.notOk(inSendHours(president, new Date('2026-12-01T02:59:00Z')))
  t.ok(inSendHours(president, new Date('2026-12-01T03:00:00Z')))
  t.ok(inSendHours(president, new Date('2026-12-01T12:59:00Z')))
  t.notOk(inSendHours(president, new Date('2026-12-01T13:00:00Z')))
  t.ok(inSendHours({ ...president, timeZone: 'Europe/London' }, new Date('2026-12-01T13:00:00Z')), 'a zone set by hand wins over the country')
  const daily = { timeZone: 'Europe/London', country: 'GB', digestEvery: 'day' as const, digestHour: 9 }
  t.equal(lastDigestTime(daily, new Date('2026-12-01T10:00:00Z')).toISOString(), '2026-12-01T09:00:00.000Z')
  t.equal(lastDigestTime(daily, new Date('2026-12-01T08:59:00Z')).toISOString(), '2026-11-30T09:00:00.000Z')
  // Summer time: 09:00 in London is 08:00 UTC.
  t.equal(lastDigestTime(daily, new Date('2026-07-01T12:00:00Z')).toISOString(), '2026-07-01T08:00:00.000Z')
  t.equal(lastDigestTime({ ...daily, digestEvery: 'week' }, new Date('2026-12-03T10:00:00Z')).toISOString(), '2026-11-30T09:00:00.000Z', 'weekly: Mondays')
})

t.test('1,000 letters to one official: 30 an hour, spread evenly, only in working hours, none twice across a restart', async (t) => {
  const server = await smtp(t)
  const dir = tempDir(t)
  const clock = new TestClock(new Date('2026-12-01T00:00:00Z'))
  const env = { SMTP_URL: server.url }
  let app = await build(t, { dir, env, clock: clock.now, pacedOfficials: true })
  waitingLetters(app, 1000, clock.now())

  const sentAt: number[] = []
  const seenIds = new Set<string>()
  let duplicates = 0
  let restarted = false
  // Step the clock by 30 s for as long as it takes, restarting the app halfway.
  for (let step = 0; step < 20_000 && sentAt.length < 1000; step++) {
    const before = server.received.length
    await app.dispatcher.drain()
    for (const mail of server.received.slice(before)) {
      if (!mail.envelopeTo.includes(PRESIDENT)) continue
      const id = mail.parsed.messageId ?? ''
      if (seenIds.has(id)) duplicates++
      seenIds.add(id)
      sentAt.push(clock.current.getTime())
    }
    if (!restarted && sentAt.length >= 500) {
      // A new process on the same database: the pace comes from the outbox, not from memory.
      await app.close()
      app = await build(t, { dir, env, clock: clock.now, pacedOfficials: true, seed: false })
      restarted = true
    }
    clock.advance(30_000)
  }

  t.equal(sentAt.length, 1000, 'every letter reached the official')
  t.equal(duplicates, 0, 'none twice')
  t.equal(tableCount(app, 'letters', "status = 'sent' and delivered_via = 'mail'"), 1000)
  let worstHour = 0
  for (let i = 0; i < sentAt.length; i++) {
    let j = i
    while (j < sentAt.length && sentAt[j]! - sentAt[i]! < HOUR) j++
    worstHour = Math.max(worstHour, j - i)
  }
  t.ok(worstHour <= 30, `at most 30 in any hour (worst: ${worstHour})`)
  const gaps = sentAt.slice(1).map((at, i) => at - sentAt[i]!)
  const shortest = Math.min(...gaps)
  t.ok(shortest >= 0.8 * 120_000 - 30_000, `spread evenly: no two closer than ~96 s (shortest gap ${shortest / 1000} s)`)
  const outside = sentAt.filter((at) => {
    const hour = DateTime.fromMillis(at, { zone: 'Asia/Almaty' }).hour
    return hour < 8 || hour >= 18
  })
  t.equal(outside.length, 0, 'nothing outside 08–18 in Almaty')
  const days = (sentAt.at(-1)! - sentAt[0]!) / (24 * HOUR)
  t.ok(days > 3 && days < 4.5, `1,000 letters at 30 an hour in 10-hour days take a little over 3 days (${days.toFixed(2)})`)
  t.comment(`first ${new Date(sentAt[0]!).toISOString()}, last ${new Date(sentAt.at(-1)!).toISOString()}, worst hour ${worstHour}, shortest gap ${shortest / 1000} s`)
})

t.test('a digest: one mail a day with the count, countries, notes, and every letter attached as CSV and PDF', async (t) => {
  const server = await smtp(t)
  // 10:00 in London, 1 December.
  const clock = new TestClock(new Date('2026-12-01T10:00:00Z'))
  const app = await build(t, { env: { SMTP_URL: server.url }, clock: clock.now, pacedOfficials: true })
  // An official who reads English (the demo's President reads Russian: test/mail/language.test.ts).
  app.db.$client.prepare(`update targets set delivery = 'digest', digest_every = 'day', digest_hour = 9, time_zone = 'Europe/London', language = 'en' where id = 1`).run()
  waitingLetters(app, 12, clock.now())

  await app.dispatcher.drain()
  t.equal(server.to(PRESIDENT).length, 0, 'nothing before the next digest time')
  clock.advance(22 * HOUR) // 08:00 on 2 December
  await app.dispatcher.drain()
  t.equal(server.to(PRESIDENT).length, 0, 'still not 09:00')
  clock.advance(HOUR + 60_000) // 09:01
  await app.dispatcher.drain()
  const digests = server.to(PRESIDENT)
  t.equal(digests.length, 1, 'one digest')
  const mail = digests[0]!.parsed
  t.match(mail.subject, /^12 letters to you: /)
  t.match(mail.text, '12 people have written to you')
  t.match(mail.text, /Kazakhstan: 8/)
  t.match(mail.text, /United Kingdom: 4/)
  t.match(mail.text, 'Личная записка 0', 'a supporter\'s own words')
  t.equal(mail.headers.get('auto-submitted'), 'auto-generated')
  const csv = mail.attachments.find((a) => a.filename?.endsWith('.csv'))!
  const pdf = mail.attachments.find((a) => a.contentType === 'application/pdf')!
  t.ok(csv && pdf, 'a table and a printable file')
  const rows = parseCsv(csv.content.toString('utf8').replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[]
  t.equal(rows.length, 12, 'every letter in the table')
  t.match(rows[0]!.body, 'Қазақстан, әділдік', 'Cyrillic and Kazakh intact')
  t.equal(pdf.content.subarray(0, 5).toString(), '%PDF-')
  t.equal(tableCount(app, 'letters', "status = 'sent' and delivered_via = 'digest'"), 12, 'letters are delivered with their digest')

  // Nothing new: no digest the next day. Something new: the day after.
  clock.advance(24 * HOUR)
  await app.dispatcher.drain()
  t.equal(server.to(PRESIDENT).length, 1, 'a digest with nothing new is not sent')
  waitingLetters(app, 2, clock.now())
  clock.advance(24 * HOUR)
  await app.dispatcher.drain()
  t.equal(server.to(PRESIDENT).length, 2)
  t.match(server.to(PRESIDENT)[1]!.parsed.subject, /^2 letters to you/)
})

t.test('switching mode never loses a letter or sends one twice: queued mail follows the new mode', async (t) => {
  const server = await smtp(t)
  const clock = new TestClock(new Date('2026-12-01T06:00:00Z')) // 11:00 in Almaty
  const app = await build(t, { env: { SMTP_URL: server.url }, clock: clock.now })
  waitingLetters(app, 5, clock.now())
  app.dispatcher.produce()
  t.equal(tableCount(app, 'outbox', "kind = 'letter' and status = 'queued'"), 5, 'in the outbox, not yet sent')
  // The organizer switches the President to hand delivery before the dispatcher sends.
  app.db.$client.prepare(`update targets set delivery = 'hand' where id = 1`).run()
  await app.dispatcher.drain()
  t.equal(server.to(PRESIDENT).length, 0, 'no mail for an official delivered by hand')
  t.equal(tableCount(app, 'letters', "status = 'queued'"), 5, 'the letters wait again, for hand delivery')
  t.equal(tableCount(app, 'outbox', "kind = 'letter' and status = 'expired'"), 5, 'their mail was withdrawn')
  // And back to mail: each goes once.
  app.db.$client.prepare(`update targets set delivery = 'each' where id = 1`).run()
  await app.dispatcher.drain()
  t.equal(server.to(PRESIDENT).length, 5)
  t.equal(new Set(server.to(PRESIDENT).map((m) => m.parsed.messageId)).size, 5, 'five different letters')
  clock.advance(HOUR)
  await app.dispatcher.drain()
  t.equal(server.to(PRESIDENT).length, 5, 'none twice')
})

t.test('a 550 for an official\'s address: bouncing, nothing more sent, letters held and counted, out again once fixed', async (t) => {
  const server = await smtp(t)
  const clock = new TestClock(new Date('2026-12-01T06:00:00Z'))
  const app = await build(t, { env: { SMTP_URL: server.url }, clock: clock.now })
  waitingLetters(app, 3, clock.now())
  server.refuse = { code: 550, message: 'No such mailbox' }
  await app.dispatcher.drain()
  t.match(app.campaigns.target(1, 1), { deliveryState: 'bouncing', bounceReason: /550/ })
  t.equal(tableCount(app, 'letters', "target_id = 1 and status = 'queued'"), 3, 'held, still counted')
  server.refuse = false
  const attempts = server.attempts
  clock.advance(HOUR)
  await app.dispatcher.drain()
  t.equal(server.attempts, attempts, 'nothing more tried while it bounces')
  // Fixed (the back office resets the state when the address changes).
  app.db.$client.prepare(`update targets set email = 'president@akorda.example.com', delivery_state = 'ok' where id = 1`).run()
  await app.dispatcher.drain()
  t.equal(server.to('president@akorda.example.com').length, 3, 'the held letters go out')
})

t.test('the delivery report per official, on the report screen and in the API', async (t) => {
  const { addUser, signIn } = await import('../admin/helper.js')
  const { createApiToken } = await import('../../src/admin/api.js')
  const server = await smtp(t)
  const clock = new TestClock(new Date('2026-12-01T06:00:00Z'))
  const app = await build(t, { env: { SMTP_URL: server.url }, clock: clock.now })
  const admin = await addUser(app, 'admin@example.org', 'admin')
  waitingLetters(app, 4, clock.now())
  waitingLetters(app, 3, clock.now(), 2)
  app.db.$client.prepare(`update targets set delivery = 'hand' where id = 2`).run()
  await app.dispatcher.drain()
  // Two of the Prosecutor General's letters were handed over at a picket.
  app.db.$client.prepare(`update letters set status = 'sent', delivered_via = 'hand', sent_at = ? where target_id = 2 and id in (select id from letters where target_id = 2 order by id limit 2)`).run(clock.current.getTime())
  const token = createApiToken(app.db, admin.id, 'report', clock.now()).token
  const res = await app.inject({ url: '/api/admin/campaigns/1/delivery', headers: { authorization: `Bearer ${token}` } })
  t.equal(res.statusCode, 200)
  const [president, prosecutor] = res.json().officials
  t.match(president, { targetId: 1, delivery: 'each', deliveryState: 'ok', written: 4, sent: 4, inDigests: 0, handDelivered: 0, waiting: 0, held: 0, lastDelivery: clock.current.toISOString() })
  t.match(prosecutor, { targetId: 2, delivery: 'hand', written: 3, sent: 0, handDelivered: 2, waiting: 1, held: 0 })
  const page = await (await signIn(app, 'admin@example.org')).get('/admin/campaigns/1/report')
  t.match(page.body, /<tr data-delivery="2"><td>Askhat Daulbayev<\/td><td>by hand<\/td><td>3<\/td><td>0<\/td><td>0<\/td><td>2<\/td><td>1<\/td><td>0<\/td>/)
})
