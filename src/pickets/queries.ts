import { and, asc, eq, gt, lte, sql, notExists, inArray, isNull, or, lt } from 'drizzle-orm'
import type { DbOrTx } from '../db/client.js'
import { pickets, rsvps, reminderDeliveries, type Picket, type Rsvp } from '../db/schema/index.js'

export type NewPicket = typeof pickets.$inferInsert
export type NewRsvp = typeof rsvps.$inferInsert

export function insertPicket(tx: DbOrTx, values: NewPicket): Picket {
  return tx.insert(pickets).values(values).returning().get()
}

export function updatePicket(tx: DbOrTx, id: number, values: Partial<NewPicket>): Picket {
  return tx.update(pickets).set(values).where(eq(pickets.id, id)).returning().get()
}

export function picketById(db: DbOrTx, id: number): Picket | undefined {
  return db.select().from(pickets).where(eq(pickets.id, id)).get()
}

/** Pickets that have not ended yet, by country, city and time. */
export function upcomingPickets(db: DbOrTx, campaignId: number, now: Date): Picket[] {
  return db
    .select()
    .from(pickets)
    .where(and(eq(pickets.campaignId, campaignId), eq(pickets.status, 'scheduled'), gt(pickets.endsAt, now)))
    .orderBy(asc(pickets.country), asc(pickets.city), asc(pickets.startsAt))
    .all()
}

/** The calendar feed keeps recent and cancelled pickets so subscribed calendars learn of changes. */
export function feedPickets(db: DbOrTx, campaignId: number, since: Date): Picket[] {
  return db
    .select()
    .from(pickets)
    .where(and(eq(pickets.campaignId, campaignId), gt(pickets.endsAt, since)))
    .orderBy(asc(pickets.startsAt))
    .all()
}

export function insertRsvp(tx: DbOrTx, values: NewRsvp): Rsvp | null {
  return tx.insert(rsvps).values(values).onConflictDoNothing().returning().get() ?? null
}

export function rsvpByToken(db: DbOrTx, token: string): Rsvp | undefined {
  return db.select().from(rsvps).where(eq(rsvps.token, token)).get()
}

export function rsvpByEmail(db: DbOrTx, picketId: number, emailNormalized: string): Rsvp | undefined {
  return db.select().from(rsvps).where(and(eq(rsvps.picketId, picketId), eq(rsvps.emailNormalized, emailNormalized))).get()
}

export function setRsvp(tx: DbOrTx, id: number, values: Partial<NewRsvp>): void {
  tx.update(rsvps).set(values).where(eq(rsvps.id, id)).run()
}

/** Takes a place if one is left; one guarded UPDATE, so capacity holds however many ask at once. */
export function takePlace(tx: DbOrTx, picketId: number): boolean {
  return (
    tx
      .update(pickets)
      .set({ goingCount: sql`${pickets.goingCount} + 1` })
      .where(and(eq(pickets.id, picketId), or(isNull(pickets.capacity), lt(pickets.goingCount, pickets.capacity))))
      .run().changes === 1
  )
}

export function adjustCounts(tx: DbOrTx, picketId: number, going: number, waitlisted: number): void {
  tx.update(pickets)
    .set({ goingCount: sql`${pickets.goingCount} + ${going}`, waitlistedCount: sql`${pickets.waitlistedCount} + ${waitlisted}` })
    .where(eq(pickets.id, picketId))
    .run()
}

export function firstWaitlisted(tx: DbOrTx, picketId: number): Rsvp | undefined {
  return tx
    .select()
    .from(rsvps)
    .where(and(eq(rsvps.picketId, picketId), eq(rsvps.status, 'waitlisted')))
    .orderBy(asc(rsvps.waitlistedAt), asc(rsvps.id))
    .limit(1)
    .get()
}

export function rsvpsWithStatus(db: DbOrTx, picketId: number, statuses: Rsvp['status'][], afterId = 0, limit = 1000): Rsvp[] {
  return db
    .select()
    .from(rsvps)
    .where(and(eq(rsvps.picketId, picketId), inArray(rsvps.status, statuses), gt(rsvps.id, afterId)))
    .orderBy(asc(rsvps.id))
    .limit(limit)
    .all()
}

/** Pickets whose reminder window is open: scheduled, not started, starting within the longest reminder. */
export function picketsInReminderWindow(db: DbOrTx, now: Date, horizonMs: number): Picket[] {
  return db
    .select()
    .from(pickets)
    .where(and(eq(pickets.status, 'scheduled'), gt(pickets.startsAt, now), lte(pickets.startsAt, new Date(now.getTime() + horizonMs))))
    .all()
}

/** Going RSVPs that were made by the reminder's time and have not had it yet. */
export function rsvpsOwedReminder(db: DbOrTx, picket: Picket, offsetMinutes: number, dueAt: Date, limit: number): Rsvp[] {
  return db
    .select()
    .from(rsvps)
    .where(
      and(
        eq(rsvps.picketId, picket.id),
        eq(rsvps.status, 'going'),
        eq(rsvps.remindersStopped, false),
        lte(rsvps.createdAt, dueAt),
        notExists(
          db
            .select({ one: sql`1` })
            .from(reminderDeliveries)
            .where(
              and(
                eq(reminderDeliveries.rsvpId, rsvps.id),
                eq(reminderDeliveries.offsetMinutes, offsetMinutes),
                eq(reminderDeliveries.startsAt, picket.startsAt),
              ),
            ),
        ),
      ),
    )
    .orderBy(asc(rsvps.id))
    .limit(limit)
    .all()
}

/** Claims the (RSVP, reminder, start) key; false if it was already taken. */
export function claimReminder(tx: DbOrTx, rsvpId: number, offsetMinutes: number, startsAt: Date, now: Date): boolean {
  const row = tx.insert(reminderDeliveries).values({ rsvpId, offsetMinutes, startsAt, createdAt: now }).onConflictDoNothing().returning({ id: reminderDeliveries.id }).get()
  return row !== undefined
}

/** Records that every RSVP owed this reminder has it, unless the picket moved meanwhile. */
export function markRemindersDone(db: DbOrTx, picketId: number, startsAt: Date, offsetMinutes: number): void {
  db.update(pickets)
    .set({ remindersDoneThrough: offsetMinutes })
    .where(and(eq(pickets.id, picketId), eq(pickets.startsAt, startsAt)))
    .run()
}
