import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { parseBody } from '../admin/api.js'
import { actorOf, parseId, campaignScope } from '../admin/access.js'
import { dateTime, idParam, responses, optionalBody } from '../openapi.js'
import { addOfflineLetters, deleteOfflineLetters, offlineJson, offlineLetterInput, offlineReports, totalsOf } from './offline-service.js'
import { countWaiting, handPeriod, handPeriodText, markHandDelivered, sendDossier } from './hand-delivery.js'

const campaignId = idParam.describe('The campaign’s id')
const campaignParams = z.object({ id: campaignId })
const targetParams = z.object({ id: campaignId, targetId: idParam.describe('The official’s id') })
const reportParams = z.object({ id: campaignId, reportId: idParam.describe('The report’s id') })

const PERIOD_DOC =
  'The period: `from` and `to` are days (YYYY-MM-DD) in the official’s time zone, both included; `until` (an ISO instant) leaves out letters written after it, so a mark covers exactly the dossier printed. All optional: without them, every letter still waiting (status queued). 422 names a wrong field by its path.'

/** One complete valid body for the document (zod keeps `examples` out of a transforming schema's input). */
const bodyExample = (value: unknown) => ({ 'x-examples': { valid: { summary: 'A valid request', value } } })

// Built once: "not in the future" asks the app's clock at each request.
const offlineBody = (app: FastifyInstance) =>
  offlineLetterInput(() => app.clock()).meta(bodyExample({ count: 120, date: '2026-11-20', group: 'Unite Leeds branch', country: 'GB', note: 'Posted after the branch meeting' }))

/** An empty body or none: every letter waiting. */
const handDeliveredBody = z.preprocess((v) => v ?? {}, handPeriodText).meta(bodyExample({ from: '2026-11-01', to: '2026-11-30', until: '2026-12-01T12:00:00.000Z' }))

const totalsOut = z.object({ online: z.int().nonnegative().describe('Letters written online that count'), offline: z.int().nonnegative().describe('Letters reported on paper'), total: z.int().nonnegative() })
const offlineOut = z.object({
  id: z.int().positive(),
  campaignId: z.int().positive(),
  count: z.int().positive(),
  date: z.string().meta({ format: 'date' }).describe('The day the letters were posted'),
  group: z.string(),
  country: z.string().describe('ISO 3166-1 alpha-2'),
  note: z.string(),
  createdBy: z.int().nullable().describe('The user who reported it'),
  createdAt: dateTime,
})

/** /api/admin/campaigns/:id/offline-letters: paper letters reported by groups. */
export default async function offlineApi(app: FastifyInstance) {
  const offlineInput = offlineBody(app)

  await app.register(async (scoped) => {
    // Before the body is judged: a campaign that is not theirs is a 404 whatever they send.
    scoped.addHook('preValidation', campaignScope)

    scoped.post<{ Params: { id: string } }>(
      '/campaigns/:id/offline-letters',
      {
        schema: {
          tags: ['offline letters'],
          summary: 'Report letters a group posted on paper',
          description: '`count` 1..100000, `date` YYYY-MM-DD (not in the future, 2000 or later), `group`, `country` (ISO 3166-1 alpha-2), `note` optional. They count in the campaign total at once.',
          params: campaignParams,
          body: offlineInput,
          response: responses({ 201: z.object({ offlineLetter: offlineOut, totals: totalsOut }).describe('The report, added, and the campaign’s totals') }, [400, 401, 404, 415, 422]),
        },
      },
      async (req, reply) => {
        const input = parseBody(req, offlineInput)
        const { report, totals } = addOfflineLetters(app.db, req.campaign!.id, input, actorOf(req), app.clock())
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
          summary: 'The delivery dossier as a printable PDF',
          description: `The official’s waiting letters of a period: a cover page, then one letter a page. ${PERIOD_DOC} Answers application/pdf as an attachment; the header X-Letter-Count says how many letters it holds. Every download is audited.`,
          params: targetParams,
          querystring: handPeriodText,
          response: {
            200: {
              description: 'The dossier (an attachment); X-Letter-Count says how many letters it holds',
              headers: { 'X-Letter-Count': { description: 'How many letters the dossier holds', type: 'integer', minimum: 0 } },
              content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
            },
            ...responses({}, [401, 404, 422]),
          },
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
          summary: 'How many letters wait for the official',
          description: PERIOD_DOC,
          params: targetParams,
          querystring: handPeriodText,
          response: responses(
            {
              200: z
                .object({
                  targetId: z.int().positive(),
                  delivery: z.enum(['each', 'digest', 'hand']).describe('How letters reach them'),
                  waiting: z.int().nonnegative().describe('Every letter waiting'),
                  inPeriod: z.int().nonnegative().describe('Those of the period'),
                })
                .describe('The letters waiting'),
            },
            [401, 404, 422],
          ),
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
          summary: 'Mark the official’s waiting letters of a period delivered by hand',
          description: `${PERIOD_DOC} Body {"from"?, "to"?, "until"?} (an empty body or none: every letter waiting). Sets them sent, by hand, now; letters already delivered are left alone, so a repeat answers {"delivered":0}. Audited.`,
          params: targetParams,
          body: handDeliveredBody,
          // No body at all marks every letter waiting.
          ...optionalBody,
          response: responses({ 200: z.object({ delivered: z.int().nonnegative().describe('How many letters were marked') }).describe('Marked') }, [400, 401, 404, 415, 422]),
        },
      },
      async (req, reply) => {
        const target = targetOf(req)
        if (!target) return reply.callNotFound()
        const delivered = markHandDelivered(app.db, req.campaign!, target, handPeriod(target, req.body), actorOf(req), app.clock())
        return { delivered }
      },
    )

    scoped.get<{ Params: { id: string } }>(
      '/campaigns/:id/offline-letters',
      {
        schema: {
          tags: ['offline letters'],
          summary: 'The reports, newest day first, with the totals',
          params: campaignParams,
          response: responses({ 200: z.object({ offlineLetters: z.array(offlineOut), totals: totalsOut }).describe('The reports and the totals (online, offline, total)') }, [401, 404]),
        },
      },
      async (req) => {
        const campaign = req.campaign!
        return { offlineLetters: offlineReports(app.db, campaign.id).map(offlineJson), totals: totalsOf(campaign) }
      },
    )

    scoped.delete<{ Params: { id: string; reportId: string } }>(
      '/campaigns/:id/offline-letters/:reportId',
      {
        schema: {
          tags: ['offline letters'],
          summary: 'Delete a report: its letters leave the total',
          params: reportParams,
          response: responses({ 200: z.object({ offlineLetter: offlineOut, totals: totalsOut }).describe('The report deleted, and the totals without it') }, [401, 404, 422]),
        },
      },
      async (req, reply) => {
        const deleted = deleteOfflineLetters(app.db, req.campaign!.id, parseId(req.params.reportId), actorOf(req), app.clock())
        if (!deleted) return reply.callNotFound()
        return { offlineLetter: offlineJson(deleted.report), totals: deleted.totals }
      },
    )
  })
}
