import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { fieldErrors, issuesOf, localized } from '../validation.js'
import { translator } from '../i18n/index.js'
import { sendError } from '../errors.js'
import { BackoffLimiter } from './limiter.js'
import { hashPassword, verifyPassword, MIN_PASSWORD } from './password.js'
import { normalize, openInvitation, setPassword, useInvitation, userByEmail } from './users.js'
import { audit } from './audit.js'

const loginForm = z.object({ email: z.string().max(254).default(''), password: z.string().max(1000).default(''), next: z.string().max(2000).optional() })
const passwordForm = z
  .object({
    password: z
      .string({ error: localized((t) => t('admin.setPassword.choose')) })
      .min(MIN_PASSWORD, localized((t) => t('admin.setPassword.tooShort', { min: MIN_PASSWORD })))
      .max(1000),
    confirm: z.string({ error: localized((t) => t('admin.setPassword.again')) }),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: localized((t) => t('admin.setPassword.differ')) })

/** Only local paths under /admin: a login link must not send anyone elsewhere. */
const safeNext = (next: string | undefined) => (next && /^\/admin(\/[\w\-./?=&%]*)?$/.test(next) && !next.startsWith('//') ? next : '/admin')

export default async function loginRoutes(app: FastifyInstance) {
  // Failures count per account and address together, so nobody can make someone else wait from
  // elsewhere; and per address, against one address trying many accounts. Past the free ones, each
  // failure doubles the wait: 30 s, 1 min, 2 min … up to 15 min.
  const perPair = new BackoffLimiter({ free: 5, baseMs: 30_000, maxMs: 15 * 60_000, forgetMs: 60 * 60_000 }, app.clock)
  const perAddress = new BackoffLimiter({ free: 20, baseMs: 30_000, maxMs: 15 * 60_000, forgetMs: 60 * 60_000 }, app.clock)
  const config = { public: true }
  // Every sign-in attempt, right or wrong, per address: the failure limits below only count failures.
  const attemptLimit = app.config.rateLimits ? [app.rateLimit({ max: app.config.loginRateLimit, timeWindow: '1 minute' })] : []

  app.get<{ Querystring: { next?: string } }>('/login', { config }, async (req, reply) => {
    if (req.user) return reply.redirect(safeNext(req.query.next), 303)
    const t = translator(req.lang)
    return reply.view('admin/login', { title: t('admin.login.heading'), next: safeNext(req.query.next), csrfToken: reply.generateCsrf() })
  })

  app.post<{ Body: Record<string, unknown> }>('/login', { config, onRequest: attemptLimit, preHandler: app.csrfProtection }, async (req, reply) => {
    const form = loginForm.safeParse(req.body ?? {})
    const { email, password, next } = form.success ? form.data : { email: '', password: '', next: undefined }
    const pairKey = JSON.stringify([normalize(email), req.ip])
    const addressKey = req.ip
    const wait = Math.max(perPair.retryAfter(pairKey), perAddress.retryAfter(addressKey))
    if (wait > 0) {
      reply.header('retry-after', wait)
      return sendError(req, reply, 429, (t) => (wait < 60 ? t('admin.login.waitSeconds', { seconds: wait }) : t('admin.login.waitMinutes', { minutes: Math.ceil(wait / 60) })))
    }
    const user = email ? userByEmail(app.db, email) : undefined
    const ok = (await verifyPassword(password, user?.passwordHash ?? null)) && user && !user.disabledAt
    if (!ok) {
      perPair.fail(pairKey)
      perAddress.fail(addressKey)
      // Not the address typed: logs keep no email address.
      req.log.warn({ ip: req.ip, knownAccount: Boolean(user) }, 'failed sign-in')
      // One message whichever was wrong: it must not tell which addresses have accounts.
      const t = translator(req.lang)
      return reply.code(401).view('admin/login', { title: t('admin.login.heading'), next: safeNext(next), email, error: t('admin.login.wrong'), csrfToken: reply.generateCsrf() })
    }
    perPair.reset(pairKey)
    // A new session id at sign-in: a session fixed before login is worthless after it.
    await req.session.regenerate()
    req.session.set('userId', user.id)
    req.session.set('signedInAt', app.clock().getTime())
    audit(app.db, { id: user.id, email: user.email, ip: req.ip }, 'user.login', {}, app.clock())
    return reply.redirect(safeNext(next), 303)
  })

  app.post('/logout', { config, preHandler: app.csrfProtection }, async (req, reply) => {
    await req.session.destroy()
    reply.clearCookie('outcry_admin', { path: '/admin' })
    return reply.redirect('/admin/login', 303)
  })

  const passwordView = (req: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply, email: string, errors: Record<string, string>) => {
    const t = translator(req.lang)
    return reply.view('admin/set-password', { title: t('admin.setPassword.heading'), email, minPassword: MIN_PASSWORD, token: req.params.token, errors, csrfToken: reply.generateCsrf() })
  }

  app.get<{ Params: { token: string } }>('/invitations/:token', { config }, async (req, reply) => {
    const found = openInvitation(app.db, req.params.token, app.clock())
    if (!found) return sendError(req, reply, 404, (t) => t('admin.invitation.invalid'))
    return passwordView(req, reply, found.user.email, {})
  })

  app.post<{ Params: { token: string }; Body: Record<string, unknown> }>('/invitations/:token', { config, preHandler: app.csrfProtection }, async (req, reply) => {
    const now = app.clock()
    const found = openInvitation(app.db, req.params.token, now)
    if (!found) return sendError(req, reply, 404, (t) => t('admin.invitation.invalid'))
    const form = passwordForm.safeParse(req.body ?? {})
    if (!form.success) {
      return passwordView(req, reply.code(422), found.user.email, fieldErrors(issuesOf(form.error), req.lang))
    }
    const hash = await hashPassword(form.data.password)
    const used = app.db.transaction((tx) => {
      if (!useInvitation(tx, found.invitation.id, now)) return false
      setPassword(tx, found.user.id, hash, now)
      audit(tx, { id: found.user.id, email: found.user.email, ip: req.ip }, 'user.password_set', {}, now)
      return true
    })
    if (!used) return sendError(req, reply, 409, (t) => t('admin.invitation.used'))
    await req.session.regenerate()
    req.session.set('userId', found.user.id)
    req.session.set('signedInAt', now.getTime())
    return reply.redirect('/admin', 303)
  })
}
