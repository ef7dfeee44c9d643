// Issue 13, mail: every mail to a supporter is in the language they used (their letter's page, their
// RSVP's), subject included, with Content-Language; an official's letter frame in the letter's language,
// a digest in the official's; English exactly as before; a stored language Outcry does not speak reads English.
import t from 'tap'
import { build, formSession, postForm, supporter, TestClock } from '../helper.js'
import { TestSmtp } from '../smtp.js'
import { confirm, picketApp, picketFields, tokenOf, HOUR } from '../pickets/helpers.js'
import { mailSettings } from '../../src/mail/settings.js'
import { letterCopy, confirmLetters, digestToOfficial } from '../../src/letters/mail.js'
import { picketMail } from '../../src/pickets/mail.js'
import type { Letter, Rsvp } from '../../src/db/schema/index.js'

type App = Awaited<ReturnType<typeof build>>

async function smtpServer(t: { teardown(fn: () => unknown): void }) {
  const smtp = new TestSmtp()
  await smtp.start()
  t.teardown(() => smtp.stop())
  return smtp
}

const header = (m: { parsed: { headers: Map<string, unknown> } }, name: string) => m.parsed.headers.get(name.toLowerCase())
const PRESIDENT = 'president@example.org'
const presidentAddress = (app: App) => (app.db.$client.prepare('select email from targets where id = 1').get() as { email: string }).email

t.test('a letter written from the Russian page: confirmation and copy in Russian, subject included, Content-Language: ru', async (t) => {
  const smtp = await smtpServer(t)
  const app = await build(t, { confirmLetters: true, env: { SMTP_URL: smtp.url } })
  const session = await formSession(app, '/campaigns/zhanaozen?lang=ru')
  const res = await postForm(app, '/campaigns/zhanaozen/letters', { ...supporter, name: 'Роза Т.', target: '1', language: 'ru', copy: 'on', intent: 'send' }, session)
  t.equal(res.statusCode, 303)
  await app.dispatcher.drain()

  const [confirmation] = smtp.to(supporter.email)
  t.ok(confirmation, 'a confirmation')
  t.equal(confirmation!.parsed.subject, 'Подтвердите письмо адресату: Нурсултан Назарбаев', 'the subject in Russian, the official named in Russian')
  t.equal(header(confirmation!, 'Content-Language'), 'ru')
  const text = confirmation!.parsed.text ?? ''
  t.match(text, 'Здравствуйте, Роза Т.!')
  t.match(text, 'Подтвердите, пожалуйста, ваше письмо по кампании «')
  t.match(text, 'Ссылка действует 7 дней.')
  t.notMatch(text, /Dear|Please confirm|The link works/, 'no English left')
  t.match(String(confirmation!.parsed.html), '<html lang="ru">')
  t.match(String(confirmation!.parsed.html), 'Подтвердить письмо</a>')

  const link = /http:\/\/outcry\.test(\/letters\/confirm\/[\w-]+)/.exec(text)![1]!
  t.equal((await postForm(app, link, {}, await formSession(app, link))).statusCode, 303)
  await app.dispatcher.drain()
  const copy = smtp.to(supporter.email).find((m) => m.parsed.messageId?.startsWith('<letter-copy.'))
  t.ok(copy, 'the copy')
  t.match(copy!.parsed.subject, /^Копия вашего письма \(Нурсултан Назарбаев\): Освободите нефтяников Жанаозена$/, 'the copy has a Russian subject')
  t.equal(header(copy!, 'Content-Language'), 'ru')
  t.match(copy!.parsed.text, 'Спасибо за ваше письмо адресату: Нурсултан Назарбаев. Вот его копия.')
  t.match(copy!.parsed.text, 'Тема: Освободите нефтяников Жанаозена')
  t.match(copy!.parsed.text, 'Попросите других тоже написать: http://outcry.test/campaigns/zhanaozen')
  t.notMatch(copy!.parsed.text, /Dear|Thank you|Subject:|Ask others/)

  // The letter itself, to the President: our footer in the letter's language.
  const letter = smtp.to(presidentAddress(app)).at(-1)!
  t.equal(header(letter, 'Content-Language'), 'ru')
  t.match(letter.parsed.text, 'Письмо отправлено через Outcry в рамках кампании «')
  t.notMatch(letter.parsed.text, 'Sent through Outcry')
  t.match(String(letter.parsed.html), '<html lang="ru">')
})

