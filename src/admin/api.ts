import crypto from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { and, eq, isNull } from 'drizzle-orm'
import type { ApiToken } from '../db/schema/index.js'
import { z } from 'zod'
import { apiTokens } from '../db/schema/index.js'
import type { Db, DbOrTx } from '../db/client.js'
import { loadAdminUser } from './access.js'
import { sendError } from '../errors.js'
import { issuesOf, InputError, localized } from '../validation.js'

export const TOKEN_PREFIX = 'oc_'
const hash = (token: string) => crypto.createHash('sha256').update(token).digest('hex')

/** How long a token lives unless asked otherwise, and the longest it may. */
export const TOKEN_DAYS = 90
export const MAX_TOKEN_DAYS = 365
const DAY = 86_400_000

/** A token's end: its own, or 90 days after its creation for those made before tokens expired. */
export function tokenExpiry(token: Pick<ApiToken, 'createdAt' | 'expiresAt'>): Date {
  return token.expiresAt ?? new Date(token.createdAt.getTime() + TOKEN_DAYS * DAY)
}

/** Mints a token for a user that ends after `days`; only its hash is kept, so it is shown once. */
export function createApiToken(tx: DbOrTx, userId: number, name: string, now: Date, days = TOKEN_DAYS): { id: number; token: string; expiresAt: Date } {
  if (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS) throw new RangeError(`A token lives 1 to ${MAX_TOKEN_DAYS} days, not ${days}`)
  const token = TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url')
  const expiresAt = new Date(now.getTime() + days * DAY)
  const row = tx.insert(apiTokens).values({ userId, name, tokenHash: hash(token), prefix: token.slice(0, 10), createdAt: now, expiresAt }).returning({ id: apiTokens.id }).get()
  return { id: row.id, token, expiresAt }
}

/** Revokes every live token of a user (when they are disabled); returns how many. */
export function revokeTokensOf(tx: DbOrTx, userId: number, now: Date): number {
  return tx.update(apiTokens).set({ revokedAt: now }).where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt))).run().changes
}

export function revokeApiToken(tx: DbOrTx, userId: number | null, id: number, now: Date): boolean {
  const where = userId === null ? and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)) : and(eq(apiTokens.id, id), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt))
  return tx.update(apiTokens).set({ revokedAt: now }).where(where).run().changes === 1
}

export function tokensOf(db: DbOrTx, userId: number) {
  return db.select().from(apiTokens).where(eq(apiTokens.userId, userId)).all()
}

function authenticate(db: Db, header: string | undefined, now: Date) {
  const token = /^Bearer\s+(oc_[A-Za-z0-9_-]{43})\s*$/.exec(header ?? '')?.[1]
  if (!token) return null
  const row = db.select().from(apiTokens).where(and(eq(apiTokens.tokenHash, hash(token)), isNull(apiTokens.revokedAt))).get()
  // An expired token is refused like an unknown one; a disabled user's too (loadAdminUser below).
  if (!row || tokenExpiry(row).getTime() <= now.getTime()) return null
  db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.id)).run()
  return loadAdminUser(db, row.userId)
}

const BODY_OBJECT = localized((t) => t('admin.api.bodyObject'))

/**
 * Parses a JSON body with zod, or answers 422 with field paths like the public API.
 * Returns null when it has answered.
 */
export function parseBody<T extends z.ZodType>(req: FastifyRequest, schema: T): z.infer<T> {
  // A route whose schema is this zod object had its body validated (and transformed) already.
  if (req.routeOptions.schema?.body === schema) return req.body as z.infer<T>
  const body = req.body
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new InputError([{ path: [], message: BODY_OBJECT }])
  const parsed = schema.safeParse(body)
  if (!parsed.success) throw new InputError(issuesOf(parsed.error))
  return parsed.data
}


/** The /api/admin scope: bearer tokens, JSON only, the same guards as the screens. */
export async function apiScope(app: FastifyInstance) {
  app.decorateRequest('user', null)
  app.decorateRequest('campaign', null)
  app.decorateRequest('picket', null)
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    req.user = authenticate(app.db, req.headers.authorization, app.clock())
    if (!req.user) {
      reply.header('www-authenticate', 'Bearer realm="outcry"')
      return sendError(req, reply, 401, (t) => t('admin.api.unauthorized'))
    }
  })
  app.addHook('preValidation', async (req, reply) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined
    if (['POST', 'PUT', 'PATCH'].includes(req.method) && hasBody && !/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      return sendError(req, reply, 415, (t) => t('admin.api.sendJson'))
    }
  })
}
