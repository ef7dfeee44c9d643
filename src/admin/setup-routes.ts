import crypto from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { eq } from 'drizzle-orm'
import { z } from 'zod'
import type { DbOrTx } from '../db/client.js'
import { users } from '../db/schema/index.js'
import { email as emailRule, fieldErrors, issuesOf, localized } from '../validation.js'
import { translator } from '../i18n/index.js'
import { sendError } from '../errors.js'
import { BackoffLimiter } from './limiter.js'
import { hashPassword, MIN_PASSWORD } from './password.js'
import { createUser, userByEmail } from './users.js'
import { audit } from './audit.js'

/*
 * First run: while the database has no admin, the server's start log prints a one-time link,
 * `${BASE_URL}/admin/setup#<code>`, and /admin/setup makes its holder the first admin.
 *
 * The code is kept in memory, as a hash only, and a new one is printed at each start while there is
 * no admin: nothing about it is written to the database (a backup or a copy of the file carries no
 * way in), a link from an older log dies with the process that printed it, and it needs no table.
 * It dies once used, and as soon as any admin exists (one made with `npm run admin:create` too):
 * every request checks the users table.
 *
 * The code travels in the link's fragment, which browsers never send: no request line carries it, so
 * neither our request log nor a reverse proxy's access log can keep it. The page's script moves it
 * into the form, and it reaches the server only in the body of the POST.
 */

/** One pending code per open database (the app's own instance and the server's share it). */
const pending = new WeakMap<object, Buffer>()
const digest = (code: string) => crypto.createHash('sha256').update(code).digest()

export function adminExists(db: DbOrTx): boolean {
  return db.select({ id: users.id }).from(users).where(eq(users.role, 'admin')).limit(1).get() !== undefined
}

/**
 * At start: the setup link to print when there is no admin yet (a fresh code, replacing any earlier
 * one), or null when there is one.
 */
export function firstRunLink(app: Pick<FastifyInstance, 'db' | 'config'>): string | null {
  if (adminExists(app.db)) {
    pending.delete(app.db)
    return null
  }
  const code = crypto.randomBytes(32).toString('base64url')
  pending.set(app.db, digest(code))
  return `${app.config.baseUrl}/admin/setup#${code}`
}

function codeMatches(db: object, code: string): boolean {
  const expected = pending.get(db)
  return expected !== undefined && code.length > 0 && crypto.timingSafeEqual(digest(code), expected)
}

const setupForm = z
  .object({
    code: z.string().max(200).default(''),
    email: emailRule,
    password: z
      .string({ error: localized((t) => t('admin.setPassword.choose')) })
      .min(MIN_PASSWORD, localized((t) => t('admin.setPassword.tooShort', { min: MIN_PASSWORD })))
      .max(1000),
    confirm: z.string({ error: localized((t) => t('admin.setPassword.again')) }),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: localized((t) => t('admin.setPassword.differ')) })

export default async function setupRoutes(app: FastifyInstance) {
  const config = { public: true }
  // Wrong codes, per address, as failed sign-ins are: past the free ones each doubles the wait.
  const perAddress = new BackoffLimiter({ free: 5, baseMs: 30_000, maxMs: 15 * 60_000, forgetMs: 60 * 60_000 }, app.clock)
  const attemptLimit = app.config.rateLimits ? [app.rateLimit({ max: app.config.loginRateLimit, timeWindow: '1 minute' })] : []
  // One answer for "no such page", a wrong or used code, and an install that has its admin.
  const gone = (req: FastifyRequest, reply: FastifyReply) => sendError(req, reply, 404, (t) => t('errors.nothingHere'))

  const page = (req: FastifyRequest, reply: FastifyReply, values: { email?: string; code?: string } = {}, errors: Record<string, string> = {}) => {
    const t = translator(req.lang)
    return reply.view('admin/setup', { title: t('setup.heading'), values, errors, hasErrors: Object.keys(errors).length > 0, minPassword: MIN_PASSWORD, csrfToken: reply.generateCsrf() })
  }

  app.get('/setup', { config, onRequest: attemptLimit }, async (req, reply) => {
    if (adminExists(app.db) || !pending.has(app.db)) return gone(req, reply)
    reply.header('cache-control', 'no-store')
    return page(req, reply)
  })

  app.post<{ Body: Record<string, unknown> }>('/setup', { config, onRequest: attemptLimit, preHandler: app.csrfProtection }, async (req, reply) => {
    const body = req.body && typeof req.body === 'object' ? req.body : {}
    const code = typeof body.code === 'string' ? body.code : ''
    const wait = perAddress.retryAfter(req.ip)
    if (wait > 0) {
      reply.header('retry-after', wait)
      return sendError(req, reply, 429, (t) => (wait < 60 ? t('admin.login.waitSeconds', { seconds: wait }) : t('admin.login.waitMinutes', { minutes: Math.ceil(wait / 60) })))
    }
    if (adminExists(app.db) || !codeMatches(app.db, code)) {
      perAddress.fail(req.ip)
      req.log.warn({ ip: req.ip }, 'setup refused')
      return gone(req, reply)
    }
    const form = setupForm.safeParse(body)
    const typed = typeof body.email === 'string' ? body.email.slice(0, 254) : ''
    if (!form.success) return page(req, reply.code(422), { email: typed, code }, fieldErrors(issuesOf(form.error), req.lang))
    const hash = await hashPassword(form.data.password)
    const now = app.clock()
    // Checked again inside the transaction: two tabs, or the CLI meanwhile, make one admin at most.
    const made = app.db.transaction((tx) => {
      if (adminExists(tx) || !codeMatches(app.db, code)) return 'gone' as const
      if (userByEmail(tx, form.data.email)) return 'taken' as const
      const user = createUser(tx, { email: form.data.email, role: 'admin', passwordHash: hash }, now)
      audit(tx, { id: user.id, email: user.email, ip: req.ip }, 'user.admin_created_setup', { subject: `user:${user.id}` }, now)
      pending.delete(app.db)
      return user
    })
    if (made === 'gone') return gone(req, reply)
    if (made === 'taken') {
      const t = translator(req.lang)
      return page(req, reply.code(422), { email: typed, code }, { email: t('setup.emailTaken') })
    }
    perAddress.reset(req.ip)
    // Signed in as the login route does: a new session id, the time of sign-in.
    await req.session.regenerate()
    req.session.set('userId', made.id)
    req.session.set('signedInAt', now.getTime())
    req.log.info({ userId: made.id }, 'first admin created')
    return reply.redirect('/admin', 303)
  })
}
