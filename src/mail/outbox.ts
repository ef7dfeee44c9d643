import { and, eq, inArray, lte, or, sql, desc, count } from 'drizzle-orm'
import { prepared, rawPlaceholder, type DbOrTx, type Db } from '../db/client.js'
import { outbox, capturedMail, type OutboxMessage, type OutboxRow } from '../db/schema/index.js'
import { hasBounced } from './quota.js'

export type NewMail = {
  kind: string
  letterId?: number
  /** Drop instead of sending after this instant. */
  notAfter?: Date
  topic?: string
} & (
  | { message: OutboxMessage }
  // Composed when sent by its kind's compose() from the rows it refers to: the queued row stays small.
  | { message: null; recipient: string }
)

/**
 * Kinds of mail that do not go to supporters: letters and digests go to officials (a bounce marks the
 * official's address, see the kinds' `failed` hooks), invitations to the organizers an admin invites (a
 * trusted person's deliberate act, whose failure they see on the outbox screen and can act on). Every
 * other kind is mail to a supporter, so a kind added later is suppressed after a bounce too.
 */
export const NOT_TO_SUPPORTERS: ReadonlySet<string> = new Set(['letter', 'digest', 'invitation'])
export const toSupporter = (kind: string): boolean => !NOT_TO_SUPPORTERS.has(kind)

/**
 * Queues mail inside the caller's transaction, so the mail exists exactly when the change does. Mail to a
 * supporter whose address bounced for good is skipped: false, and the caller answers as if it was queued
 * (as past the anonymous-mail cap), so nobody learns from us that an address bounced.
 */
export function enqueueMail(tx: DbOrTx, mail: NewMail, now: Date): boolean {
  const recipient = mail.message ? mail.message.to.address : mail.recipient
  if (toSupporter(mail.kind) && hasBounced(tx, recipient)) return false
  const insert = prepared(tx, 'outbox.insert', (db) =>
    db
      .insert(outbox)
      .values({
        kind: rawPlaceholder('kind'),
        letterId: rawPlaceholder('letterId'),
        notAfter: rawPlaceholder('notAfter'),
        topic: rawPlaceholder('topic'),
        recipient: rawPlaceholder('recipient'),
        message: rawPlaceholder('message'),
        status: 'queued',
        nextAttemptAt: rawPlaceholder('now'),
        createdAt: rawPlaceholder('now'),
      } as unknown as typeof outbox.$inferInsert)
      .prepare(),
  )
  insert.run({
    kind: mail.kind,
    letterId: mail.letterId ?? null,
    notAfter: mail.notAfter?.getTime() ?? null,
    topic: mail.topic ?? null,
    recipient,
    message: mail.message ? JSON.stringify(mail.message) : null,
    now: now.getTime(),
  })
  return true
}

export function outboxRow(db: DbOrTx, id: number): OutboxRow | undefined {
  return db.select().from(outbox).where(eq(outbox.id, id)).get()
}

/** Claims up to `limit` due rows with a lease; expired leases (a crashed sender) are claimable again. */
export function claimDue(db: Db, now: Date, limit: number, leaseMs: number): OutboxRow[] {
  const due = db
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      or(
        and(eq(outbox.status, 'queued'), lte(outbox.nextAttemptAt, now)),
        and(eq(outbox.status, 'sending'), lte(outbox.lockedUntil, now)),
      ),
    )
    .orderBy(outbox.nextAttemptAt, outbox.id)
    .limit(limit)
  return db
    .update(outbox)
    .set({ status: 'sending', lockedUntil: new Date(now.getTime() + leaseMs), attempts: sql`${outbox.attempts} + 1` })
    .where(inArray(outbox.id, due))
    .returning()
    .all()
}

/**
 * Records delivery (and the captured copy, if any) in one transaction with what the mail's kind
 * records of it (`then`: a letter marked sent), so none of it can happen twice.
 */
