import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { dateTime, idParam, responses } from '../openapi.js'
import { campaignScope } from '../admin/access.js'
import { exportRoutes } from './exports.js'
import { campaignTotals, countryRows, dayRows, deliveryReport, letterStats, offlineByCountry, offlineByDay, targetsTally } from './queries.js'

/** The tally as JSON for one campaign: the same figures the report page shows. */
export async function campaignTally(app: FastifyInstance, campaignId: number) {
  const stats = await letterStats(app.db, campaignId)
  // Counters read after the pass, so the totals are at least as new as the breakdowns.
  const campaign = app.campaigns.byId(campaignId)!
  return {
    ...campaignTotals(campaign),
    byTarget: targetsTally(app.db, campaignId),
    byCountry: countryRows(stats, offlineByCountry(app.db, campaignId)),
    byDay: dayRows(stats, offlineByDay(app.db, campaignId)),
  }
}

const count = z.int().nonnegative()
const campaignParams = z.object({ id: idParam })

const tallyOut = z.object({
  goal: z.int().positive().describe('Letters the campaign aims for'),
  online: count.describe('Letters written on the site and counted'),
  offline: count.describe('Letters posted on paper, reported by groups'),
  total: count.describe('online + offline'),
  byTarget: z.array(z.object({ targetId: z.int().positive(), name: z.string(), letters: count })).describe('Online letters per official'),
  byCountry: z
    .array(z.object({ country: z.string().describe('ISO 3166-1 alpha-2'), online: count, offline: count }))
    .describe('Online letters by the supporter’s country, offline ones by the reporting group’s; most letters first'),
  byDay: z.array(z.object({ date: z.string().meta({ format: 'date' }).describe('A UTC day, YYYY-MM-DD'), online: count, offline: count })).describe('Per UTC day, oldest first, only days with letters'),
})

const deliveryOut = z.object({
  officials: z.array(
    z.object({
      targetId: z.int().positive(),
      name: z.string(),
      delivery: z.enum(['each', 'digest', 'hand']),
      deliveryState: z.enum(['ok', 'bouncing']),
      bounceReason: z.string().nullable().describe('The mail server’s answer, while bouncing'),
      written: count.describe('Letters that count'),
      sent: count.describe('Sent one by one by mail'),
      inDigests: count,
      handDelivered: count,
      waiting: count.describe('For the next paced slot, digest or hand delivery, or on their way'),
      held: count.describe('Waiting because the address bounces'),
      lastDelivery: dateTime.nullable(),
    }),
  ),
})

/** /api/admin: the tally and the CSV exports (shared with the back office). */
export default async function reportApi(app: FastifyInstance) {
  await app.register(async (scoped) => {
    scoped.addHook('preValidation', campaignScope)
    scoped.get(
      '/campaigns/:id/tally',
      {
        schema: {
          tags: ['tallies'],
          summary: "The campaign's tally",
          description:
            'goal; online (letters written on the site and counted); offline (letters posted on paper, reported by groups); total = online + offline. byTarget: online letters per official. byCountry: online letters by the supporter\'s country and offline letters by the reporting group\'s country. byDay: per UTC day, oldest first, only days with letters.',
          params: campaignParams,
          response: responses({ 200: tallyOut.describe('The tally') }, [401, 404, 422]),
        },
      },
      async (req) => campaignTally(app, req.campaign!.id),
    )
    scoped.get(
      '/campaigns/:id/delivery',
      {
        schema: {
          tags: ['tallies'],
          summary: 'How letters reached each official',
          description:
            'Per official: written (letters that count), sent (one by one by mail), inDigests, handDelivered, waiting (for the next paced slot, digest or hand delivery, or on their way), held (waiting because the address bounces), lastDelivery; with the delivery mode and deliveryState.',
          params: campaignParams,
          response: responses({ 200: deliveryOut.describe('Each official’s deliveries') }, [401, 404, 422]),
        },
      },
      async (req) => ({ officials: deliveryReport(app.db, req.campaign!.id) }),
    )
  })
  await app.register(exportRoutes, { docs: true })
}
