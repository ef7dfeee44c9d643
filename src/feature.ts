import type { FastifyPluginAsync } from 'fastify'

/**
 * What a feature folder hands the composition root (src/app.ts): its routes, grouped by who may
 * reach them. Each feature's `feature.ts` exports one; the admin shell registers the back-office and
 * API parts behind its session and token guards without importing any feature.
 */
export interface Feature {
  name: string
  /** Public pages and JSON, at the root. */
  routes?: FastifyPluginAsync
  /** Back-office screens under /admin: signed in, guarded by the shell's hooks. */
  admin?: FastifyPluginAsync
  /** The organizers' JSON API under /api/admin: bearer tokens, documented in OpenAPI. */
  api?: FastifyPluginAsync
}
