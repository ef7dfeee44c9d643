import crypto from 'node:crypto'
import { lt, sql } from 'drizzle-orm'
import { prepared, type Db, type DbOrTx } from '../db/client.js'
import { bouncedAddresses, mailQuota } from '../db/schema/index.js'
import { normalizeEmail } from '../validation.js'

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

/*
 * Supporters' addresses that bounced for good (bounced_addresses): no more campaign mail goes to them.
 * Keyed like the quota, by a keyed hash of the normalised address (an alias of a mailbox that does not
 * exist does not exist either). The key belongs to the database's mail settings: the mail plugin hands
 * it over once (`keepBounces`), so enqueueMail, which its callers give no key, can check every address.
 */
const bounceKeys = new WeakMap<object, Buffer>()
// A transaction shares its database's session object (as db/client.ts's `prepared` relies on).
const sessionOf = (db: DbOrTx) => (db as unknown as { session: object }).session

/** Records and checks bounced supporters' addresses on this database with this key (the mail settings' addressKey). */
export function keepBounces(db: DbOrTx, key: Buffer): void {
  bounceKeys.set(sessionOf(db), key)
}

/** Records a supporter's address that refused our mail for good; false when no key is set for this database. */
export function recordBounce(tx: DbOrTx, address: string, reason: string, now: Date): boolean {
  const key = bounceKeys.get(sessionOf(tx))
  if (!key) return false
  tx.insert(bouncedAddresses)
    // The reason without addresses in it (a server's answer often repeats the recipient): the table holds none.
    .values({ addressKey: addressKey(key, normalizeEmail(address)), reason: reason.replace(/[^\s<>"'(),;:[\]]+@[^\s<>"'(),;:[\]]+/g, '…').slice(0, 500), createdAt: now })
    .onConflictDoNothing()
    .run()
  return true
}

/** Whether this address bounced for good: one primary-key lookup. */
export function hasBounced(tx: DbOrTx, address: string): boolean {
  const key = bounceKeys.get(sessionOf(tx))
  if (!key) return false
  const find = prepared(tx, 'bounces.find', (db) =>
    db.select({ k: bouncedAddresses.addressKey }).from(bouncedAddresses).where(sql`${bouncedAddresses.addressKey} = ${sql.placeholder('key')}`).prepare(),
  )
  return find.get({ key: addressKey(key, normalizeEmail(address)) }) !== undefined
}
