import t from 'tap'
import { simpleParser } from 'mailparser'
import { tableCount, tempDir, TestClock } from '../helper.js'
import { TestSmtp } from '../smtp.js'
import { eraseSupporter } from '../../src/supporters/data.js'
import { capturedTo, header, letter, mailAll, mailingOf, MINUTE, moreOfficials, publish, rsvp, updateRow, updatesApp } from './mailing-helpers.js'

t.test('recipients: consented supporters of the campaign, one per address, in the language they used, not unsubscribed or erased', async (t) => {
  const { app, clock, mailing } = await updatesApp(t)
  const officials = moreOfficials(app, 4)
  t.equal(officials.length, 10)
  // Ten letters from one address (one to each official), from the Russian page.
  await letter(app, 'Ann@Example.com', { targetIds: officials, language: 'ru', name: 'Ann' })
  t.equal(tableCount(app, 'letters', "email_normalized = 'ann@example.com'"), 10)
  await letter(app, 'no-consent@example.com', { consent: false })
  await rsvp(app, 1, 'no-consent-rsvp@example.com', { consent: false })
  // A letter in English, then an RSVP from the Kazakh page: the latest says Kazakh.
  await letter(app, 'carl@example.com', { targetIds: [2] })
  clock.advance(MINUTE)
  await rsvp(app, 1, 'carl@example.com', { lang: 'kk' })
  await rsvp(app, 2, 'rsvp-only@example.com', { lang: 'ru' })
  await letter(app, 'gone@example.com')
  await letter(app, 'erased@example.com')
  app.db.$client.prepare(`insert into unsubscribes (campaign_id, email_normalized, created_at) values (1, 'gone@example.com', 0)`).run()
  app.db.transaction((tx) => eraseSupporter(tx, 'erased@example.com', clock.now()))
  // An RSVP still waiting for its confirmation has not proved the address.
  app.db.$client.prepare('update campaigns set confirm_rsvps = 1').run()
  await rsvp(app, 3, 'pending@example.com')
  t.equal(tableCount(app, 'rsvps', "status = 'pending_confirmation'"), 1)

  t.equal(mailing.recipientCount(1), 3, 'ann, carl and rsvp-only')
  t.equal(mailing.recipientCount(2), 0, 'another campaign has none')

  const update = publish(app, clock.now())
  const n = app.db.transaction((tx) => mailing.start(tx, update, clock.now()))
  t.equal(n, 3)
  t.match(updateRow(app, update.id), { mail_state: 'sending', recipients: 3, mail_started_at: clock.now().getTime() })
  const rows = app.db.$client.prepare('select email_normalized, email, name, language, token, state from update_recipients order by email_normalized').all() as { email_normalized: string; language: string; token: string; state: string }[]
  t.same(rows.map((r) => [r.email_normalized, r.language, r.state]), [['ann@example.com', 'ru', 'waiting'], ['carl@example.com', 'kk', 'waiting'], ['rsvp-only@example.com', 'ru', 'waiting']])
  t.match(rows[0], { email: 'Ann@Example.com', name: 'Ann' })
  for (const r of rows) t.match(r.token, /^[0-9a-f]{32}$/)
  t.equal(new Set(rows.map((r) => r.token)).size, 3)
  // Idempotent: a second start lists no one twice.
  t.equal(app.db.transaction((tx) => mailing.start(tx, update, clock.now())), 3)
  t.equal(tableCount(app, 'update_recipients'), 3)

  await mailAll(app, clock)
  const updateMails = capturedTo(app).filter((m) => m.raw.includes('/unsubscribe/'))
  t.equal(updateMails.length, 3, 'one mail per address')
  const ann = updateMails.filter((m) => m.recipient === 'Ann@Example.com')
  t.equal(ann.length, 1, 'ten letters, one mail')
  const annMail = await simpleParser(ann[0]!.raw)
  t.equal(annMail.subject, 'Роза Тулетаева на свободе', 'the update in Russian, where it has it')
  t.equal(header(ann[0]!.raw, 'Content-Language'), 'ru')
  t.match(annMail.text, 'Новости кампании')
  t.match(annMail.html, '<strong>освободили</strong>')
  // Carl used Kazakh: the update has no Kazakh, so his mail is the update's own English, our words too.
  const carl = await simpleParser(updateMails.find((m) => m.recipient === 'carl@example.com')!.raw)
  t.equal(carl.subject, 'Roza Tuletaeva released')
  t.equal(header(updateMails.find((m) => m.recipient === 'carl@example.com')!.raw, 'Content-Language'), 'en')
  t.match(carl.text, 'News from the campaign')
  t.match(carl.text, 'Roza was **released** today.', 'the text part is the Markdown')
  t.match(carl.html, '<strong>released</strong>')
  t.match(carl.html, 'href="https://example.org/roza"')
  t.match(carl.text, 'The Outcry campaign team', 'names who runs it')
  t.same(updateMails.map((m) => m.recipient).filter((r) => /consent|gone|erased|pending/.test(r)), [], 'nobody else')
  t.match(updateRow(app, update.id), { mail_state: 'done', mail_done_at: Number })
  t.equal(tableCount(app, 'update_recipients', "state = 'queued'"), 3)
})

