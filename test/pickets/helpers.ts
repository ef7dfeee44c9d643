import { build, formSession, postForm, TestClock } from '../helper.js'
import { TestSmtp } from '../smtp.js'

export type App = Awaited<ReturnType<typeof build>>
export const HOUR = 3_600_000
export const MINUTE = 60_000

export const picketFields = {
  title: 'Picket at the Kazakh embassy',
  venue: 'Embassy of the Republic of Kazakhstan',
  address: '125 Pall Mall',
  city: 'London',
  country: 'GB',
  timeZone: 'Europe/London',
  notes: 'Banners and warm clothes',
  contact: 'Sam, +44 7700 900000',
}

/** The back-office picket form as an organizer fills it for the Kazakh mission in New York (each test changes what it is about). */
export const newYorkPicketForm = {
  title: 'Picket at the Kazakh embassy in New York',
  venue: 'Permanent Mission of Kazakhstan',
  address: '305 East 47th Street',
  city: 'New York',
  country: 'US',
  startsLocal: '2026-12-16T12:00',
  endsLocal: '2026-12-16T14:00',
  timeZone: 'America/New_York',
  capacity: '',
  notes: 'Banners, warm clothes',
  contact: 'Sam, +1 212 555 0100',
  reminders: '24, 2',
}

/** An app with a real SMTP server and a hand-moved clock, starting at `now`; the demo campaign confirms RSVPs unless told otherwise. */
export async function picketApp(t: { teardown(fn: () => unknown): void }, now = '2026-12-01T10:00:00Z', opts: { confirmRsvps?: boolean } = {}) {
  const smtp = new TestSmtp()
  await smtp.start()
  t.teardown(() => smtp.stop())
  const clock = new TestClock(new Date(now))
  // The default PUBLIC_COUNT_DELAY, as in production: only campaigns without confirmation feel it.
  const app = await build(t, { env: { SMTP_URL: smtp.url, PUBLIC_COUNT_DELAY: '300' }, clock: clock.now })
  const campaignId = (await app.db.query.campaigns.findFirst())!.id
  setConfirmRsvps(app, campaignId, opts.confirmRsvps ?? true)
  return { app, smtp, clock, campaignId }
}

export function setConfirmRsvps(app: App, campaignId: number, on: boolean) {
  app.db.$client.prepare('update campaigns set confirm_rsvps = ? where id = ?').run(on ? 1 : 0, campaignId)
}

export const jsonRsvp = (app: App, picketId: number, payload: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: `/api/pickets/${picketId}/rsvps`, headers: { 'content-type': 'application/json' }, payload })

/** The RSVP's own token, as only its mailbox learns it (read here from the database). */
export function tokenOf(app: App, picketId: number, emailNormalized: string): string {
  const row = app.db.$client.prepare('select token from rsvps where picket_id = ? and email_normalized = ?').get(picketId, emailNormalized) as { token: string } | undefined
  if (!row) throw new Error(`no RSVP for ${emailNormalized}`)
  return row.token
}

export const statusOf = (app: App, token: string) =>
  (app.db.$client.prepare('select status from rsvps where token = ?').get(token) as { status: string } | undefined)?.status

/** Presses "Confirm my place" on the RSVP's page, as the supporter does from the mail. */
export async function confirm(app: App, token: string) {
  const session = await formSession(app, `/rsvps/${token}`)
  return postForm(app, `/rsvps/${token}/confirm`, {}, session)
}

/**
 * An RSVP through the JSON API, confirmed from the mailbox when the campaign asks for it:
 * `status` is what the RSVP became (going or waitlisted), `token` its own link's.
 */
export async function rsvp(app: App, picketId: number, email: string, name = 'Ann Supporter') {
  const res = await jsonRsvp(app, picketId, { name, email })
  if (res.statusCode !== 201) throw new Error(`RSVP failed: ${res.statusCode} ${res.body}`)
  const answer = res.json() as { rsvp: { id: string; status: string } }
  const token = tokenOf(app, picketId, email.trim().toLowerCase())
  if (answer.rsvp.status === 'pending_confirmation') {
    const confirmed = await confirm(app, token)
    if (confirmed.statusCode !== 303) throw new Error(`confirming failed: ${confirmed.statusCode} ${confirmed.body}`)
  }
  return { answer, token, rsvp: { status: statusOf(app, token)! } }
}

export const subjects = (smtp: TestSmtp, to?: string) => (to ? smtp.to(to) : smtp.received).map((m) => m.parsed.subject ?? '')
