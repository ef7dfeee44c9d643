import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import session from '@fastify/session'
import { SqliteSessionStore } from './session-store.js'
import { loadAdminUser } from './access.js'
import loginRoutes from './login-routes.js'
import setupRoutes from './setup-routes.js'
import dashboardRoutes from './dashboard-routes.js'
import peopleRoutes from './people-routes.js'
import tokenRoutes from './token-routes.js'
import auditRoutes from './audit-routes.js'
import { sendError } from '../errors.js'

declare module 'fastify' {
  interface Session {
    userId?: number
    /** When the user signed in (ms): a session ends SESSION_HOURS after it, however busy. */
    signedInAt?: number
  }
  interface FastifyContextConfig {
    /** Reachable without signing in (login, invitations). */
    public?: boolean
  }
}

export const SESSION_HOURS = 8

/**
 * Everything under /admin: a session, the signed-in user, and the guards as hooks. The shell's own
 * screens (sign-in, dashboard, people, tokens, audit) are registered here; the features' screens are
 * handed in by the composition root, so the shell never imports a feature.
 */
export default async function adminPlugin(app: FastifyInstance, opts: { screens: FastifyPluginAsync[] }) {
  const store = new SqliteSessionStore(app.db, app.clock, SESSION_HOURS * 3_600_000)
  await app.register(session, {
    secret: app.config.sessionSecret,
    cookieName: 'outcry_admin',
    store: store as unknown as session.SessionStore,
    saveUninitialized: false,
    // The cookie is not renewed on activity: a session ends SESSION_HOURS after sign-in (checked below too).
    rolling: false,
    cookie: { path: '/admin', httpOnly: true, sameSite: 'lax', secure: app.config.env === 'production', maxAge: SESSION_HOURS * 3_600_000 },
  })
  app.decorateRequest('user', null)
  app.decorateRequest('campaign', null)
  app.decorateRequest('picket', null)

  app.addHook('onRequest', async (req, reply) => {
    const userId = req.session.get('userId')
    if (userId) {
      const signedInAt = req.session.get('signedInAt')
      if (typeof signedInAt === 'number' && app.clock().getTime() - signedInAt < SESSION_HOURS * 3_600_000) {
        req.user = loadAdminUser(app.db, userId)
      } else {
        // Past its time (or from before sign-in times were kept): signed out, whatever the activity.
        // A fresh empty session replaces it (the old one is deleted), so the routes still have one.
        await req.session.regenerate()
      }
    }
    if (req.routeOptions.config?.public) return
    if (!req.user) {
      if (req.method === 'GET') return reply.redirect(`/admin/login?next=${encodeURIComponent(req.url)}`, 303)
      return sendError(req, reply, 401, (t) => t('admin.sessionEnded'))
    }
    // Pages carry who is signed in, for the navigation.
    reply.locals = { ...reply.locals, adminUser: req.user, isAdmin: req.user.role === 'admin', logoutCsrf: reply.generateCsrf() }
  })

  await app.register(loginRoutes)
  await app.register(setupRoutes)
  await app.register(dashboardRoutes)
  for (const screens of [...opts.screens, peopleRoutes, tokenRoutes, auditRoutes]) await app.register(screens)
}
