import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { sendError } from '../errors.js'
import { renderCampaignPage } from '../campaigns/page.js'
import { useCampaignLanguage, useLanguage } from '../i18n/plugin.js'
import { localizeRow } from '../i18n/content.js'
import { campaignTexts, targetTexts, type Campaign, type Letter } from '../db/schema/index.js'
import { fieldErrors, InputError, issuesOf } from '../validation.js'
import { letterForm, fromForm, fromJson, letterBody, type LetterJson } from './input.js'
import { z } from 'zod'
import { responses } from '../openapi.js'
import { slugParams } from '../campaigns/api-schemas.js'
import { supporterCountry } from './form.js'
import { officialsForCountry } from '../campaigns/queries.js'
import type { ConfirmState, WriteResult } from './service.js'
import { randomBase64url } from '../random.js'
import { caughtInHoneypot } from '../honeypot.js'
import type { TFunction } from 'i18next'
import { translator } from '../i18n/index.js'

type SlugParams = { Params: { slug: string } }
type TokenParams = { Params: { token: string } }

const CLOSED_MESSAGE: Record<string, (t: TFunction) => string> = {
  draft: (t) => t('errors.notOpenYet'),
  closed: (t) => t('errors.closed'),
}
const NO_LETTERS = (t: TFunction) => t('errors.noLetters')

