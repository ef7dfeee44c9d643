import crypto from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { and, asc, eq, gt, isNull, max } from 'drizzle-orm'
import { z } from 'zod'
import type { DbOrTx } from '../db/client.js'
import { campaignOrganizers, campaigns, invitations, roles, users, type OutboxMessage, type Role, type User } from '../db/schema/index.js'
import { enqueueMail } from '../mail/outbox.js'
import { languageHeaders, renderEmail } from '../mail/render.js'
import { mailSettings, type MailSettings } from '../mail/settings.js'
import { checkbox, email as emailField, fieldErrors, issuesOf, localized, singleLine, type FieldIssue } from '../validation.js'
import { dateLocale, translator, type Language } from '../i18n/index.js'
import { roleName } from './labels.js'
import { sendError } from '../errors.js'
import { actorOf, parseId, requireAdmin, type AdminUser } from './access.js'
import { audit } from './audit.js'
import { revokeTokensOf } from './api.js'
import { allCampaigns, assignCampaign, campaignIdsOf, createInvitation, createUser, listUsers, unassignCampaign, userByEmail, userById } from './users.js'

export const INVITATION_DAYS = 7

// ---- queries -------------------------------------------------------------------------------

/** Campaign titles per organizer, for the list. */
function campaignTitlesByUser(db: DbOrTx): Map<number, string[]> {
  const rows = db
    .select({ userId: campaignOrganizers.userId, title: campaigns.title })
    .from(campaignOrganizers)
    .innerJoin(campaigns, eq(campaigns.id, campaignOrganizers.campaignId))
    .orderBy(asc(campaigns.title))
    .all()
  const out = new Map<number, string[]>()
  for (const r of rows) out.set(r.userId, [...(out.get(r.userId) ?? []), r.title])
  return out
}

/** The latest invitation each user has not used yet (expired or not). */
function openInvitationExpiry(db: DbOrTx): Map<number, Date> {
  const rows = db
    .select({ userId: invitations.userId, expiresAt: max(invitations.expiresAt) })
    .from(invitations)
    .where(isNull(invitations.usedAt))
    .groupBy(invitations.userId)
    .all()
  return new Map(rows.filter((r) => r.expiresAt).map((r) => [r.userId, r.expiresAt!]))
}

/** Old links stop working when a new one is sent or the person is disabled. */
function expireInvitations(tx: DbOrTx, userId: number, now: Date): void {
  tx.update(invitations)
    .set({ expiresAt: now })
    .where(and(eq(invitations.userId, userId), isNull(invitations.usedAt), gt(invitations.expiresAt, now)))
    .run()
}

function updateUser(tx: DbOrTx, id: number, values: { name: string; role: Role; disabledAt: Date | null }, now: Date): void {
  tx.update(users).set({ ...values, updatedAt: now }).where(eq(users.id, id)).run()
}

// ---- the invitation mail -------------------------------------------------------------------

