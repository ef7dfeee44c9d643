import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { rsvpStatuses } from '../db/schema/index.js'
import { picketInput } from './input.js'
import { InputError, localized } from '../validation.js'
import { sendError } from '../errors.js'
import { parseBody, jsonSchema } from '../admin/api.js'
import { parseId, campaignScope, picketScope } from '../admin/access.js'
import { adminPicketJson, auditRsvpRead, picketActions } from './admin-routes.js'
import * as pq from './admin-queries.js'

const FIELDS = Object.keys(picketInput.shape)
const picketPatch = picketInput.partial()
const anyObject = z.looseObject({})
const checkInBody = z.object({ checkedIn: z.boolean({ error: localized((t) => t('adminPickets.errors.checkedInBoolean')) }) })
const rsvpQuery = z.object({ status: z.enum(rsvpStatuses, { error: localized((t) => t('adminPickets.errors.rsvpStatus', { statuses: rsvpStatuses.join(', ') })) }).optional() })

const idParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] }
const rsvpParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 }, rsvpId: { type: 'integer', minimum: 1 } }, required: ['id', 'rsvpId'] }

const UNKNOWN_FIELD = localized((t) => t('adminPickets.errors.unknownField', { fields: FIELDS.join(', ') }))

/** A misspelt field would otherwise be dropped in silence. */
function knownFields(body: unknown): Record<string, unknown> {
  const b = body as Record<string, unknown>
  const unknown = Object.keys(b).filter((k) => !FIELDS.includes(k))
  if (unknown.length) throw new InputError(unknown.map((k) => ({ path: [k], message: UNKNOWN_FIELD })))
  return b
}

const rsvpJson = (r: pq.RsvpRow) => ({
  id: r.id,
  name: r.name,
  // Only for people who consented to be contacted; otherwise null with emailShared false.
  email: r.email,
  emailShared: r.email !== null,
  status: r.status,
  // pending_confirmation: not confirmed from the mailbox yet; takes no place and cannot be checked in.
  confirmed: r.status !== 'pending_confirmation',
  createdAt: r.createdAt.toISOString(),
  checkedInAt: r.checkedInAt?.toISOString() ?? null,
})

type Id = { Params: { id: string } }

/** /api/admin/…/pickets: schedule, list, reschedule, cancel, RSVPs and check-in. */
export default async function picketApi(app: FastifyInstance) {
  const actions = picketActions(app)

  await app.register(async (scoped) => {
    scoped.addHook('preHandler', campaignScope)

    scoped.post<Id>(
      '/campaigns/:id/pickets',
      {
        schema: {
          tags: ['pickets'],
          summary: 'Schedule a picket',
          description:
            "Times are local to the venue (`startsLocal` like 2026-12-16T12:00 in `timeZone`, an IANA zone); `reminders` are minutes before the start (default [1440, 120]). `title` and `notes` (what to bring) are in the campaign's first language; `translations` holds them in its other languages, `{ \"ru\": { \"title\": \"…\", \"bring\": \"…\" } }`. Answers 201 with the picket, `startsAt` in UTC.",
          params: idParams,
          body: jsonSchema(picketInput),
        },
      },
      async (req, reply) => {
        // An object, its fields checked with the campaign's languages by the action (every issue at once).
        parseBody(req, anyObject)
        const picket = actions.schedule(req, req.campaign!.id, knownFields(req.body))
        return reply.code(201).send({ picket: adminPicketJson(picket) })
      },
    )

    scoped.get<Id>('/campaigns/:id/pickets', { schema: { tags: ['pickets'], summary: "A campaign's pickets, past and future, soonest first", params: idParams } }, async (req) => {
      const pickets = pq.picketsOfCampaign(app.db, req.campaign!.id)
      const attended = pq.attendance(app.db, pickets.map((p) => p.id))
      return { pickets: pickets.map((p) => adminPicketJson(p, { checkedIn: attended.get(p.id) ?? 0 })) }
    })
  })

  await app.register(async (scoped) => {
    scoped.addHook('preHandler', picketScope)

    scoped.get<Id>('/pickets/:id', { schema: { tags: ['pickets'], summary: 'One picket', params: idParams } }, async (req) => {
      return { picket: adminPicketJson(req.picket!, { checkedIn: pq.rsvpCounts(app.db, req.picket!.id).checkedIn }) }
    })

    scoped.patch<Id>(
      '/pickets/:id',
      {
        schema: {
          tags: ['pickets'],
          summary: 'Reschedule or edit a picket',
          description:
            'Send only what changes. A new time or place mails the "changed" notice, with an updated calendar file, to everyone going. `translations` are merged by language and text: the texts given replace the stored ones, an empty string removes one; a change of translations alone mails nobody.',
          params: idParams,
          body: jsonSchema(picketPatch),
        },
      },
      async (req) => {
        parseBody(req, anyObject)
        const { picket } = actions.reschedule(req, req.picket!, knownFields(req.body))
        return { picket: adminPicketJson(picket) }
      },
    )

    scoped.post<Id>(
      '/pickets/:id/cancel',
      { schema: { tags: ['pickets'], summary: 'Cancel a picket', description: 'Everyone going or waiting is told by email. Cancelling twice changes nothing.', params: idParams } },
      async (req) => {
        const { picket } = actions.cancel(req, req.picket!)
        return { picket: adminPicketJson(picket) }
      },
    )

    scoped.get<Id & { Querystring: Record<string, unknown> }>(
      '/pickets/:id/rsvps',
      {
        schema: {
          tags: ['pickets'],
          summary: "A picket's RSVPs",
          description:
            'Going first (in sign-up order), then the waiting list (in queue order), then RSVPs not confirmed yet (`pending_confirmation`, `confirmed: false`: they take no place), then cancellations; `?status=…` for one list. `email` is filled only for people who consented to be contacted (`emailShared`); otherwise it is null. Each read is recorded in the audit log.',
          params: idParams,
          querystring: { type: 'object', properties: { status: { type: 'string', enum: [...rsvpStatuses] } } },
        },
      },
      async (req) => {
        const parsed = rsvpQuery.safeParse(req.query ?? {})
        if (!parsed.success) throw new InputError(parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })))
        const rows = pq.rsvpsOf(app.db, req.picket!.id, parsed.data.status ? [parsed.data.status] : undefined)
        auditRsvpRead(req, req.picket!, { via: 'api', rows: rows.length, ...(parsed.data.status ? { status: parsed.data.status } : {}) })
        return { rsvps: rows.map(rsvpJson) }
      },
    )

    scoped.post<{ Params: { id: string; rsvpId: string } }>(
      '/pickets/:id/rsvps/:rsvpId/check-in',
      { schema: { tags: ['pickets'], summary: 'Check an RSVP in (or out) on the day', params: rsvpParams, body: jsonSchema(checkInBody) } },
      async (req, reply) => {
        const picket = req.picket!
        const { checkedIn } = parseBody(req, checkInBody)
        const rsvpId = parseId(req.params.rsvpId)
        const current = rsvpId ? pq.rsvpOfPicket(app.db, picket.id, rsvpId) : undefined
        if (!current || current.status === 'cancelled') return reply.callNotFound()
        if (picket.status === 'cancelled') return sendError(req, reply, 409, (t) => t('adminPickets.errors.checkInCancelled'))
        if (!pq.canCheckIn(current)) return sendError(req, reply, 409, (t) => t('adminPickets.errors.checkInUnconfirmed'))
        actions.checkIn(req, picket, rsvpId, checkedIn)
        return { rsvp: rsvpJson(pq.rsvpOfPicket(app.db, picket.id, rsvpId)!) }
      },
    )
  })
}