export default async function letterRoutes(app: FastifyInstance) {
  const letters = app.letters
  // One limiter (one store) shared by the form and the API, so switching routes does not double the budget.
  const limiter = () => (app.config.rateLimits ? [app.rateLimit({ max: app.config.letterRateLimit, timeWindow: '1 minute' })] : [])
  const letterLimit = limiter()
  const confirmLimit = limiter()
  // The live preview asks once per pause in typing: the same limiter, with room for a long note.
  const previewLimit = app.config.rateLimits ? [app.rateLimit({ max: app.config.letterRateLimit * 4, timeWindow: '1 minute' })] : []

  // The HTML form: preview (intent=preview) re-renders the page; send writes the letter.
  app.post<SlugParams & { Body: Record<string, unknown> }>(
    '/campaigns/:slug/letters',
    { onRequest: letterLimit, preHandler: app.csrfProtection },
    async (req, reply) => {
      const campaign = app.campaigns.publicBySlug(req.params.slug)
      if (!campaign) return sendError(req, reply, 404, (t) => t('errors.noCampaign'))
      useCampaignLanguage(req, reply, campaign)
      if (!app.campaigns.isOpen(campaign)) return sendError(req, reply, 409, CLOSED_MESSAGE[campaign.status] ?? NO_LETTERS)
      const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>
      const values = displayValues(body)
      if (body.intent === 'preview') return renderCampaignPage(reply, app, campaign, { values })
      if (caughtInHoneypot(req)) return reply.redirect(thanksUrl(app, campaign, body), 303)

      const parsed = letterForm.safeParse(body)
      if (!parsed.success) {
        return renderCampaignPage(reply, app, campaign, { values, errors: fieldErrors(issuesOf(parsed.error), req.lang) }, 422)
      }
      let result: WriteResult
      try {
        result = await letters.submit(campaign.slug, { ...fromForm(parsed.data), pageLanguage: req.lang }, 'target')
      } catch (err) {
        if (err instanceof InputError) return renderCampaignPage(reply, app, campaign, { values, errors: fieldErrors(err.issues, req.lang) }, 422)
        throw err
      }
      if (result.kind !== 'accepted') return sendError(req, reply, 409, NO_LETTERS)
      return reply.redirect(thanksUrl(app, campaign, body), 303)
    },
  )

  // Live preview for the page's script; it changes nothing, so it needs no CSRF token.
  app.post<SlugParams & { Body: Record<string, unknown> }>('/campaigns/:slug/preview', { onRequest: previewLimit }, async (req, reply) => {
    const campaign = app.campaigns.publicBySlug(req.params.slug)
    if (!campaign || !app.campaigns.isOpen(campaign)) return sendError(req, reply, 404, (t) => t('errors.campaignNotFound'))
    useCampaignLanguage(req, reply, campaign)
    const v = displayValues(req.body && typeof req.body === 'object' ? req.body : {})
    // The officials for the supporter's country first; with none ticked, the letter goes to the first suggested.
    const officials = officialsForCountry(app.campaigns.targets(campaign.id), supporterCountry(v.country))
    const suggested = officials.filter((t) => t.suggested).map((t) => t.id)
    const t = translator(req.lang)
    const preview = letters.preview(campaign, {
      name: v.name || t('letterForm.yourName'),
      city: v.city || t('letterForm.yourCity'),
      country: /^[A-Za-z]{2}$/.test(v.country ?? '') ? v.country!.toUpperCase() : t('letterForm.yourCountry'),
      organisation: v.organisation,
      note: v.note,
      targetId: Number(v.target?.split(',')[0]) || suggested[0],
      language: v.language,
    })
    if (!preview) return sendError(req, reply, 404, (t) => t('errors.nothingToPreview'))
    return reply.type('application/json').send({
      subject: preview.subject,
      body: preview.body,
      target: preview.target.name,
      // The preview's heading in the page's language ("To …", "Кому: …").
      to: t('letterForm.previewTo', { name: preview.target.name }),
      language: preview.language,
      // For the form's script: the officials' order for this country, and which of them it suggests.
      officials: officials.map((t) => t.id),
      suggested,
    })
  })

  // The JSON API: what is wrong with the request as a whole (not JSON, no such campaign, closed) is
  // answered before the body is judged, and a bot filling the honeypot hears "accepted" whatever it sent.
  const openCampaign = new WeakMap<FastifyRequest, Campaign>()
  app.post<SlugParams & { Body: LetterJson }>(
    '/api/campaigns/:slug/letters',
    {
      onRequest: letterLimit,
      preValidation: async (req, reply) => {
        if (!isJson(req)) return sendError(req, reply, 415, (t) => t('errors.sendJson'))
        const campaign = app.campaigns.publicBySlug(req.params.slug)
        if (!campaign) return sendError(req, reply, 404, (t) => t('errors.campaignNotFound'))
        if (!app.campaigns.isOpen(campaign)) return sendError(req, reply, 409, CLOSED_MESSAGE[campaign.status] ?? NO_LETTERS)
        if (caughtInHoneypot(req)) {
          return reply.code(201).send({ letter: { id: randomBase64url(12), status: campaign.confirmLetters ? 'pending_confirmation' : 'queued' } })
        }
        openCampaign.set(req, campaign)
      },
      schema: {
        tags: ['public'],
        summary: 'Write a letter to one or more of the campaign’s officials',
        description:
          'No token. `targetId` (one official) or `targetIds` (up to 20), from the campaign’s `targets`; `language` one the campaign offers (else 422 with that path). With the campaign confirming letters, the supporter is mailed a link and the letter counts once they confirm (`pending_confirmation`); otherwise it counts at once (`queued`). A repeat from the same address answers the same. Mail to the supporter is in the language asked for (`?lang=`, Accept-Language), else the letter’s. Rate-limited per address (429).',
        params: slugParams,
        body: letterBody,
        response: {
          ...responses(
            {
              201: z
                .object({
                  letter: z.object({
                    id: z.string().describe('The letter’s public id'),
                    status: z.enum(['queued', 'pending_confirmation']).describe('queued: it counts and waits for delivery; pending_confirmation: it counts once the supporter confirms'),
                  }),
                })
                .describe('The letter, written'),
            },
            [400, 404, 409, 413, 415, 422, 429],
          ),
        },
      },
    },
    async (req, reply) => {
      const campaign = openCampaign.get(req)!
      // An API client's supporter reads mail in the language it asked for (?lang=, Accept-Language), else the letter's.
      const result = await letters.submit(campaign.slug, { ...fromJson(req.body), pageLanguage: req.langChosen ? req.lang : undefined })
      if (result.kind !== 'accepted') return sendError(req, reply, 409, NO_LETTERS)
      return reply.code(201).send({ letter: result.letter })
    },
  )

  // A GET only shows the button: mail scanners open links, and must not confirm for anyone.
  app.get<TokenParams>('/letters/confirm/:token', async (req, reply) => {
    const found = letters.lookupConfirmation(req.params.token)
    return confirmationPage(reply, req, found.state, found, reply.generateCsrf())
  })

  app.post<TokenParams>(
    '/letters/confirm/:token',
    { onRequest: confirmLimit, preHandler: app.csrfProtection },
    async (req, reply) => {
      const found = letters.confirm(req.params.token)
      if (found.state !== 'unknown') speakAsWritten(req, reply, found)
      // The thank-you page in the language of this one (which a browser without our cookie would not know).
      if (found.state === 'confirmed') {
        const to = [...new Set(found.letters.map((l) => l.target.id))].join(',')
        const country = supporterCountry(found.letters[0]?.letter.country)
        return reply.redirect(`/campaigns/${encodeURIComponent(found.campaign.slug)}/thanks?confirmed&lang=${req.lang}${to ? `&to=${to}` : ''}${country ? `&country=${country}` : ''}`, 303)
      }
      if (found.state === 'closed') return sendError(req, reply, 409, CLOSED_MESSAGE[found.campaign.status] ?? NO_LETTERS)
      return confirmationPage(reply, req, found.state, found)
    },
  )
}

