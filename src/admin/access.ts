import type { FastifyReply, FastifyRequest } from 'fastify'
import { sendError } from '../errors.js'
import type { Db } from '../db/client.js'
import type { Campaign, Picket, Role } from '../db/schema/index.js'
import { campaignIdsOf, userById } from './users.js'
import type { Actor } from './audit.js'

/** The signed-in person, reloaded each request so a removed role or campaign takes effect at once. */
export interface AdminUser {
  id: number
  email: string
  name: string
  role: Role
  campaignIds: number[]
}

declare module 'fastify' {
  interface FastifyRequest {
    user: AdminUser | null
    campaign: Campaign | null
    picket: Picket | null
  }
}

export function loadAdminUser(db: Db, userId: number): AdminUser | null {
  const user = userById(db, userId)
  if (!user || user.disabledAt || !user.passwordHash) return null
  return { id: user.id, email: user.email, name: user.name, role: user.role, campaignIds: user.role === 'admin' ? [] : campaignIdsOf(db, user.id) }
}

/** Admins see every campaign; organizers only theirs. Anything else is "not found", not "forbidden". */
export function canRun(user: AdminUser | null, campaignId: number): boolean {
  return user !== null && (user.role === 'admin' || user.campaignIds.includes(campaignId))
}

export function actorOf(req: FastifyRequest): Actor {
  return { id: req.user!.id, email: req.user!.email, ip: req.ip }
}

export function parseId(raw: unknown): number {
  return typeof raw === 'string' && /^[1-9][0-9]{0,9}$/.test(raw) ? Number(raw) : 0
}

/** preHandler for admin-only screens: to anyone else they do not exist (404). */
export async function requireAdmin(req: FastifyRequest, reply: FastifyReply) {
  if (req.user?.role === 'admin') return
  return reply.callNotFound()
}

/**
 * The API's admin-only operations: an organizer's token hears 403 (the API documents which operations
 * are admins' alone, so there is nothing to hide), where the screens answer 404.
 */
export async function requireAdminApi(req: FastifyRequest, reply: FastifyReply) {
  if (req.user?.role === 'admin') return
  return sendError(req, reply, 403, (t) => t('admin.api.adminsOnly'))
}

/**
 * Scope for /admin/campaigns/:id/… (and the API's): loads the campaign or answers 404 for anyone who
 * does not run it. It reaches campaigns and pickets through their services on the instance, so this
 * module imports no feature.
 */
export async function campaignScope(req: FastifyRequest, reply: FastifyReply) {
  const id = parseId((req.params as { id?: string }).id)
  const campaign = id ? req.server.campaigns.byId(id) : undefined
  if (!campaign || !canRun(req.user, campaign.id)) return reply.callNotFound()
  req.campaign = campaign
}

/** Scope for /admin/pickets/:id/…: the picket's campaign decides. */
export async function picketScope(req: FastifyRequest, reply: FastifyReply) {
  const id = parseId((req.params as { id?: string }).id)
  const picket = id ? req.server.pickets.picket(id) : undefined
  if (!picket || !canRun(req.user, picket.campaignId)) return reply.callNotFound()
  req.picket = picket
  req.campaign = req.server.campaigns.byId(picket.campaignId)!
}
