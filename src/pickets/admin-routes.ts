import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { DateTime } from 'luxon'
import type { Campaign, Picket } from '../db/schema/index.js'
import { countryOptions } from '../countries.js'
import { picketView } from './view.js'
import { InputError, fieldErrors, type FieldIssue } from '../validation.js'
import { sendError } from '../errors.js'
import { audit } from '../admin/audit.js'
import { actorOf, parseId, campaignScope, picketScope } from '../admin/access.js'
import * as pq from './admin-queries.js'

// ---------------------------------------------------------------------------------------------
// Changes, shared by the screens and the API: each one audited in its own transaction.

const AUDITED_FIELDS = ['title', 'venue', 'address', 'city', 'country', 'timeZone', 'startsAt', 'endsAt', 'capacity', 'bring', 'contact', 'reminders', 'status'] as const

function diff(before: Picket, after: Picket) {
  const out: Record<string, { from: unknown; to: unknown }> = {}
  for (const k of AUDITED_FIELDS) {
    const from = before[k] instanceof Date ? (before[k] as Date).toISOString() : before[k]
    const to = after[k] instanceof Date ? (after[k] as Date).toISOString() : after[k]
    if (JSON.stringify(from) !== JSON.stringify(to)) out[k] = { from, to }
  }
  return out
}

/** Fields whose change sends the "changed" notice to everyone going (as the picket service decides). */
const NOTICE_FIELDS = ['startsAt', 'endsAt', 'venue', 'address', 'city', 'country', 'timeZone', 'title'] as const

export function picketActions(app: FastifyInstance) {
  return {
    /** Schedules a picket; throws InputError with field paths. */
    schedule(req: FastifyRequest, campaignId: number, raw: unknown): Picket {
      return app.db.transaction((tx) => {
        const picket = app.pickets.schedule(campaignId, raw)
        audit(tx, actorOf(req), 'picket.schedule', { campaignId, subject: `picket:${picket.id}`, detail: { title: picket.title, startsAt: picket.startsAt.toISOString(), timeZone: picket.timeZone } }, app.clock())
        return picket
      })
    },

    /** Changes a picket (partial changes are merged with what it is now); the service mails the notice. */
    reschedule(req: FastifyRequest, current: Picket, changes: Record<string, unknown>): { picket: Picket; notified: number; changed: boolean } {
      return app.db.transaction((tx) => {
        const picket = app.pickets.reschedule(current.id, changes)
        if (!picket) throw new InputError([{ path: [], message: 'This picket no longer exists' }])
        const changed = diff(current, picket)
        const notified = NOTICE_FIELDS.some((k) => k in changed) ? current.goingCount : 0
        if (Object.keys(changed).length) {
          audit(tx, actorOf(req), 'picket.reschedule', { campaignId: current.campaignId, subject: `picket:${current.id}`, detail: { changes: changed, notified } }, app.clock())
        }
        return { picket, notified, changed: Object.keys(changed).length > 0 }
      })
    },

    /** Cancels a picket and tells everyone going or waiting; a second cancel changes nothing. */
    cancel(req: FastifyRequest, current: Picket): { picket: Picket; notified: number } {
      if (current.status === 'cancelled') return { picket: current, notified: 0 }
      return app.db.transaction((tx) => {
        const picket = app.pickets.cancel(current.id)!
        const notified = current.goingCount + current.waitlistedCount
        audit(tx, actorOf(req), 'picket.cancel', { campaignId: current.campaignId, subject: `picket:${current.id}`, detail: { title: current.title, startsAt: current.startsAt.toISOString(), notified } }, app.clock())
        return { picket, notified }
      })
    },

    /** Ticks or unticks an RSVP; null when it is not one of this picket's. */
    checkIn(req: FastifyRequest, picket: Picket, rsvpId: number, checkedIn: boolean): { changed: boolean } | null {
      return app.db.transaction((tx) => {
        const rsvp = pq.rsvpOfPicket(tx, picket.id, rsvpId)
        if (!rsvp) return null
        const now = app.clock()
        const changed = pq.setCheckedIn(tx, picket.id, rsvpId, checkedIn, now)
        if (changed) audit(tx, actorOf(req), 'rsvp.check_in', { campaignId: picket.campaignId, subject: `rsvp:${rsvpId}`, detail: { picketId: picket.id, checkedIn } }, now)
        return { changed }
      })
    },
  }
}