/**
 * Where the form lands: the thank-you page told which officials were chosen and the supporter's country
 * (to name them and the nearest picket; see campaigns/routes.ts on why these may be in a URL). Built from
 * the form alone, so a repeat, a new letter and the honeypot land on the same address.
 */
function thanksUrl(app: FastifyInstance, campaign: Campaign, body: Record<string, unknown>): string {
  const theirs = new Set(app.campaigns.targets(campaign.id).map((t) => t.id))
  const chosen = (Array.isArray(body.target) ? body.target : [body.target]).map((v) => Number(v)).filter((id) => theirs.has(id))
  const params = new URLSearchParams()
  if (chosen.length) params.set('to', [...new Set(chosen)].join(','))
  const country = supporterCountry(body.country)
  if (country) params.set('country', country)
  const query = params.toString()
  // The fragment replaces the form's #write, which browsers would otherwise carry over.
  return `/campaigns/${encodeURIComponent(campaign.slug)}/thanks${query ? `?${query.replaceAll('%2C', ',')}` : ''}#thanks`
}

/** A confirmation page, opened from a mailbox with no cookie of ours, speaks the language the supporter wrote from. */
function speakAsWritten(req: FastifyRequest, reply: FastifyReply, found: { campaign: Campaign; letters?: { letter: Letter }[] }) {
  const letter = found.letters?.[0]?.letter
  if (!useLanguage(req, reply, letter ? (letter.supporterLanguage ?? letter.language) : undefined)) useCampaignLanguage(req, reply, found.campaign)
}

function confirmationPage(reply: FastifyReply, req: FastifyRequest, state: string, found: object, csrfToken?: string) {
  if (state === 'unknown') return sendError(req, reply, 404, (t) => t('errors.badConfirmationLink'))
  const f = found as Extract<ConfirmState, { campaign: unknown }>
  speakAsWritten(req, reply, f)
  const t = translator(req.lang)
  // The campaign and officials as the page's language names them.
  const base = f.campaign.languages[0] ?? req.lang
  const shown = f.letters.map((l) => ({ ...l, target: localizeRow(l.target, targetTexts, req.lang, base) }))
  return reply.code(state === 'expired' ? 410 : 200).view('letters/confirm-letter', {
    title: t('confirmLetter.title'),
    state,
    pending: state === 'pending',
    expired: state === 'expired',
    confirmed: state === 'confirmed',
    campaign: localizeRow(f.campaign, campaignTexts, req.lang, base),
    letters: shown,
    first: shown[0],
    several: f.letters.length > 1,
    token: (req.params as { token: string }).token,
    csrfToken,
  })
}

function isJson(req: FastifyRequest): boolean {
  return /^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')
}

/** Form values to put back in the form: strings only, anything else dropped. */
function displayValues(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const key of ['name', 'email', 'country', 'city', 'organisation', 'target', 'language', 'note', 'copy', 'replyDirect', 'consent']) {
    const v = body[key]
    if (typeof v === 'string') out[key] = v.slice(0, 5000)
  }
  // Several officials ticked: kept as "1,2" to tick them again.
  if (Array.isArray(body.target)) out.target = body.target.filter((v) => typeof v === 'string').slice(0, 50).join(',')
  return out
}
