import { desc, eq, lt, and } from 'drizzle-orm'
import type { DbOrTx } from '../db/client.js'
import { auditLog } from '../db/schema/index.js'

export interface Actor {
  id: number
  email: string
  ip?: string
}

/** Records who changed or exported what; call inside the change's own transaction. */
export function audit(tx: DbOrTx, actor: Actor | null, action: string, what: { campaignId?: number | null; subject?: string; detail?: Record<string, unknown> }, now: Date): void {
  tx.insert(auditLog)
    .values({
      userId: actor?.id ?? null,
      userEmail: actor?.email ?? null,
      ip: actor?.ip ?? null,
      action,
      campaignId: what.campaignId ?? null,
      subject: what.subject ?? null,
      detail: what.detail ?? null,
      createdAt: now,
    })
    .run()
}

export function auditPage(db: DbOrTx, opts: { before?: number; campaignId?: number; limit?: number } = {}) {
  const conditions = [opts.before ? lt(auditLog.id, opts.before) : undefined, opts.campaignId ? eq(auditLog.campaignId, opts.campaignId) : undefined].filter(Boolean)
  return db
    .select()
    .from(auditLog)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(opts.limit ?? 100)
    .all()
}