/** One audit entry per read of a picket's RSVP list (screen, check-in, API; the CSV export has its own). */
export function auditRsvpRead(req: FastifyRequest, picket: Picket, detail: Record<string, unknown>) {
  audit(req.server.db, actorOf(req), 'rsvps.read', { campaignId: picket.campaignId, subject: `picket:${picket.id}`, detail }, req.server.clock())
}

/** What the organizers' tools see of a picket: instants in UTC and the local times it was given in. */
export function adminPicketJson(p: Picket, extra: { checkedIn?: number } = {}) {
  return {
    id: p.id,
    campaignId: p.campaignId,
    title: p.title,
    venue: p.venue,
    address: p.address,
    city: p.city,
    country: p.country,
    timeZone: p.timeZone,
    startsLocal: DateTime.fromJSDate(p.startsAt, { zone: p.timeZone }).toFormat("yyyy-MM-dd'T'HH:mm"),
    endsLocal: DateTime.fromJSDate(p.endsAt, { zone: p.timeZone }).toFormat("yyyy-MM-dd'T'HH:mm"),
    startsAt: p.startsAt.toISOString(),
    endsAt: p.endsAt.toISOString(),
    capacity: p.capacity,
    notes: p.bring,
    contact: p.contact,
    reminders: p.reminders,
    status: p.status,
    going: p.goingCount,
    waitlisted: p.waitlistedCount,
    ...(extra.checkedIn === undefined ? {} : { checkedIn: extra.checkedIn }),
    sequence: p.sequence,
    cancelledAt: p.cancelledAt?.toISOString() ?? null,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  }
}

// ---------------------------------------------------------------------------------------------
// Forms

const FORM_FIELDS = ['title', 'venue', 'address', 'city', 'country', 'startsLocal', 'endsLocal', 'timeZone', 'capacity', 'notes', 'contact', 'reminders'] as const
type FormValues = Record<(typeof FORM_FIELDS)[number], string>

const REMINDERS_HELP = 'Reminders are hours before the start, separated by commas, such as 24, 2 (or 30m for minutes)'

/** "24, 2, 30m" → [1440, 120, 30]; null when it cannot be read. Plain numbers are hours. */
export function parseReminderHours(text: string): number[] | null {
  const parts = text.split(/[,;]+/).map((s) => s.trim()).filter(Boolean)
  const out: number[] = []
  for (const part of parts) {
    const m = /^(\d{1,4}(?:\.\d{1,3})?)\s*(h|hrs?|hours?|m|mins?|minutes?|d|days?)?$/i.exec(part)
    if (!m) return null
    const n = Number(m[1])
    const unit = (m[2] ?? 'h').toLowerCase()[0]
    out.push(Math.round(unit === 'm' ? n : unit === 'd' ? n * 1440 : n * 60))
  }
  return out
}

export function formatReminderHours(minutes: number[]): string {
  return minutes.map((m) => (m >= 60 && m % 15 === 0 ? String(m / 60) : `${m}m`)).join(', ')
}

/** A browser may send seconds with a datetime-local value; the service wants minutes. */
const localMinutes = (v: string) => v.trim().replace(/^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}):00(?:\.0+)?$/, '$1')

function formValues(body: unknown): FormValues {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>
  const out = {} as FormValues
  for (const k of FORM_FIELDS) out[k] = typeof b[k] === 'string' ? (b[k] as string) : ''
  return out
}

