import type { FastifyInstance } from 'fastify'
import { apiScope } from './api.js'
import campaignApi from './campaign-api.js'
import picketApi from './picket-api.js'
import offlineApi from './offline-api.js'
import reportApi from './report-api.js'

/** /api/admin: the organizers' JSON API, behind bearer tokens. */
export default async function adminApiPlugin(app: FastifyInstance) {
  await apiScope(app)
  app.get('/me', { schema: { summary: 'Who the token belongs to', tags: ['account'] } }, async (req) => {
    const u = req.user!
    return { id: u.id, email: u.email, role: u.role, campaignIds: u.campaignIds }
  })
  await app.register(campaignApi)
  await app.register(picketApi)
  await app.register(offlineApi)
  await app.register(reportApi)
}
