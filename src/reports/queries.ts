import { and, asc, eq, gt, inArray, isNotNull, sql, sum, count, type AnyColumn } from 'drizzle-orm'
import type { DbOrTx } from '../db/client.js'
import { campaigns, letters, offlineLetters, pickets, rsvps, targets, type Campaign } from '../db/schema/index.js'

// Reports read the stored counters where they exist (campaign and official totals) and count rows
// for the rest (per country, per day). Days are UTC calendar days; a letter counts on the day it was
// written. Letters waiting for their supporter's confirmation do not count.

/** The UTC day of a millisecond timestamp column, as YYYY-MM-DD. */
const dayOf = (column: typeof letters.createdAt) => sql<string>`date(${column} / 1000, 'unixepoch')`

export interface CountryRow {
  country: string
  online: number
  offline: number
}

export interface DayRow {
  date: string
  online: number
  offline: number
}

export interface TargetRow {
  targetId: number
  name: string
  letters: number
}

export function targetsTally(db: DbOrTx, campaignId: number): TargetRow[] {
  return db
    .select({ targetId: targets.id, name: targets.name, letters: targets.lettersCount })
    .from(targets)
    .where(eq(targets.campaignId, campaignId))
    .orderBy(asc(targets.position), asc(targets.id))
    .all()
}

/** How the letters reached each official (or wait): the delivery report. */
export interface DeliveryRow {
  targetId: number
  name: string
  delivery: 'each' | 'digest' | 'hand'
  deliveryState: 'ok' | 'bouncing'
  bounceReason: string | null
  /** Counted letters written to them. */
  written: number
  /** Delivered one by one by mail. */
  sent: number
  /** Delivered in a digest. */
  inDigests: number
  handDelivered: number
  /** Waiting for their delivery (the next paced slot, digest or hand delivery), or on their way. */
  waiting: number
  /** Waiting because their address bounces. */
  held: number
  lastDelivery: string | null
}

/** One grouped pass over the campaign's letters that count, by official, status and route. */
export function deliveryReport(db: DbOrTx, campaignId: number): DeliveryRow[] {
  const officials = db.select().from(targets).where(eq(targets.campaignId, campaignId)).orderBy(asc(targets.position), asc(targets.id)).all()
  const groups = db
    .select({ targetId: letters.targetId, status: letters.status, via: letters.deliveredVia, n: count(), last: sql<number | null>`max(${letters.sentAt})` })
    .from(letters)
    .where(and(eq(letters.campaignId, campaignId), sql`${letters.status} <> 'pending_confirmation'`))
    .groupBy(letters.targetId, letters.status, letters.deliveredVia)
    .all()
  return officials.map((t) => {
    const row: DeliveryRow = { targetId: t.id, name: t.name, delivery: t.delivery, deliveryState: t.deliveryState, bounceReason: t.bounceReason, written: 0, sent: 0, inDigests: 0, handDelivered: 0, waiting: 0, held: 0, lastDelivery: null }
    let last = 0
    for (const g of groups.filter((g) => g.targetId === t.id)) {
      row.written += g.n
      if (g.status === 'sent') {
        if (g.via === 'digest') row.inDigests += g.n
        else if (g.via === 'hand') row.handDelivered += g.n
        else row.sent += g.n
        last = Math.max(last, g.last ?? 0)
      } else if (g.status === 'queued' || g.status === 'outgoing') {
        if (t.deliveryState === 'bouncing') row.held += g.n
        else row.waiting += g.n
      }
    }
    row.lastDelivery = last ? new Date(last).toISOString() : null
    return row
  })
}

// ---- Per country and per day: one pass over the campaign's letters, in slices. ----
// There is no index that answers "counted letters by country/day" (status lives in the row), so the
// pass reads every letter. It walks the (campaign_id, created_at) index SLICE letters at a time and lets
// the event loop run between slices: a campaign with a million letters keeps taking letters meanwhile.

export const SLICE = 10_000

export interface LetterStats {
  /** Counted online letters by the supporter's country. */
  countries: Map<string, number>
  /** Counted online letters by the UTC day they were written. */
  days: Map<string, number>
  /** Letters waiting for their supporter's confirmation: not counted yet. */
  pending: number
}

type Cursor = { createdAt: number; id: number }
const createdAtMs = sql<number>`${letters.createdAt}`
const after = (c: Cursor | null) => (c ? sql`(${letters.createdAt}, ${letters.id}) > (${c.createdAt}, ${c.id})` : undefined)
const upTo = (c: Cursor | undefined) => (c ? sql`(${letters.createdAt}, ${letters.id}) <= (${c.createdAt}, ${c.id})` : undefined)
const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve))

