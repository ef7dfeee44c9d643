import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { InputError, translateMessage } from '../validation.js'
import { translator } from '../i18n/index.js'
import { actorOf, campaignScope, parseId, requireAdmin, requireAdminApi } from '../admin/access.js'
import { z } from 'zod'
import { dateTime, responses } from '../openapi.js'
import { targetJsonOut, targetParams } from './api-schemas.js'
import { approveEmailChange, pendingEmailChanges, rejectEmailChange, targetJson, type PendingEmailChange } from './service.js'

// An organizer's change to an official's email address waits here until an admin approves or rejects
// it (a hostile organizer could otherwise point an official's letters at an address they read).
// Admins only: an organizer, of this campaign or another, gets 404 like everywhere else.

type Params = { Params: { id: string; targetId: string } }
type Decision = 'approve' | 'reject'

function decide(req: FastifyRequest<Params>, decision: Decision) {
  const app = req.server
  const targetId = parseId(req.params.targetId)
  const act = decision === 'approve' ? approveEmailChange : rejectEmailChange
  return targetId ? act(app.db, req.campaign!, targetId, actorOf(req), app.clock()) : undefined
}

const changeJson = (c: PendingEmailChange) => ({
  campaign: c.campaign,
  target: targetJson(c.target),
  email: c.target.email,
  pendingEmail: c.target.pendingEmail,
  requestedAt: c.target.pendingEmailAt,
  requestedBy: c.requestedBy,
})

/** /admin/email-changes and the Approve / Reject buttons (also on a campaign's officials list). */
export async function emailChangeScreens(app: FastifyInstance) {
  function listPage(reply: FastifyReply, state: { notice?: string; error?: { targetId: number; message: string } } = {}, status = 200) {
    const changes = pendingEmailChanges(app.db).map((c) => ({ ...c, error: state.error?.targetId === c.target.id ? state.error.message : undefined }))
    const t = translator(reply.request.lang)
    return reply.code(status).view('campaigns/target-email-changes', {
      title: t('adminCampaigns.emailChanges.heading'),
      changes,
      notice: state.notice,
      error: state.error?.message,
      csrfToken: reply.generateCsrf(),
    })
  }

  app.get<{ Querystring: Record<string, string> }>('/email-changes', { preHandler: requireAdmin }, async (req, reply) => {
    const t = translator(req.lang)
    const notice = 'approved' in req.query ? t('adminCampaigns.emailChanges.approved') : 'rejected' in req.query ? t('adminCampaigns.emailChanges.rejected') : undefined
    return listPage(reply, { notice })
  })

  await app.register(async (scoped) => {
    scoped.addHook('preHandler', campaignScope)
    for (const decision of ['approve', 'reject'] as const) {
      scoped.post<Params & { Body: Record<string, unknown> }>(`/campaigns/:id/targets/:targetId/email/${decision}`, { preHandler: [requireAdmin, app.csrfProtection] }, async (req, reply) => {
        let target
        try {
          target = decide(req, decision)
        } catch (err) {
          if (!(err instanceof InputError)) throw err
          return listPage(reply, { error: { targetId: parseId(req.params.targetId), message: err.issues.map((i) => translateMessage(i.message, req.lang)).join('; ') } }, 422)
        }
        if (!target) return reply.callNotFound()
        const done = decision === 'approve' ? 'approved' : 'rejected'
        const back = (req.body as { back?: unknown } | undefined)?.back === 'targets' ? `/admin/campaigns/${req.campaign!.id}/targets?${done}=1` : `/admin/email-changes?${done}=1`
        return reply.redirect(back, 303)
      })
    }
  })
}

const campaignSummary = z.object({ id: z.int().positive(), slug: z.string(), title: z.string() })
const changeOut = z.object({
  campaign: campaignSummary,
  target: targetJsonOut.describe('The official (without `lettersWaiting`)'),
  email: z.string().describe('Where letters go now'),
  pendingEmail: z.string().nullable().describe('The address an organizer asked for'),
  requestedAt: dateTime.nullable(),
  requestedBy: z.string().nullable().describe('Who asked: their email, or null if the account is gone'),
})

/** /api/admin/email-changes and /api/admin/campaigns/:id/targets/:targetId/email/approve|reject (admins only). */
export async function emailChangeApi(app: FastifyInstance) {
  app.get(
    '/email-changes',
    {
      preValidation: requireAdminApi,
      schema: {
        tags: ['targets'],
        summary: 'Changes of officials’ email addresses waiting for an admin (admins only)',
        description: 'Oldest request first. `email` is where letters go now, `pendingEmail` the address an organizer asked for.',
        response: responses({ 200: z.object({ changes: z.array(changeOut) }).describe('The changes waiting') }, [401, 403]),
      },
    },
    async () => ({ changes: pendingEmailChanges(app.db).map(changeJson) }),
  )

  await app.register(async (scoped) => {
    // Admins only, told so (403) before anything of a campaign is looked at; then the campaign (404).
    scoped.addHook('preValidation', requireAdminApi)
    scoped.addHook('preValidation', campaignScope)
    for (const decision of ['approve', 'reject'] as const) {
      scoped.post<Params>(
        `/campaigns/:id/targets/:targetId/email/${decision}`,
        {
          schema: {
            tags: ['targets'],
            summary: decision === 'approve' ? 'Approve the email address an organizer asked for (admins only)' : 'Reject the email address an organizer asked for (admins only)',
            description:
              decision === 'approve'
                ? 'Letters go to the new address from now on. 422 (path ["pendingEmail"]) when nothing waits or another official of the campaign has the address. No body.'
                : 'The official keeps the address letters go to. 422 (path ["pendingEmail"]) when nothing waits. No body.',
            params: targetParams,
            response: responses({ 200: z.object({ target: targetJsonOut }).describe(decision === 'approve' ? 'The official, with the new address' : 'The official, with the request dropped') }, [401, 403, 404, 422]),
          },
        },
        async (req, reply) => {
          const target = decide(req, decision)
          if (!target) return reply.callNotFound()
          return { target: targetJson(target) }
        },
      )
    }
  })
}
