import crypto from 'node:crypto'
import type { Db, DbOrTx } from '../db/client.js'
import type { Clock } from '../clock.js'
import type { Campaign, Picket, Rsvp } from '../db/schema/index.js'
import type { CampaignService } from '../campaigns/service.js'
import { enqueueMail, withdrawQueued } from '../mail/outbox.js'
import type { MailSettings } from '../mail/settings.js'
import { takeAnonymousMail } from '../mail/quota.js'
import { DelayedValues } from '../delayed.js'
import { InputError, issuesOf, localized, normalizeEmail, type FieldIssue } from '../validation.js'
import { cleanTranslations, picketInput, type PicketInput, type RsvpInput } from './input.js'
import { dateLocale, describeLocal, fromLocal, toLocalInput } from './time.js'
import { picketMail, type PicketMailKind } from './mail.js'
import * as q from './queries.js'
import { groupPickets } from './view.js'
import type { Language } from '../i18n/index.js'

export const DEFAULT_REMINDERS = [1440, 120]
const MAX_REMINDER_MS = 14 * 24 * 60 * 60_000
const REMINDER_BATCH = 500

/** What the public is told of an RSVP: a random id drawn the same way for a new and a repeat one, and no link. */
export type RsvpAnswer = { id: string; status: 'pending_confirmation' | 'going' | 'waitlisted' }

export type RsvpResult =
  | { kind: 'not_found' }
  | { kind: 'closed'; picket: Picket; reason: string }
  // `rsvp` is the public answer. `duplicate`, and the stored RSVP's own `rsvpId` and `token`, are for logs
  // and in-process callers such as tests: no HTTP answer carries them, and the answer looks the same either way.
  | { kind: 'accepted'; picket: Picket; campaign: Campaign; rsvp: RsvpAnswer; rsvpId: number; token: string; duplicate: boolean }

export type ManagedRsvp = { picket: Picket; campaign: Campaign; rsvp: Pick<Rsvp, 'id' | 'status' | 'remindersStopped' | 'language'> & { name: string | null } }

export type ConfirmResult =
  | { kind: 'not_found' }
  // Too late to confirm (the picket started or was called off): the RSVP stays pending.
  | { kind: 'closed'; found: ManagedRsvp; reason: string }
  | { kind: 'confirmed'; found: ManagedRsvp }

/** Campaigns the public may see: a draft (and its pickets, feeds, RSVPs) answers 404. */
export const isPublicCampaign = (campaign: Campaign) => campaign.status === 'live' || campaign.status === 'closed'

const newToken = () => crypto.randomBytes(32).toString('base64url')
/** The public id of an RSVP answer: random, never stored, the same draw for a new and a repeat RSVP. */
const answerId = () => crypto.randomBytes(12).toString('base64url')

const reminderTopic = (picketId: number) => `picket:${picketId}:reminder`

declare module 'fastify' {
  interface FastifyInstance {
    pickets: PicketService
  }
}