t.test('pace: at most UPDATE_MAIL_PER_MINUTE a minute, spread over it, the cap per pass too', async (t) => {
  const { app, clock, mailing } = await updatesApp(t, { env: { UPDATE_MAIL_PER_MINUTE: '5' } })
  for (let i = 0; i < 12; i++) await letter(app, `s${i}@example.com`)
  await app.dispatcher.drain()
  const update = publish(app, clock.now())
  t.equal(app.db.transaction((tx) => mailing.start(tx, update, clock.now())), 12)
  const queued = () => tableCount(app, 'outbox', "kind = 'update'")
  app.dispatcher.produce()
  t.equal(queued(), 5, 'five in the first minute')
  const due = (app.db.$client.prepare(`select next_attempt_at as at from outbox where kind = 'update' order by id`).all() as { at: number }[]).map((r) => r.at - clock.now().getTime())
  t.same(due, [0, 12_000, 24_000, 36_000, 48_000], 'spread over the minute, so letters go between them')
  app.dispatcher.produce()
  clock.advance(30_000)
  app.dispatcher.produce()
  t.equal(queued(), 5, 'nothing more within the minute')
  clock.advance(30_001)
  app.dispatcher.produce()
  t.equal(queued(), 10)
  clock.advance(MINUTE + 1)
  app.dispatcher.produce()
  t.equal(queued(), 12)
  t.equal(updateRow(app, update.id).mail_state, 'done')
  // A second update the same minute shares the allowance: the cap is for all update mail.
  const second = publish(app, clock.now(), { title: 'Second' })
  app.db.$client.prepare(`update update_mail_days set day = '2000-01-01'`).run()
  app.db.transaction((tx) => mailing.start(tx, second, clock.now()))
  app.dispatcher.produce()
  t.equal(queued(), 15, 'three left of this minute (two went to the first update)')
  await mailAll(app, clock)
  t.equal(capturedTo(app).filter((m) => m.raw.includes('/unsubscribe/')).length, 24)
})

t.test('a crash between batches: a new app on the same database carries on, everyone mailed exactly once', async (t) => {
  const dir = tempDir(t)
  const clock = new TestClock(new Date('2026-12-01T10:00:00Z'))
  const first = await updatesApp(t, { dir, clock, env: { UPDATE_MAIL_PER_MINUTE: '4' } })
  for (let i = 0; i < 10; i++) await letter(first.app, `c${i}@example.com`)
  await first.app.dispatcher.drain()
  const update = publish(first.app, clock.now())
  first.app.db.transaction((tx) => first.mailing.start(tx, update, clock.now()))
  first.app.dispatcher.produce()
  await first.app.dispatcher.runOnce()
  t.equal(tableCount(first.app, 'update_recipients', "state = 'queued'"), 4)
  t.ok(capturedTo(first.app).filter((m) => m.raw.includes('/unsubscribe/')).length >= 1, 'some sent before the crash')
  await first.app.close()

  const second = await updatesApp(t, { dir, clock, seed: false, env: { UPDATE_MAIL_PER_MINUTE: '4' } })
  await mailAll(second.app, clock)
  const mails = capturedTo(second.app).filter((m) => m.raw.includes('/unsubscribe/'))
  t.same(mails.map((m) => m.recipient).sort(), Array.from({ length: 10 }, (_, i) => `c${i}@example.com`).sort(), 'each of the ten once')
  t.equal(updateRow(second.app, update.id).mail_state, 'done')
})