async function scanLetters(db: DbOrTx, campaignId: number, slice: number): Promise<LetterStats> {
  const stats: LetterStats = { countries: new Map(), days: new Map(), pending: 0 }
  let cursor: Cursor | null = null
  for (;;) {
    // The last letter of this slice, read from the index alone.
    const end = db
      .select({ createdAt: createdAtMs, id: letters.id })
      .from(letters)
      .where(and(eq(letters.campaignId, campaignId), after(cursor)))
      .orderBy(asc(letters.createdAt), asc(letters.id))
      .limit(1)
      .offset(slice - 1)
      .get()
    const rows = db
      .select({
        country: letters.country,
        day: dayOf(letters.createdAt),
        counted: sql<number>`sum(${letters.status} <> 'pending_confirmation')`,
        pending: sql<number>`sum(${letters.status} = 'pending_confirmation')`,
      })
      .from(letters)
      .where(and(eq(letters.campaignId, campaignId), after(cursor), upTo(end)))
      .groupBy(letters.country, dayOf(letters.createdAt))
      .all()
    for (const r of rows) {
      stats.pending += r.pending
      if (r.counted === 0) continue
      stats.countries.set(r.country, (stats.countries.get(r.country) ?? 0) + r.counted)
      stats.days.set(r.day, (stats.days.get(r.day) ?? 0) + r.counted)
    }
    if (!end) return stats
    cursor = end
    await nextTick()
  }
}

// Requests that arrive while a pass is running share it rather than starting another.
const running = new WeakMap<object, Map<number, Promise<LetterStats>>>()

export function letterStats(db: DbOrTx, campaignId: number, slice = SLICE): Promise<LetterStats> {
  let perDb = running.get(db)
  if (!perDb) running.set(db, (perDb = new Map()))
  const existing = perDb.get(campaignId)
  if (existing) return existing
  const pass = scanLetters(db, campaignId, slice).finally(() => perDb.delete(campaignId))
  perDb.set(campaignId, pass)
  return pass
}

export function offlineByCountry(db: DbOrTx, campaignId: number) {
  return db
    .select({ key: offlineLetters.country, n: sum(offlineLetters.count).mapWith(Number) })
    .from(offlineLetters)
    .where(eq(offlineLetters.campaignId, campaignId))
    .groupBy(offlineLetters.country)
    .all()
}

export function offlineByDay(db: DbOrTx, campaignId: number) {
  return db
    .select({ key: offlineLetters.date, n: sum(offlineLetters.count).mapWith(Number) })
    .from(offlineLetters)
    .where(eq(offlineLetters.campaignId, campaignId))
    .groupBy(offlineLetters.date)
    .all()
}

type Offline = { key: string; n: number }[]

/** Online letters by the supporter's country beside offline letters by the reporting group's country; biggest first. */
export function countryRows(stats: LetterStats, offline: Offline): CountryRow[] {
  const rows = new Map<string, CountryRow>()
  const row = (country: string) => rows.get(country) ?? rows.set(country, { country, online: 0, offline: 0 }).get(country)!
  for (const [country, n] of stats.countries) row(country).online += n
  for (const r of offline) row(r.key).offline += r.n
  return [...rows.values()].sort((a, b) => b.online + b.offline - (a.online + a.offline) || a.country.localeCompare(b.country))
}

/** Letters per UTC day, oldest first: only days with letters, or every day of `range` (and nothing outside it). */
export function dayRows(stats: LetterStats, offline: Offline, range?: { from: string; to: string }): DayRow[] {
  const rows = new Map<string, DayRow>()
  if (range) for (const date of daysBetween(range.from, range.to)) rows.set(date, { date, online: 0, offline: 0 })
  const row = (date: string) => rows.get(date) ?? (range ? undefined : rows.set(date, { date, online: 0, offline: 0 }).get(date))
  for (const [date, n] of stats.days) {
    const r = row(date)
    if (r) r.online += n
  }
  for (const o of offline) {
    const r = row(o.key)
    if (r) r.offline += o.n
  }
  return [...rows.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
}

export function daysBetween(from: string, to: string): string[] {
  const out: string[] = []
  const end = Date.parse(`${to}T00:00:00Z`)
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10))
  return out
}

export interface PicketRow {
  id: number
  title: string
  city: string
  country: string
  startsAt: Date
  endsAt: Date
  /** IANA zone of the venue: the report shows the times as they read there. */
  timeZone: string
  status: string
  going: number
  waitlisted: number
  attended: number
}

/** Every picket of the campaign, with going (the stored counter) and attended (checked-in RSVPs). */
export function picketsTally(db: DbOrTx, campaignId: number): PicketRow[] {
  const list = db
    .select({ id: pickets.id, title: pickets.title, city: pickets.city, country: pickets.country, startsAt: pickets.startsAt, endsAt: pickets.endsAt, timeZone: pickets.timeZone, status: pickets.status, going: pickets.goingCount, waitlisted: pickets.waitlistedCount })
    .from(pickets)
    .where(eq(pickets.campaignId, campaignId))
    .orderBy(asc(pickets.startsAt), asc(pickets.id))
    .all()
  if (list.length === 0) return []
  const attended = db
    .select({ picketId: rsvps.picketId, n: count() })
    .from(rsvps)
    .where(and(inArray(rsvps.picketId, list.map((p) => p.id)), isNotNull(rsvps.checkedInAt)))
    .groupBy(rsvps.picketId)
    .all()
  const byPicket = new Map(attended.map((a) => [a.picketId, a.n]))
  return list.map((p) => ({ ...p, attended: byPicket.get(p.id) ?? 0 }))
}

