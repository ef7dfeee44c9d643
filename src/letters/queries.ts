import { and, eq, sql } from 'drizzle-orm'
import { prepared, rawPlaceholder, driverValue, type Db, type DbOrTx } from '../db/client.js'
import { letterConfirmations, letters, type Letter, type LetterConfirmation } from '../db/schema/index.js'

export type NewLetter = typeof letters.$inferInsert

/** Inserts unless the supporter already wrote to this official; returns null on that duplicate. */
export function insertLetter(tx: DbOrTx, letter: NewLetter): Letter | null {
  const insert = prepared(tx, 'letters.insert', (db) =>
    db
      .insert(letters)
      .values(Object.fromEntries(LETTER_COLUMNS.map((c) => [c, rawPlaceholder(c)])) as unknown as NewLetter)
      .onConflictDoNothing()
      .returning()
      .prepare(),
  )
  const values = Object.fromEntries(LETTER_COLUMNS.map((c) => [c, driverValue(letter[c])]))
  return (insert.get(values) as Letter | undefined) ?? null
}

const LETTER_COLUMNS = [
  'publicId', 'campaignId', 'targetId', 'language', 'supporterLanguage', 'supporterName', 'supporterEmail', 'emailNormalized', 'country', 'city',
  'organisation', 'note', 'wantsCopy', 'replyDirect', 'consent', 'subject', 'body', 'status', 'createdAt', 'countedAt',
] as const satisfies readonly (keyof NewLetter)[]

export function insertConfirmation(tx: DbOrTx, row: typeof letterConfirmations.$inferInsert): void {
  tx.insert(letterConfirmations).values(row).run()
}

export function findConfirmation(db: DbOrTx, tokenHash: string): LetterConfirmation | undefined {
  return db.select().from(letterConfirmations).where(eq(letterConfirmations.tokenHash, tokenHash)).get()
}

/** The letters still waiting for this address's confirmation in a campaign, oldest first. */
export function pendingLetters(db: DbOrTx, campaignId: number, emailNormalized: string): Letter[] {
  return db
    .select()
    .from(letters)
    .where(and(eq(letters.campaignId, campaignId), eq(letters.emailNormalized, emailNormalized), eq(letters.status, 'pending_confirmation')))
    .orderBy(letters.id)
    .all()
}

/** Moves a pending letter to queued; returns false if someone else confirmed it first. */
export function markConfirmed(tx: DbOrTx, id: number, now: Date): boolean {
  const res = tx
    .update(letters)
    .set({ status: 'queued', countedAt: now })
    .where(and(eq(letters.id, id), eq(letters.status, 'pending_confirmation')))
    .run()
  return res.changes === 1
}

/** Recount from the rows, the source of truth, to check the stored counters. */
export function recountLetters(db: Db, campaignId: number): number {
  const row = db
    .select({ n: sql<number>`count(*)` })
    .from(letters)
    .where(and(eq(letters.campaignId, campaignId), sql`${letters.status} <> 'pending_confirmation'`))
    .get()
  return row?.n ?? 0
}