t.test('the same letter in English from the English page: English exactly as before, Content-Language: en', async (t) => {
  const smtp = await smtpServer(t)
  const app = await build(t, { confirmLetters: true, env: { SMTP_URL: smtp.url } })
  const session = await formSession(app, '/campaigns/zhanaozen')
  await postForm(app, '/campaigns/zhanaozen/letters', { ...supporter, target: '1', language: 'en', copy: 'on', replyDirect: 'on', intent: 'send' }, session)
  await app.dispatcher.drain()
  const [confirmation] = smtp.to(supporter.email)
  t.equal(confirmation!.parsed.subject, 'Please confirm your letter to Nursultan Nazarbayev')
  t.equal(header(confirmation!, 'Content-Language'), 'en')
  t.match(confirmation!.parsed.text, 'Dear Roza T.,')
  t.match(confirmation!.parsed.text, 'The link works for 7 days.')
  const link = /http:\/\/outcry\.test(\/letters\/confirm\/[\w-]+)/.exec(confirmation!.parsed.text ?? '')![1]!
  await postForm(app, link, {}, await formSession(app, link))
  await app.dispatcher.drain()
  const copy = smtp.to(supporter.email).find((m) => m.parsed.messageId?.startsWith('<letter-copy.'))!
  t.equal(copy.parsed.subject, 'Your letter to Nursultan Nazarbayev: Free the Zhanaozen oil workers')
  t.match(copy.parsed.text, 'Thank you for writing to Nursultan Nazarbayev. This is a copy of your letter.')
  const letter = smtp.to(presidentAddress(app)).at(-1)!
  t.equal(header(letter, 'Content-Language'), 'en')
  t.match(letter.parsed.text, 'Sent through Outcry for the campaign “Free the Zhanaozen oil workers”.')
  t.match(letter.parsed.text, 'Reply to this message to answer Roza T. directly.')
})

t.test('an English letter written from the Russian page: the frame to the official in English, mail to the supporter in Russian', async (t) => {
  const smtp = await smtpServer(t)
  const app = await build(t, { env: { SMTP_URL: smtp.url } })
  const session = await formSession(app, '/campaigns/zhanaozen?lang=ru')
  await postForm(app, '/campaigns/zhanaozen/letters', { ...supporter, target: '1', language: 'en', intent: 'send' }, session)
  await app.dispatcher.drain()
  const letter = smtp.to(presidentAddress(app)).at(-1)!
  t.match(letter.parsed.text, 'Sent through Outcry for the campaign “Free the Zhanaozen oil workers”.', 'the letter\'s language, not the page\'s')
  t.equal(header(letter, 'Content-Language'), 'en')
  const row = app.db.$client.prepare('select language, supporter_language as supporterLanguage from letters').get()
  t.same(row, { language: 'en', supporterLanguage: 'ru' })
})

t.test('already written, in German, for a supporter who wrote through the API in German', async (t) => {
  const app = await build(t)
  const write = () => app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters?lang=de', headers: { 'content-type': 'application/json' }, payload: { ...supporter, targetId: 1 } })
  t.equal((await write()).statusCode, 201)
  t.equal((await write()).statusCode, 201)
  const row = app.db.$client.prepare(`select message from outbox where kind = 'already_written'`).get() as { message: string }
  const message = JSON.parse(row.message)
  t.equal(message.subject, 'Sie haben bereits an Nursultan Nazarbayev geschrieben')
  t.same(message.headers, { 'Content-Language': 'de' })
  t.match(message.text, 'Hallo Roza T.,')
  t.match(message.text, 'Sie haben diesem Amtsträger bereits geschrieben')
  t.match(message.text, 'Wenn Sie das nicht waren, können Sie diese Nachricht ignorieren.')
  t.match(message.html, '<html lang="de">')
})

