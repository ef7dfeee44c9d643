import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { picketStatuses, rsvpStatuses } from '../db/schema/index.js'
import { picketInput } from './input.js'
import { InputError, localized } from '../validation.js'
import { sendError } from '../errors.js'
import { parseBody } from '../admin/api.js'
import { parseId, campaignScope, picketScope } from '../admin/access.js'
import { adminPicketJson, auditRsvpRead, picketActions } from './admin-routes.js'
import * as pq from './admin-queries.js'
import { dateTime, idParam, responses, judgedByHandler } from '../openapi.js'

const FIELDS = Object.keys(picketInput.shape)
const anyObject = z.looseObject({})
const checkInBody = z
  .object({ checkedIn: z.boolean({ error: localized((t) => t('adminPickets.errors.checkedInBoolean')) }).describe('true: here; false: undo a check-in') })
  .meta({ examples: [{ checkedIn: true }] })
const rsvpQuery = z.object({
  status: z
    .enum(rsvpStatuses, { error: localized((t) => t('adminPickets.errors.rsvpStatus', { statuses: rsvpStatuses.join(', ') })) })
    .optional()
    .describe('Only the RSVPs in this state'),
})

const UNKNOWN_FIELD = localized((t) => t('adminPickets.errors.unknownField', { fields: FIELDS.join(', ') }))

/** A misspelt field would otherwise be dropped in silence. */
function knownFields(body: unknown): Record<string, unknown> {
  const b = body as Record<string, unknown>
  const unknown = Object.keys(b).filter((k) => !FIELDS.includes(k))
  if (unknown.length) throw new InputError(unknown.map((k) => ({ path: [k], message: UNKNOWN_FIELD })))
  return b
}


// ------------------------------------------------------------------ what the document states

const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/
const shape = picketInput.shape

/** The picket's fields as the API takes them: picketInput's rules, with the forms it checks by hand stated. */
const picketFields = {
  ...shape,
  title: shape.title.min(1).describe('One line, in the campaign’s first language'),
  venue: shape.venue.min(1),
  address: shape.address.min(1),
  city: shape.city.min(1),
  country: z.string().regex(/^[A-Za-z]{2}$/).describe('The venue’s country, an ISO 3166-1 alpha-2 code such as GB'),
  startsLocal: shape.startsLocal.regex(LOCAL_TIME, localized((t) => t('adminPickets.errors.startsLocal'))).describe('Local time at the venue, YYYY-MM-DDTHH:MM, in the future'),
  endsLocal: shape.endsLocal.regex(LOCAL_TIME, localized((t) => t('adminPickets.errors.endsLocal'))).describe('Local time at the venue, after the start'),
  timeZone: shape.timeZone.describe('The venue’s IANA time zone, such as Europe/London'),
  capacity: shape.capacity.describe('Places; null or absent: no limit (beyond it people join the waiting list)'),
  notes: shape.notes.describe('What to bring, in the campaign’s first language'),
  reminders: shape.reminders.describe('Reminders, in minutes before the start (5 to 20160, at most 5); default [1440, 120]'),
  translations: shape.translations.describe('Title and what to bring in the campaign’s other languages: {"ru": {"title": "…", "bring": "…"}}; an empty text removes one. Not the first language, and only the campaign’s'),
}
const picketExample = {
  title: 'Picket at the Kazakh embassy',
  venue: 'Embassy of the Republic of Kazakhstan',
  address: '125 Pall Mall',
  city: 'London',
  country: 'GB',
  startsLocal: '2030-12-16T12:00',
  endsLocal: '2030-12-16T14:00',
  timeZone: 'Europe/London',
  capacity: 50,
  notes: 'Banners and warm clothes',
  contact: 'Sam, +44 7700 900000',
  reminders: [1440, 120],
  translations: { ru: { title: 'Пикет у посольства Казахстана', bring: 'Плакаты и тёплая одежда' } },
}
const picketBody = z.strictObject(picketFields).meta({ examples: [picketExample] })
const picketPatchBody = z.strictObject(picketFields).partial().meta({ examples: [{ capacity: 60, contact: 'Sam, +44 7700 900001' }] })

