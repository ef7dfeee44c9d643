import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import session from '@fastify/session'
import { SqliteSessionStore } from './session-store.js'
import { canRun, loadAdminUser, parseId } from './access.js'
import loginRoutes from './login-routes.js'
import dashboardRoutes from './dashboard-routes.js'
import campaignRoutes from './campaign-routes.js'
import picketRoutes from './picket-routes.js'
import offlineRoutes from './offline-routes.js'
import reportRoutes from './report-routes.js'
import peopleRoutes from './people-routes.js'
import tokenRoutes from './token-routes.js'
import mailRoutes from './mail-routes.js'
import auditRoutes from './audit-routes.js'
import supporterRoutes from './supporter-routes.js'
import { sendError } from '../errors.js'

declare module 'fastify' {
  interface Session {
    userId?: number
  }
  interface FastifyContextConfig {
    /** Reachable without signing in (login, invitations). */
    public?: boolean
  }
}

export const SESSION_HOURS = 8

/** Everything under /admin: a session, the signed-in user, and the guards as hooks. */
export default async function adminPlugin(app: FastifyInstance) {
  const store = new SqliteSessionStore(app.db, app.clock, SESSION_HOURS * 3_600_000)
  await app.register(session, {
    secret: app.config.sessionSecret,
    cookieName: 'outcry_admin',
    store: store as unknown as session.SessionStore,
    saveUninitialized: false,
    rolling: true,
    cookie: { path: '/admin', httpOnly: true, sameSite: 'lax', secure: app.config.env === 'production', maxAge: SESSION_HOURS * 3_600_000 },
  })
  app.decorateRequest('user', null)
  app.decorateRequest('campaign', null)
  app.decorateRequest('picket', null)

  app.addHook('onRequest', async (req, reply) => {
    const userId = req.session.get('userId')
    if (userId) req.user = loadAdminUser(app.db, userId)
    if (req.routeOptions.config?.public) return
    if (!req.user) {
      if (req.method === 'GET') return reply.redirect(`/admin/login?next=${encodeURIComponent(req.url)}`, 303)
      return sendError(req, reply, 401, 'Please sign in again: your session has ended.')
    }
    // Pages carry who is signed in, for the navigation.
    reply.locals = { ...reply.locals, adminUser: req.user, isAdmin: req.user.role === 'admin', logoutCsrf: reply.generateCsrf() }
  })

  await app.register(loginRoutes)
  await app.register(dashboardRoutes)
  for (const feature of [campaignRoutes, picketRoutes, offlineRoutes, reportRoutes, peopleRoutes, tokenRoutes, mailRoutes, auditRoutes, supporterRoutes]) {
    await app.register(feature)
  }
}

/** Scope for /admin/campaigns/:id/…: loads the campaign or answers 404 for anyone who does not run it. */
export async function campaignScope(req: FastifyRequest, reply: FastifyReply) {
  const id = parseId((req.params as { id?: string }).id)
  const campaign = id ? req.server.letters.campaigns.byId(id) : undefined
  if (!campaign || !canRun(req.user, campaign.id)) return reply.callNotFound()
  req.campaign = campaign
}

/** Scope for /admin/pickets/:id/…: the picket's campaign decides. */
export async function picketScope(req: FastifyRequest, reply: FastifyReply) {
  const id = parseId((req.params as { id?: string }).id)
  const picket = id ? req.server.pickets.picket(id) : undefined
  if (!picket || !canRun(req.user, picket.campaignId)) return reply.callNotFound()
  req.picket = picket
  req.campaign = req.server.letters.campaigns.byId(picket.campaignId)!
}
