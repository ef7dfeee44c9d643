import type { FastifyInstance } from 'fastify'
import { countryName } from '../countries.js'
import { campaignScope } from '../admin/access.js'
import { translator } from '../i18n/index.js'
import { exportRoutes } from './exports.js'
import { lettersPerDaySvg } from './chart.js'
import { campaignTotals, countryRows, dayRows, deliveryReport, freshCampaign, letterStats, offlineByCountry, offlineByDay, picketsTally, targetsTally } from './queries.js'

export const CHART_DAYS = 60

/** The campaign's report page and the CSV exports under /admin. */
export default async function reportRoutes(app: FastifyInstance) {
  await app.register(async (scoped) => {
    scoped.addHook('preHandler', campaignScope)
    scoped.get('/campaigns/:id/report', async (req, reply) => {
      const lang = req.lang
      const t = translator(lang)
      const stats = await letterStats(app.db, req.campaign!.id)
      // Counters read after the pass, so the totals are at least as new as the breakdowns.
      const campaign = freshCampaign(app.db, req.campaign!.id)!
      const now = app.clock()
      const to = now.toISOString().slice(0, 10)
      const from = new Date(Date.parse(`${to}T00:00:00Z`) - (CHART_DAYS - 1) * 86_400_000).toISOString().slice(0, 10)
      const days = dayRows(stats, offlineByDay(app.db, campaign.id), { from, to })
      const totals = campaignTotals(campaign)
      const byTarget = targetsTally(app.db, campaign.id)
      const byCountry = countryRows(stats, offlineByCountry(app.db, campaign.id)).map((c) => ({ ...c, name: countryName(c.country, lang), total: c.online + c.offline }))
      // Each picket's time as read at its venue, with the zone (through the pickets service: features meet there).
      const pickets = picketsTally(app.db, campaign.id).map((p) => ({ ...p, cancelled: p.status === 'cancelled', local: app.pickets.localTime(p, lang) }))
      const lastDays = days.reduce((acc, d) => ({ online: acc.online + d.online, offline: acc.offline + d.offline }), { online: 0, offline: 0 })
      return reply.view('reports/report', {
        title: t('adminReports.pageTitle', { campaign: campaign.title }),
        campaign,
        totals,
        percentOfGoal: new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(totals.goal > 0 ? Math.round((totals.total / totals.goal) * 1000) / 10 : 0),
        pending: stats.pending,
        chart: lettersPerDaySvg(days, {
          title: t('adminReports.chart.title', { from, to }),
          lang,
          labels: {
            online: t('adminReports.chart.online'),
            offline: t('adminReports.chart.offline'),
            tip: (d) => t('adminReports.chart.tip', { date: d.date, total: d.total, online: d.online, offline: d.offline }),
          },
        }),
        chartDays: CHART_DAYS,
        days: days.filter((d) => d.online + d.offline > 0).reverse(),
        lastDays,
        from,
        to,
        byTarget,
        delivery: deliveryReport(app.db, campaign.id).map((d) => ({
          ...d,
          mode: d.delivery === 'hand' ? t('adminReports.delivery.mode.hand') : d.delivery === 'digest' ? t('adminReports.delivery.mode.digest') : t('adminReports.delivery.mode.each'),
          bouncing: d.deliveryState === 'bouncing',
          lastDelivery: d.lastDelivery ? new Date(d.lastDelivery) : null,
        })),
        byCountry,
        pickets,
      })
    })
  })
  await app.register(exportRoutes, { docs: false })
}
