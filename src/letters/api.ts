import type { FastifyInstance } from 'fastify'
import { parseBody, jsonSchema } from '../admin/api.js'
import { actorOf, parseId, campaignScope } from '../admin/access.js'
import { addOfflineLetters, deleteOfflineLetters, offlineJson, offlineLetterInput, offlineReports, totalsOf } from './offline-service.js'

const idParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] }
const reportParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 }, reportId: { type: 'integer', minimum: 1 } }, required: ['id', 'reportId'] }

/** /api/admin/campaigns/:id/offline-letters: paper letters reported by groups. */
export default async function offlineApi(app: FastifyInstance) {
  await app.register(async (scoped) => {
    scoped.addHook('preHandler', campaignScope)

    scoped.post<{ Params: { id: string } }>(
      '/campaigns/:id/offline-letters',
      {
        schema: {
          tags: ['offline letters'],
          summary: 'Report letters a group posted on paper',
          description: '`count` 1..100000, `date` YYYY-MM-DD (not in the future), `group`, `country` (ISO 3166-1 alpha-2), `note` optional. They count in the campaign total at once.',
          params: idParams,
          body: jsonSchema(offlineLetterInput(app.clock())),
        },
      },
      async (req, reply) => {
        const now = app.clock()
        const input = parseBody(req, offlineLetterInput(now))
        const { report, totals } = addOfflineLetters(app.db, req.campaign!.id, input, actorOf(req), now)
        return reply.code(201).send({ offlineLetter: offlineJson(report), totals })
      },
    )

    scoped.get<{ Params: { id: string } }>(
      '/campaigns/:id/offline-letters',
      { schema: { tags: ['offline letters'], summary: 'The reports, newest day first, with the totals (online, offline, total)', params: idParams } },
      async (req) => {
        const campaign = req.campaign!
        return { offlineLetters: offlineReports(app.db, campaign.id).map(offlineJson), totals: totalsOf(campaign) }
      },
    )

    scoped.delete<{ Params: { id: string; reportId: string } }>(
      '/campaigns/:id/offline-letters/:reportId',
      { schema: { tags: ['offline letters'], summary: 'Delete a report: its letters leave the total', params: reportParams } },
      async (req, reply) => {
        const deleted = deleteOfflineLetters(app.db, req.campaign!.id, parseId(req.params.reportId), actorOf(req), app.clock())
        if (!deleted) return reply.callNotFound()
        return { offlineLetter: offlineJson(deleted.report), totals: deleted.totals }
      },
    )
  })
}