/** Form strings to the service's input. Unreadable values go through as they are, so the service names the field. */
function inputOf(v: FormValues): { input: Record<string, unknown>; remindersUnreadable: boolean } {
  const capacity = v.capacity.trim() === '' ? null : /^\s*\d+\s*$/.test(v.capacity) ? Number(v.capacity) : v.capacity
  const reminders = parseReminderHours(v.reminders)
  return {
    input: {
      title: v.title,
      venue: v.venue,
      address: v.address,
      city: v.city,
      country: v.country,
      startsLocal: localMinutes(v.startsLocal),
      endsLocal: localMinutes(v.endsLocal),
      timeZone: v.timeZone.trim(),
      capacity,
      notes: v.notes,
      contact: v.contact,
      reminders: reminders ?? v.reminders,
    },
    remindersUnreadable: reminders === null,
  }
}

function valuesOf(app: FastifyInstance, picket: Picket): FormValues {
  const input = app.pickets.asInput(picket)
  return {
    title: input.title,
    venue: input.venue,
    address: input.address,
    city: input.city,
    country: input.country,
    startsLocal: input.startsLocal,
    endsLocal: input.endsLocal,
    timeZone: input.timeZone,
    capacity: input.capacity == null ? '' : String(input.capacity),
    notes: input.notes ?? '',
    contact: input.contact ?? '',
    reminders: formatReminderHours(input.reminders ?? []),
  }
}

let zoneList: string[] | undefined
/** IANA zones for the datalist, plus any a picket already uses (ICU may lag behind, e.g. Europe/Kyiv). */
function timeZones(extra: string[]): string[] {
  zoneList ??= Intl.supportedValuesOf('timeZone').filter((z) => z.includes('/'))
  const missing = [...new Set(extra)].filter((z) => !zoneList!.includes(z))
  return missing.length ? [...zoneList, ...missing].sort() : zoneList
}

function formErrors(issues: FieldIssue[], remindersUnreadable: boolean): Record<string, string> {
  const errors = fieldErrors(issues)
  if (remindersUnreadable && errors.reminders) errors.reminders = REMINDERS_HELP
  return errors
}

const SAVED: Record<string, string> = {
  scheduled: 'The picket is scheduled. It is on the public page now.',
  changed: 'Saved.',
  unchanged: 'Nothing was changed.',
  cancelled: 'The picket is cancelled.',
}

function statusOf(p: Picket, now: Date): { key: string; label: string } {
  if (p.status === 'cancelled') return { key: 'cancelled', label: 'Cancelled' }
  if (p.endsAt <= now) return { key: 'over', label: 'Over' }
  if (p.startsAt <= now) return { key: 'now', label: 'Happening now' }
  return { key: 'scheduled', label: 'Scheduled' }
}

const localTime = (d: Date | null, zone: string, format = 'd LLL HH:mm') => (d ? DateTime.fromJSDate(d, { zone }).setLocale('en-GB').toFormat(format) : '')

type IdParams = { Params: { id: string } }
type CheckInParams = { Params: { id: string; rsvpId: string }; Querystring: { q?: string } }

// ---------------------------------------------------------------------------------------------
// Screens

