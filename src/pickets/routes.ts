import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { sendError } from '../errors.js'
import { InputError, fieldErrors, issuesOf } from '../validation.js'
import type { Campaign, Picket } from '../db/schema/index.js'
import { translator } from '../i18n/index.js'
import { rsvpForm, rsvpIssuesIn, rsvpJson } from './input.js'
import { groupPickets, picketJson, picketView } from './view.js'
import { campaignFeed, picketIcs } from './calendar.js'
import { mailSettings } from '../mail/settings.js'
import { caughtInHoneypot } from '../honeypot.js'
import { localizeRow } from '../i18n/content.js'
import { useCampaignLanguage, useLanguage } from '../i18n/plugin.js'
import { campaignTexts } from '../db/schema/index.js'
import { openGraph } from '../views/open-graph.js'
import { z } from 'zod'
import { picketStatuses } from '../db/schema/index.js'
import { SLUG_PATTERN } from '../campaigns/service.js'
import { dateTime, idParam, responses } from '../openapi.js'

type IdParams = { Params: { id: string } }
type TokenParams = { Params: { token: string } }

const parseId = (raw: string) => (/^[1-9][0-9]{0,9}$/.test(raw) ? Number(raw) : 0)

// What the public JSON API states of itself (/api/docs).
const slugParams = z
  .object({
    slug: z
      .string()
      .max(80)
      .regex(SLUG_PATTERN, 'must be a campaign’s address: lower-case letters, digits and single hyphens')
      .meta({ description: 'The campaign’s address, as in /campaigns/zhanaozen', examples: ['zhanaozen'] }),
  })
const picketParams = z.object({ id: idParam.describe('The picket’s id') })
const count = z.int().nonnegative()
/** A picket as the public API shows it (picketJson): times in UTC, the venue's zone beside them. */
const publicPicket = z.object({
  id: z.int().positive(),
  title: z.string().describe('In the campaign’s first language'),
  venue: z.string(),
  address: z.string(),
  city: z.string(),
  country: z.string().describe('ISO 3166-1 alpha-2'),
  startsAt: dateTime.describe('The start, in UTC'),
  endsAt: dateTime,
  timeZone: z.string().describe('The venue’s IANA zone, for showing local times'),
  capacity: z.int().positive().nullable().describe('Places; null: no limit'),
  going: count.describe('Places taken'),
  waitlisted: count.describe('On the waiting list'),
  status: z.enum(picketStatuses),
})
const rsvpAnswer = z.object({
  rsvp: z.object({
    id: z.string().describe('An id for this answer only (not the stored RSVP’s)'),
    status: z.enum(['pending_confirmation', 'going', 'waitlisted']),
  }),
})

