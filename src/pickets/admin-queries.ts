import { and, asc, count, eq, inArray, isNotNull, isNull, ne, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/client.js'
import { pickets, rsvps, type Picket, type Rsvp, type RsvpStatus } from '../db/schema/index.js'

/** Every picket of a campaign, soonest first (the screens split upcoming from past). */
export function picketsOfCampaign(db: DbOrTx, campaignId: number): Picket[] {
  return db.select().from(pickets).where(eq(pickets.campaignId, campaignId)).orderBy(asc(pickets.startsAt), asc(pickets.id)).all()
}

/** Checked-in RSVPs per picket: attendance. */
export function attendance(db: DbOrTx, picketIds: number[]): Map<number, number> {
  if (!picketIds.length) return new Map()
  const rows = db
    .select({ picketId: rsvps.picketId, n: count() })
    .from(rsvps)
    .where(and(inArray(rsvps.picketId, picketIds), isNotNull(rsvps.checkedInAt), ne(rsvps.status, 'cancelled')))
    .groupBy(rsvps.picketId)
    .all()
  return new Map(rows.map((r) => [r.picketId, r.n]))
}

export type RsvpRow = Pick<Rsvp, 'id' | 'name' | 'consent' | 'status' | 'createdAt' | 'waitlistedAt' | 'cancelledAt' | 'checkedInAt'> & {
  /** Only for people who consented to be contacted: null otherwise, so no screen, answer or search can show it. */
  email: string | null
  /** An address is on file but was not shared with organizers. */
  emailWithheld: boolean
  /** Name and address erased on the supporter's request. */
  erased: boolean
}

// Organizers (and admins on these screens) see an RSVP's address only if its owner consented to be
// contacted; the others never leave the database here (admins reach them through /admin/supporters, audited).
const rsvpColumns = {
  id: rsvps.id,
  name: rsvps.name,
  email: sql<string | null>`case when ${rsvps.consent} then ${rsvps.email} end`,
  emailWithheld: sql<boolean>`(${rsvps.email} is not null and not ${rsvps.consent})`.mapWith(Boolean),
  erased: sql<boolean>`(${rsvps.name} is null and ${rsvps.email} is null)`.mapWith(Boolean),
  consent: rsvps.consent,
  status: rsvps.status,
  createdAt: rsvps.createdAt,
  waitlistedAt: rsvps.waitlistedAt,
  cancelledAt: rsvps.cancelledAt,
  checkedInAt: rsvps.checkedInAt,
}

/**
 * A picket's RSVPs, optionally of some statuses only. Going in the order they signed up,
 * the waiting list in queue order, cancellations last.
 */
export function rsvpsOf(db: DbOrTx, picketId: number, statuses?: readonly RsvpStatus[]): RsvpRow[] {
  const where = statuses?.length ? and(eq(rsvps.picketId, picketId), inArray(rsvps.status, [...statuses])) : eq(rsvps.picketId, picketId)
  const rows = db.select(rsvpColumns).from(rsvps).where(where).orderBy(asc(rsvps.createdAt), asc(rsvps.id)).all()
  const rank = { going: 0, waitlisted: 1, pending_confirmation: 2, cancelled: 3 } as const
  const queued = (r: RsvpRow) => (r.waitlistedAt ?? r.createdAt).getTime()
  return rows.sort((a, b) => rank[a.status] - rank[b.status] || (a.status === 'waitlisted' ? queued(a) - queued(b) : 0) || a.id - b.id)
}

/** How many RSVPs in each status, and how many were checked in. */
export function rsvpCounts(db: DbOrTx, picketId: number): { going: number; waitlisted: number; pending_confirmation: number; cancelled: number; checkedIn: number } {
  const out = { going: 0, waitlisted: 0, pending_confirmation: 0, cancelled: 0, checkedIn: 0 }
  const rows = db.select({ status: rsvps.status, n: count() }).from(rsvps).where(eq(rsvps.picketId, picketId)).groupBy(rsvps.status).all()
  for (const r of rows) out[r.status] = r.n
  out.checkedIn = attendance(db, [picketId]).get(picketId) ?? 0
  return out
}

export function rsvpOfPicket(db: DbOrTx, picketId: number, rsvpId: number): RsvpRow | undefined {
  return db
    .select(rsvpColumns)
    .from(rsvps)
    .where(and(eq(rsvps.id, rsvpId), eq(rsvps.picketId, picketId)))
    .get()
}

/** Who can be ticked on the day: people going or waiting; never a cancelled RSVP or one not confirmed yet. */
export const CHECK_IN_STATUSES = ['going', 'waitlisted'] as const satisfies readonly RsvpStatus[]
export const canCheckIn = (r: { status: RsvpStatus }) => (CHECK_IN_STATUSES as readonly RsvpStatus[]).includes(r.status)

/**
 * Ticks or unticks an RSVP on the day. Idempotent: ticking twice keeps the first time,
 * and a cancelled or unconfirmed RSVP is never ticked. Returns whether anything changed.
 */
export function setCheckedIn(tx: DbOrTx, picketId: number, rsvpId: number, checkedIn: boolean, now: Date): boolean {
  const mine = and(eq(rsvps.id, rsvpId), eq(rsvps.picketId, picketId))
  const result = checkedIn
    ? tx.update(rsvps).set({ checkedInAt: now }).where(and(mine, isNull(rsvps.checkedInAt), inArray(rsvps.status, [...CHECK_IN_STATUSES]))).run()
    : tx.update(rsvps).set({ checkedInAt: null }).where(and(mine, isNotNull(rsvps.checkedInAt))).run()
  return result.changes === 1
}
