import type { FastifyInstance } from 'fastify'
import { translator } from '../i18n/index.js'
import { campaignStatusName, roleName } from './labels.js'
import { allCampaigns } from './users.js'

export default async function dashboardRoutes(app: FastifyInstance) {
  app.get('/', async (req, reply) => {
    const user = req.user!
    const t = translator(req.lang)
    const campaigns = allCampaigns(app.db)
      .filter((c) => user.role === 'admin' || user.campaignIds.includes(c.id))
      // What each campaign needs before it may go live, through the campaigns' service (the shell imports no feature).
      .map((c) => ({ ...c, statusName: campaignStatusName(t, c.status), checklist: app.campaigns.checklist(c, req.lang) }))
    return reply.view('admin/dashboard', { title: t('admin.nav.backOffice'), campaigns, roleName: roleName(t, user.role) })
  })
}
