import type { FastifyInstance } from 'fastify'
import unsubscribeRoutes from './unsubscribe-routes.js'

/** Public: a campaign's updates, their Atom feed, and unsubscribing (skeleton, being built). */
export default async function updateRoutes(app: FastifyInstance) {
  await app.register(unsubscribeRoutes)
}
