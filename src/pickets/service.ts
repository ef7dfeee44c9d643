import crypto from 'node:crypto'
import type { Db, DbOrTx } from '../db/client.js'
import type { Clock } from '../clock.js'
import type { Campaign, Picket, Rsvp } from '../db/schema/index.js'
import type { CampaignService } from '../campaigns/service.js'
import { enqueueMail, withdrawQueued } from '../mail/outbox.js'
import type { MailSettings } from '../mail/settings.js'
import { InputError, issuesOf, normalizeEmail, type FieldIssue } from '../validation.js'
import { picketInput, type PicketInput, type RsvpInput } from './input.js'
import { fromLocal, toLocalInput } from './time.js'
import { picketMail, type PicketMailKind } from './mail.js'
import { icsAttachment } from './calendar.js'
import { createDecoys } from './decoy.js'
import * as q from './queries.js'
import { groupPickets } from './view.js'

export const DEFAULT_REMINDERS = [1440, 120]
const MAX_REMINDER_MS = 14 * 24 * 60 * 60_000
const REMINDER_BATCH = 500

export type RsvpResult =
  | { kind: 'not_found' }
  | { kind: 'closed'; picket: Picket; reason: string }
  // `duplicate` is for logs and tests: responses look the same either way.
  | { kind: 'accepted'; picket: Picket; rsvp: { id: number; status: 'going' | 'waitlisted' }; token: string; duplicate: boolean }

export type ManagedRsvp = { picket: Picket; campaign: Campaign; rsvp: Pick<Rsvp, 'id' | 'status' | 'remindersStopped'> & { name: string | null }; decoy: boolean }

const reminderTopic = (picketId: number) => `picket:${picketId}:reminder`

declare module 'fastify' {
  interface FastifyInstance {
    pickets: PicketService
  }
}