t.test('an RSVP from the Kazakh page: its confirmation, going, reminder, change and cancellation in Kazakh, dates in Kazakh', async (t) => {
  const { app, smtp, clock, campaignId } = await picketApp(t)
  const picket = app.pickets.schedule(campaignId, { ...picketFields, startsLocal: '2026-12-16T12:00', endsLocal: '2026-12-16T14:00' })
  const session = await formSession(app, `/pickets/${picket.id}?lang=kk`)
  const res = await postForm(app, `/pickets/${picket.id}/rsvps`, { name: 'Әсел', email: 'asel@example.kz' }, session)
  t.equal(res.statusCode, 303)
  await app.dispatcher.drain()
  const mails = () => smtp.to('asel@example.kz')
  const [confirmation] = mails()
  t.equal(confirmation!.parsed.subject, `Орныңызды растаңыз: ${picket.title}`)
  t.equal(header(confirmation!, 'Content-Language'), 'kk')
  t.match(confirmation!.parsed.text, 'Құрметті Әсел!')
  t.match(confirmation!.parsed.text, 'Орныңызды растаңыз (сілтеме батырмасы бар бетті ашады')
  t.match(confirmation!.parsed.text, /16 желтоқсан/, 'the date in Kazakh')
  t.match(confirmation!.parsed.text, 'Ұлыбритания', 'the country in Kazakh')
  t.notMatch(confirmation!.parsed.text, /Dear|When:|Where:|Confirm your place/)

  const token = tokenOf(app, picket.id, 'asel@example.kz')
  t.equal((await confirm(app, token)).statusCode, 303)
  await app.dispatcher.drain()
  const going = mails().at(-1)!
  t.equal(going.parsed.subject, `Сіз тізімдесіз: ${picket.title}`)
  t.equal(header(going, 'Content-Language'), 'kk')
  t.notOk(going.parsed.headerLines.find((h) => h.key === 'list-unsubscribe'), 'a transactional notice: no List-Unsubscribe (only reminders carry it)')
  t.match(going.parsed.attachments[0]?.content.toString(), 'Өзіңізбен не алу керек: Banners and warm clothes', 'the calendar file in Kazakh too')

  clock.current = new Date(picket.startsAt.getTime() - 24 * HOUR)
  await app.dispatcher.drain()
  const reminder = mails().at(-1)!
  t.equal(reminder.parsed.subject, `Еске салу: ${picket.title} 24 сағаттан кейін басталады`)
  t.equal(header(reminder, 'Content-Language'), 'kk')
  t.match(reminder.parsed.text, 'Пикет 24 сағаттан кейін басталады.')
  t.match(reminder.parsed.text, /Қашан: .*16 желтоқсан/)
  t.ok(reminder.parsed.headerLines.find((h) => h.key === 'list-unsubscribe'), 'the unsubscribe header kept beside the language')

  app.pickets.reschedule(picket.id, { startsLocal: '2026-12-17T15:00', endsLocal: '2026-12-17T17:00' })
  await app.dispatcher.drain()
  const changed = mails().at(-1)!
  t.match(changed.parsed.subject, new RegExp(`^Өзгеріс: ${picket.title} — енді .*17 желтоқсан.*15:00–17:00`), 'the new date in Kazakh in the subject')
  t.equal(header(changed, 'Content-Language'), 'kk')
  t.match(changed.parsed.text, 'Пикет өзгерді.')

  app.pickets.cancel(picket.id)
  await app.dispatcher.drain()
  const cancelled = mails().at(-1)!
  t.equal(cancelled.parsed.subject, `Болдырылмады: ${picket.title}`)
  t.equal(header(cancelled, 'Content-Language'), 'kk')
  t.match(cancelled.parsed.text, 'Ұйымдастырушылар бұл пикетті болдырмады.')
  t.match(cancelled.parsed.text, /17 желтоқсан/)
  for (const m of mails()) t.notMatch(m.parsed.text, /Dear|See you|Organizer:|Stop reminders/, `${m.parsed.subject}: no English`)

  // An English RSVP to the same kind of picket reads as before.
  const other = app.pickets.schedule(campaignId, { ...picketFields, startsLocal: '2026-12-20T12:00', endsLocal: '2026-12-20T14:00' })
  await postForm(app, `/pickets/${other.id}/rsvps`, { name: 'Ann', email: 'ann@example.com' }, await formSession(app, `/pickets/${other.id}?lang=en`))
  await app.dispatcher.drain()
  const english = smtp.to('ann@example.com').at(-1)!
  t.equal(english.parsed.subject, `Confirm your place: ${other.title}`)
  t.equal(header(english, 'Content-Language'), 'en')
  t.match(english.parsed.text, 'When: Sunday 20 December 2026, 12:00–14:00')
})

