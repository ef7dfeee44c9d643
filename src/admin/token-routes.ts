import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { desc, eq, ne } from 'drizzle-orm'
import { z } from 'zod'
import type { DbOrTx } from '../db/client.js'
import { apiTokens, users } from '../db/schema/index.js'
import { fieldErrors, issuesOf, localized, singleLine } from '../validation.js'
import { translator } from '../i18n/index.js'
import { actorOf, parseId, type AdminUser } from './access.js'
import { createApiToken, MAX_TOKEN_DAYS, revokeApiToken, TOKEN_DAYS, tokenExpiry } from './api.js'
import { audit } from './audit.js'

const tokenColumns = { id: apiTokens.id, userId: apiTokens.userId, name: apiTokens.name, prefix: apiTokens.prefix, createdAt: apiTokens.createdAt, lastUsedAt: apiTokens.lastUsedAt, revokedAt: apiTokens.revokedAt, expiresAt: apiTokens.expiresAt }

/** A row as the screen shows it: when it ends, and whether it has. */
const withExpiry = (now: Date) => <T extends { createdAt: Date; expiresAt: Date | null }>(row: T) => {
  const expires = tokenExpiry(row)
  return { ...row, expires, expired: expires.getTime() <= now.getTime() }
}

/** The signed-in user's tokens, newest first (never the hash). */
function ownTokens(db: DbOrTx, userId: number) {
  return db.select(tokenColumns).from(apiTokens).where(eq(apiTokens.userId, userId)).orderBy(desc(apiTokens.id)).all()
}

/** Everyone else's tokens, for admins. */
function othersTokens(db: DbOrTx, userId: number) {
  return db
    .select({ ...tokenColumns, email: users.email })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(ne(apiTokens.userId, userId))
    .orderBy(desc(apiTokens.id))
    .all()
}

function tokenById(db: DbOrTx, id: number) {
  return db.select(tokenColumns).from(apiTokens).where(eq(apiTokens.id, id)).get()
}

const NAME_IT = localized((t) => t('admin.tokens.errors.name'))
const DAYS_RANGE = localized((t) => t('admin.tokens.errors.days', { max: MAX_TOKEN_DAYS }))
export const tokenName = singleLine('Name', 100).refine((v) => v.length > 0, NAME_IT)
/** How long a token may live, in days: the choices on the screen (the CLI takes any number up to the longest). */
export const TOKEN_DAY_CHOICES = [7, 30, TOKEN_DAYS, 180, MAX_TOKEN_DAYS] as const
export const tokenDays = z
  .string({ error: DAYS_RANGE })
  .trim()
  .regex(/^\d{1,6}$/, DAYS_RANGE)
  .transform(Number)
  .pipe(z.number().min(1, DAYS_RANGE).max(MAX_TOKEN_DAYS, localized((t) => t('admin.tokens.errors.tooLong', { max: MAX_TOKEN_DAYS }))))
const tokenForm = z.object({
  name: z.string({ error: NAME_IT }).pipe(tokenName),
  days: z
    .string({ error: localized((t) => t('admin.tokens.errors.chooseLifetime')) })
    .optional()
    .transform((v) => (v === undefined || v === '' ? String(TOKEN_DAYS) : v))
    .pipe(tokenDays)
    .refine((v) => (TOKEN_DAY_CHOICES as readonly number[]).includes(v), localized((t) => t('admin.tokens.errors.offered'))),
})

/** API tokens: every signed-in user manages their own; admins may also revoke anyone's. */
export default async function tokenRoutes(app: FastifyInstance) {
  const listView = (req: FastifyRequest, reply: FastifyReply, user: AdminUser, values: { name: string; days?: string } = { name: '' }, errors: Record<string, string> = {}) => {
    const now = app.clock()
    const t = translator(req.lang)
    const chosen = Number(values.days) || TOKEN_DAYS
    return reply.view('admin/token-list', {
      title: t('admin.nav.tokens'),
      tokens: ownTokens(app.db, user.id).map(withExpiry(now)),
      others: user.role === 'admin' ? othersTokens(app.db, user.id).map(withExpiry(now)) : null,
      dayChoices: TOKEN_DAY_CHOICES.map((days) => ({ days, selected: days === chosen, isDefault: days === TOKEN_DAYS })),
      values,
      errors,
      csrfToken: reply.generateCsrf(),
    })
  }

  app.get('/tokens', async (req, reply) => listView(req, reply, req.user!))

  app.post<{ Body: Record<string, unknown> }>('/tokens', { preHandler: app.csrfProtection }, async (req, reply) => {
    const body = req.body ?? {}
    const parsed = tokenForm.safeParse(body)
    const values = { name: typeof body.name === 'string' ? body.name : '', days: typeof body.days === 'string' ? body.days : '' }
    if (!parsed.success) return listView(req, reply.code(422), req.user!, values, fieldErrors(issuesOf(parsed.error), req.lang))
    const now = app.clock()
    const user = req.user!
    const created = app.db.transaction((tx) => {
      const made = createApiToken(tx, user.id, parsed.data.name, now, parsed.data.days)
      audit(tx, actorOf(req), 'token.create', { subject: `token:${made.id}`, detail: { name: parsed.data.name, prefix: made.token.slice(0, 10), expiresAt: made.expiresAt.toISOString() } }, now)
      return made
    })
    // Shown once, in this response only: never in a URL, a log line or the database.
    reply.header('cache-control', 'no-store')
    const t = translator(req.lang)
    return reply.code(201).view('admin/token-created', { title: t('admin.tokens.newTitle'), name: parsed.data.name, token: created.token, expiresAt: created.expiresAt, baseUrl: app.config.baseUrl })
  })

  app.post<{ Params: { tokenId: string } }>('/tokens/:tokenId/revoke', { preHandler: app.csrfProtection }, async (req, reply) => {
    const user = req.user!
    const id = parseId(req.params.tokenId)
    const token = id ? tokenById(app.db, id) : undefined
    if (!token || (token.userId !== user.id && user.role !== 'admin')) return reply.callNotFound()
    const now = app.clock()
    app.db.transaction((tx) => {
      if (revokeApiToken(tx, user.role === 'admin' ? null : user.id, token.id, now)) {
        audit(tx, actorOf(req), 'token.revoke', { subject: `token:${token.id}`, detail: { ownerId: token.userId, name: token.name, prefix: token.prefix } }, now)
      }
    })
    return reply.redirect('/admin/tokens', 303)
  })
}
