import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import { apiScope } from './api.js'
import { responses } from '../openapi.js'

const meOut = z
  .object({
    id: z.int().positive(),
    email: z.string(),
    role: z.enum(['admin', 'organizer']),
    campaignIds: z.array(z.int().positive()).describe('The campaigns an organizer runs (empty for an admin, who runs them all)'),
  })
  .describe('The token’s user')

/** /api/admin: the organizers' JSON API, behind bearer tokens; the features' routes are handed in. */
export default async function adminApiPlugin(app: FastifyInstance, opts: { routes: FastifyPluginAsync[] }) {
  await apiScope(app)
  app.get('/me', { schema: { summary: 'Who the token belongs to', tags: ['account'], response: responses({ 200: meOut }, [401]) } }, async (req) => {
    const u = req.user!
    return { id: u.id, email: u.email, role: u.role, campaignIds: u.campaignIds }
  })
  for (const routes of opts.routes) await app.register(routes)
}