t.test('at most one update mail a day from a campaign to an address: the next waits for tomorrow, not dropped', async (t) => {
  const { app, clock, mailing } = await updatesApp(t, { clock: new TestClock(new Date('2026-12-01T22:00:00Z')) })
  await letter(app, 'daily@example.com')
  await letter(app, 'later@example.com')
  const first = publish(app, clock.now(), { title: 'First news' })
  app.db.transaction((tx) => mailing.start(tx, first, clock.now()))
  await mailAll(app, clock, 3)
  const second = publish(app, clock.now(), { title: 'Second news' })
  // A supporter new since the first: the second is their first update today.
  await letter(app, 'new@example.com')
  app.db.transaction((tx) => mailing.start(tx, second, clock.now()))
  await mailAll(app, clock, 30)
  const subjects = (to: string) => capturedTo(app, to).filter((m) => m.raw.includes('/unsubscribe/')).map((m) => m.subject)
  t.same(subjects('daily@example.com'), ['First news'])
  t.same(subjects('new@example.com'), ['Second news'])
  t.equal(updateRow(app, second.id).mail_state, 'sending', 'still sending: two wait for tomorrow')
  t.equal(tableCount(app, 'update_recipients', "state = 'waiting'"), 2)
  // Passes later today read nothing again and queue nothing.
  clock.advance(10 * MINUTE)
  t.equal(app.dispatcher.produce(), 0)
  // After midnight UTC.
  clock.current = new Date('2026-12-02T00:00:01Z')
  await mailAll(app, clock, 3)
  t.same(subjects('daily@example.com'), ['First news', 'Second news'])
  t.same(subjects('later@example.com'), ['First news', 'Second news'])
  t.equal(updateRow(app, second.id).mail_state, 'done')
  // The day before yesterday's rows are pruned.
  clock.current = new Date('2026-12-04T00:00:01Z')
  app.dispatcher.produce()
  t.equal(tableCount(app, 'update_mail_days', "day < '2026-12-03'"), 0)
})

t.test('erasure: waiting recipients go, queued ones lose the address, the unsubscribe stays, nothing is mailed', async (t) => {
  const { app, clock, mailing } = await updatesApp(t, { env: { UPDATE_MAIL_PER_MINUTE: '1' } })
  await letter(app, 'first@example.com')
  await letter(app, 'wait@example.com')
  await letter(app, 'unsub@example.com')
  const update = publish(app, clock.now())
  app.db.transaction((tx) => mailing.start(tx, update, clock.now()))
  app.dispatcher.produce()
  t.equal(tableCount(app, 'update_recipients', "state = 'queued' and email_normalized = 'first@example.com'"), 1)
  app.db.$client.prepare(`insert into unsubscribes (campaign_id, email_normalized, created_at) values (1, 'unsub@example.com', 0)`).run()
  app.db.transaction((tx) => {
    eraseSupporter(tx, 'first@example.com', clock.now())
    eraseSupporter(tx, 'wait@example.com', clock.now())
    eraseSupporter(tx, 'unsub@example.com', clock.now())
  })
  t.equal(tableCount(app, 'update_recipients', "email_normalized like '%@example.com'"), 0, 'no address left in the lists')
  t.equal(tableCount(app, 'update_recipients', 'email is not null or name is not null'), 0)
  t.equal(tableCount(app, 'update_recipients'), 1, 'the queued one stays, blank')
  t.equal(tableCount(app, 'update_mail_days'), 0)
  t.equal(tableCount(app, 'unsubscribes', "email_normalized = 'unsub@example.com'"), 1, 'a suppression list: kept')
  t.equal(tableCount(app, 'outbox', "kind = 'update'"), 0, 'its queued mail dropped')
  await mailAll(app, clock, 5)
  t.equal(capturedTo(app).filter((m) => m.raw.includes('/unsubscribe/')).length, 0)
  t.equal(updateRow(app, update.id).mail_state, 'done')
  t.equal(mailing.recipientCount(1), 0)
})

t.test('a test mail goes to the organizer alone, marked [Test], in the language asked, without List-Unsubscribe', async (t) => {
  const { app, clock, mailing } = await updatesApp(t)
  await letter(app, 'supporter@example.com')
  const draft = publish(app, clock.now(), { status: 'draft', publishedAt: null })
  app.db.transaction((tx) => mailing.sendTest(tx, draft, { name: 'Olga Organizer', address: 'olga@example.org' }, 'ru', clock.now()))
  await app.dispatcher.drain()
  const mails = capturedTo(app).filter((m) => m.recipient === 'olga@example.org')
  t.equal(mails.length, 1)
  t.equal(mails[0]!.subject, '[Тест] Роза Тулетаева на свободе')
  t.equal(header(mails[0]!.raw, 'List-Unsubscribe'), undefined)
  t.equal(header(mails[0]!.raw, 'Content-Language'), 'ru')
  const parsed = await simpleParser(mails[0]!.raw)
  t.match(parsed.text, 'Это тестовое письмо')
  t.notMatch(parsed.text, '/unsubscribe/')
  t.equal(tableCount(app, 'update_recipients'), 0, 'nobody else listed')
  t.equal(capturedTo(app, 'supporter@example.com').length, 0)
  // A language the update has no translation for: the update's own.
  app.db.transaction((tx) => mailing.sendTest(tx, draft, { name: 'Olga', address: 'olga@example.org' }, 'de', clock.now()))
  await app.dispatcher.drain()
  t.equal(capturedTo(app, 'olga@example.org')[1]!.subject, '[Test] Roza Tuletaeva released')
})

