import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TFunction } from 'i18next'
import { z } from 'zod'
import { checkbox, email as emailField, fieldErrors, issuesOf, localized } from '../validation.js'
import { translator } from '../i18n/index.js'
import type { LetterStatus, RsvpStatus } from '../db/schema/index.js'
import { actorOf, requireAdmin } from '../admin/access.js'
import { audit } from '../admin/audit.js'
import { checkpoint } from '../db/client.js'
import { emailDigest, eraseSupporter, exportSupporter, findSupporter } from './data.js'

const searchForm = z.object({ email: z.string({ error: localized((t) => t('adminSupporters.errors.email')) }).pipe(emailField) })
const eraseForm = searchForm.extend({
  confirm: checkbox.refine((v) => v, localized((t) => t('adminSupporters.errors.confirm'))),
})

type Label = (t: TFunction) => string
/** Statuses as the screen names them (the export keeps the stored values). */
const LETTER_STATUSES: Record<LetterStatus, Label> = {
  pending_confirmation: (t) => t('adminSupporters.letterStatus.pending_confirmation'),
  queued: (t) => t('adminSupporters.letterStatus.queued'),
  outgoing: (t) => t('adminSupporters.letterStatus.outgoing'),
  sent: (t) => t('adminSupporters.letterStatus.sent'),
  withdrawn: (t) => t('adminSupporters.letterStatus.withdrawn'),
}
const RSVP_STATUSES: Record<RsvpStatus, Label> = {
  pending_confirmation: (t) => t('adminSupporters.rsvpStatus.pending_confirmation'),
  going: (t) => t('adminSupporters.rsvpStatus.going'),
  waitlisted: (t) => t('adminSupporters.rsvpStatus.waitlisted'),
  cancelled: (t) => t('adminSupporters.rsvpStatus.cancelled'),
}

const text = (v: unknown) => (typeof v === 'string' ? v : '')

/**
 * Data protection requests: find a supporter by email, hand them their data (JSON), or erase it.
 * Admins only. The address travels only in POST bodies, never in a URL (which logs, proxies and
 * browser histories keep); the audit log keeps a keyed HMAC of it, never the address.
 */
export default async function supporterRoutes(app: FastifyInstance) {
  app.addHook('preHandler', requireAdmin)
  const pseudonym = (email: string) => emailDigest(app.config.sessionSecret, email)

  const searchView = (req: FastifyRequest, reply: FastifyReply, email: string, errors: Record<string, string> = {}, showResults = true) => {
    const t = translator(req.lang)
    const rows = showResults && !errors.email && email ? findSupporter(app.db, email) : null
    const found = rows && {
      ...rows,
      letters: rows.letters.map((l) => ({ ...l, statusName: LETTER_STATUSES[l.status]?.(t) ?? l.status })),
      rsvps: rows.rsvps.map((r) => ({ ...r, statusName: RSVP_STATUSES[r.status]?.(t) ?? r.status })),
    }
    reply.header('cache-control', 'no-store')
    return reply.view('supporters/supporter-search', {
      title: t('adminSupporters.title'),
      email,
      errors,
      found,
      nothing: found !== null && found.letters.length + found.rsvps.length === 0,
      csrfToken: reply.generateCsrf(),
    })
  }

  // The empty form. An address in the query string is not looked up: searches are POSTed.
  app.get('/supporters', async (req, reply) => searchView(req, reply, ''))

  app.post<{ Body: Record<string, unknown> }>('/supporters', { preHandler: app.csrfProtection }, async (req, reply) => {
    const body = req.body ?? {}
    const parsed = searchForm.safeParse(body)
    if (!parsed.success) return searchView(req, reply.code(422), text(body.email), fieldErrors(issuesOf(parsed.error), req.lang))
    return searchView(req, reply, parsed.data.email)
  })

  app.post<{ Body: Record<string, unknown> }>('/supporters/export', { preHandler: app.csrfProtection }, async (req, reply) => {
    const body = req.body ?? {}
    const parsed = searchForm.safeParse(body)
    if (!parsed.success) return searchView(req, reply.code(422), text(body.email), fieldErrors(issuesOf(parsed.error), req.lang))
    const now = app.clock()
    const data = app.db.transaction((tx) => {
      const exported = exportSupporter(tx, parsed.data.email, now)
      audit(tx, actorOf(req), 'supporter.export', { subject: 'supporter', detail: { emailHmac: pseudonym(parsed.data.email), letters: exported.letters.length, rsvps: exported.rsvps.length } }, now)
      return exported
    })
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="supporter-data-${now.toISOString().slice(0, 10)}.json"`)
      .header('cache-control', 'no-store')
      .send(JSON.stringify(data, null, 2))
  })

  app.post<{ Body: Record<string, unknown> }>('/supporters/erase', { preHandler: app.csrfProtection }, async (req, reply) => {
    const body = req.body ?? {}
    const parsed = eraseForm.safeParse(body)
    if (!parsed.success) return searchView(req, reply.code(422), text(body.email), fieldErrors(issuesOf(parsed.error), req.lang))
    const now = app.clock()
    const result = app.db.transaction((tx) => {
      const erased = eraseSupporter(tx, parsed.data.email, now)
      audit(tx, actorOf(req), 'supporter.erase', { subject: 'supporter', detail: { emailHmac: pseudonym(parsed.data.email), ...erased } }, now)
      return erased
    })
    // No copy of what was erased stays in the WAL (secure_delete zeroes it in the database file).
    if (!checkpoint(app.db)) req.log.warn('the WAL checkpoint after an erasure was kept from finishing by a reader; the next one clears it')
    reply.header('cache-control', 'no-store')
    const t = translator(req.lang)
    return reply.view('supporters/supporter-erased', { title: t('adminSupporters.erasedTitle'), result })
  })
}
