import type { FastifyInstance } from 'fastify'
import type { TFunction } from 'i18next'
import { and, count, desc, eq } from 'drizzle-orm'
import type { DbOrTx } from '../db/client.js'
import { outbox, outboxStatuses, type OutboxStatus } from '../db/schema/index.js'
import { translator } from '../i18n/index.js'
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

// ---- names on the screen (the rows keep their codes, in data-* attributes) ----

type Label = (t: TFunction) => string
const STATUSES: Record<OutboxStatus, Label> = {
  queued: (t) => t('adminMail.status.queued'),
  sending: (t) => t('adminMail.status.sending'),
  sent: (t) => t('adminMail.status.sent'),
  failed: (t) => t('adminMail.status.failed'),
  expired: (t) => t('adminMail.status.expired'),
}
const KINDS: Record<string, Label> = {
  letter: (t) => t('adminMail.kinds.letter'),
  digest: (t) => t('adminMail.kinds.digest'),
  invitation: (t) => t('adminMail.kinds.invitation'),
  letter_copy: (t) => t('adminMail.kinds.letter_copy'),
  confirm_letter: (t) => t('adminMail.kinds.confirm_letter'),
  already_written: (t) => t('adminMail.kinds.already_written'),
  rsvp_confirm: (t) => t('adminMail.kinds.rsvp_confirm'),
  rsvp_going: (t) => t('adminMail.kinds.rsvp_going'),
  rsvp_waitlisted: (t) => t('adminMail.kinds.rsvp_waitlisted'),
  rsvp_promoted: (t) => t('adminMail.kinds.rsvp_promoted'),
  rsvp_link: (t) => t('adminMail.kinds.rsvp_link'),
  picket_reminder: (t) => t('adminMail.kinds.picket_reminder'),
  picket_changed: (t) => t('adminMail.kinds.picket_changed'),
  picket_cancelled: (t) => t('adminMail.kinds.picket_cancelled'),
  update: (t) => t('adminMail.kinds.update'),
  update_test: (t) => t('adminMail.kinds.update_test'),
}
/** A kind of mail in words; one not named here shows as its code. */
export const mailKindName = (t: TFunction, kind: string): string => (Object.hasOwn(KINDS, kind) ? KINDS[kind]!(t) : kind)

// ---- queries (the outbox is src/mail's table; these are the back office's views of it) ----

function failedMail(db: DbOrTx, t: TFunction, limit = FAILED_SHOWN) {
  return db
    .select({ id: outbox.id, kind: outbox.kind, recipient: outbox.recipient, subject: outbox.message, attempts: outbox.attempts, lastError: outbox.lastError, createdAt: outbox.createdAt })
    .from(outbox)
    .where(eq(outbox.status, 'failed'))
    .orderBy(desc(outbox.id))
    .limit(limit)
    .all()
    .map((r) => ({ ...r, kindName: mailKindName(t, r.kind), recipient: maskedRecipient(r.kind, r.recipient), subject: r.subject?.subject ?? `(${mailKindName(t, r.kind)})` }))
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

  app.get('/mail', async (req, reply) => {
    const t = translator(req.lang)
    const counts = outboxCounts(app.db)
    const failed = failedMail(app.db, t)
    return reply.view('mail/outbox', {
      title: t('adminMail.title'),
      counts: { ...counts, failed: counts.failed ?? 0 },
      statuses: outboxStatuses.map((status) => ({ status, name: STATUSES[status](t), n: counts[status] ?? 0 })),
      failed,
      byKind: failedByKind(app.db).map((k) => ({ ...k, name: mailKindName(t, k.kind) })),
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