export default async function picketRoutes(app: FastifyInstance) {
  const actions = picketActions(app)

  function renderForm(reply: FastifyReply, campaign: Campaign, state: { picket?: Picket; values: FormValues; errors?: Record<string, string>; notice?: string }, status = 200) {
    const { picket, values } = state
    const errors = state.errors ?? {}
    const counts = picket ? pq.rsvpCounts(app.db, picket.id) : undefined
    return reply.code(status).view('pickets/picket-form', {
      title: picket ? `Edit: ${picket.title}` : `Schedule a picket — ${campaign.title}`,
      campaign,
      picket: picket ? { ...picketView(picket), statusLabel: statusOf(picket, app.clock()).label, cancelled: picket.status === 'cancelled' } : undefined,
      counts,
      values,
      errors,
      formError: errors._,
      hasErrors: Object.keys(errors).length > 0,
      notice: state.notice,
      action: picket ? `/admin/pickets/${picket.id}` : `/admin/campaigns/${campaign.id}/pickets/new`,
      countries: countryOptions().map((c) => ({ ...c, selected: c.code === values.country.trim().toUpperCase() })),
      timeZones: timeZones(pq.picketsOfCampaign(app.db, campaign.id).map((p) => p.timeZone)),
      csrfToken: reply.generateCsrf(),
    })
  }

  // Campaign screens: /admin/campaigns/:id/pickets…
  await app.register(async (scoped) => {
    scoped.addHook('preHandler', campaignScope)

    scoped.get<IdParams>('/campaigns/:id/pickets', async (req, reply) => {
      const campaign = req.campaign!
      const now = app.clock()
      const all = pq.picketsOfCampaign(app.db, campaign.id)
      const attended = pq.attendance(app.db, all.map((p) => p.id))
      const row = (p: Picket) => ({ ...picketView(p), status: statusOf(p, now), attended: attended.get(p.id) ?? 0, cancelled: p.status === 'cancelled' })
      const upcoming = all.filter((p) => p.endsAt > now).map(row)
      const past = all.filter((p) => p.endsAt <= now).reverse().map(row)
      return reply.view('pickets/picket-list', { title: `Pickets — ${campaign.title}`, campaign, upcoming, past })
    })

    scoped.get<IdParams>('/campaigns/:id/pickets/new', async (req, reply) => {
      const values = formValues({ reminders: formatReminderHours([1440, 120]) })
      return renderForm(reply, req.campaign!, { values })
    })

    scoped.post<IdParams>('/campaigns/:id/pickets/new', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const values = formValues(req.body)
      const { input, remindersUnreadable } = inputOf(values)
      try {
        const picket = actions.schedule(req, campaign.id, input)
        return reply.redirect(`/admin/pickets/${picket.id}?saved=scheduled`, 303)
      } catch (err) {
        if (!(err instanceof InputError)) throw err
        return renderForm(reply, campaign, { values, errors: formErrors(err.issues, remindersUnreadable) }, 422)
      }
    })
  })

  // Picket screens: /admin/pickets/:id…
  await app.register(async (scoped) => {
    scoped.addHook('preHandler', picketScope)

    scoped.get<IdParams & { Querystring: { saved?: string; notified?: string } }>('/pickets/:id', async (req, reply) => {
      const picket = req.picket!
      const saved = SAVED[req.query.saved ?? '']
      const notified = parseId(req.query.notified)
      const notice = saved && notified ? `${saved} ${notified === 1 ? 'One person was' : `${notified} people were`} told by email.` : saved
      return renderForm(reply, req.campaign!, { picket, values: valuesOf(app, picket), notice })
    })

    scoped.post<IdParams>('/pickets/:id', { preHandler: app.csrfProtection }, async (req, reply) => {
      const picket = req.picket!
      const values = formValues(req.body)
      const { input, remindersUnreadable } = inputOf(values)
      try {
        const { notified, changed } = actions.reschedule(req, picket, input)
        const saved = changed ? 'changed' : 'unchanged'
        return reply.redirect(`/admin/pickets/${picket.id}?saved=${saved}${notified ? `&notified=${notified}` : ''}`, 303)
      } catch (err) {
        if (!(err instanceof InputError)) throw err
        return renderForm(reply, req.campaign!, { picket, values, errors: formErrors(err.issues, remindersUnreadable) }, 422)
      }
    })

    scoped.get<IdParams>('/pickets/:id/cancel', async (req, reply) => {
      const picket = req.picket!
      return reply.view('pickets/picket-cancel', {
        title: `Cancel: ${picket.title}`,
        campaign: req.campaign,
        picket: picketView(picket),
        cancelled: picket.status === 'cancelled',
        told: picket.goingCount + picket.waitlistedCount,
        csrfToken: reply.generateCsrf(),
      })
    })

    scoped.post<IdParams>('/pickets/:id/cancel', { preHandler: app.csrfProtection }, async (req, reply) => {
      const { notified } = actions.cancel(req, req.picket!)
      return reply.redirect(`/admin/pickets/${req.picket!.id}?saved=cancelled${notified ? `&notified=${notified}` : ''}`, 303)
    })

    scoped.get<IdParams>('/pickets/:id/rsvps', async (req, reply) => {
      const picket = req.picket!
      const rows = pq.rsvpsOf(app.db, picket.id)
      auditRsvpRead(req, picket, { via: 'admin', rows: rows.length })
      const view = (r: pq.RsvpRow) => ({
        ...r,
        signedUp: localTime(r.createdAt, picket.timeZone),
        checkedIn: localTime(r.checkedInAt, picket.timeZone, 'HH:mm'),
        cancelledOn: localTime(r.cancelledAt, picket.timeZone),
      })
      const going = rows.filter((r) => r.status === 'going').map(view)
      const waitlisted = rows.filter((r) => r.status === 'waitlisted').map(view)
      const cancelled = rows.filter((r) => r.status === 'cancelled').map(view)
      const unconfirmed = rows.filter((r) => r.status === 'pending_confirmation').map(view)
      return reply.view('pickets/picket-rsvps', {
        title: `RSVPs: ${picket.title}`,
        campaign: req.campaign,
        picket: picketView(picket),
        going,
        waitlisted,
        cancelled,
        unconfirmed,
        attended: rows.filter((r) => r.status !== 'cancelled' && r.checkedInAt).length,
      })
    })

    scoped.get<CheckInParams>('/pickets/:id/check-in', async (req, reply) => {
      const picket = req.picket!
      const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 100) : ''
      const needle = q.toLowerCase()
      const rows = pq.rsvpsOf(app.db, picket.id, pq.CHECK_IN_STATUSES)
      // The names on the list are an RSVP list too. The search text is not recorded: it may be an address.
      auditRsvpRead(req, picket, { via: 'check-in', rows: rows.length, search: q !== '' })
      // An address matches only where it is shown: for people who consented to be contacted.
      const matches = (r: pq.RsvpRow) => !needle || (r.name ?? '').toLowerCase().includes(needle) || (r.email ?? '').toLowerCase().includes(needle)
      const view = (r: pq.RsvpRow) => ({ id: r.id, name: r.name ?? '(name erased)', email: r.email, checked: r.checkedInAt !== null, at: localTime(r.checkedInAt, picket.timeZone, 'HH:mm') })
      const going = rows.filter((r) => r.status === 'going')
      const waitlisted = rows.filter((r) => r.status === 'waitlisted')
      return reply.view('pickets/picket-check-in', {
        title: `Check-in: ${picket.title}`,
        campaign: req.campaign,
        picket: picketView(picket),
        cancelled: picket.status === 'cancelled',
        q,
        going: going.filter(matches).map(view),
        waitlisted: waitlisted.filter(matches).map(view),
        goingTotal: going.length,
        attended: rows.filter((r) => r.checkedInAt !== null).length,
        csrfToken: reply.generateCsrf(),
      })
    })

    scoped.post<CheckInParams>('/pickets/:id/check-in/:rsvpId', { preHandler: app.csrfProtection }, async (req, reply) => {
      const picket = req.picket!
      if (picket.status === 'cancelled') return sendError(req, reply, 409, 'This picket was cancelled: there is nobody to check in.')
      const rsvpId = parseId(req.params.rsvpId)
      const body = (req.body ?? {}) as Record<string, unknown>
      const current = rsvpId ? pq.rsvpOfPicket(app.db, picket.id, rsvpId) : undefined
      if (!current || current.status === 'cancelled') return reply.callNotFound()
      if (!pq.canCheckIn(current)) return sendError(req, reply, 409, 'This RSVP is not confirmed yet: the person has not used the link we mailed them, so they cannot be checked in.')
      // An explicit wish, so a double tap on a slow phone does not undo itself; without one, a toggle.
      const wanted = body.checkedIn === '1' ? true : body.checkedIn === '0' ? false : current.checkedInAt === null
      actions.checkIn(req, picket, rsvpId, wanted)
      const q = typeof body.q === 'string' && body.q.trim() ? `?q=${encodeURIComponent(body.q.trim().slice(0, 100))}` : ''
      return reply.redirect(`/admin/pickets/${picket.id}/check-in${q}#rsvp-${rsvpId}`, 303)
    })
  })
}
