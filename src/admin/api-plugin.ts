import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { apiScope } from './api.js'

/** /api/admin: the organizers' JSON API, behind bearer tokens; the features' routes are handed in. */
export default async function adminApiPlugin(app: FastifyInstance, opts: { routes: FastifyPluginAsync[] }) {
  await apiScope(app)
  app.get('/me', { schema: { summary: 'Who the token belongs to', tags: ['account'] } }, async (req) => {
    const u = req.user!
    return { id: u.id, email: u.email, role: u.role, campaignIds: u.campaignIds }
  })
  for (const routes of opts.routes) await app.register(routes)
}
