import type { FastifyInstance } from 'fastify'

/** Back office: writing, publishing and mailing updates (skeleton, being built). */
export default async function updateAdminRoutes(app: FastifyInstance) {
  void app
}
