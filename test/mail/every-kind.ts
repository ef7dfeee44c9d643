// One of each kind of mail Outcry sends, through the real routes, services and dispatcher, to an
// in-process SMTP server, DKIM-signed with a throwaway key. Shared by the DKIM test and `npm run check:mail`.
import fs from 'node:fs'
import path from 'node:path'
import { build, formSession, postForm, tempDir, TestClock } from '../helper.js'
import { TestSmtp } from '../smtp.js'
import { addUser, signIn } from '../admin/helper.js'
import { generateDkimKey } from '../../src/cli/dkim-keygen.js'

export const DKIM_DOMAIN = 'outcry.test'
export const DKIM_SELECTOR = 'check'

export interface SentMail {
  /** What the mail is, as the Message-ID's first part says (letter, confirm, rsvp-going, …). */
  kind: string
  /** The case it belongs to: who wrote, in which language. */
  label: string
  to: string
  raw: string
}

interface Teardownable {
  teardown(fn: () => unknown): void
}

/** Sends every kind of mail once (a few kinds more than once, from different supporters); returns them in order. */
export async function sendEveryKind(t: Teardownable): Promise<{ mails: SentMail[]; txt: string }> {
  const smtp = new TestSmtp()
  await smtp.start()
  t.teardown(() => smtp.stop())
  const dir = tempDir(t)
  const key = generateDkimKey()
  const keyFile = path.join(dir, 'dkim.pem')
  fs.writeFileSync(keyFile, key.privateKey, { mode: 0o600 })
  const clock = new TestClock(new Date('2026-12-01T10:00:00Z'))
  const app = await build(t, {
    dir,
    clock: clock.now,
    confirmLetters: true,
    env: { SMTP_URL: smtp.url, DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY: keyFile, REPLY_TO: 'campaign@outcry.test' },
  })
  const campaignId = (await app.db.query.campaigns.findFirst())!.id
  app.db.$client.prepare('update campaigns set confirm_rsvps = 1 where id = ?').run(campaignId)

  const mails: SentMail[] = []
  const step = async (label: string, act: () => Promise<unknown> | unknown) => {
    const before = smtp.received.length
    await act()
    await app.dispatcher.drain()
    for (const m of smtp.received.slice(before)) {
      const kind = /^<([a-z-]+)\./.exec(m.parsed.messageId ?? '')?.[1] ?? 'unknown'
      mails.push({ kind, label, to: m.envelopeTo.join(','), raw: m.raw })
    }
  }
  const lastTo = (address: string) => smtp.to(address).at(-1)!.parsed.text ?? ''

  const write = (payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'application/json' }, payload: { country: 'GB', city: 'Leeds', targetId: 1, ...payload } })
  const confirmFromMailbox = async (address: string) => {
    const link = /http:\/\/outcry\.test(\/letters\/confirm\/[\w-]+)/.exec(lastTo(address))![1]!
    const session = await formSession(app, link)
    const res = await postForm(app, link, {}, session)
    if (res.statusCode !== 303) throw new Error(`confirming ${address} failed: ${res.statusCode}`)
  }
  const letter = async (who: string, address: string, payload: Record<string, unknown>) => {
    await step(`${who}: confirmation`, () => write({ email: address, ...payload }))
    await step(who, () => confirmFromMailbox(address))
  }

  // Letters, each confirmed from its mailbox: the confirmation, then the letter and the supporter's copy.
  await letter('gmail.com, en', 'roza.tuletaeva@gmail.com', { name: 'Roza Tuletaeva', organisation: 'Unite', copy: true, note: 'Free them now.' })
  // A supporter who shares their address: it becomes the letter's Reply-To.
  await letter('gmail.com, en, shares address', 'john.smith1971@gmail.com', { name: 'John Smith', city: 'Glasgow', organisation: 'GMB', replyDirect: true, targetId: 2 })
  await letter('mail.ru, en', 'kanat.zh@mail.ru', { name: 'Kanat Zhusipbaev', city: 'Almaty', country: 'KZ', organisation: 'Independent Trade Union', language: 'en' })
  await letter('mail.ru, ru, shares address', 'natalia.s@mail.ru', { name: 'Наталья Соколова', city: 'Москва', country: 'RU', language: 'ru', copy: true, replyDirect: true, note: 'Свободу нефтяникам Жанаозена!' })
  await step('gmail.com, repeat', () => write({ email: 'roza.tuletaeva@gmail.com', name: 'Roza Tuletaeva' }))

  // A picket: the RSVP's confirmation, "you're going", a reminder, then changed and cancelled.
  const picket = app.db.$client.prepare("select id, starts_at as startsAt from pickets where city = 'London'").get() as { id: number; startsAt: number }
  await step('RSVP', () =>
    app.inject({ method: 'POST', url: `/api/pickets/${picket.id}/rsvps`, headers: { 'content-type': 'application/json' }, payload: { name: 'Ann Supporter', email: 'ann.supporter@gmail.com' } }),
  )
  const token = (app.db.$client.prepare('select token from rsvps where picket_id = ?').get(picket.id) as { token: string }).token
  await step('RSVP', async () => {
    const session = await formSession(app, `/rsvps/${token}`)
    await postForm(app, `/rsvps/${token}/confirm`, {}, session)
  })
  await step('RSVP', () => {
    clock.current = new Date(picket.startsAt - 24 * 3_600_000)
  })
  await step('RSVP', () => app.pickets.reschedule(picket.id, { startsLocal: '2026-12-05T13:00', endsLocal: '2026-12-05T15:00' }))
  await step('RSVP', () => app.pickets.cancel(picket.id))

  // An invitation to the back office.
  await addUser(app, 'admin@outcry.test', 'admin')
  const admin = await signIn(app, 'admin@outcry.test')
  await step('back office', () => admin.post('/admin/users/invite', { email: 'nina.organizer@gmail.com', name: 'Nina Organizer', role: 'organizer', campaigns: [String(campaignId)] }))

  // A digest: the Prosecutor General takes one mail a day with every letter attached.
  app.db.$client.prepare("update targets set delivery = 'digest', digest_every = 'day', digest_hour = 9, time_zone = 'UTC' where id = 2").run()
  await letter('gmail.com, en, for the digest', 'maria.garcia@gmail.com', { name: 'Maria Garcia', city: 'Madrid', country: 'ES', organisation: 'CCOO', targetId: 2, note: 'Libertad para los trabajadores de Zhanaozen.' })
  await step('digest', () => {
    clock.current = new Date(Date.UTC(clock.current.getUTCFullYear(), clock.current.getUTCMonth(), clock.current.getUTCDate() + 1, 9, 1))
  })

  return { mails, txt: key.txt }
}
