import type { FastifyInstance } from 'fastify'
import { allCampaigns } from './users.js'

export default async function dashboardRoutes(app: FastifyInstance) {
  app.get('/', async (req, reply) => {
    const user = req.user!
    const campaigns = allCampaigns(app.db).filter((c) => user.role === 'admin' || user.campaignIds.includes(c.id))
    return reply.view('admin/dashboard', { title: 'Back office', campaigns })
  })
}