export function markSent(db: Db, row: OutboxRow, now: Date, opts: { raw?: string; subject: string; then?: (tx: DbOrTx, row: OutboxRow, now: Date) => void }): void {
  const sent = prepared(db, 'outbox.sent', (d) =>
    d
      .update(outbox)
      .set({ status: 'sent', sentAt: rawPlaceholder('now'), lockedUntil: null, lastError: null })
      .where(eq(outbox.id, sql.placeholder('id')))
      .prepare(),
  )
  db.transaction((tx) => {
    if (opts.raw !== undefined) {
      tx.insert(capturedMail).values({ outboxId: row.id, recipient: row.recipient, subject: opts.subject, raw: opts.raw, createdAt: now }).run()
    }
    sent.run({ id: row.id, now: now.getTime() })
    opts.then?.(tx, row, now)
  })
}

export function markRetry(db: Db, id: number, error: string, retryAt: Date): void {
  db.update(outbox).set({ status: 'queued', nextAttemptAt: retryAt, lockedUntil: null, lastError: error }).where(eq(outbox.id, id)).run()
}

/** Back to the queue without counting the attempt: the mail server was down, the message not at fault. */
export function markWaiting(db: Db, id: number, error: string, retryAt: Date): void {
  db.update(outbox)
    .set({ status: 'queued', nextAttemptAt: retryAt, lockedUntil: null, lastError: error, attempts: sql`${outbox.attempts} - 1` })
    .where(eq(outbox.id, id))
    .run()
}

/** Withdraws queued mail about a topic (reminders for a time that changed); returns how many. */
export function withdrawQueued(tx: DbOrTx, topic: string): number {
  return tx.update(outbox).set({ status: 'expired' }).where(and(eq(outbox.topic, topic), eq(outbox.status, 'queued'))).run().changes
}

export function markExpired(db: Db, id: number, then?: (tx: DbOrTx) => void): void {
  db.transaction((tx) => {
    tx.update(outbox).set({ status: 'expired', lockedUntil: null }).where(eq(outbox.id, id)).run()
    then?.(tx)
  })
}

/** Rows claimed by a dispatcher that is gone (the process was killed) go back to the queue. */
export function releaseClaims(db: Db): number {
  return db.update(outbox).set({ status: 'queued', lockedUntil: null }).where(eq(outbox.status, 'sending')).run().changes
}

export function markFailed(db: Db, id: number, error: string, then?: (tx: DbOrTx) => void): void {
  db.transaction((tx) => {
    tx.update(outbox).set({ status: 'failed', lockedUntil: null, lastError: error }).where(eq(outbox.id, id)).run()
    then?.(tx)
  })
}

export function outboxCounts(db: Db): Record<string, number> {
  const rows = db.select({ status: outbox.status, n: count() }).from(outbox).groupBy(outbox.status).all()
  const counts: Record<string, number> = { queued: 0, sending: 0, sent: 0, failed: 0, expired: 0 }
  for (const r of rows) counts[r.status] = r.n
  return counts
}

/** When the next row becomes due, so an idle dispatcher knows how long it may sleep. */
export function nextDueAt(db: Db): Date | null {
  const row = db
    .select({ at: sql<number>`min(case when ${outbox.status} = 'queued' then ${outbox.nextAttemptAt} else ${outbox.lockedUntil} end)` })
    .from(outbox)
    .where(inArray(outbox.status, ['queued', 'sending']))
    .get()
  return row?.at == null ? null : new Date(Number(row.at))
}

export function listCaptured(db: Db, limit = 200) {
  return db
    .select({ id: capturedMail.id, recipient: capturedMail.recipient, subject: capturedMail.subject, createdAt: capturedMail.createdAt })
    .from(capturedMail)
    .orderBy(desc(capturedMail.id))
    .limit(limit)
    .all()
}

export function getCaptured(db: Db, id: number) {
  return db.select().from(capturedMail).where(eq(capturedMail.id, id)).get()
}