export function createPicketService(deps: { db: Db; clock: Clock; mail: MailSettings; secret: string; campaigns: CampaignService; onMailQueued?: () => void }) {
  const { db, clock, mail } = deps
  const { campaigns } = deps
  const decoys = createDecoys(deps.secret)
  const mailQueued = () => deps.onMailQueued?.()

  /** Validates a full picket description and turns local times into instants. */
  function resolveTimes(raw: unknown, now: Date, unchangedStart?: Date) {
    const parsed = picketInput.safeParse(raw)
    if (!parsed.success) throw new InputError(issuesOf(parsed.error))
    const input = parsed.data
    const issues: FieldIssue[] = []
    const start = fromLocal(input.startsLocal, input.timeZone)
    const end = fromLocal(input.endsLocal, input.timeZone)
    if (!start.ok) issues.push({ path: ['startsLocal'], message: start.message })
    if (!end.ok) issues.push({ path: ['endsLocal'], message: end.message })
    if (start.ok && end.ok) {
      if (end.at <= start.at) issues.push({ path: ['endsLocal'], message: 'The picket must end after it starts' })
      // Fixing the contact during a picket is fine; moving it into the past is not.
      if (start.at <= now && start.at.getTime() !== unchangedStart?.getTime()) issues.push({ path: ['startsLocal'], message: 'The start is in the past' })
    }
    const reminders = [...new Set(input.reminders ?? DEFAULT_REMINDERS)].sort((a, b) => b - a)
    if (issues.length) throw new InputError(issues)
    return { input, startsAt: (start as { at: Date }).at, endsAt: (end as { at: Date }).at, reminders }
  }

  /** The picket's columns from a checked description. */
  function columnsOf({ input, startsAt, endsAt, reminders }: ReturnType<typeof resolveTimes>) {
    return {
      title: input.title,
      venue: input.venue,
      address: input.address,
      city: input.city,
      country: input.country,
      timeZone: input.timeZone,
      startsAt,
      endsAt,
      capacity: input.capacity ?? null,
      bring: input.notes ?? '',
      contact: input.contact ?? '',
      reminders,
    }
  }

  function notify(tx: DbOrTx, kind: PicketMailKind, campaign: Campaign, picket: Picket, statuses: Rsvp['status'][], now: Date) {
    const ics = icsAttachment(picket, campaign, mail)
    let after = 0
    for (;;) {
      const batch = q.rsvpsWithStatus(tx, picket.id, statuses, after)
      if (!batch.length) break
      for (const rsvp of batch) {
        // An erased supporter (data protection) still counts but can no longer be written to.
        if (!rsvp.email) continue
        enqueueMail(tx, { kind, topic: `picket:${picket.id}`, message: picketMail(mail, kind, campaign, picket, rsvp, { ics }) }, now)
      }
      after = batch[batch.length - 1]!.id
    }
  }

  /** Fills free places from the waiting list, first come first served, and tells each one. */
  function promote(tx: DbOrTx, campaign: Campaign, picket: Picket, now: Date) {
    for (;;) {
      const next = q.firstWaitlisted(tx, picket.id)
      if (!next || !q.takePlace(tx, picket.id)) return
      q.setRsvp(tx, next.id, { status: 'going', waitlistedAt: null })
      q.adjustCounts(tx, picket.id, 0, -1)
      enqueueMail(tx, { kind: 'rsvp_promoted', topic: `picket:${picket.id}`, message: picketMail(mail, 'rsvp_promoted', campaign, picket, { ...next, status: 'going' }) }, now)
    }
  }

  function closedReason(picket: Picket, now: Date): string | null {
    if (picket.status === 'cancelled') return 'This picket has been cancelled.'
    if (picket.startsAt <= now) return 'This picket has already started or is over.'
    return null
  }

  const service = {
    picket: (id: number) => q.picketById(db, id),
    campaignOf: (picket: Picket) => campaigns.byId(picket.campaignId)!,
    upcoming: (campaignId: number) => q.upcomingPickets(db, campaignId, clock()),
    /** Upcoming pickets grouped by country, then city, as the campaign and pickets pages list them. */
    upcomingByPlace: (campaignId: number) => groupPickets(q.upcomingPickets(db, campaignId, clock())),
    feed: (campaignId: number) => q.feedPickets(db, campaignId, new Date(clock().getTime() - 30 * 86_400_000)),
    closedReason: (picket: Picket) => closedReason(picket, clock()),
    /** The picket as an organizer would edit it: local times in its own zone. */
    asInput(picket: Picket): PicketInput {
      return {
        title: picket.title,
        venue: picket.venue,
        address: picket.address,
        city: picket.city,
        country: picket.country,
        startsLocal: toLocalInput(picket.startsAt, picket.timeZone),
        endsLocal: toLocalInput(picket.endsAt, picket.timeZone),
        timeZone: picket.timeZone,
        capacity: picket.capacity,
        notes: picket.bring,
        contact: picket.contact || undefined,
        reminders: picket.reminders,
      }
    },

    schedule(campaignId: number, raw: unknown): Picket {
      const now = clock()
      return q.insertPicket(db, { campaignId, ...columnsOf(resolveTimes(raw, now)), createdAt: now, updatedAt: now })
    },

    /** Changes a picket; a new time or place raises SEQUENCE and tells everyone going. */
    reschedule(picketId: number, changes: Record<string, unknown>): Picket | null {
      const current = q.picketById(db, picketId)
      if (!current) return null
      const now = clock()
      if (current.status === 'cancelled') throw new InputError([{ path: [], message: 'A cancelled picket cannot be changed' }])
      const resolved = resolveTimes({ ...service.asInput(current), ...changes }, now, current.startsAt)
      const { input, startsAt, endsAt, reminders } = resolved
      const moved = startsAt.getTime() !== current.startsAt.getTime() || endsAt.getTime() !== current.endsAt.getTime()
      const relocated = (['venue', 'address', 'city', 'country', 'timeZone', 'title'] as const).some((k) => input[k] !== current[k])
      const changed = moved || relocated || input.notes !== current.bring || (input.contact ?? '') !== current.contact
      const campaign = campaigns.byId(current.campaignId)!
      const picket = db.transaction((tx) => {
        const updated = q.updatePicket(tx, picketId, {
          ...columnsOf(resolved),
          sequence: changed ? current.sequence + 1 : current.sequence,
          // Reminders are owed afresh for a new start time (they are keyed by it).
          remindersDoneThrough: moved || reminders.join() !== current.reminders.join() ? null : current.remindersDoneThrough,
          updatedAt: now,
        })
        if (moved || relocated) withdrawQueued(tx, reminderTopic(picketId))
        if (moved || relocated) notify(tx, 'picket_changed', campaign, updated, ['going'], now)
        promote(tx, campaign, updated, now)
        return q.picketById(tx, picketId)!
      })
      mailQueued()
      return picket
    },

    cancel(picketId: number): Picket | null {
      const current = q.picketById(db, picketId)
      if (!current) return null
      if (current.status === 'cancelled') return current
      const now = clock()
      const campaign = campaigns.byId(current.campaignId)!
      const picket = db.transaction((tx) => {
        const updated = q.updatePicket(tx, picketId, { status: 'cancelled', cancelledAt: now, sequence: current.sequence + 1, updatedAt: now })
        withdrawQueued(tx, reminderTopic(picketId))
        notify(tx, 'picket_cancelled', campaign, updated, ['going', 'waitlisted'], now)
        return updated
      })
      mailQueued()
      return picket
    },

    rsvp(picketId: number, input: RsvpInput): RsvpResult {
      const picket = q.picketById(db, picketId)
      if (!picket) return { kind: 'not_found' }
      const now = clock()
      const reason = closedReason(picket, now)
      if (reason) return { kind: 'closed', picket, reason }
      const campaign = campaigns.byId(picket.campaignId)!
      const emailNormalized = normalizeEmail(input.email)
      const result = db.transaction((tx) => {
        const token = crypto.randomBytes(32).toString('base64url')
        const created = q.insertRsvp(tx, { picketId, token, name: input.name, email: input.email, emailNormalized, consent: input.consent, status: 'waitlisted', createdAt: now, waitlistedAt: now })
        const existing = created ?? q.rsvpByEmail(tx, picketId, emailNormalized)!
        if (!created && existing.status !== 'cancelled') {
          // Already signed up: mail them their link; answer like a new RSVP without handing out theirs.
          enqueueMail(tx, { kind: 'rsvp_link', topic: `picket:${picketId}`, message: picketMail(mail, 'rsvp_link', campaign, picket, existing) }, now)
          const standIn = service.standIn(picket)
          return { ...standIn.rsvp, token: standIn.token, duplicate: true }
        }
        const going = q.takePlace(tx, picketId)
        const status = going ? ('going' as const) : ('waitlisted' as const)
        q.setRsvp(tx, existing.id, { status, name: input.name, email: input.email, consent: input.consent, createdAt: now, waitlistedAt: going ? null : now, cancelledAt: null })
        q.adjustCounts(tx, picketId, 0, going ? 0 : 1)
        const rsvp = { ...existing, status, name: input.name, email: input.email }
        const kind = going ? 'rsvp_going' : 'rsvp_waitlisted'
        enqueueMail(tx, { kind, topic: `picket:${picketId}`, message: picketMail(mail, kind, campaign, picket, rsvp) }, now)
        return { id: existing.id, status, token: existing.token, duplicate: false } as const
      })
      mailQueued()
      return { kind: 'accepted', picket, rsvp: { id: result.id, status: result.status }, token: result.token, duplicate: result.duplicate }
    },

    /** A stand-in answer for a submission that is not stored (a repeat, or the honeypot). */
    standIn(picket: Picket) {
      const status = picket.capacity === null || picket.goingCount < picket.capacity ? ('going' as const) : ('waitlisted' as const)
      return { rsvp: { id: decoys.id(), status }, token: decoys.mint(picket.id, status) }
    },

    /** The RSVP behind a manage link (or the stand-in a repeat was given). */
    lookup(token: string): ManagedRsvp | null {
      const rsvp = q.rsvpByToken(db, token)
      if (rsvp) {
        const picket = q.picketById(db, rsvp.picketId)!
        return { picket, campaign: campaigns.byId(picket.campaignId)!, rsvp, decoy: false }
      }
      const decoy = decoys.read(token)
      if (!decoy) return null
      const picket = q.picketById(db, decoy.picketId)
      if (!picket) return null
      return { picket, campaign: campaigns.byId(picket.campaignId)!, rsvp: { id: 0, status: decoy.status, remindersStopped: false, name: null }, decoy: true }
    },

    /** Cancels an RSVP; the first on the waiting list takes the place. */
    cancelRsvp(token: string): ManagedRsvp | null {
      const found = service.lookup(token)
      if (!found || found.decoy || found.rsvp.status === 'cancelled') return found
      const now = clock()
      db.transaction((tx) => {
        const rsvp = q.rsvpByToken(tx, token)!
        q.setRsvp(tx, rsvp.id, { status: 'cancelled', cancelledAt: now, waitlistedAt: null })
        if (rsvp.status === 'going') {
          q.adjustCounts(tx, rsvp.picketId, -1, 0)
          const picket = q.picketById(tx, rsvp.picketId)!
          if (picket.status === 'scheduled' && picket.startsAt > now) promote(tx, found.campaign, picket, now)
        } else {
          q.adjustCounts(tx, rsvp.picketId, 0, -1)
        }
      })
      mailQueued()
      return service.lookup(token)
    },

    stopReminders(token: string): ManagedRsvp | null {
      const found = service.lookup(token)
      if (!found || found.decoy) return found
      q.setRsvp(db, found.rsvp.id, { remindersStopped: true })
      return service.lookup(token)
    },

    /**
     * Queues the reminders that are due (a dispatcher producer). Only the latest due reminder
     * of each picket goes out: after downtime nobody gets "24 hours to go" beside "2 hours to go".
     */
    queueDueReminders(now: Date): number {
      let queued = 0
      for (const picket of q.picketsInReminderWindow(db, now, MAX_REMINDER_MS)) {
        const due = picket.reminders.filter((m) => picket.startsAt.getTime() - m * 60_000 <= now.getTime())
        if (!due.length) continue
        const offset = Math.min(...due)
        if (picket.remindersDoneThrough !== null && offset >= picket.remindersDoneThrough) continue
        const dueAt = new Date(picket.startsAt.getTime() - offset * 60_000)
        const campaign = campaigns.byId(picket.campaignId)!
        const ics = icsAttachment(picket, campaign, mail)
        for (;;) {
          const owed = q.rsvpsOwedReminder(db, picket, offset, dueAt, REMINDER_BATCH)
          if (!owed.length) break
          db.transaction((tx) => {
            for (const rsvp of owed) {
              if (!q.claimReminder(tx, rsvp.id, offset, picket.startsAt, now)) continue
              const message = picketMail(mail, 'picket_reminder', campaign, picket, rsvp, { offsetMinutes: offset, ics })
              enqueueMail(tx, { kind: 'picket_reminder', topic: reminderTopic(picket.id), notAfter: picket.startsAt, message }, now)
              queued++
            }
          })
        }
        q.markRemindersDone(db, picket.id, picket.startsAt, offset)
      }
      if (queued) mailQueued()
      return queued
    },
  }
  return service
}

export type PicketService = ReturnType<typeof createPicketService>