const count = z.int().nonnegative()
const picketTexts = z.record(z.string(), z.object({ title: z.string().optional(), bring: z.string().optional() }))

/** A picket as the organizers' API answers (adminPicketJson). */
const picketOut = z.object({
  id: z.int().positive(),
  campaignId: z.int().positive(),
  title: z.string(),
  venue: z.string(),
  address: z.string(),
  city: z.string(),
  country: z.string().describe('ISO 3166-1 alpha-2'),
  timeZone: z.string().describe('IANA zone of the venue'),
  startsLocal: z.string().describe('Local time at the venue, YYYY-MM-DDTHH:MM'),
  endsLocal: z.string(),
  startsAt: dateTime.describe('The start in UTC'),
  endsAt: dateTime,
  capacity: z.int().positive().nullable().describe('null: no limit'),
  notes: z.string().describe('What to bring'),
  contact: z.string(),
  reminders: z.array(z.int().positive()).describe('Minutes before the start'),
  translations: picketTexts.describe('Title and what to bring in the campaign’s other languages'),
  status: z.enum(picketStatuses),
  going: count,
  waitlisted: count,
  checkedIn: count.optional().describe('RSVPs checked in (on reads)'),
  sequence: z.int().nonnegative().describe('The calendar file’s SEQUENCE: raised by each change people are told of'),
  cancelledAt: dateTime.nullable(),
  createdAt: dateTime,
  updatedAt: dateTime,
})
const onePicket = z.object({ picket: picketOut })

const rsvpOut = z.object({
  id: z.int().positive(),
  name: z.string().nullable().describe('null once erased at the supporter’s request'),
  email: z.string().nullable().describe('Only for people who consented to be contacted; otherwise null'),
  emailShared: z.boolean(),
  status: z.enum(rsvpStatuses),
  confirmed: z.boolean().describe('false while pending_confirmation: takes no place, cannot be checked in'),
  createdAt: dateTime,
  checkedInAt: dateTime.nullable(),
})