/** The invitation, in `lang`: the language of the back office the admin invited from (the invitee has chosen none yet). */
export function invitationMail(mail: MailSettings, user: User, inviter: AdminUser, token: string, expiresAt: Date, campaignTitles: string[], lang: Language = 'en'): OutboxMessage {
  const link = `${mail.baseUrl}/admin/invitations/${token}`
  const data = {
    name: user.name,
    email: user.email,
    inviter: inviter.name ? `${inviter.name} (${inviter.email})` : inviter.email,
    appName: mail.fromName,
    admin: user.role === 'admin',
    campaigns: campaignTitles,
    link,
    // In the mail's language, in UTC (the invitee's zone is unknown): "8 декабря 2026 г., 10:00 UTC".
    expires: new Intl.DateTimeFormat(dateLocale(lang), { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(expiresAt) + ' UTC',
  }
  const t = translator(lang)
  const subject = t('mail.invitation.subject', { app: mail.fromName })
  const { text, html } = renderEmail('invitation', data, { lang, title: subject })
  return {
    from: { name: mail.fromName, address: mail.from },
    to: { name: user.name, address: user.email },
    subject,
    text,
    html,
    headers: languageHeaders(lang),
    messageId: `<invitation.${user.id}.${crypto.randomBytes(6).toString('base64url')}@${mail.domain}>`,
  }
}

// ---- forms ---------------------------------------------------------------------------------

const ID = /^[1-9][0-9]{0,9}$/
const CHOOSE_CAMPAIGNS = localized((t) => t('admin.people.errors.chooseCampaigns'))
const campaignList = z
  .union([z.string(), z.array(z.string())], { error: CHOOSE_CAMPAIGNS })
  .optional()
  .transform((v) => (v === undefined ? [] : ([] as string[]).concat(v).filter((s) => s !== '')))
  .pipe(z.array(z.string().regex(ID, CHOOSE_CAMPAIGNS).transform(Number)))
const roleField = z.enum(roles, { error: localized((t) => t('admin.people.errors.chooseRole')) })
const nameField = singleLine('Name', 100).default('')

const inviteForm = z.object({ email: emailField, name: nameField, role: roleField, campaigns: campaignList })
const userForm = z.object({ name: nameField, role: roleField, campaigns: campaignList, disabled: checkbox })

type Body = Record<string, unknown>

const CAMPAIGN_GONE = localized((t) => t('admin.people.errors.campaignGone'))
const EMAIL_TAKEN = localized((t) => t('admin.people.errors.emailTaken'))
const OWN_ROLE = localized((t) => t('admin.people.errors.ownRole'))
const OWN_ACCOUNT = localized((t) => t('admin.people.errors.ownAccount'))

function unknownCampaigns(ids: number[]): FieldIssue[] {
  return ids.length ? [{ path: ['campaigns'], message: CAMPAIGN_GONE }] : []
}

export default async function peopleRoutes(app: FastifyInstance) {
  // Managing people is for admins only; everyone else finds nothing here.
  app.addHook('preHandler', requireAdmin)
  const mail = mailSettings(app.config)

  const campaignChoices = (checked: number[]) => allCampaigns(app.db).map((c) => ({ id: c.id, title: c.title, checked: checked.includes(c.id) }))
  const raw = (body: Body, key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '')
  const rawIds = (body: Body) => ([] as unknown[]).concat(body.campaigns ?? []).map((v) => Number(v)).filter(Number.isInteger)

  app.get('/users', async (req, reply) => {
    const t = translator(req.lang)
    const titles = campaignTitlesByUser(app.db)
    const expiry = openInvitationExpiry(app.db)
    const now = app.clock()
    const people = listUsers(app.db).map((u) => {
      const expires = expiry.get(u.id)
      const state = u.disabledAt ? 'disabled' : u.passwordHash ? 'active' : 'invited'
      return { ...u, roleName: roleName(t, u.role), state, campaigns: titles.get(u.id) ?? [], allCampaigns: u.role === 'admin', invitationExpired: state === 'invited' && (!expires || expires <= now), invitationExpires: expires }
    })
    return reply.view('admin/people-list', { title: t('admin.nav.people'), people })
  })

  const inviteView = (req: FastifyRequest, reply: FastifyReply, values: { email: string; name: string; role: string; campaigns: number[] }, errors: Record<string, string> = {}) => {
    const t = translator(req.lang)
    return reply.view('admin/people-invite', { title: t('admin.people.invite'), invitationDays: INVITATION_DAYS, values, errors, hasErrors: Object.keys(errors).length > 0, campaigns: campaignChoices(values.campaigns), csrfToken: reply.generateCsrf() })
  }

  app.get('/users/invite', async (req, reply) => inviteView(req, reply, { email: '', name: '', role: 'organizer', campaigns: [] }))

  app.post<{ Body: Body }>('/users/invite', { preHandler: app.csrfProtection }, async (req, reply) => {
    const body = req.body ?? {}
    const parsed = inviteForm.safeParse(body)
    const values = { email: raw(body, 'email'), name: raw(body, 'name'), role: raw(body, 'role') || 'organizer', campaigns: rawIds(body) }
    const known = new Set(allCampaigns(app.db).map((c) => c.id))
    const issues = parsed.success ? unknownCampaigns(parsed.data.campaigns.filter((id) => !known.has(id))) : issuesOf(parsed.error)
    if (parsed.success && userByEmail(app.db, parsed.data.email)) issues.push({ path: ['email'], message: EMAIL_TAKEN })
    if (!parsed.success || issues.length) return inviteView(req, reply.code(422), values, fieldErrors(issues, req.lang))

    const input = parsed.data
    const now = app.clock()
    const inviter = req.user!
    const titles = input.role === 'admin' ? [] : allCampaigns(app.db).filter((c) => input.campaigns.includes(c.id)).map((c) => c.title)
    const user = app.db.transaction((tx) => {
      const created = createUser(tx, { email: input.email, name: input.name, role: input.role }, now)
      for (const id of input.campaigns) assignCampaign(tx, created.id, id)
      const token = createInvitation(tx, created.id, now, INVITATION_DAYS)
      const expiresAt = new Date(now.getTime() + INVITATION_DAYS * 86_400_000)
      enqueueMail(tx, { kind: 'invitation', message: invitationMail(mail, created, inviter, token, expiresAt, titles, req.lang) }, now)
      audit(tx, actorOf(req), 'user.invite', { subject: `user:${created.id}`, detail: { email: created.email, role: created.role, campaignIds: input.campaigns } }, now)
      return created
    })
    app.dispatcher.poke()
    return reply.redirect(`/admin/users/${user.id}?invited=1`, 303)
  })

  function loadUser(req: FastifyRequest, reply: FastifyReply): User | null {
    const id = parseId((req.params as { userId?: string }).userId)
    const user = id ? userById(app.db, id) : undefined
    if (!user) {
      void reply.callNotFound()
      return null
    }
    return user
  }

  const userView = (req: FastifyRequest, reply: FastifyReply, user: User, values: { name: string; role: string; campaigns: number[]; disabled: boolean }, errors: Record<string, string> = {}) => {
    const expires = openInvitationExpiry(app.db).get(user.id)
    return reply.view('admin/people-edit', {
      title: user.email,
      person: user,
      self: user.id === req.user!.id,
      values,
      errors,
      hasErrors: Object.keys(errors).length > 0,
      campaigns: campaignChoices(values.campaigns),
      invited: !user.passwordHash,
      invitationExpires: expires,
      invitationDays: INVITATION_DAYS,
      invitationExpired: !expires || expires <= app.clock(),
      justInvited: (req.query as { invited?: string }).invited === '1',
      justReinvited: (req.query as { reinvited?: string }).reinvited === '1',
      csrfToken: reply.generateCsrf(),
    })
  }

  app.get<{ Params: { userId: string } }>('/users/:userId', async (req, reply) => {
    const user = loadUser(req, reply)
    if (!user) return reply
    return userView(req, reply, user, { name: user.name, role: user.role, campaigns: campaignIdsOf(app.db, user.id), disabled: user.disabledAt !== null })
  })

  app.post<{ Params: { userId: string }; Body: Body }>('/users/:userId', { preHandler: app.csrfProtection }, async (req, reply) => {
    const user = loadUser(req, reply)
    if (!user) return reply
    const body = req.body ?? {}
    const parsed = userForm.safeParse(body)
    const values = { name: raw(body, 'name'), role: raw(body, 'role') || user.role, campaigns: rawIds(body), disabled: body.disabled !== undefined && body.disabled !== '' }
    const known = new Set(allCampaigns(app.db).map((c) => c.id))
    const issues = parsed.success ? unknownCampaigns(parsed.data.campaigns.filter((id) => !known.has(id))) : issuesOf(parsed.error)
    if (parsed.success && user.id === req.user!.id) {
      // Someone must stay able to manage people: an admin cannot lock themselves out.
      if (parsed.data.role !== 'admin') issues.push({ path: ['role'], message: OWN_ROLE })
      if (parsed.data.disabled) issues.push({ path: ['disabled'], message: OWN_ACCOUNT })
    }
    if (!parsed.success || issues.length) return userView(req, reply.code(422), user, values, fieldErrors(issues, req.lang))

    const input = parsed.data
    const now = app.clock()
    app.db.transaction((tx) => {
      const before = new Set(campaignIdsOf(tx, user.id))
      const after = new Set(input.campaigns)
      const added = [...after].filter((id) => !before.has(id))
      const removed = [...before].filter((id) => !after.has(id))
      for (const id of added) assignCampaign(tx, user.id, id)
      for (const id of removed) unassignCampaign(tx, user.id, id)
      const disabledAt = input.disabled ? (user.disabledAt ?? now) : null
      updateUser(tx, user.id, { name: input.name, role: input.role, disabledAt }, now)
      // A disabled person's links and tokens die with the account (enabling it brings neither back).
      if (disabledAt) expireInvitations(tx, user.id, now)
      const tokensRevoked = disabledAt ? revokeTokensOf(tx, user.id, now) : 0
      const detail: Record<string, unknown> = {}
      if (input.name !== user.name) detail.name = { from: user.name, to: input.name }
      if (input.role !== user.role) detail.role = { from: user.role, to: input.role }
      if (added.length) detail.campaignsAdded = added
      if (removed.length) detail.campaignsRemoved = removed
      if (Boolean(user.disabledAt) !== input.disabled) detail.disabled = input.disabled
      if (tokensRevoked) detail.tokensRevoked = tokensRevoked
      if (Object.keys(detail).length) {
        const action = detail.disabled === true ? 'user.disable' : detail.disabled === false ? 'user.enable' : 'user.update'
        audit(tx, actorOf(req), action, { subject: `user:${user.id}`, detail: { email: user.email, ...detail } }, now)
      }
    })
    return reply.redirect(`/admin/users/${user.id}`, 303)
  })

  app.post<{ Params: { userId: string } }>('/users/:userId/reinvite', { preHandler: app.csrfProtection }, async (req, reply) => {
    const user = loadUser(req, reply)
    if (!user) return reply
    if (user.passwordHash) return sendError(req, reply, 409, (t) => t('admin.people.errors.alreadySet', { email: user.email }))
    if (user.disabledAt) return sendError(req, reply, 409, (t) => t('admin.people.errors.isDisabled', { email: user.email }))
    const now = app.clock()
    const inviter = req.user!
    const ids = campaignIdsOf(app.db, user.id)
    const titles = user.role === 'admin' ? [] : allCampaigns(app.db).filter((c) => ids.includes(c.id)).map((c) => c.title)
    app.db.transaction((tx) => {
      expireInvitations(tx, user.id, now)
      const token = createInvitation(tx, user.id, now, INVITATION_DAYS)
      const expiresAt = new Date(now.getTime() + INVITATION_DAYS * 86_400_000)
      enqueueMail(tx, { kind: 'invitation', message: invitationMail(mail, user, inviter, token, expiresAt, titles, req.lang) }, now)
      audit(tx, actorOf(req), 'user.reinvite', { subject: `user:${user.id}`, detail: { email: user.email } }, now)
    })
    app.dispatcher.poke()
    return reply.redirect(`/admin/users/${user.id}?reinvited=1`, 303)
  })
}
