import { and, asc, count, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/client.js'
import { campaignPeople, personStatusChanges, updates, type PersonStatusChange, type Update } from '../db/schema/index.js'

/** The updates' reads and writes (the service decides; these only touch rows). */

/** Every update of a campaign, as the back office lists them: drafts and published, newest first. */
export function updatesOf(db: DbOrTx, campaignId: number): Update[] {
  return db
    .select()
    .from(updates)
    .where(eq(updates.campaignId, campaignId))
    .orderBy(desc(sql`coalesce(${updates.publishedAt}, ${updates.createdAt})`), desc(updates.id))
    .all()
}

export function updateById(db: DbOrTx, campaignId: number, id: number): Update | undefined {
  return db
    .select()
    .from(updates)
    .where(and(eq(updates.id, id), eq(updates.campaignId, campaignId)))
    .get()
}

/** Published updates, newest first. */
export function publishedOf(db: DbOrTx, campaignId: number, limit = 1000, offset = 0): Update[] {
  return db
    .select()
    .from(updates)
    .where(and(eq(updates.campaignId, campaignId), eq(updates.status, 'published')))
    .orderBy(desc(updates.publishedAt), desc(updates.id))
    .limit(limit)
    .offset(offset)
    .all()
}

export function publishedCount(db: DbOrTx, campaignId: number): number {
  return (
    db
      .select({ n: count() })
      .from(updates)
      .where(and(eq(updates.campaignId, campaignId), eq(updates.status, 'published')))
      .get()?.n ?? 0
  )
}

/** The status changes an update records, in the order they were given. */
export function changesOfUpdate(db: DbOrTx, updateId: number): PersonStatusChange[] {
  return db.select().from(personStatusChanges).where(eq(personStatusChanges.updateId, updateId)).orderBy(asc(personStatusChanges.id)).all()
}

export function changesOfUpdates(db: DbOrTx, updateIds: number[]): PersonStatusChange[] {
  if (!updateIds.length) return []
  return db.select().from(personStatusChanges).where(inArray(personStatusChanges.updateId, updateIds)).orderBy(asc(personStatusChanges.id)).all()
}

// A change counts (on the timeline, for the person's status) once its update is published, or when no update records it.
const visible = or(isNull(personStatusChanges.updateId), eq(updates.status, 'published'))

/** The visible changes of a campaign's people, oldest first by the day they happened (then as recorded). */
export function timelineRows(db: DbOrTx, campaignId: number): (PersonStatusChange & { updatePublished: boolean })[] {
  return db
    .select({ change: personStatusChanges, updateStatus: updates.status })
    .from(personStatusChanges)
    .innerJoin(campaignPeople, eq(campaignPeople.id, personStatusChanges.personId))
    .leftJoin(updates, eq(updates.id, personStatusChanges.updateId))
    .where(and(eq(campaignPeople.campaignId, campaignId), visible))
    .orderBy(asc(personStatusChanges.happenedOn), asc(personStatusChanges.id))
    .all()
    .map((r) => ({ ...r.change, updatePublished: r.updateStatus === 'published' }))
}

/** A person's latest visible change: the latest by the day it happened, not by when it was recorded. */
export function latestChange(db: DbOrTx, personId: number): PersonStatusChange | undefined {
  return db
    .select({ change: personStatusChanges })
    .from(personStatusChanges)
    .leftJoin(updates, eq(updates.id, personStatusChanges.updateId))
    .where(and(eq(personStatusChanges.personId, personId), visible))
    .orderBy(desc(personStatusChanges.happenedOn), desc(personStatusChanges.id))
    .limit(1)
    .get()?.change
}