export function createPicketService(deps: {
  db: Db
  clock: Clock
  mail: MailSettings
  campaigns: CampaignService
  /** PUBLIC_COUNT_DELAY in seconds (config.publicCountDelay). */
  publicCountDelay: number
  onMailQueued?: () => void
}) {
  const { db, clock, mail } = deps
  const { campaigns } = deps
  const mailQueued = () => deps.onMailQueued?.()
  // While a campaign counts RSVPs at once (confirmation off), the public sees each picket's counts as
  // they were at most PUBLIC_COUNT_DELAY ago: a watcher who RSVPs an address cannot see the count move.
  const publicCounts = new DelayedValues<number, Pick<Picket, 'goingCount' | 'waitlistedCount'>>(deps.publicCountDelay * 1000, clock)

  /** The picket as the public may see it: counts delayed unless only confirmed RSVPs move them. */
  function forPublic(picket: Picket, campaign: Campaign): Picket {
    if (campaign.confirmRsvps) return picket
    return { ...picket, ...publicCounts.get(picket.id, () => ({ goingCount: picket.goingCount, waitlistedCount: picket.waitlistedCount })) }
  }

  /**
   * A mail that an anonymous RSVP action causes (the confirmation link, a repeat's own link): built
   * first, so the time taken does not tell whether it goes, then sent only within the address's daily
   * cap (our mail is no relay). Past the cap nothing goes, and the answer is the same.
   */
  function mailAnonymously(tx: DbOrTx, kind: PicketMailKind, campaign: Campaign, picket: Picket, rsvp: Rsvp, emailNormalized: string, now: Date) {
    const message = picketMail(mail, kind, campaign, picket, rsvp, { now })
    if (!takeAnonymousMail(tx, mail.addressKey, emailNormalized, now)) return
    enqueueMail(tx, { kind, topic: `picket:${picket.id}`, message }, now)
  }

  const END_BEFORE_START = localized((t) => t('adminPickets.errors.endBeforeStart'))
  const START_IN_PAST = localized((t) => t('adminPickets.errors.startInPast'))
  const CANCELLED_UNCHANGEABLE = localized((t) => t('adminPickets.errors.cancelledUnchangeable'))

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
      if (end.at <= start.at) issues.push({ path: ['endsLocal'], message: END_BEFORE_START })
      // Fixing the contact during a picket is fine; moving it into the past is not.
      if (start.at <= now && start.at.getTime() !== unchangedStart?.getTime()) issues.push({ path: ['startsLocal'], message: START_IN_PAST })
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
      // Only when given: a change that leaves them out keeps the picket's.
      ...(input.translations ? { translations: cleanTranslations(input.translations) } : {}),
    }
  }

  function notify(tx: DbOrTx, kind: PicketMailKind, campaign: Campaign, picket: Picket, statuses: Rsvp['status'][], now: Date) {
    let after = 0
    for (;;) {
      const batch = q.rsvpsWithStatus(tx, picket.id, statuses, after)
      if (!batch.length) break
      for (const rsvp of batch) {
        // An erased supporter (data protection) still counts but can no longer be written to.
        if (!rsvp.email) continue
        enqueueMail(tx, { kind, topic: `picket:${picket.id}`, message: picketMail(mail, kind, campaign, picket, rsvp, { now }) }, now)
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
      enqueueMail(tx, { kind: 'rsvp_promoted', topic: `picket:${picket.id}`, message: picketMail(mail, 'rsvp_promoted', campaign, picket, { ...next, status: 'going' }, { now }) }, now)
    }
  }

  /** What a new RSVP would become now, for an answer that stores nothing (a repeat, the honeypot). */
  function standInStatus(picket: Picket): 'going' | 'waitlisted' {
    return picket.capacity === null || picket.goingCount < picket.capacity ? 'going' : 'waitlisted'
  }

  function closedReason(picket: Picket, now: Date): string | null {
    if (picket.status === 'cancelled') return 'This picket has been cancelled.'
    if (picket.startsAt <= now) return 'This picket has already started or is over.'
    return null
  }

  const service = {
    /** Any picket, as the back office sees it (live counts). */
    picket: (id: number) => q.picketById(db, id),
    campaignOf: (picket: Picket) => campaigns.byId(picket.campaignId)!,
    isPublicCampaign,
    /** A picket as the public sees it: none for a draft campaign's; counts delayed while RSVPs count unconfirmed. */
    publicPicket(id: number): { picket: Picket; campaign: Campaign } | null {
      const picket = q.picketById(db, id)
      if (!picket) return null
      const campaign = campaigns.byId(picket.campaignId)
      if (!campaign || !isPublicCampaign(campaign)) return null
      return { picket: forPublic(picket, campaign), campaign }
    },
    /**
     * The campaign's upcoming pickets as the public sees them: none for a draft, unless for an
     * organizer's preview (signed in), which also sees the live counts.
     */
    upcoming(campaignId: number, opts: { preview?: boolean } = {}): Picket[] {
      const campaign = campaigns.byId(campaignId)
      if (!campaign) return []
      const pickets = q.upcomingPickets(db, campaignId, clock())
      if (opts.preview) return pickets
      if (!isPublicCampaign(campaign)) return []
      return pickets.map((p) => forPublic(p, campaign))
    },
    /** Upcoming pickets grouped by country, then city, as the campaign and pickets pages list them. */
    upcomingByPlace: (campaignId: number, opts: { preview?: boolean; lang?: Language; baseLanguage?: string } = {}) => groupPickets(service.upcoming(campaignId, opts), opts.lang, opts.baseLanguage),
    /** The calendar feed's pickets (none for a draft). */
    feed(campaignId: number): Picket[] {
      const campaign = campaigns.byId(campaignId)
      if (!campaign || !isPublicCampaign(campaign)) return []
      return q.feedPickets(db, campaignId, new Date(clock().getTime() - 30 * 86_400_000)).map((p) => forPublic(p, campaign))
    },
    closedReason: (picket: Picket) => closedReason(picket, clock()),
    /** When a picket is, as read at its venue, in `lang`: date, time and zone (the campaign report shows it). */
    localTime: (picket: Pick<Picket, 'startsAt' | 'endsAt' | 'timeZone'>, lang: Language) => describeLocal(picket.startsAt, picket.endsAt, picket.timeZone, dateLocale(lang)),
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
      if (current.status === 'cancelled') throw new InputError([{ path: [], message: CANCELLED_UNCHANGEABLE }])
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

    /**
     * An RSVP from the public. With confirmation on (the default) it waits, taking no place and
     * counting nowhere, until confirmed from the mailbox; off, it counts at once. A repeat address
     * changes nothing and is mailed its own link; either way the answer is the same.
     */
    rsvp(picketId: number, input: RsvpInput): RsvpResult {
      const picket = q.picketById(db, picketId)
      if (!picket) return { kind: 'not_found' }
      const campaign = campaigns.byId(picket.campaignId)
      if (!campaign || !isPublicCampaign(campaign)) return { kind: 'not_found' }
      const now = clock()
      const reason = closedReason(picket, now)
      if (reason) return { kind: 'closed', picket, reason }
      const emailNormalized = normalizeEmail(input.email)
      const confirming = campaign.confirmRsvps
      const fresh = { name: input.name, email: input.email, consent: input.consent, language: input.language ?? null, createdAt: now, cancelledAt: null, remindersStopped: false }
      const result = db.transaction((tx) => {
        const token = newToken()
        const created = q.insertRsvp(tx, {
          picketId,
          token,
          emailNormalized,
          ...fresh,
          status: confirming ? 'pending_confirmation' : 'waitlisted',
          waitlistedAt: confirming ? null : now,
        })
        // Read back either way, so a new RSVP and a repeat do the same work.
        const existing = q.rsvpByEmail(tx, picketId, emailNormalized)!
        if (!created && existing.status !== 'cancelled') {
          // Already signed up (or waiting to confirm): nothing changes; the address is mailed its own link.
          mailAnonymously(tx, existing.status === 'pending_confirmation' ? 'rsvp_confirm' : 'rsvp_link', campaign, picket, existing, emailNormalized, now)
          return { status: confirming ? ('pending_confirmation' as const) : standInStatus(q.picketById(tx, picketId)!), id: existing.id, token: existing.token, duplicate: true }
        }
        // New, or signing up again after cancelling: a fresh link (the old one stays cancelled).
        if (confirming) {
          if (!created) q.setRsvp(tx, existing.id, { ...fresh, token, status: 'pending_confirmation', waitlistedAt: null })
          mailAnonymously(tx, 'rsvp_confirm', campaign, picket, { ...existing, ...fresh, token, status: 'pending_confirmation' }, emailNormalized, now)
          return { status: 'pending_confirmation' as const, id: existing.id, token, duplicate: false }
        }
        const going = q.takePlace(tx, picketId)
        const status = going ? ('going' as const) : ('waitlisted' as const)
        q.setRsvp(tx, existing.id, { ...fresh, token, status, waitlistedAt: going ? null : now })
        q.adjustCounts(tx, picketId, 0, going ? 0 : 1)
        mailAnonymously(tx, going ? 'rsvp_going' : 'rsvp_waitlisted', campaign, picket, { ...existing, ...fresh, token, status }, emailNormalized, now)
        return { status, id: existing.id, token, duplicate: false }
      })
      mailQueued()
      return { kind: 'accepted', picket, campaign, rsvp: { id: answerId(), status: result.status }, rsvpId: result.id, token: result.token, duplicate: result.duplicate }
    },

    /** The answer to a submission that is not stored (the honeypot): what a new RSVP would get. */
    standIn(picket: Picket): RsvpAnswer {
      const campaign = campaigns.byId(picket.campaignId)!
      return { id: answerId(), status: campaign.confirmRsvps ? 'pending_confirmation' : standInStatus(picket) }
    },

    /** The RSVP behind a link from the mailbox; none for a draft campaign's picket. */
    lookup(token: string): ManagedRsvp | null {
      const rsvp = q.rsvpByToken(db, token)
      if (!rsvp) return null
      const picket = q.picketById(db, rsvp.picketId)!
      const campaign = campaigns.byId(picket.campaignId)!
      if (!isPublicCampaign(campaign)) return null
      return { picket: forPublic(picket, campaign), campaign, rsvp }
    },

    /**
     * "Confirm my place", POSTed from the RSVP's page: the RSVP now takes a place, or joins the waiting
     * list when the picket is full, exactly as an RSVP did without confirmation. Confirming twice is harmless.
     */
    confirmRsvp(token: string): ConfirmResult {
      const found = service.lookup(token)
      if (!found) return { kind: 'not_found' }
      if (found.rsvp.status !== 'pending_confirmation') return { kind: 'confirmed', found }
      const now = clock()
      const reason = closedReason(found.picket, now)
      if (reason) return { kind: 'closed', found, reason }
      db.transaction((tx) => {
        const rsvp = q.rsvpByToken(tx, token)!
        if (rsvp.status !== 'pending_confirmation') return
        const going = q.takePlace(tx, rsvp.picketId)
        const status = going ? ('going' as const) : ('waitlisted' as const)
        // Reminders already due before the confirmation are not owed: it counts from now.
        q.setRsvp(tx, rsvp.id, { status, createdAt: now, waitlistedAt: going ? null : now })
        q.adjustCounts(tx, rsvp.picketId, 0, going ? 0 : 1)
        const picket = q.picketById(tx, rsvp.picketId)!
        const kind = going ? 'rsvp_going' : 'rsvp_waitlisted'
        enqueueMail(tx, { kind, topic: `picket:${picket.id}`, message: picketMail(mail, kind, found.campaign, picket, { ...rsvp, status, createdAt: now }, { now }) }, now)
      })
      mailQueued()
      return { kind: 'confirmed', found: service.lookup(token)! }
    },

    /** Cancels an RSVP; the first on the waiting list takes the place. */
    cancelRsvp(token: string): ManagedRsvp | null {
      const found = service.lookup(token)
      if (!found || found.rsvp.status === 'cancelled') return found
      const now = clock()
      db.transaction((tx) => {
        const rsvp = q.rsvpByToken(tx, token)!
        if (rsvp.status === 'cancelled') return
        q.setRsvp(tx, rsvp.id, { status: 'cancelled', cancelledAt: now, waitlistedAt: null })
        // A pending RSVP took no place and counted nowhere.
        if (rsvp.status === 'pending_confirmation') return
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
      if (!found) return found
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
        for (;;) {
          const owed = q.rsvpsOwedReminder(db, picket, offset, dueAt, REMINDER_BATCH)
          if (!owed.length) break
          db.transaction((tx) => {
            for (const rsvp of owed) {
              if (!q.claimReminder(tx, rsvp.id, offset, picket.startsAt, now)) continue
              const message = picketMail(mail, 'picket_reminder', campaign, picket, rsvp, { offsetMinutes: offset, now })
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
