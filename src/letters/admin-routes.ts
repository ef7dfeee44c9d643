import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Campaign, Target } from '../db/schema/index.js'
import { countryName, countryOptions } from '../countries.js'
import { fieldErrors, InputError, issuesOf } from '../validation.js'
import { translator, type Language } from '../i18n/index.js'
import { actorOf, parseId, campaignScope } from '../admin/access.js'
import { countWaiting, handPeriod, markHandDelivered, sendDossier, type HandPeriod } from './hand-delivery.js'
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

type TargetParams = { Params: { id: string; targetId: string }; Querystring: Record<string, unknown> }
const PERIOD_KEYS = ['from', 'to', 'until'] as const

type IdParams = { Params: { id: string }; Querystring: { added?: string; deleted?: string } }

/** "2026-11-28" as the page's language writes a day (English keeps the ISO day, as before). */
function dayIn(lang: Language, iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  if (lang === 'en' || !m) return iso
  return new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))))
}
type ReportParams = { Params: { id: string; reportId: string } }

/** /admin/campaigns/:id/offline-letters: letters groups posted on paper, counted in the total. */
export default async function offlineRoutes(app: FastifyInstance) {
  function renderList(req: FastifyRequest, reply: FastifyReply, campaign: Campaign, state: { values?: FormValues; errors?: Record<string, string>; notice?: string } = {}, status = 200) {
    const now = app.clock()
    // The page shows the counters as stored: they are what the public tally shows.
    const current = app.campaigns.byId(campaign.id) ?? campaign
    const values = state.values ?? { count: '', date: now.toISOString().slice(0, 10), group: '', country: '', note: '' }
    const errors = state.errors ?? {}
    const lang = req.lang
    const t = translator(lang)
    const reports = offlineReportsWithAuthor(app.db, campaign.id).map((r) => ({ ...r, countryName: countryName(r.country, lang), postedOn: dayIn(lang, r.date) }))
    return reply.code(status).view('letters/offline-letters', {
      title: t('adminLetters.offline.pageTitle', { campaign: campaign.title }),
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
      countries: countryOptions(lang).map((c) => ({ ...c, selected: c.code === values.country.trim().toUpperCase() })),
      csrfToken: reply.generateCsrf(),
    })
  }

  await app.register(async (scoped) => {
    scoped.addHook('preHandler', campaignScope)

    // ---------------------------------------------------------- hand delivery

    function handPage(req: FastifyRequest, reply: FastifyReply, campaign: Campaign, target: Target, state: { values?: Record<string, string>; period?: HandPeriod; errors?: Record<string, string>; notice?: string } = {}, status = 200) {
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
      const t = translator(req.lang)
      return reply.code(status).view('letters/hand-delivery', {
        title: t('adminLetters.hand.pageTitle', { name: target.name }),
        campaign,
        target,
        deliveryLabel: target.delivery === 'digest' ? t('adminLetters.hand.mode.digest') : t('adminLetters.hand.mode.each'),
        targetHref: `/admin/campaigns/${campaign.id}/targets/${target.id}`,
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
    function periodOf(req: FastifyRequest, target: Target, raw: unknown): { period: HandPeriod } | { errors: Record<string, string> } {
      try {
        return { period: handPeriod(target, raw) }
      } catch (err) {
        if (err instanceof InputError) return { errors: fieldErrors(err.issues, req.lang) }
        throw err
      }
    }

    scoped.get<TargetParams>('/campaigns/:id/targets/:targetId/hand-delivery', async (req, reply) => {
      const campaign = req.campaign!
      const target = targetOf(req)
      if (!target) return reply.callNotFound()
      const { until: _ignored, ...asked } = (req.query ?? {}) as Record<string, unknown>
      const parsed = periodOf(req, target, asked)
      if ('errors' in parsed) return handPage(req, reply, campaign, target, { values: periodValues(asked), errors: parsed.errors }, 422)
      const { period } = parsed
      const delivered = parseId(req.query.delivered)
      const t = translator(req.lang)
      const notice = 'delivered' in req.query ? (delivered ? t('adminLetters.hand.marked', { count: delivered }) : t('adminLetters.hand.nothingToMark')) : undefined
      return handPage(req, reply, campaign, target, { period, notice })
    })

    scoped.get<TargetParams>('/campaigns/:id/targets/:targetId/dossier.pdf', async (req, reply) => {
      const campaign = req.campaign!
      const target = targetOf(req)
      if (!target) return reply.callNotFound()
      const asked = periodOf(req, target, req.query)
      if ('errors' in asked) return handPage(req, reply, campaign, target, { values: periodValues(req.query), errors: asked.errors }, 422)
      return sendDossier(req, reply, campaign, target, asked.period)
    })

    scoped.post<TargetParams>('/campaigns/:id/targets/:targetId/hand-delivered', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const target = targetOf(req)
      if (!target) return reply.callNotFound()
      const asked = periodOf(req, target, req.body)
      if ('errors' in asked) return handPage(req, reply, campaign, target, { values: periodValues(req.body), errors: asked.errors }, 422)
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
      const t = translator(req.lang)
      const notice = added ? t('adminLetters.offline.added', { count: added }) : deleted ? t('adminLetters.offline.deleted', { count: deleted }) : undefined
      return renderList(req, reply, req.campaign!, { notice })
    })

    scoped.post<IdParams>('/campaigns/:id/offline-letters', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const body = (req.body ?? {}) as Record<string, unknown>
      const values = Object.fromEntries(FIELDS.map((k) => [k, typeof body[k] === 'string' ? (body[k] as string) : ''])) as FormValues
      const now = app.clock()
      const parsed = offlineLetterInput(now).safeParse({ ...values, count: countFromForm(values.count) })
      if (!parsed.success) return renderList(req, reply, campaign, { values, errors: fieldErrors(issuesOf(parsed.error), req.lang) }, 422)
      const { report } = addOfflineLetters(app.db, campaign.id, parsed.data, actorOf(req), now)
      return reply.redirect(`/admin/campaigns/${campaign.id}/offline-letters?added=${report.count}#report-${report.id}`, 303)
    })

    scoped.get<ReportParams>('/campaigns/:id/offline-letters/:reportId/delete', async (req, reply) => {
      const campaign = req.campaign!
      const report = offlineReport(app.db, campaign.id, parseId(req.params.reportId))
      if (!report) return reply.callNotFound()
      const t = translator(req.lang)
      return reply.view('letters/offline-delete', {
        title: t('adminLetters.delete.pageTitle'),
        campaign,
        report: { ...report, countryName: countryName(report.country, req.lang) },
        reportDate: dayIn(req.lang, report.date),
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
