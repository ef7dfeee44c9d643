import type { FastifyInstance } from 'fastify'

/** /api/admin/campaigns/:id/updates (skeleton, being built). */
export default async function updateApi(app: FastifyInstance) {
  void app
}