export default async function picketRoutes(app: FastifyInstance) {
  const pickets = app.pickets
  const mail = mailSettings(app.config)
  const rsvpLimit = app.config.rateLimits ? [app.rateLimit({ max: app.config.letterRateLimit, timeWindow: '1 minute' })] : []

  /**
   * Why the public can no longer RSVP, in the page's language (the service gives English): it is
   * closed when cancelled or once it has started.
   */
  const closedText = (req: FastifyRequest, picket: Picket) => {
    if (!pickets.closedReason(picket)) return null
    const t = translator(req.lang)
    return picket.status === 'cancelled' ? t('pickets.picket.cancelled') : t('pickets.picket.over')
  }
  // Pages' errors in the visitor's language. TODO(issue 13): sendError's title and link stay English
  // until it takes a catalog key; the JSON API's `error` stays English (clients match it).
  const notFound = (req: FastifyRequest, reply: FastifyReply, what: 'campaign' | 'picket' | 'link' | 'linkCopy') => {
    const t = translator(req.lang)
    const messages = { campaign: t('pickets.notFound.campaign'), picket: t('pickets.notFound.picket'), link: t('pickets.notFound.link'), linkCopy: t('pickets.notFound.linkCopy') }
    return sendError(req, reply, 404, messages[what])
  }
  const closed = (req: FastifyRequest, reply: FastifyReply, picket: Picket, reason: string) =>
    sendError(req, reply, 409, req.url.startsWith('/api/') ? reason : (closedText(req, picket) ?? reason))

  /**
   * A picket page's language (the campaign's first unless the visitor chose one), its campaign and
   * picket with the organizers' texts in it.
   */
  const speak = (req: FastifyRequest, reply: FastifyReply, campaign: Campaign, picket?: Picket, rsvpLanguage?: string | null) => {
    // An RSVP's own pages, opened from its mail, speak the language it was made in.
    useLanguage(req, reply, rsvpLanguage)
    useCampaignLanguage(req, reply, campaign)
    const base = campaign.languages[0] ?? req.lang
    return { campaign: localizeRow(campaign, campaignTexts, req.lang, base), picket: picket ? picketView(picket, req.lang, base) : undefined, base }
  }

  /** The campaign by its slug, if the public may see it (a draft answers 404). */
  const publicCampaign = (slug: string) => {
    const campaign = app.campaigns.bySlug(slug)
    return campaign && pickets.isPublicCampaign(campaign) ? campaign : undefined
  }

  app.get<{ Params: { slug: string } }>('/campaigns/:slug/pickets', async (req, reply) => {
    const campaign = publicCampaign(req.params.slug)
    if (!campaign) return notFound(req, reply, 'campaign')
    const shown = speak(req, reply, campaign)
    const t = translator(req.lang)
    return reply.view('pickets/pickets', { title: t('pickets.list.pageTitle', { campaign: shown.campaign.title }), campaign: shown.campaign, countries: groupPickets(pickets.upcoming(campaign.id), req.lang, shown.base) })
  })

  app.get<{ Params: { slug: string } }>('/campaigns/:slug/pickets.ics', async (req, reply) => {
    const campaign = publicCampaign(req.params.slug)
    if (!campaign) return notFound(req, reply, 'campaign')
    return reply
      .type('text/calendar; charset=utf-8')
      .header('content-disposition', `inline; filename="${campaign.slug}-pickets.ics"`)
      .send(campaignFeed(campaign, pickets.feed(campaign.id), mail, app.clock()))
  })

  app.get<{ Params: { slug: string } }>(
    '/api/campaigns/:slug/pickets',
    {
      schema: {
        tags: ['public'],
        summary: "A campaign's coming pickets, soonest first",
        description: 'Pickets not over yet, cancelled ones too (`status`), with their places taken (`going`) and the waiting list. A draft campaign is not found.',
        params: slugParams,
        response: responses({ 200: z.array(publicPicket).describe('The pickets') }, [404, 422]),
      },
    },
    async (req, reply) => {
      const campaign = publicCampaign(req.params.slug)
      if (!campaign) return sendError(req, reply, 404, 'Campaign not found')
      return pickets.upcoming(campaign.id).map(picketJson)
    },
  )

  app.get<IdParams>(
    '/api/pickets/:id',
    { schema: { tags: ['public'], summary: 'One picket', params: picketParams, response: responses({ 200: publicPicket.describe('The picket') }, [404, 422]) } },
    async (req, reply) => {
      const found = pickets.publicPicket(parseId(req.params.id))
      if (!found) return sendError(req, reply, 404, 'Picket not found')
      return picketJson(found.picket)
    },
  )

  // One route for /pickets/12 and /pickets/12.ics: find-my-way cannot tell them apart by suffix.
  app.get<IdParams>('/pickets/:id', async (req, reply) => {
    const ics = req.params.id.endsWith('.ics')
    const found = pickets.publicPicket(parseId(ics ? req.params.id.slice(0, -4) : req.params.id))
    if (!found) return notFound(req, reply, 'picket')
    if (ics) {
      return reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', `attachment; filename="picket-${found.picket.id}.ics"`)
        .send(picketIcs(found.picket, found.campaign, mail, app.clock()))
    }
    return picketPage(req, reply, found.picket, found.campaign)
  })

  // Where every RSVP from the form leads, new or repeat alike: the link itself goes only to the mailbox.
  app.get<IdParams>('/pickets/:id/check-your-mailbox', async (req, reply) => {
    const found = pickets.publicPicket(parseId(req.params.id))
    if (!found) return notFound(req, reply, 'picket')
    const shown = speak(req, reply, found.campaign, found.picket)
    const t = translator(req.lang)
    return reply.view('pickets/rsvp-sent', { title: t('pickets.sent.pageTitle', { picket: shown.picket!.title }), campaign: shown.campaign, picket: shown.picket, confirming: found.campaign.confirmRsvps })
  })

  function picketPage(req: FastifyRequest, reply: FastifyReply, picket: Picket, campaign: Campaign, state: { values?: Record<string, string>; errors?: Record<string, string> } = {}, status = 200) {
    const shown = speak(req, reply, campaign, picket)
    const reason = closedText(req, picket)
    const t = translator(req.lang)
    const url = `${app.config.baseUrl}/pickets/${picket.id}`
    const p = shown.picket!
    return reply.code(status).view('pickets/picket', {
      title: p.title,
      // Link previews (og:image: the campaign's card) and the share links.
      og: openGraph({ baseUrl: app.config.baseUrl, path: `/pickets/${picket.id}`, lang: req.lang, baseLanguage: shown.base, title: p.title, description: `${p.local.date}, ${p.local.time} · ${p.venue}, ${p.city} — ${shown.campaign.title}`, campaignSlug: campaign.slug, type: 'article', languages: campaign.languages }),
      shareUrl: url,
      shareText: t('share.text.picket', { title: p.title }),
      campaign: shown.campaign,
      picket: shown.picket,
      closedReason: reason,
      values: state.values ?? {},
      errors: state.errors ?? {},
      hasErrors: Object.keys(state.errors ?? {}).length > 0,
      csrfToken: reason ? undefined : reply.generateCsrf(),
    })
  }

  app.post<IdParams & { Body: Record<string, unknown> }>('/pickets/:id/rsvps', { onRequest: rsvpLimit, preHandler: app.csrfProtection }, async (req, reply) => {
    const found = pickets.publicPicket(parseId(req.params.id))
    if (!found) return notFound(req, reply, 'picket')
    const { picket, campaign } = found
    useCampaignLanguage(req, reply, campaign)
    const reason = pickets.closedReason(picket)
    if (reason) return closed(req, reply, picket, reason)
    const sent = `/pickets/${picket.id}/check-your-mailbox`
    const body = req.body && typeof req.body === 'object' ? req.body : {}
    const values = Object.fromEntries(['name', 'email', 'consent'].filter((k) => typeof body[k] === 'string').map((k) => [k, String(body[k]).slice(0, 500)]))
    if (caughtInHoneypot(req)) return reply.redirect(sent, 303)
    const parsed = rsvpForm.safeParse(body)
    if (!parsed.success) return picketPage(req, reply, picket, campaign, { values, errors: fieldErrors(rsvpIssuesIn(issuesOf(parsed.error), req.lang)) }, 422)
    const result = pickets.rsvp(picket.id, { ...parsed.data, language: req.lang })
    if (result.kind === 'not_found') return notFound(req, reply, 'picket')
    if (result.kind === 'closed') return closed(req, reply, picket, result.reason)
    return reply.redirect(sent, 303)
  })

  /**
   * What answers before the body is judged, on the body as it came (the honeypot field is none of the
   * schema's): JSON only, the picket, an object, still open, and the honeypot.
   */
  const rsvpGate = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) return sendError(req, reply, 415, 'Send the RSVP as application/json')
    // A malformed id is a 422 naming it, as on GET /api/pickets/:id.
    const params = picketParams.safeParse(req.params)
    if (!params.success) throw new InputError(issuesOf(params.error))
    const found = pickets.publicPicket(parseId(params.data.id))
    if (!found) return sendError(req, reply, 404, 'Picket not found')
    const body = req.body
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return sendError(req, reply, 422, 'Invalid input', { issues: [{ path: [], message: 'The body must be a JSON object' }] })
    }
    const reason = pickets.closedReason(found.picket)
    if (reason) return sendError(req, reply, 409, reason)
    // The answer carries no link and no stored id: the RSVP's own link goes only to its mailbox.
    if (caughtInHoneypot(req)) return reply.code(201).send({ rsvp: pickets.standIn(found.picket) })
  }

  app.post<IdParams & { Body: z.output<typeof rsvpJson> }>(
    '/api/pickets/:id/rsvps',
    {
      onRequest: rsvpLimit,
      preValidation: rsvpGate,
      // The body's issues are answered below, in the RSVP rules' own words in the chosen language.
      attachValidation: true,
      schema: {
        tags: ['public'],
        summary: 'RSVP to a picket',
        description:
          'The answer is 201 `{"rsvp": {"id", "status"}}`: `pending_confirmation` when the campaign asks people to confirm from their mailbox (the link goes there, never into the answer), else `going` or `waitlisted` (the picket is full). The same address twice is one RSVP. Mail and messages follow `?lang=` or `Accept-Language` (English by default). A cancelled or started picket answers 409.',
        params: picketParams,
        body: rsvpJson,
        response: responses({ 201: rsvpAnswer.describe('The RSVP, taken') }, [400, 404, 409, 413, 415, 422, 429]),
      },
    },
    async (req, reply) => {
      const invalid = req.validationError
      if (invalid) {
        if (!(invalid instanceof InputError) || invalid.validationContext !== 'body') throw invalid
        // English unless the client asks for a language (?lang=, Accept-Language or the cookie).
        return sendError(req, reply, 422, 'Invalid input', { issues: rsvpIssuesIn(invalid.issues, req.langChosen ? req.lang : 'en') })
      }
      const result = pickets.rsvp(parseId(req.params.id), { ...req.body, language: req.langChosen ? req.lang : undefined })
      if (result.kind === 'not_found') return sendError(req, reply, 404, 'Picket not found')
      if (result.kind === 'closed') return sendError(req, reply, 409, result.reason)
      return reply.code(201).send({ rsvp: result.rsvp })
    },
  )

  // A GET only shows the page and its "Confirm my place" button: mail scanners open links, and must not confirm for anyone.
  app.get<TokenParams>('/rsvps/:token', async (req, reply) => manage(req, reply, req.params.token))

  app.post<TokenParams>('/rsvps/:token/confirm', { onRequest: rsvpLimit, preHandler: app.csrfProtection }, async (req, reply) => {
    const result = pickets.confirmRsvp(req.params.token)
    if (result.kind === 'not_found') return notFound(req, reply, 'link')
    if (result.kind === 'closed') {
      const found = pickets.lookup(req.params.token)
      return found ? closed(req, reply, found.picket, result.reason) : sendError(req, reply, 409, result.reason)
    }
    return reply.redirect(`/rsvps/${req.params.token}`, 303)
  })

  app.post<TokenParams>('/rsvps/:token/cancel', { preHandler: app.csrfProtection }, async (req, reply) => {
    const found = pickets.cancelRsvp(req.params.token)
    if (!found) return notFound(req, reply, 'link')
    return reply.redirect(`/rsvps/${req.params.token}`, 303)
  })

  app.get<TokenParams>('/rsvps/:token/stop-reminders', async (req, reply) => {
    const found = pickets.lookup(req.params.token)
    if (!found) return notFound(req, reply, 'link')
    const shown = speak(req, reply, found.campaign, found.picket, found.rsvp.language)
    const t = translator(req.lang)
    const title = found.rsvp.remindersStopped ? t('pickets.stop.stoppedTitle') : t('pickets.stop.button')
    return reply.view('pickets/stop-reminders', { title, found, picket: shown.picket, token: req.params.token, manageHref: `/rsvps/${encodeURIComponent(req.params.token)}`, csrfToken: reply.generateCsrf(), stopped: found.rsvp.remindersStopped })
  })

  // RFC 8058 one-click: mail clients POST here without our CSRF token; the token in the URL is the proof.
  app.post<TokenParams & { Body: Record<string, unknown> }>('/rsvps/:token/stop-reminders', async (req, reply) => {
    const found = pickets.stopReminders(req.params.token)
    if (!found) return notFound(req, reply, 'link')
    const shown = speak(req, reply, found.campaign, found.picket, found.rsvp.language)
    const t = translator(req.lang)
    return reply.view('pickets/stop-reminders', { title: t('pickets.stop.stoppedTitle'), found, picket: shown.picket, token: req.params.token, manageHref: `/rsvps/${encodeURIComponent(req.params.token)}`, stopped: true })
  })

  function manage(req: FastifyRequest, reply: FastifyReply, token: string) {
    const found = pickets.lookup(token)
    if (!found) return notFound(req, reply, 'linkCopy')
    const shown = speak(req, reply, found.campaign, found.picket, found.rsvp.language)
    const picket = shown.picket!
    const closed = closedText(req, found.picket)
    const t = translator(req.lang)
    const pending = found.rsvp.status === 'pending_confirmation'
    return reply.view('pickets/rsvp', {
      title: t('pickets.rsvp.pageTitle', { picket: picket.title }),
      found,
      picket,
      campaign: shown.campaign,
      pending,
      canConfirm: pending && !closed,
      closedReason: closed,
      going: found.rsvp.status === 'going',
      waitlisted: found.rsvp.status === 'waitlisted',
      cancelled: found.rsvp.status === 'cancelled',
      picketCancelled: found.picket.status === 'cancelled',
      canCancel: found.rsvp.status !== 'cancelled' && !closed,
      token,
      csrfToken: reply.generateCsrf(),
    })
  }
}
