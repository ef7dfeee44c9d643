import crypto from 'node:crypto'
import { lt, sql } from 'drizzle-orm'
import { prepared, type Db, type DbOrTx } from '../db/client.js'
import { mailQuota } from '../db/schema/index.js'

/** Mails a day that anonymous actions may cause to one address: our mail is no relay. */
export const ANONYMOUS_MAIL_CAP = 3

/** A keyed hash of a normalised address: the quota never stores the address. */
export function addressKey(key: Buffer, emailNormalized: string): string {
  return crypto.createHmac('sha256', key).update(emailNormalized).digest('base64url')
}

/**
 * Takes one of today's (UTC) anonymous mails to this address, in the transaction that queues the
 * mail. False once the cap is reached: the caller then sends nothing and answers as if it had.
 */
export function takeAnonymousMail(tx: DbOrTx, key: Buffer, emailNormalized: string, now: Date, cap = ANONYMOUS_MAIL_CAP): boolean {
  const take = prepared(tx, 'quota.take', (db) =>
    db
      .insert(mailQuota)
      .values({ addressKey: sql.placeholder('key'), day: sql.placeholder('day'), count: 1 } as unknown as typeof mailQuota.$inferInsert)
      .onConflictDoUpdate({
        target: [mailQuota.addressKey, mailQuota.day],
        set: { count: sql`${mailQuota.count} + 1` },
        setWhere: sql`${mailQuota.count} < ${sql.placeholder('cap')}`,
      })
      .prepare(),
  )
  return take.run({ key: addressKey(key, emailNormalized), day: utcDay(now), cap }).changes === 1
}

/** Drops counts older than yesterday; run now and then (a dispatcher producer). */
export function pruneQuota(db: Db, now: Date): number {
  return db.delete(mailQuota).where(lt(mailQuota.day, utcDay(new Date(now.getTime() - 86_400_000)))).run().changes
}

const utcDay = (d: Date) => d.toISOString().slice(0, 10)
