import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Campaign } from '../db/schema/index.js'
import { countryName, countryOptions } from '../countries.js'
import { fieldErrors, issuesOf } from '../validation.js'
import { actorOf, parseId, campaignScope } from '../admin/access.js'
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
