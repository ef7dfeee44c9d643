import type { FastifyInstance } from 'fastify'

/** Spreading a campaign: its share card (card.png), the widget for union websites, the badge (skeleton, being built). */
export default async function shareRoutes(app: FastifyInstance) {
  void app
}
