import type { FastifyInstance } from 'fastify'
import unsubscribeRoutes from './unsubscribe-routes.js'
import shareRoutes from './share-routes.js'

/** Public: a campaign's updates, their Atom feed, and unsubscribing (skeleton, being built). */
export default async function updateRoutes(app: FastifyInstance) {
  await app.register(unsubscribeRoutes)
  await app.register(shareRoutes)
}
