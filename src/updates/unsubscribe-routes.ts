import type { FastifyInstance } from 'fastify'

/** One-click unsubscribe from a campaign's updates (RFC 8058): skeleton, being built. */
export default async function unsubscribeRoutes(app: FastifyInstance) {
  void app
}
