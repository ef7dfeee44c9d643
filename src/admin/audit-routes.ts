import type { FastifyInstance } from 'fastify'
import { parseId, requireAdmin } from './access.js'
import { auditPage } from './audit.js'
import { allCampaigns } from './users.js'
import { translator } from '../i18n/index.js'
import { auditActionName } from './labels.js'

export const AUDIT_PAGE = 50

/** Who changed what and who exported what: newest first, 50 a page, by campaign if asked. Admins only. */
export default async function auditRoutes(app: FastifyInstance) {
  app.addHook('preHandler', requireAdmin)

  app.get<{ Querystring: Record<string, unknown> }>('/audit', async (req, reply) => {
    const t = translator(req.lang)
    const before = parseId(req.query.before) || undefined
    const campaignId = parseId(req.query.campaign) || undefined
    const campaigns = allCampaigns(app.db)
    const titles = new Map(campaigns.map((c) => [c.id, c.title]))
    const rows = auditPage(app.db, { before, campaignId, limit: AUDIT_PAGE + 1 })
    const page = rows.slice(0, AUDIT_PAGE)
    const entries = page.map((e) => ({
      ...e,
      who: e.userEmail ?? t('admin.audit.commandLine'),
      actionName: auditActionName(t, e.action),
      campaign: e.campaignId === null ? null : (titles.get(e.campaignId) ?? t('admin.audit.deletedCampaign', { id: e.campaignId })),
      detailText: e.detail && Object.keys(e.detail).length ? JSON.stringify(e.detail) : '',
    }))
    const filter = campaignId ? `&campaign=${campaignId}` : ''
    return reply.view('admin/audit', {
      title: t('admin.nav.audit'),
      entries,
      campaigns: campaigns.map((c) => ({ id: c.id, title: c.title, selected: c.id === campaignId })),
      campaignId,
      olderUrl: rows.length > AUDIT_PAGE ? `/admin/audit?before=${page[page.length - 1]!.id}${filter}` : null,
      newestUrl: before ? `/admin/audit${campaignId ? `?campaign=${campaignId}` : ''}` : null,
    })
  })
}