t.test('a language Outcry does not speak, stored with a letter or an RSVP, reads English', async (t) => {
  const app = await build(t, { clock: new TestClock().now })
  const mail = mailSettings(app.config)
  const campaign = app.campaigns.bySlug('zhanaozen')!
  const target = app.campaigns.target(campaign.id, 1)!
  const letter = { publicId: 'x', language: 'ru', supporterLanguage: 'pt', supporterName: 'Ana', supporterEmail: 'ana@example.org', subject: 'Освободите нефтяников Жанаозена', body: 'Текст', replyDirect: false } as Letter
  const copy = letterCopy(mail, campaign, target, letter)
  t.equal(copy.subject, 'Your letter to Nursultan Nazarbayev: Освободите нефтяников Жанаозена')
  t.same(copy.headers, { 'Content-Language': 'en' })
  t.match(copy.html, '<html lang="en">')
  t.match(copy.html, '<blockquote lang="ru"', 'the letter marked with its own language')
  t.equal(confirmLetters(mail, campaign, [target], { name: 'Ana', address: 'ana@example.org' }, 'tok', 'id', 'xx-nonsense').headers?.['Content-Language'], 'en')

  const picket = app.pickets.schedule(campaign.id, { ...picketFields, startsLocal: '2026-12-16T12:00', endsLocal: '2026-12-16T14:00' })
  const rsvp = { id: 1, token: 't', name: 'Ana', email: 'ana@example.org', language: 'pt' } as Rsvp
  const message = picketMail(mail, 'picket_reminder', campaign, picket, rsvp, { offsetMinutes: 120 })
  t.equal(message.subject, `Reminder: ${picket.title} starts in 2 hours`)
  t.equal(message.headers?.['Content-Language'], 'en')
  t.match(message.text, 'Wednesday 16 December 2026, 12:00–14:00')
  const none = picketMail(mail, 'rsvp_going', campaign, picket, { ...rsvp, language: null })
  t.equal(none.headers?.['Content-Language'], 'en', 'an RSVP from before languages were kept')
})

t.test('offsets by each language\'s plurals; a digest in its official\'s language', async (t) => {
  const app = await build(t)
  const mail = mailSettings(app.config)
  const campaign = app.campaigns.bySlug('zhanaozen')!
  const picket = app.pickets.schedule(campaign.id, { ...picketFields, startsLocal: '2026-12-16T12:00', endsLocal: '2026-12-16T14:00' })
  const subject = (language: string, offsetMinutes: number) => picketMail(mail, 'picket_reminder', campaign, picket, { id: 1, token: 't', name: 'A', email: 'a@example.org', language } as Rsvp, { offsetMinutes }).subject
  t.equal(subject('en', 60), `Reminder: ${picket.title} starts in 1 hour`)
  t.equal(subject('en', 4320), `Reminder: ${picket.title} starts in 3 days`)
  t.equal(subject('ru', 60), `Напоминание: ${picket.title} начнётся через 1 час`)
  t.equal(subject('ru', 120), `Напоминание: ${picket.title} начнётся через 2 часа`)
  t.equal(subject('ru', 300), `Напоминание: ${picket.title} начнётся через 5 часов`)
  t.equal(subject('ru', 30), `Напоминание: ${picket.title} начнётся через 30 минут`)
  t.equal(subject('de', 1440), `Erinnerung: ${picket.title} beginnt in 24 Stunden`)
  t.equal(subject('fr', 4320), `Rappel : ${picket.title} commence dans 3 jours`)
  t.equal(subject('es', 60), `Recordatorio: ${picket.title} empieza dentro de 1 hora`)

  // The demo's President reads Russian: his digest is in Russian, counts and dates by its rules.
  const target = app.campaigns.target(campaign.id, 1)!
  t.equal(target.language, 'ru')
  const letters = Array.from({ length: 1200 }, (_, i) => ({ id: i, publicId: `p${i}`, language: 'en', subject: 'Free them', body: 'Dear President', supporterName: `S ${i}`, city: 'Leeds', country: i % 2 ? 'GB' : 'KZ', organisation: null, note: null, createdAt: new Date('2026-12-01T10:00:00Z'), countedAt: null }) as unknown as Letter)
  const digest = { id: 1, campaignId: campaign.id, targetId: 1, periodStart: new Date('2026-12-01T09:00:00Z'), periodEnd: new Date('2026-12-02T09:00:00Z'), letterCount: 1200, sentAt: null, createdAt: new Date() }
  const ru = await digestToOfficial(mail, campaign, target, digest, letters, new Date('2026-12-02T09:01:00Z'))
  t.match(ru.subject, /^Вам 1\s200 писем: /)
  t.same(ru.headers, { 'Content-Language': 'ru' })
  t.match(ru.text, /вам написали 1\s200 человек/)
  t.match(ru.text, /Великобритания: 600/)
  t.match(ru.text, 'декабря 2026')
  t.notMatch(ru.text, /Dear|letters|written/)
  // An official in a language Outcry has no catalog for gets English.
  const en = await digestToOfficial(mail, campaign, { ...target, language: 'uz' }, digest, letters.slice(0, 1), new Date('2026-12-02T09:01:00Z'))
  t.match(en.subject, /^1 letter to you: Free the Zhanaozen oil workers$/)
  t.match(en.text, '1 person has written to you through the campaign')
  t.same(en.headers, { 'Content-Language': 'en' })
})
