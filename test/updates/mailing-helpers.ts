import { build, tableCount, TestClock } from '../helper.js'
import { createUpdateMailing } from '../../src/updates/mailing.js'
import { mailSettings } from '../../src/mail/settings.js'
import { updates, type Update } from '../../src/db/schema/index.js'

export type App = Awaited<ReturnType<typeof build>>
export const MINUTE = 60_000
export const DAY = 86_400_000

/** The demo campaign, RSVPs going at once, on a hand-moved clock. */
export async function updatesApp(t: { teardown(fn: () => unknown): void }, opts: { env?: Record<string, string>; dir?: string; seed?: boolean; clock?: TestClock } = {}) {
  const clock = opts.clock ?? new TestClock(new Date('2026-12-01T10:00:00Z'))
  const app = await build(t, { env: opts.env, dir: opts.dir, seed: opts.seed, clock: clock.now })
  if (opts.seed !== false) app.db.$client.prepare('update campaigns set confirm_rsvps = 0').run()
  return { app, clock, mailing: mailingOf(app, clock) }
}

/** A fan-out on the app's database, as app.ts wires it (its producer is the app's own). */
export function mailingOf(app: App, clock: TestClock) {
  return createUpdateMailing({ db: app.db, clock: clock.now, mail: mailSettings(app.config), campaigns: app.campaigns, perMinute: app.config.updateMailPerMinute, organisation: app.config.organisation })
}

/** A letter through the public JSON API, to every official named. */
export async function letter(app: App, email: string, opts: { consent?: boolean; targetIds?: number[]; language?: string; name?: string } = {}) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/campaigns/zhanaozen/letters',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ name: opts.name ?? 'Sam Supporter', email, country: 'GB', city: 'Leeds', targetIds: opts.targetIds ?? [1], consent: opts.consent ?? true, ...(opts.language ? { language: opts.language } : {}) }),
  })
  if (res.statusCode !== 201) throw new Error(`letter failed: ${res.statusCode} ${res.body}`)
}

/** An RSVP through the public JSON API, from a page in `lang`. */
export async function rsvp(app: App, picketId: number, email: string, opts: { consent?: boolean; lang?: string } = {}) {
  const res = await app.inject({
    method: 'POST',
    url: `/api/pickets/${picketId}/rsvps`,
    headers: { 'content-type': 'application/json', ...(opts.lang ? { 'accept-language': opts.lang } : {}) },
    payload: JSON.stringify({ name: 'Ann Supporter', email, consent: opts.consent ?? true }),
  })
  if (res.statusCode !== 201) throw new Error(`RSVP failed: ${res.statusCode} ${res.body}`)
}

/** More officials for the demo campaign (it has 6), copies of the first at other addresses; returns all ids. */
export function moreOfficials(app: App, n: number): number[] {
  const sqlite = app.db.$client
  const cols = (sqlite.prepare('pragma table_info(targets)').all() as { name: string }[]).map((c) => c.name).filter((c) => c !== 'id')
  for (let i = 0; i < n; i++) {
    const values = cols.map((c) => (c === 'email' ? `'extra${i}@gov.example'` : c === 'name' ? `'Official ${i}'` : c))
    sqlite.prepare(`insert into targets (${cols.join(', ')}) select ${values.join(', ')} from targets where id = 1`).run()
  }
  return (sqlite.prepare('select id from targets order by id').all() as { id: number }[]).map((r) => r.id)
}

/** A published update of the demo campaign, written in English with a Russian translation. */
export function publish(app: App, now: Date, fields: Partial<typeof updates.$inferInsert> = {}): Update {
  return app.db
    .insert(updates)
    .values({
      campaignId: 1,
      language: 'en',
      title: 'Roza Tuletaeva released',
      body: 'Roza was **released** today.\n\n[Read more](https://example.org/roza)',
      translations: { ru: { title: 'Роза Тулетаева на свободе', body: 'Розу **освободили** сегодня.' } },
      status: 'published',
      publishedAt: now,
      createdAt: now,
      updatedAt: now,
      ...fields,
    })
    .returning()
    .get()
}

export const updateRow = (app: App, id: number) => app.db.$client.prepare('select * from updates where id = ?').get(id) as { mail_state: string; recipients: number; mail_started_at: number | null; mail_done_at: number | null }

/** The captured update mails (no SMTP_URL: the app keeps them), oldest first. */
export const capturedTo = (app: App, address?: string) =>
  (app.db.$client.prepare(`select recipient, subject, raw from captured_mail ${address ? 'where recipient = ?' : ''} order by id`).all(...(address ? [address] : [])) as { recipient: string; subject: string; raw: string }[])

/** Produces and sends minute by minute until no update mail waits or is queued (or `minutes` pass). */
export async function mailAll(app: App, clock: TestClock, minutes = 60) {
  for (let i = 0; i < minutes; i++) {
    await app.dispatcher.drain()
    if (tableCount(app, 'outbox', "status in ('queued', 'sending')") === 0 && tableCount(app, 'update_recipients', "state = 'waiting'") === 0) return
    clock.advance(MINUTE)
  }
}

/** A header of a raw message, unfolded. */
export function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, ' ')
  return head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim()
}
