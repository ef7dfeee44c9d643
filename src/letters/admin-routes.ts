import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { and, asc, count, eq, gte, lt, lte, sql, type SQL } from 'drizzle-orm'
import { DateTime } from 'luxon'
import { z } from 'zod'
import type { Db } from '../db/client.js'
import { letters, type Campaign, type Target } from '../db/schema/index.js'
import { countryName, countryOptions } from '../countries.js'
import { fieldErrors, InputError, issuesOf } from '../validation.js'
import { actorOf, parseId, campaignScope } from '../admin/access.js'
import { audit, type Actor } from '../admin/audit.js'
import { dossierFileName, dossierStream } from './dossier.js'
import { asDelivered } from './mail.js'
import { officialZone } from './zone.js'
import { addOfflineLetters, deleteOfflineLetters, latestPostingDate, MAX_OFFLINE_COUNT, offlineLetterInput, offlineReport, offlineReportsWithAuthor, totalsOf } from './offline-service.js'

const FIELDS = ['count', 'date', 'group', 'country', 'note'] as const
type FormValues = Record<(typeof FIELDS)[number], string>

/** "1,200" or "1 200" is 1200; anything else unreadable goes to the validator as it is. */
export function countFromForm(raw: string): number | string {
  const v = raw.trim()
  if (/^\d{1,3}([ ,\u00a0\u202f]\d{3})+$/.test(v)) return Number(v.replace(/\D/g, ''))
  if (/^\d{1,9}$/.test(v)) return Number(v)
  return v
}

// ---------------------------------------------------------------- hand delivery
//
// An official in `hand` mode gets no mail: their letters wait (status queued) until organizers print
// the delivery dossier for a period and mark those letters delivered by hand. The screens below and
// the API (api.ts) share these rules. A period is two dates in the official's own zone, both included;
// `until` (an instant, set by the screen when it shows the count) keeps letters written after the
// dossier was downloaded out of the "delivered" mark.

const DATE_MESSAGE = (label: string) => `${label} must be a date such as 2026-03-01`
const isoDay = (label: string) =>
  z
    .string({ error: DATE_MESSAGE(label) })
    .trim()
    .refine((v) => v === '' || (/^\d{4}-\d{2}-\d{2}$/.test(v) && DateTime.fromISO(v, { zone: 'UTC' }).isValid), DATE_MESSAGE(label))
    .optional()
    .transform((v) => v || undefined)

/** The period of a dossier or a mark: `from` and `to` (YYYY-MM-DD, both included), optional; `until` an ISO instant. */
export const handPeriodInput = z
  .object({
    from: isoDay('From'),
    to: isoDay('To'),
    until: z
      .string({ error: 'until must be a moment such as 2026-03-01T12:00:00.000Z' })
      .trim()
      .refine((v) => v === '' || (/^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v))), 'until must be a moment such as 2026-03-01T12:00:00.000Z')
      .optional()
      .transform((v) => (v ? new Date(v) : undefined)),
  })
  .refine((p) => !p.from || !p.to || p.from <= p.to, { message: 'To must be on or after From', path: ['to'] })
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
    stream: () => dossierStream({ campaign, official: target, period: shown, letters: delivered, generatedAt: now, timeZone: officialZone(target) }),
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

type TargetParams = { Params: { id: string; targetId: string }; Querystring: Record<string, unknown> }
const PERIOD_KEYS = ['from', 'to', 'until'] as const

type IdParams = { Params: { id: string }; Querystring: { added?: string; deleted?: string } }
type ReportParams = { Params: { id: string; reportId: string } }