t.test('over real SMTP: the update mail has List-Unsubscribe with List-Unsubscribe-Post, Content-Language, text and HTML', async (t) => {
  const smtp = new TestSmtp()
  await smtp.start()
  t.teardown(() => smtp.stop())
  const { app, clock, mailing } = await updatesApp(t, { env: { SMTP_URL: smtp.url } })
  await letter(app, 'reader@example.com', { language: 'ru' })
  const update = publish(app, clock.now())
  app.db.transaction((tx) => mailing.start(tx, update, clock.now()))
  await mailAll(app, clock, 3)
  const mail = smtp.to('reader@example.com').find((m) => m.raw.includes('/unsubscribe/'))!
  t.ok(mail)
  const token = (app.db.$client.prepare('select token from update_recipients').get() as { token: string }).token
  t.equal(header(mail.raw, 'List-Unsubscribe'), `<http://outcry.test/unsubscribe/${token}>`)
  t.equal(header(mail.raw, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click')
  t.equal(header(mail.raw, 'Content-Language'), 'ru')
  t.equal(header(mail.raw, 'Auto-Submitted'), 'auto-generated')
  t.match(header(mail.raw, 'Message-ID'), /^<update\.\d+\.\d+@outcry\.test>$/)
  t.match(header(mail.raw, 'Content-Type'), /^multipart\/alternative/)
  t.equal(mail.parsed.subject, 'Роза Тулетаева на свободе')
  t.match(mail.parsed.text, `http://outcry.test/unsubscribe/${token}`, 'a visible link in the text part')
  t.match(mail.parsed.html, `href="http://outcry.test/unsubscribe/${token}"`, 'and in the HTML part')
  t.match(mail.parsed.html, '<html lang="ru">')
  t.match(mail.parsed.text, 'Свободу нефтяникам Жанаозена', 'names the campaign, in Russian')
  t.match(mail.parsed.text, 'The Outcry campaign team', 'and who runs it')
})

t.test('100,000 recipients are listed in one INSERT … SELECT in well under a few seconds', async (t) => {
  const { app, clock, mailing } = await updatesApp(t)
  const sqlite = app.db.$client
  const now = clock.now().getTime()
  // Letters already sent (so the officials' delivery has nothing to do), from 100,000 addresses; every
  // tenth address wrote twice (to another official), and a few did not consent.
  sqlite
    .prepare(
      `with recursive seq(i) as (select 1 union all select i + 1 from seq where i < 110000)
       insert into letters (public_id, campaign_id, target_id, language, supporter_language, supporter_name, supporter_email, email_normalized, country, consent, subject, body, status, created_at)
       select 'bench' || i, 1, 1 + (i > 100000), 'en', case when i % 3 = 0 then 'ru' else null end, 'Supporter ' || i,
              's' || ((i - 1) % 100000) || '@example.com', 's' || ((i - 1) % 100000) || '@example.com', 'GB', 1, 's', 'b', 'sent', ? + i
       from seq`,
    )
    .run(now)
  const counted = performance.now()
  t.equal(mailing.recipientCount(1), 100_000)
  const countMs = performance.now() - counted
  const update = publish(app, clock.now())
  const began = performance.now()
  const n = app.db.transaction((tx) => mailing.start(tx, update, clock.now()))
  const ms = performance.now() - began
  t.equal(n, 100_000)
  t.equal(tableCount(app, 'update_recipients', 'length(token) = 32'), 100_000)
  const passBegan = performance.now()
  app.dispatcher.produce()
  const passMs = performance.now() - passBegan
  t.equal(tableCount(app, 'outbox', "kind = 'update'"), app.config.updateMailPerMinute)
  clock.advance(30_000)
  const idleBegan = performance.now()
  mailing.produce(clock.now())
  const idleMs = performance.now() - idleBegan
  // Late in the fan-out: 99,000 already queued (earlier minutes), a pass counts the last minute's.
  sqlite.prepare(`update update_recipients set state = 'queued', queued_at = ? where id <= 99000 and state = 'waiting'`).run(now - 10 * MINUTE)
  clock.advance(MINUTE)
  const lateBegan = performance.now()
  app.dispatcher.produce()
  const lateMs = performance.now() - lateBegan
  clock.advance(1000)
  const lateIdleBegan = performance.now()
  mailing.produce(clock.now())
  const lateIdleMs = performance.now() - lateIdleBegan
  t.comment(`recipientCount ${countMs.toFixed(0)} ms; snapshot of 100,000 ${ms.toFixed(0)} ms; first pass (600) ${passMs.toFixed(0)} ms; a pass within the minute ${idleMs.toFixed(1)} ms; a pass with 99,000 queued ${lateMs.toFixed(1)} ms, and within its minute ${lateIdleMs.toFixed(1)} ms`)
  t.ok(ms < 5000, `snapshot took ${ms.toFixed(0)} ms`)
  t.ok(countMs < 1000, `count took ${countMs.toFixed(0)} ms`)
})

