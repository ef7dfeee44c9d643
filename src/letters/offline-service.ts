import { and, desc, eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db, DbOrTx } from '../db/client.js'
import { campaigns, offlineLetters, users, type Campaign, type OfflineLetter } from '../db/schema/index.js'
import { countryCode, multiLine, requiredLine } from '../validation.js'
import { audit, type Actor } from '../admin/audit.js'

export const MAX_OFFLINE_COUNT = 100_000

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

function isCalendarDate(v: string): boolean {
  const m = ISO_DATE.exec(v)
  if (!m) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.toISOString().slice(0, 10) === v
}

/**
 * The latest day a report can carry: today where the day begins first (UTC+14), so a group
 * in Auckland or Kiritimati can report today's letters before it is today in London.
 */
export function latestPostingDate(now: Date): string {
  return new Date(now.getTime() + 14 * 3_600_000).toISOString().slice(0, 10)
}

/**
 * A report of letters a group posted on paper. `now` decides what "the future" is: a moment, or the
 * clock itself (an API route's schema is built once and asks the clock at each request).
 */
export function offlineLetterInput(now: Date | (() => Date)) {
  const latest = () => latestPostingDate(typeof now === 'function' ? now() : now)
  return z.object({
    count: z
      .number({ error: 'Count must be a whole number of letters' })
      .int('Count must be a whole number of letters')
      .min(1, 'Count must be at least 1')
      .max(MAX_OFFLINE_COUNT, `Count can be at most ${MAX_OFFLINE_COUNT.toLocaleString('en')} in one report`),
    date: z
      .string({ error: 'Date must be a day such as 2026-12-16' })
      .trim()
      .refine((v) => ISO_DATE.test(v), 'Date must be a day such as 2026-12-16 (YYYY-MM-DD)')
      .refine((v) => !ISO_DATE.test(v) || isCalendarDate(v), 'This day does not exist')
      .refine((v) => !isCalendarDate(v) || v <= latest(), 'The date cannot be in the future: when were the letters posted?')
      .refine((v) => !isCalendarDate(v) || v >= '2000-01-01', 'The date must be in 2000 or later'),
    group: requiredLine('Group', 150),
    country: countryCode,
    note: multiLine('Note', 1000).optional().default(''),
  })
}

export type OfflineLetterInput = z.infer<ReturnType<typeof offlineLetterInput>>

export interface Totals {
  online: number
  offline: number
  total: number
}

export function totalsOf(campaign: Pick<Campaign, 'lettersCount' | 'offlineCount'>): Totals {
  return { online: campaign.lettersCount, offline: campaign.offlineCount, total: campaign.lettersCount + campaign.offlineCount }
}

export function offlineJson(r: OfflineLetter) {
  return {
    id: r.id,
    campaignId: r.campaignId,
    count: r.count,
    date: r.date,
    group: r.group,
    country: r.country,
    note: r.note,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
  }
}

export function offlineReports(db: DbOrTx, campaignId: number): OfflineLetter[] {
  return db.select().from(offlineLetters).where(eq(offlineLetters.campaignId, campaignId)).orderBy(desc(offlineLetters.date), desc(offlineLetters.id)).all()
}

/** The reports with the email of whoever added them, for the screen. */
export function offlineReportsWithAuthor(db: DbOrTx, campaignId: number): (OfflineLetter & { addedBy: string | null })[] {
  return db
    .select({ report: offlineLetters, addedBy: users.email })
    .from(offlineLetters)
    .leftJoin(users, eq(users.id, offlineLetters.createdBy))
    .where(eq(offlineLetters.campaignId, campaignId))
    .orderBy(desc(offlineLetters.date), desc(offlineLetters.id))
    .all()
    .map((r) => ({ ...r.report, addedBy: r.addedBy }))
}

export function offlineReport(db: DbOrTx, campaignId: number, id: number): OfflineLetter | undefined {
  return db
    .select()
    .from(offlineLetters)
    .where(and(eq(offlineLetters.id, id), eq(offlineLetters.campaignId, campaignId)))
    .get()
}

function campaignTotals(tx: DbOrTx, campaignId: number): Totals {
  return totalsOf(tx.select({ lettersCount: campaigns.lettersCount, offlineCount: campaigns.offlineCount }).from(campaigns).where(eq(campaigns.id, campaignId)).get()!)
}

/**
 * Records a report and raises the campaign's paper count in the same transaction,
 * so the public tally and the reports never disagree.
 */
export function addOfflineLetters(db: Db, campaignId: number, input: OfflineLetterInput, actor: Actor, now: Date): { report: OfflineLetter; totals: Totals } {
  return db.transaction((tx) => {
    const report = tx
      .insert(offlineLetters)
      .values({ campaignId, count: input.count, date: input.date, group: input.group, country: input.country, note: input.note, createdBy: actor.id, createdAt: now, updatedAt: now })
      .returning()
      .get()
    tx.update(campaigns)
      .set({ offlineCount: sql`${campaigns.offlineCount} + ${input.count}`, tallyUpdatedAt: now })
      .where(eq(campaigns.id, campaignId))
      .run()
    audit(tx, actor, 'offline_letters.add', { campaignId, subject: `offline_letters:${report.id}`, detail: { count: report.count, date: report.date, group: report.group, country: report.country } }, now)
    return { report, totals: campaignTotals(tx, campaignId) }
  })
}

/** Deletes a report and lowers the paper count with it (never below zero); null if there was no such report. */
export function deleteOfflineLetters(db: Db, campaignId: number, id: number, actor: Actor, now: Date): { report: OfflineLetter; totals: Totals } | null {
  return db.transaction((tx) => {
    const report = tx
      .delete(offlineLetters)
      .where(and(eq(offlineLetters.id, id), eq(offlineLetters.campaignId, campaignId)))
      .returning()
      .get()
    if (!report) return null
    tx.update(campaigns)
      .set({ offlineCount: sql`max(0, ${campaigns.offlineCount} - ${report.count})`, tallyUpdatedAt: now })
      .where(eq(campaigns.id, campaignId))
      .run()
    audit(tx, actor, 'offline_letters.delete', { campaignId, subject: `offline_letters:${report.id}`, detail: { count: report.count, date: report.date, group: report.group, country: report.country } }, now)
    return { report, totals: campaignTotals(tx, campaignId) }
  })
}
