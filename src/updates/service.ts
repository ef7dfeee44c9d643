import type { Db } from '../db/client.js'
import type { Clock } from '../clock.js'
import type { CampaignService } from '../campaigns/service.js'
import type { UpdateMailing } from './mailing.js'

declare module 'fastify' {
  interface FastifyInstance {
    updates: UpdateService
  }
}

/** app.updates: writing, publishing and reading updates (skeleton, being built). */
export function createUpdateService(deps: { db: Db; clock: Clock; campaigns: CampaignService; mailing: UpdateMailing; onMailQueued: () => void }) {
  void deps
  return {}
}

export type UpdateService = ReturnType<typeof createUpdateService>
