import type { FastifyInstance } from 'fastify'
import { parseBody, jsonSchema } from '../admin/api.js'
import { actorOf, parseId, campaignScope } from '../admin/access.js'
import { addOfflineLetters, deleteOfflineLetters, offlineJson, offlineLetterInput, offlineReports, totalsOf } from './offline-service.js'
import { countWaiting, handPeriod, handPeriodInput, markHandDelivered, sendDossier } from './hand-delivery.js'

const idParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] }
const targetParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 }, targetId: { type: 'integer', minimum: 1 } }, required: ['id', 'targetId'] }
const periodQuery = {
  type: 'object',
  properties: {
    from: { type: 'string', format: 'date', description: 'First day (YYYY-MM-DD, the official’s zone), included' },
    to: { type: 'string', format: 'date', description: 'Last day, included' },
    until: { type: 'string', format: 'date-time', description: 'Only letters written up to this moment' },
  },
}
const PERIOD_DOC =
  'The period: `from` and `to` are days (YYYY-MM-DD) in the official’s time zone, both included; `until` (an ISO instant) leaves out letters written after it, so a mark covers exactly the dossier printed. All optional: without them, every letter still waiting (status queued). 422 names a wrong field by its path.'

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

    // ---------------------------------------------------------- hand delivery

    type TargetRoute = { Params: { id: string; targetId: string }; Querystring: Record<string, unknown> }
    const targetOf = (req: { campaign: { id: number } | null; params: { targetId: string } }) => app.campaigns.target(req.campaign!.id, parseId(req.params.targetId))

    scoped.get<TargetRoute>(
      '/campaigns/:id/targets/:targetId/dossier.pdf',
      {
        schema: {
          tags: ['hand delivery'],
          summary: 'The delivery dossier: the official’s waiting letters of a period as a printable PDF (a cover page, then one letter a page)',
          description: `${PERIOD_DOC} Answers application/pdf as an attachment; the header X-Letter-Count says how many letters it holds. Every download is audited.`,
          params: targetParams,
          querystring: periodQuery,
        },
      },
      async (req, reply) => {
        const target = targetOf(req)
        if (!target) return reply.callNotFound()
        return sendDossier(req, reply, req.campaign!, target, handPeriod(target, req.query))
      },
    )

    scoped.get<TargetRoute>(
      '/campaigns/:id/targets/:targetId/hand-delivery',
      {
        schema: {
          tags: ['hand delivery'],
          summary: 'How many letters wait for the official: {"delivery":"hand","waiting":N,"inPeriod":N}',
          description: PERIOD_DOC,
          params: targetParams,
          querystring: periodQuery,
        },
      },
      async (req, reply) => {
        const target = targetOf(req)
        if (!target) return reply.callNotFound()
        const period = handPeriod(target, req.query)
        return { targetId: target.id, delivery: target.delivery, waiting: countWaiting(app.db, target), inPeriod: countWaiting(app.db, target, period) }
      },
    )

    scoped.post<TargetRoute>(
      '/campaigns/:id/targets/:targetId/hand-delivered',
      {
        schema: {
          tags: ['hand delivery'],
          summary: 'Mark the official’s waiting letters of a period delivered by hand. 200 {"delivered":N}',
          description: `${PERIOD_DOC} Body {"from"?, "to"?, "until"?} (an empty body or none: every letter waiting). Sets them sent, by hand, now; letters already delivered are left alone, so a repeat answers {"delivered":0}. Audited.`,
          params: targetParams,
          body: jsonSchema(handPeriodInput),
        },
      },
      async (req, reply) => {
        const target = targetOf(req)
        if (!target) return reply.callNotFound()
        const body = req.body === undefined || req.body === null ? {} : req.body
        if (typeof body !== 'object' || Array.isArray(body)) return parseBody(req, handPeriodInput)
        const delivered = markHandDelivered(app.db, req.campaign!, target, handPeriod(target, body), actorOf(req), app.clock())
        return { delivered }
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
