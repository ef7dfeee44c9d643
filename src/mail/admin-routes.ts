import type { FastifyInstance } from 'fastify'
import { and, count, desc, eq } from 'drizzle-orm'
import type { DbOrTx } from '../db/client.js'
import { outbox } from '../db/schema/index.js'
import { outboxCounts } from './outbox.js'
import { actorOf, parseId, requireAdmin } from '../admin/access.js'
import { audit } from '../admin/audit.js'

const FAILED_SHOWN = 200

/** Mail to officials (letters) and organizers (invitations): their addresses are no secret here. */
const NOT_TO_SUPPORTERS = new Set(['letter', 'invitation'])

/**
 * A supporter's address shows only its first letter and its domain (enough to see that one provider
 * refuses us): admins reach the whole address only through the audited supporter-data screen.
 */
export function maskedRecipient(kind: string, recipient: string): string {
  if (NOT_TO_SUPPORTERS.has(kind)) return recipient
  const at = recipient.lastIndexOf('@')
  return at > 0 ? `${recipient[0]}…${recipient.slice(at)}` : '…'
}

// ---- queries (the outbox is src/mail's table; these are the back office's views of it) ----

function failedMail(db: DbOrTx, limit = FAILED_SHOWN) {
  return db
    .select({ id: outbox.id, kind: outbox.kind, recipient: outbox.recipient, subject: outbox.message, attempts: outbox.attempts, lastError: outbox.lastError, createdAt: outbox.createdAt })
    .from(outbox)
    .where(eq(outbox.status, 'failed'))
    .orderBy(desc(outbox.id))
    .limit(limit)
    .all()
    .map((r) => ({ ...r, recipient: maskedRecipient(r.kind, r.recipient), subject: r.subject?.subject ?? `(${r.kind})` }))
}

/** Failed mail goes back to the queue as if new: due now, with its attempts counted afresh. */
const retried = (now: Date) => ({ status: 'queued' as const, attempts: 0, nextAttemptAt: now, lockedUntil: null })

export function retryFailed(tx: DbOrTx, id: number, now: Date): boolean {
  return tx.update(outbox).set(retried(now)).where(and(eq(outbox.id, id), eq(outbox.status, 'failed'))).run().changes === 1
}

export function retryAllFailed(tx: DbOrTx, now: Date): number {
  return tx.update(outbox).set(retried(now)).where(eq(outbox.status, 'failed')).run().changes
}

function mailExists(db: DbOrTx, id: number): boolean {
  return db.select({ id: outbox.id }).from(outbox).where(eq(outbox.id, id)).get() !== undefined
}

function failedByKind(db: DbOrTx) {
  return db.select({ kind: outbox.kind, n: count() }).from(outbox).where(eq(outbox.status, 'failed')).groupBy(outbox.kind).orderBy(desc(count())).all()
}

/** The outbox screen: counts, the failures with their last error, and retry. Admins only. */
export default async function mailRoutes(app: FastifyInstance) {
  app.addHook('preHandler', requireAdmin)

  app.get('/mail', async (_req, reply) => {
    const counts = outboxCounts(app.db)
    const failed = failedMail(app.db)
    return reply.view('mail/outbox', {
      title: 'Mail',
      counts,
      statuses: ['queued', 'sending', 'sent', 'failed', 'expired'].map((status) => ({ status, n: counts[status] ?? 0 })),
      failed,
      byKind: failedByKind(app.db),
      more: (counts.failed ?? 0) > failed.length,
      dispatcherOn: app.config.dispatcher,
      delivery: app.dispatcher.status(),
      csrfToken: reply.generateCsrf(),
    })
  })

  app.post<{ Params: { outboxId: string } }>('/mail/:outboxId/retry', { preHandler: app.csrfProtection }, async (req, reply) => {
    const id = parseId(req.params.outboxId)
    if (!id || !mailExists(app.db, id)) return reply.callNotFound()
    const now = app.clock()
    // A row no longer failed (retried already, or sent meanwhile) is left alone: the screen shows where it is.
    const done = app.db.transaction((tx) => {
      if (!retryFailed(tx, id, now)) return false
      audit(tx, actorOf(req), 'mail.retry', { subject: `outbox:${id}` }, now)
      return true
    })
    if (done) app.dispatcher.poke()
    return reply.redirect('/admin/mail', 303)
  })

  app.post('/mail/retry-failed', { preHandler: app.csrfProtection }, async (req, reply) => {
    const now = app.clock()
    const n = app.db.transaction((tx) => {
      const changed = retryAllFailed(tx, now)
      if (changed) audit(tx, actorOf(req), 'mail.retry_all', { detail: { count: changed } }, now)
      return changed
    })
    if (n) app.dispatcher.poke()
    return reply.redirect('/admin/mail', 303)
  })
}
