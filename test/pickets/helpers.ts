import { build, TestClock } from '../helper.js'
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

/** An app with a real SMTP server and a hand-moved clock, starting at `now`. */
export async function picketApp(t: { teardown(fn: () => unknown): void }, now = '2026-12-01T10:00:00Z') {
  const smtp = new TestSmtp()
  await smtp.start()
  t.teardown(() => smtp.stop())
  const clock = new TestClock(new Date(now))
  const app = await build(t, { env: { SMTP_URL: smtp.url }, clock: clock.now })
  const campaignId = (await app.db.query.campaigns.findFirst())!.id
  return { app, smtp, clock, campaignId }
}

export async function rsvp(app: App, picketId: number, email: string, name = 'Ann Supporter') {
  const res = await app.inject({ method: 'POST', url: `/api/pickets/${picketId}/rsvps`, headers: { 'content-type': 'application/json' }, payload: { name, email } })
  if (res.statusCode !== 201) throw new Error(`RSVP failed: ${res.statusCode} ${res.body}`)
  return res.json() as { rsvp: { id: number; status: string }; manageUrl: string }
}

export const subjects = (smtp: TestSmtp, to?: string) => (to ? smtp.to(to) : smtp.received).map((m) => m.parsed.subject ?? '')
