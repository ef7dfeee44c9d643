import type { FastifyReply, FastifyRequest } from 'fastify'
import { and, asc, count, eq, gte, lt, lte, sql, type SQL } from 'drizzle-orm'
import { DateTime } from 'luxon'
import { z } from 'zod'
import type { Db } from '../db/client.js'
import { letters, type Campaign, type Target } from '../db/schema/index.js'
import { InputError, issuesOf } from '../validation.js'
import { actorOf } from '../admin/access.js'
import { audit, type Actor } from '../admin/audit.js'
import { dossierFileName, dossierParties, dossierStream } from './dossier.js'
import { asDelivered } from './mail.js'
import { officialZone } from './zone.js'

// An official in `hand` mode gets no mail: their letters wait (status queued) until organizers print
// the delivery dossier for a period and mark those letters delivered by hand. The screens below and
// the API (api.ts) share these rules. A period is two dates in the official's own zone, both included;
// `until` (an instant, set by the screen when it shows the count) keeps letters written after the
// dossier was downloaded out of the "delivered" mark.

const DATE_MESSAGE = (label: string) => `${label} must be a date such as 2026-03-01`
const UNTIL_MESSAGE = 'until must be a moment such as 2026-03-01T12:00:00.000Z'
// As text, the way a query or a body gives them ('' is none), so the API's route schemas validate with the same rules.
const isoDayText = (label: string) =>
  z
    .string({ error: DATE_MESSAGE(label) })
    .trim()
    .refine((v) => v === '' || (/^\d{4}-\d{2}-\d{2}$/.test(v) && DateTime.fromISO(v, { zone: 'UTC' }).isValid), DATE_MESSAGE(label))
    .optional()
const untilText = z
  .string({ error: UNTIL_MESSAGE })
  .trim()
  .refine((v) => v === '' || (/^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v))), UNTIL_MESSAGE)
  .optional()
const inOrder = (p: { from?: string; to?: string }) => !p.from || !p.to || p.from <= p.to
const ORDER = { message: 'To must be on or after From', path: ['to'] }

/**
 * The period as a query or a body states it (text, nothing transformed): the API's route schemas.
 * `handPeriod` reads what they let through.
 */
export const handPeriodText = z
  .object({
    from: isoDayText('From').describe('First day (YYYY-MM-DD, in the official’s zone), included').meta({ format: 'date', examples: ['2026-11-01'] }),
    to: isoDayText('To').describe('Last day (YYYY-MM-DD), included; not before `from`').meta({ format: 'date', examples: ['2026-11-30'] }),
    until: untilText.describe('Only letters written up to this moment (ISO 8601)').meta({ format: 'date-time', examples: ['2026-12-01T12:00:00.000Z'] }),
  })
  .refine(inOrder, ORDER)

/** The period of a dossier or a mark: `from` and `to` (YYYY-MM-DD, both included), optional; `until` an ISO instant. */
export const handPeriodInput = z
  .object({
    from: isoDayText('From').transform((v) => v || undefined),
    to: isoDayText('To').transform((v) => v || undefined),
    until: untilText.transform((v) => (v ? new Date(v) : undefined)),
  })
  .refine(inOrder, ORDER)
export type HandPeriodInput = z.infer<typeof handPeriodInput>

export interface HandPeriod {
  from?: string
  to?: string
  /** The first instant of `from` and the first after `to`, in the official's zone. */
  start?: Date
  end?: Date
  until?: Date
}

/** Reads a period from a query or a body; an InputError names the wrong field. */
export function handPeriod(target: Target, raw: unknown): HandPeriod {
  const source = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {}
  const picked = Object.fromEntries(['from', 'to', 'until'].filter((k) => source[k] !== undefined && source[k] !== null).map((k) => [k, source[k]]))
  const parsed = handPeriodInput.safeParse(picked)
  if (!parsed.success) throw new InputError(issuesOf(parsed.error))
  const zone = officialZone(target)
  const { from, to, until } = parsed.data
  return {
    from,
    to,
    start: from ? DateTime.fromISO(from, { zone }).startOf('day').toJSDate() : undefined,
    end: to ? DateTime.fromISO(to, { zone }).startOf('day').plus({ days: 1 }).toJSDate() : undefined,
    until,
  }
}

/** The official's letters still waiting for them in the period (written, i.e. counted, inside it). */
function waitingIn(target: Target, period: HandPeriod): SQL {
  const written = sql`coalesce(${letters.countedAt}, ${letters.createdAt})`
  const conditions: SQL[] = [eq(letters.targetId, target.id), eq(letters.campaignId, target.campaignId), eq(letters.status, 'queued')]
  if (period.start) conditions.push(gte(written, period.start.getTime()))
  if (period.end) conditions.push(lt(written, period.end.getTime()))
  if (period.until) conditions.push(lte(written, period.until.getTime()))
  return and(...conditions)!
}

export function countWaiting(db: Db, target: Target, period: HandPeriod = {}): number {
  return db.select({ n: count() }).from(letters).where(waitingIn(target, period)).get()?.n ?? 0
}

/** The letters to print, oldest first; with the period the cover shows. */
export function dossierOf(db: Db, campaign: Campaign, target: Target, period: HandPeriod, actor: Actor, now: Date) {
  const rows = db.select().from(letters).where(waitingIn(target, period)).orderBy(asc(letters.countedAt), asc(letters.id)).all()
  const delivered = rows.map(asDelivered)
  const first = delivered.reduce<Date | undefined>((min, l) => (!min || l.createdAt < min ? l.createdAt : min), undefined)
  const shown = { from: period.start ?? first ?? now, to: period.end ?? period.until ?? now }
  // The dossier carries supporters' names and words: who took one is audited.
  audit(db, actor, 'letters.dossier', { campaignId: campaign.id, subject: target.name, detail: { targetId: target.id, from: period.from ?? null, to: period.to ?? null, until: period.until ?? null, letters: rows.length } }, now)
  return {
    fileName: dossierFileName(target.name, shown),
    // In the official's language (the organizer prints it for them).
    stream: () => dossierStream({ ...dossierParties(campaign, target), period: shown, letters: delivered, generatedAt: now, timeZone: officialZone(target) }),
    count: rows.length,
  }
}

/**
 * Marks the official's letters still waiting in the period as delivered by hand: sent now, by hand.
 * Only letters still queued change, so marking twice changes nothing the second time. Audited.
 */
export function markHandDelivered(db: Db, campaign: Campaign, target: Target, period: HandPeriod, actor: Actor, now: Date): number {
  return db.transaction(
    (tx) => {
      const changed = tx.update(letters).set({ status: 'sent', deliveredVia: 'hand', sentAt: now }).where(waitingIn(target, period)).run().changes
      if (changed > 0) {
        audit(tx, actor, 'letters.hand_delivered', { campaignId: campaign.id, subject: target.name, detail: { targetId: target.id, from: period.from ?? null, to: period.to ?? null, until: period.until ?? null, letters: changed } }, now)
      }
      return changed
    },
    { behavior: 'immediate' },
  )
}

/** Sends the dossier as a download (streamed as it is laid out). */
export function sendDossier(req: FastifyRequest, reply: FastifyReply, campaign: Campaign, target: Target, period: HandPeriod) {
  const app = req.server
  const dossier = dossierOf(app.db, campaign, target, period, actorOf(req), app.clock())
  return reply
    .header('content-type', 'application/pdf')
    .header('content-disposition', `attachment; filename="${dossier.fileName}"`)
    .header('cache-control', 'no-store')
    .header('x-letter-count', String(dossier.count))
    .send(dossier.stream())
}