const campaignParams = z.object({ id: idParam })
const picketParams = z.object({ id: idParam.describe('The picket’s id') })
const rsvpParams = z.object({ id: idParam.describe('The picket’s id'), rsvpId: idParam.describe('The RSVP’s id') })

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
    // Before validation: another's or an unknown campaign is 404 whatever the body.
    scoped.addHook('preValidation', campaignScope)

    scoped.post<Id>(
      '/campaigns/:id/pickets',
      {
        attachValidation: true,
        schema: {
          tags: ['pickets'],
          summary: 'Schedule a picket',
          description:
            "Times are local to the venue (`startsLocal` like 2026-12-16T12:00 in `timeZone`, an IANA zone); `reminders` are minutes before the start (default [1440, 120]). `title` and `notes` (what to bring) are in the campaign's first language; `translations` holds them in its other languages, `{ \"ru\": { \"title\": \"…\", \"bring\": \"…\" } }`. Answers 201 with the picket, `startsAt` in UTC. A 422 names every wrong field at once, unknown ones too.",
          params: campaignParams,
          body: picketBody,
          response: responses({ 201: onePicket.describe('The picket, scheduled') }, [400, 401, 404, 413, 415, 422]),
        },
      },
      async (req, reply) => {
        judgedByHandler(req, 'body')
        // An object, its fields checked with the campaign's languages by the action (every issue at once).
        parseBody(req, anyObject)
        const picket = actions.schedule(req, req.campaign!.id, knownFields(req.body))
        return reply.code(201).send({ picket: adminPicketJson(picket) })
      },
    )

    scoped.get<Id>(
      '/campaigns/:id/pickets',
      {
        schema: {
          tags: ['pickets'],
          summary: "A campaign's pickets, past and future, soonest first",
          params: campaignParams,
          response: responses({ 200: z.object({ pickets: z.array(picketOut) }).describe('The pickets, each with how many were checked in') }, [401, 404, 422]),
        },
      },
      async (req) => {
        const pickets = pq.picketsOfCampaign(app.db, req.campaign!.id)
        const attended = pq.attendance(app.db, pickets.map((p) => p.id))
        return { pickets: pickets.map((p) => adminPicketJson(p, { checkedIn: attended.get(p.id) ?? 0 })) }
      },
    )
  })

  await app.register(async (scoped) => {
    // Before validation: another campaign's or an unknown picket is 404 whatever the body.
    scoped.addHook('preValidation', picketScope)

    scoped.get<Id>(
      '/pickets/:id',
      { schema: { tags: ['pickets'], summary: 'One picket', params: picketParams, response: responses({ 200: onePicket.describe('The picket, with how many were checked in') }, [401, 404, 422]) } },
      async (req) => {
        return { picket: adminPicketJson(req.picket!, { checkedIn: pq.rsvpCounts(app.db, req.picket!.id).checkedIn }) }
      },
    )

    scoped.patch<Id>(
      '/pickets/:id',
      {
        attachValidation: true,
        schema: {
          tags: ['pickets'],
          summary: 'Reschedule or edit a picket',
          description:
            'Send only what changes. A new time or place mails the "changed" notice, with an updated calendar file, to everyone going. `translations` are merged by language and text: the texts given replace the stored ones, an empty string removes one; a change of translations alone mails nobody. A cancelled picket cannot be changed (422).',
          params: picketParams,
          body: picketPatchBody,
          response: responses({ 200: onePicket.describe('The picket as it is now') }, [400, 401, 404, 413, 415, 422]),
        },
      },
      async (req) => {
        judgedByHandler(req, 'body')
        parseBody(req, anyObject)
        const { picket } = actions.reschedule(req, req.picket!, knownFields(req.body))
        return { picket: adminPicketJson(picket) }
      },
    )

    scoped.post<Id>(
      '/pickets/:id/cancel',
      {
        schema: {
          tags: ['pickets'],
          summary: 'Cancel a picket',
          description: 'Everyone going or waiting is told by email. Cancelling twice changes nothing.',
          params: picketParams,
          response: responses({ 200: onePicket.describe('The picket, cancelled') }, [401, 404, 422]),
        },
      },
      async (req) => {
        const { picket } = actions.cancel(req, req.picket!)
        return { picket: adminPicketJson(picket) }
      },
    )

    scoped.get<Id & { Querystring: z.infer<typeof rsvpQuery> }>(
      '/pickets/:id/rsvps',
      {
        schema: {
          tags: ['pickets'],
          summary: "A picket's RSVPs",
          description:
            'Going first (in sign-up order), then the waiting list (in queue order), then RSVPs not confirmed yet (`pending_confirmation`, `confirmed: false`: they take no place), then cancellations; `?status=…` for one list (another value answers 422). `email` is filled only for people who consented to be contacted (`emailShared`); otherwise it is null. Each read is recorded in the audit log.',
          params: picketParams,
          querystring: rsvpQuery,
          response: responses({ 200: z.object({ rsvps: z.array(rsvpOut) }).describe('The RSVPs') }, [401, 404, 422]),
        },
      },
      async (req) => {
        const { status } = req.query
        const rows = pq.rsvpsOf(app.db, req.picket!.id, status ? [status] : undefined)
        auditRsvpRead(req, req.picket!, { via: 'api', rows: rows.length, ...(status ? { status } : {}) })
        return { rsvps: rows.map(rsvpJson) }
      },
    )

    scoped.post<{ Params: { id: string; rsvpId: string } }>(
      '/pickets/:id/rsvps/:rsvpId/check-in',
      {
        schema: {
          tags: ['pickets'],
          summary: 'Check an RSVP in (or out) on the day',
          description: 'An RSVP of another picket, or a cancelled one, is 404. A cancelled picket, or an RSVP not confirmed from the mailbox yet, cannot be checked in: 409.',
          params: rsvpParams,
          body: checkInBody,
          response: responses({ 200: z.object({ rsvp: rsvpOut }).describe('The RSVP as it is now') }, [400, 401, 404, 409, 413, 415, 422]),
        },
      },
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
