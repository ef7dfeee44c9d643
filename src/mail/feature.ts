import type { FastifyInstance } from 'fastify'
import type { Feature } from '../feature.js'
import mailboxRoutes from './mailbox-routes.js'
import adminRoutes from './admin-routes.js'

/** The development mailbox exists only while mail is captured, never in production, and answers only loopback clients (mailbox-routes.ts). */
async function mailboxWhileCapturing(app: FastifyInstance) {
  if (app.mailer.captures && app.config.env !== 'production') await app.register(mailboxRoutes)
}

/** Mail as people see it: the outbox screen (admins) and the development mailbox. Transport, outbox and dispatcher are infrastructure beside it. */
export const mailFeature: Feature = { name: 'mail', routes: mailboxWhileCapturing, admin: adminRoutes }
