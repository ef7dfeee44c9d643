import type { FastifyInstance, FastifyReply } from 'fastify'
import { z } from 'zod'
import { checkbox, email as emailField, fieldErrors, issuesOf } from '../validation.js'
import { actorOf, requireAdmin } from '../admin/access.js'
import { audit } from '../admin/audit.js'
import { checkpoint } from '../db/client.js'
import { emailDigest, eraseSupporter, exportSupporter, findSupporter } from './data.js'

const searchForm = z.object({ email: z.string({ error: 'Enter the supporter’s email address' }).pipe(emailField) })
const eraseForm = searchForm.extend({
  confirm: checkbox.refine((v) => v, 'Tick the box to confirm: erasing cannot be undone'),
})

const text = (v: unknown) => (typeof v === 'string' ? v : '')

/**
 * Data protection requests: find a supporter by email, hand them their data (JSON), or erase it.
 * Admins only. The address travels only in POST bodies, never in a URL (which logs, proxies and
 * browser histories keep); the audit log keeps a keyed HMAC of it, never the address.
 */
export default async function supporterRoutes(app: FastifyInstance) {
  app.addHook('preHandler', requireAdmin)
  const pseudonym = (email: string) => emailDigest(app.config.sessionSecret, email)

  const searchView = (reply: FastifyReply, email: string, errors: Record<string, string> = {}, showResults = true) => {
    const found = showResults && !errors.email && email ? findSupporter(app.db, email) : null
    reply.header('cache-control', 'no-store')
    return reply.view('supporters/supporter-search', {
      title: 'Supporter data',
      email,
      errors,
      found,
      nothing: found !== null && found.letters.length + found.rsvps.length === 0,
      csrfToken: reply.generateCsrf(),
    })
  }

  // The empty form. An address in the query string is not looked up: searches are POSTed.
  app.get('/supporters', async (_req, reply) => searchView(reply, ''))

  app.post<{ Body: Record<string, unknown> }>('/supporters', { preHandler: app.csrfProtection }, async (req, reply) => {
    const body = req.body ?? {}
    const parsed = searchForm.safeParse(body)
    if (!parsed.success) return searchView(reply.code(422), text(body.email), fieldErrors(issuesOf(parsed.error)))
    return searchView(reply, parsed.data.email)
  })

  app.post<{ Body: Record<string, unknown> }>('/supporters/export', { preHandler: app.csrfProtection }, async (req, reply) => {
    const body = req.body ?? {}
    const parsed = searchForm.safeParse(body)
    if (!parsed.success) return searchView(reply.code(422), text(body.email), fieldErrors(issuesOf(parsed.error)))
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
    if (!parsed.success) return searchView(reply.code(422), text(body.email), fieldErrors(issuesOf(parsed.error)))
    const now = app.clock()
    const result = app.db.transaction((tx) => {
      const erased = eraseSupporter(tx, parsed.data.email, now)
      audit(tx, actorOf(req), 'supporter.erase', { subject: 'supporter', detail: { emailHmac: pseudonym(parsed.data.email), ...erased } }, now)
      return erased
    })
    // No copy of what was erased stays in the WAL (secure_delete zeroes it in the database file).
    if (!checkpoint(app.db)) req.log.warn('the WAL checkpoint after an erasure was kept from finishing by a reader; the next one clears it')
    reply.header('cache-control', 'no-store')
    return reply.view('supporters/supporter-erased', { title: 'Supporter data erased', result })
  })
}