/** /admin/campaigns/:id/offline-letters: letters groups posted on paper, counted in the total. */
export default async function offlineRoutes(app: FastifyInstance) {
  function renderList(reply: FastifyReply, campaign: Campaign, state: { values?: FormValues; errors?: Record<string, string>; notice?: string } = {}, status = 200) {
    const now = app.clock()
    // The page shows the counters as stored: they are what the public tally shows.
    const current = app.campaigns.byId(campaign.id) ?? campaign
    const values = state.values ?? { count: '', date: now.toISOString().slice(0, 10), group: '', country: '', note: '' }
    const errors = state.errors ?? {}
    const reports = offlineReportsWithAuthor(app.db, campaign.id).map((r) => ({ ...r, countryName: countryName(r.country) }))
    return reply.code(status).view('letters/offline-letters', {
      title: `Offline letters — ${campaign.title}`,
      campaign: current,
      totals: totalsOf(current),
      reports,
      reportsTotal: reports.reduce((n, r) => n + r.count, 0),
      values,
      errors,
      hasErrors: Object.keys(errors).length > 0,
      notice: state.notice,
      maxCount: MAX_OFFLINE_COUNT,
      maxDate: latestPostingDate(now),
      countries: countryOptions().map((c) => ({ ...c, selected: c.code === values.country.trim().toUpperCase() })),
      csrfToken: reply.generateCsrf(),
    })
  }

  await app.register(async (scoped) => {
    scoped.addHook('preHandler', campaignScope)

    // ---------------------------------------------------------- hand delivery

    function handPage(reply: FastifyReply, campaign: Campaign, target: Target, state: { values?: Record<string, string>; period?: HandPeriod; errors?: Record<string, string>; notice?: string } = {}, status = 200) {
      const now = app.clock()
      const period = state.period ?? {}
      const errors = state.errors ?? {}
      const total = countWaiting(app.db, target)
      // The count and both buttons work on what is waiting now: letters written after this page was shown are left for next time.
      const until = period.until ?? now
      const inPeriod = state.errors ? 0 : countWaiting(app.db, target, { ...period, until })
      const values = state.values ?? { from: period.from ?? '', to: period.to ?? '' }
      const query = new URLSearchParams()
      if (!state.errors) {
        if (period.from) query.set('from', period.from)
        if (period.to) query.set('to', period.to)
      }
      query.set('until', until.toISOString())
      return reply.code(status).view('letters/hand-delivery', {
        title: `Hand delivery: ${target.name}`,
        campaign,
        target,
        zone: officialZone(target),
        isHand: target.delivery === 'hand',
        bouncing: target.deliveryState === 'bouncing',
        total,
        inPeriod,
        several: inPeriod !== 1,
        hasPeriod: Boolean(period.from || period.to),
        period,
        values,
        untilIso: until.toISOString(),
        dossierUrl: `/admin/campaigns/${campaign.id}/targets/${target.id}/dossier.pdf?${query.toString()}`,
        errors,
        hasErrors: Object.keys(errors).length > 0,
        notice: state.notice,
        csrfToken: reply.generateCsrf(),
      })
    }

    const targetOf = (req: FastifyRequest<TargetParams>) => app.campaigns.target(req.campaign!.id, parseId(req.params.targetId))
    const periodValues = (raw: unknown) => {
      const src = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>
      return Object.fromEntries(PERIOD_KEYS.map((k) => [k, typeof src[k] === 'string' ? (src[k] as string).slice(0, 40) : '']))
    }
    /** The period asked for, or what is wrong with it (by field). */
    function periodOf(target: Target, raw: unknown): { period: HandPeriod } | { errors: Record<string, string> } {
      try {
        return { period: handPeriod(target, raw) }
      } catch (err) {
        if (err instanceof InputError) return { errors: fieldErrors(err.issues) }
        throw err
      }
    }

    scoped.get<TargetParams>('/campaigns/:id/targets/:targetId/hand-delivery', async (req, reply) => {
      const campaign = req.campaign!
      const target = targetOf(req)
      if (!target) return reply.callNotFound()
      const { until: _ignored, ...asked } = (req.query ?? {}) as Record<string, unknown>
      const parsed = periodOf(target, asked)
      if ('errors' in parsed) return handPage(reply, campaign, target, { values: periodValues(asked), errors: parsed.errors }, 422)
      const { period } = parsed
      const delivered = parseId(req.query.delivered)
      const notice =
        'delivered' in req.query
          ? delivered
            ? `Marked ${delivered.toLocaleString('en')} ${delivered === 1 ? 'letter' : 'letters'} as delivered by hand.`
            : 'Nothing to mark: those letters were already marked delivered.'
          : undefined
      return handPage(reply, campaign, target, { period, notice })
    })

    scoped.get<TargetParams>('/campaigns/:id/targets/:targetId/dossier.pdf', async (req, reply) => {
      const campaign = req.campaign!
      const target = targetOf(req)
      if (!target) return reply.callNotFound()
      const asked = periodOf(target, req.query)
      if ('errors' in asked) return handPage(reply, campaign, target, { values: periodValues(req.query), errors: asked.errors }, 422)
      return sendDossier(req, reply, campaign, target, asked.period)
    })

    scoped.post<TargetParams>('/campaigns/:id/targets/:targetId/hand-delivered', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const target = targetOf(req)
      if (!target) return reply.callNotFound()
      const asked = periodOf(target, req.body)
      if ('errors' in asked) return handPage(reply, campaign, target, { values: periodValues(req.body), errors: asked.errors }, 422)
      const { period } = asked
      const delivered = markHandDelivered(app.db, campaign, target, period, actorOf(req), app.clock())
      const back = new URLSearchParams({ delivered: String(delivered) })
      if (period.from) back.set('from', period.from)
      if (period.to) back.set('to', period.to)
      return reply.redirect(`/admin/campaigns/${campaign.id}/targets/${target.id}/hand-delivery?${back.toString()}`, 303)
    })

    scoped.get<IdParams>('/campaigns/:id/offline-letters', async (req, reply) => {
      const added = parseId(req.query.added)
      const deleted = parseId(req.query.deleted)
      const notice = added
        ? `Added ${added.toLocaleString('en')} ${added === 1 ? 'letter' : 'letters'} to the total.`
        : deleted
          ? `Deleted: ${deleted.toLocaleString('en')} ${deleted === 1 ? 'letter' : 'letters'} taken off the total.`
          : undefined
      return renderList(reply, req.campaign!, { notice })
    })

    scoped.post<IdParams>('/campaigns/:id/offline-letters', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const body = (req.body ?? {}) as Record<string, unknown>
      const values = Object.fromEntries(FIELDS.map((k) => [k, typeof body[k] === 'string' ? (body[k] as string) : ''])) as FormValues
      const now = app.clock()
      const parsed = offlineLetterInput(now).safeParse({ ...values, count: countFromForm(values.count) })
      if (!parsed.success) return renderList(reply, campaign, { values, errors: fieldErrors(issuesOf(parsed.error)) }, 422)
      const { report } = addOfflineLetters(app.db, campaign.id, parsed.data, actorOf(req), now)
      return reply.redirect(`/admin/campaigns/${campaign.id}/offline-letters?added=${report.count}#report-${report.id}`, 303)
    })

    scoped.get<ReportParams>('/campaigns/:id/offline-letters/:reportId/delete', async (req, reply) => {
      const campaign = req.campaign!
      const report = offlineReport(app.db, campaign.id, parseId(req.params.reportId))
      if (!report) return reply.callNotFound()
      return reply.view('letters/offline-delete', {
        title: 'Delete a report of offline letters',
        campaign,
        report: { ...report, countryName: countryName(report.country) },
        totals: totalsOf(campaign),
        csrfToken: reply.generateCsrf(),
      })
    })

    scoped.post<ReportParams>('/campaigns/:id/offline-letters/:reportId/delete', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const deleted = deleteOfflineLetters(app.db, campaign.id, parseId(req.params.reportId), actorOf(req), app.clock())
      if (!deleted) return reply.callNotFound()
      return reply.redirect(`/admin/campaigns/${campaign.id}/offline-letters?deleted=${deleted.report.count}`, 303)
    })
  })
}