export function campaignTotals(campaign: Campaign) {
  return { goal: campaign.goal, online: campaign.lettersCount, offline: campaign.offlineCount, total: campaign.lettersCount + campaign.offlineCount }
}

/** Reloads the counters (the scope's copy was read before the request's handler ran). */
export function freshCampaign(db: DbOrTx, id: number): Campaign | undefined {
  return db.select().from(campaigns).where(eq(campaigns.id, id)).get()
}

// ---- Export batches: keyset pages so an export of any size holds one page in memory. ----

export interface LetterCursor {
  /** created_at in milliseconds. */
  createdAt: number
  id: number
}

/**
 * Rows per page. A page is alive while it is turned into CSV; kept small, it is garbage before V8's next
 * young-generation collection, so a million rows do not pile up in the old generation (see bench/export.ts).
 */
export const EXPORT_BATCH = 250

/** created_at as the CSV shows it: UTC, to the second. */
const csvDate = (column: typeof letters.createdAt) => sql<string>`strftime('%Y-%m-%d %H:%M:%S', ${column} / 1000, 'unixepoch')`
const orEmpty = (column: AnyColumn) => sql<string>`coalesce(${column}, '')`

/**
 * A letter as the CSV cells of exports.ts LETTER_COLUMNS (date, status, official, supporter name,
 * country, city, organisation, email, language), then the keyset cursor (created_at in ms, id).
 */
export type LetterExportRow = [string, string, string, string, string, string, string, string, string, number, number]

/**
 * Pages of a campaign's letters in (created_at, id) order, after a cursor, prepared once per export.
 * Rows come back as arrays shaped for the CSV (no per-row object mapping: at a million rows it shows).
 * The row-value comparison walks the (campaign_id, created_at) index: each page is a short range read.
 */
export function letterExportPages(db: DbOrTx) {
  const query = db
    .select({
      date: csvDate(letters.createdAt),
      status: letters.status,
      official: targets.name,
      name: orEmpty(letters.supporterName),
      country: letters.country,
      city: orEmpty(letters.city),
      organisation: orEmpty(letters.organisation),
      // The email only for supporters who agreed to be contacted: the others' never leaves the database.
      email: sql<string>`case when ${letters.consent} then coalesce(${letters.supporterEmail}, '') else '' end`,
      // The letter's language (that of its text as sent), last: tools that read the columns by position keep theirs.
      language: letters.language,
      createdAt: sql<number>`${letters.createdAt}`,
      id: letters.id,
    })
    .from(letters)
    .innerJoin(targets, eq(targets.id, letters.targetId))
    .where(and(eq(letters.campaignId, sql.placeholder('campaignId')), sql`(${letters.createdAt}, ${letters.id}) > (${sql.placeholder('afterAt')}, ${sql.placeholder('afterId')})`))
    .orderBy(asc(letters.createdAt), asc(letters.id))
    .limit(sql.placeholder('limit'))
    .prepare()
  return (campaignId: number, after: LetterCursor | null, limit = EXPORT_BATCH) =>
    query.values({ campaignId, afterAt: after?.createdAt ?? Number.MIN_SAFE_INTEGER, afterId: after?.id ?? 0, limit }) as LetterExportRow[]
}

export function letterCount(db: DbOrTx, campaignId: number): number {
  return db.select({ n: count() }).from(letters).where(eq(letters.campaignId, campaignId)).get()!.n
}

/**
 * One page of a picket's RSVPs in id order (sign-up order), after the cursor. The email only for people
 * who agreed to be contacted: the others' never leaves the database here.
 */
export function rsvpExportPage(db: DbOrTx, picketId: number, afterId: number, limit = EXPORT_BATCH) {
  return db
    .select({
      id: rsvps.id,
      name: rsvps.name,
      email: sql<string | null>`case when ${rsvps.consent} then ${rsvps.email} end`,
      status: rsvps.status,
      createdAt: rsvps.createdAt,
      checkedInAt: rsvps.checkedInAt,
    })
    .from(rsvps)
    .where(and(eq(rsvps.picketId, picketId), gt(rsvps.id, afterId)))
    .orderBy(asc(rsvps.id))
    .limit(limit)
    .all()
}

export function rsvpCount(db: DbOrTx, picketId: number): number {
  return db.select({ n: count() }).from(rsvps).where(eq(rsvps.picketId, picketId)).get()!.n
}
