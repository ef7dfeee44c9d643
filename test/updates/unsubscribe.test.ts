import t from 'tap'
import { tableCount } from '../helper.js'
import { TestSmtp } from '../smtp.js'
import { picketApp, picketFields, rsvp as picketRsvp, HOUR } from '../pickets/helpers.js'
import { capturedTo, header, letter, mailAll, MINUTE, publish, updateRow, updatesApp, type App } from './mailing-helpers.js'

const tokenOf = (app: App, email: string) => (app.db.$client.prepare('select token from update_recipients where email_normalized = ? order by id desc').get(email) as { token: string }).token
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')

t.test('GET shows the campaign and a button and changes nothing; POST unsubscribes, in the recipient language, without a CSRF token, idempotent', async (t) => {
  const { app, clock, mailing } = await updatesApp(t)
  await letter(app, 'ru@example.com', { language: 'ru' })
  await letter(app, 'en@example.com')
  const update = publish(app, clock.now())
  app.db.transaction((tx) => mailing.start(tx, update, clock.now()))
  const ru = tokenOf(app, 'ru@example.com')

  const page = await app.inject(`/unsubscribe/${ru}`)
  t.equal(page.statusCode, 200)
  t.match(page.body, '<html lang="ru"')
  t.match(text(page.body), 'Отписаться от новостей?')
  t.match(text(page.body), 'Свободу нефтяникам Жанаозена')
  t.match(page.body, `<form method="post" action="/unsubscribe/${ru}">`)
  t.notMatch(page.body, '_csrf')
  t.equal(tableCount(app, 'unsubscribes'), 0, 'a GET (a mail scanner following the link) changes nothing')
  // The visitor's own choice wins over the recipient's language.
  t.match((await app.inject({ url: `/unsubscribe/${ru}`, headers: { 'accept-language': 'de' } })).body, 'Neuigkeiten abbestellen?')

  // The button on the page: a plain form POST, no CSRF token, no cookie.
  const pressed = await app.inject({ method: 'POST', url: `/unsubscribe/${ru}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' })
  t.equal(pressed.statusCode, 200)
  t.match(text(pressed.body), 'Вы отписались')
  t.match(text(pressed.body), 'Вы больше не будете получать по электронной почте новости кампании «Свободу нефтяникам Жанаозена»')
  t.equal(tableCount(app, 'unsubscribes', "campaign_id = 1 and email_normalized = 'ru@example.com'"), 1)
  const again = await app.inject({ method: 'POST', url: `/unsubscribe/${ru}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' })
  t.equal(again.statusCode, 200, 'idempotent')
  t.equal(tableCount(app, 'unsubscribes'), 1)
  t.match(text((await app.inject(`/unsubscribe/${ru}`)).body), 'Вы отписались', 'the page then says so')

  // RFC 8058 clients may send multipart/form-data.
  const en = tokenOf(app, 'en@example.com')
  const boundary = '----outcry-test-boundary'
  const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`
  const oneClick = await app.inject({ method: 'POST', url: `/unsubscribe/${en}`, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: multipart })
  t.equal(oneClick.statusCode, 200)
  t.match(oneClick.body, '<html lang="en"')
  t.match(text(oneClick.body), 'You are unsubscribed')
  t.equal(tableCount(app, 'unsubscribes'), 2)

  // Both were snapshotted: neither is mailed now.
  await mailAll(app, clock, 3)
  t.equal(capturedTo(app).filter((m) => m.raw.includes('/unsubscribe/')).length, 0)
  t.equal(tableCount(app, 'update_recipients', "state = 'skipped'"), 2)
  t.equal(updateRow(app, update.id).mail_state, 'done')
  t.equal(mailing.recipientCount(1), 0, 'and no later update lists them')
})

t.test('an unknown or malformed token is a 404 page, and changes nothing', async (t) => {
  const { app } = await updatesApp(t)
  for (const token of ['0123456789abcdef0123456789abcdef', 'nope', '%27%3B--']) {
    const get = await app.inject(`/unsubscribe/${token}`)
    t.equal(get.statusCode, 404)
    t.match(get.body, 'This unsubscribe link is not valid')
    const post = await app.inject({ method: 'POST', url: `/unsubscribe/${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' })
    t.equal(post.statusCode, 404)
  }
  const json = await app.inject({ method: 'POST', url: '/unsubscribe/nope', headers: { 'content-type': 'application/json', accept: 'application/json' }, payload: '{}' })
  t.equal(json.statusCode, 404)
  t.equal(tableCount(app, 'unsubscribes'), 0)
})

t.test('unsubscribing after the mail was queued withdraws it; the address gets no later update either', async (t) => {
  const { app, clock, mailing } = await updatesApp(t)
  await letter(app, 'late@example.com')
  await letter(app, 'stays@example.com')
  const first = publish(app, clock.now())
  app.db.transaction((tx) => mailing.start(tx, first, clock.now()))
  app.dispatcher.produce()
  t.equal(tableCount(app, 'outbox', "kind = 'update' and status = 'queued'"), 2)
  const res = await app.inject({ method: 'POST', url: `/unsubscribe/${tokenOf(app, 'late@example.com')}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' })
  t.equal(res.statusCode, 200)
  clock.advance(MINUTE)
  await app.dispatcher.drain()
  t.same(capturedTo(app).filter((m) => m.raw.includes('/unsubscribe/')).map((m) => m.recipient), ['stays@example.com'])
  t.equal(tableCount(app, 'outbox', "kind = 'update' and status = 'expired'"), 1, 'withdrawn at send time')
  t.equal(tableCount(app, 'update_recipients', "state = 'skipped' and email_normalized = 'late@example.com'"), 1)
  // The next day's update.
  clock.advance(24 * HOUR)
  const second = publish(app, clock.now(), { title: 'More news' })
  t.equal(app.db.transaction((tx) => mailing.start(tx, second, clock.now())), 1)
  await mailAll(app, clock, 3)
  t.same(capturedTo(app, 'late@example.com').filter((m) => m.raw.includes('/unsubscribe/')), [])
  t.equal(capturedTo(app, 'stays@example.com').filter((m) => m.raw.includes('/unsubscribe/')).length, 2)
})

t.test('a mail carries List-Unsubscribe only if unsubscribing stops that kind of mail', async (t) => {
  const { app, smtp, clock, campaignId } = await picketApp(t, undefined, { confirmRsvps: false })
  const picket = app.pickets.schedule(campaignId, { ...picketFields, startsLocal: '2026-12-10T12:00', endsLocal: '2026-12-10T14:00' })
  const { token } = await picketRsvp(app, picket.id, 'stopped@example.com')
  await picketRsvp(app, picket.id, 'reminded@example.com')
  await app.dispatcher.drain()
  // One stops reminders; then the picket moves: both are told, neither notice offers to "unsubscribe".
  const stop = await app.inject({ method: 'POST', url: `/rsvps/${token}/stop-reminders`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' })
  t.equal(stop.statusCode, 200)
  app.pickets.reschedule(picket.id, { startsLocal: '2026-12-11T12:00', endsLocal: '2026-12-11T14:00' })
  await app.dispatcher.drain()
  clock.current = new Date(new Date('2026-12-11T12:00:00Z').getTime() - 24 * HOUR)
  await app.dispatcher.drain()
  app.pickets.cancel(picket.id)
  await app.dispatcher.drain()
  const byKind = (m: TestSmtp['received'][number]) => m.parsed.subject ?? ''
  const stopped = smtp.to('stopped@example.com')
  t.same(stopped.map(byKind).map((s) => s.split(':')[0]), ["You're going", 'Changed', 'Cancelled'], 'no reminder after stopping them')
  for (const mail of stopped) t.equal(header(mail.raw, 'List-Unsubscribe'), undefined, `${byKind(mail)}: transactional, no List-Unsubscribe`)
  const reminded = smtp.to('reminded@example.com')
  const reminder = reminded.find((m) => byKind(m).startsWith('Reminder'))!
  t.ok(reminder, 'the other got a reminder')
  t.match(header(reminder.raw, 'List-Unsubscribe'), /^<http:\/\/outcry\.test\/rsvps\/[\w-]{43}\/stop-reminders>$/)
  t.equal(header(reminder.raw, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click')
  for (const mail of reminded.filter((m) => m !== reminder)) t.equal(header(mail.raw, 'List-Unsubscribe'), undefined, `${byKind(mail)}: none`)
  // The visible stop-reminders link stays in the notices' text for those still getting reminders.
  t.match(reminded[0]!.parsed.text, '/stop-reminders')
})
