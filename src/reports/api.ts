import type { FastifyInstance } from 'fastify'
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

const counts = { type: 'integer', minimum: 0 }

/** /api/admin: the tally and the CSV exports (shared with the back office). */
export default async function reportApi(app: FastifyInstance) {
  await app.register(async (scoped) => {
    scoped.addHook('preHandler', campaignScope)
    scoped.get(
      '/campaigns/:id/tally',
      {
        schema: {
          tags: ['tallies'],
          summary: "The campaign's tally",
          description:
            'goal; online (letters written on the site and counted); offline (letters posted on paper, reported by groups); total = online + offline. byTarget: online letters per official. byCountry: online letters by the supporter\'s country and offline letters by the reporting group\'s country. byDay: per UTC day, oldest first, only days with letters.',
          response: {
            200: {
              type: 'object',
              properties: {
                goal: counts,
                online: counts,
                offline: counts,
                total: counts,
                byTarget: { type: 'array', items: { type: 'object', properties: { targetId: { type: 'integer' }, name: { type: 'string' }, letters: counts } } },
                byCountry: { type: 'array', items: { type: 'object', properties: { country: { type: 'string' }, online: counts, offline: counts } } },
                byDay: { type: 'array', items: { type: 'object', properties: { date: { type: 'string', format: 'date' }, online: counts, offline: counts } } },
              },
            },
          },
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
          response: {
            200: {
              type: 'object',
              properties: {
                officials: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      targetId: { type: 'integer' },
                      name: { type: 'string' },
                      delivery: { type: 'string', enum: ['each', 'digest', 'hand'] },
                      deliveryState: { type: 'string', enum: ['ok', 'bouncing'] },
                      bounceReason: { type: ['string', 'null'] },
                      written: counts,
                      sent: counts,
                      inDigests: counts,
                      handDelivered: counts,
                      waiting: counts,
                      held: counts,
                      lastDelivery: { type: ['string', 'null'], format: 'date-time' },
                    },
                  },
                },
              },
            },
          },
        },
      },
      async (req) => ({ officials: deliveryReport(app.db, req.campaign!.id) }),
    )
  })
  await app.register(exportRoutes, { docs: true })
}
