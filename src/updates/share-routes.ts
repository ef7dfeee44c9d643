import type { FastifyInstance, FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify'
import { sendError } from '../errors.js'
import { directionOf, isLanguage, translator, type Language } from '../i18n/index.js'
import { localizeRow } from '../i18n/content.js'
import { renderPartial } from '../views/plugin.js'
import { campaignTexts, type Campaign } from '../db/schema/index.js'
import { badgeSvg, DrawnCache, renderCard } from './share.js'

type SlugParams = { Params: { slug: string }; Querystring: { lang?: unknown } }

/** Drawn things are the same for everyone for a minute: shared caches may keep them. */
export const SHARE_CACHE_CONTROL = 'public, max-age=60'

/**
 * What is fetched by other sites and crawlers carries no cookie: the `lang` cookie the ?lang= of the
 * address would set is dropped, so a shared cache can keep the answer (route-level onSend runs after
 * the cookie plugin's).
 */
const noCookie: onSendHookHandler = (_req, reply, payload, done) => {
  reply.removeHeader('set-cookie')
  done(null, payload)
}

/**
 * The one route other sites may frame: its Content-Security-Policy is the app's with
 * frame-ancestors opened, and no X-Frame-Options. Every other route keeps refusing framing.
 */
export function allowFraming(reply: FastifyReply) {
  const csp = reply.getHeader('content-security-policy')
  const policy = typeof csp === 'string' && csp ? csp : "default-src 'self'"
  reply.header('content-security-policy', /frame-ancestors [^;]*/.test(policy) ? policy.replace(/frame-ancestors [^;]*/, 'frame-ancestors *') : `${policy};frame-ancestors *`)
  reply.removeHeader('x-frame-options')
  // Framed pages and their images are read from other origins.
  reply.header('cross-origin-resource-policy', 'cross-origin')
}

/** Spreading a campaign: its share card (card.png), the widget for union websites, the badge. */
export default async function shareRoutes(app: FastifyInstance) {
  const cards = new DrawnCache(app.clock)
  const badges = new DrawnCache(app.clock)

  /**
   * The campaign, and the language these answer in: ?lang= when we speak it, else the campaign's first.
   * Never the cookie or Accept-Language: a link shared or embedded shows the same to everyone.
   */
  const shown = (req: FastifyRequest<SlugParams>) => {
    const campaign = app.campaigns.publicBySlug(req.params.slug)
    if (!campaign) return null
    const first = campaign.languages[0]
    const lang: Language = isLanguage(req.query.lang) ? req.query.lang : isLanguage(first) ? first : 'en'
    req.lang = lang
    return { campaign, lang, texts: localizeRow(campaign, campaignTexts, lang, first ?? lang) }
  }

  /** The public tally in words of the language: '11 000 letters', 'Goal: 20 000'. */
  const figures = (campaign: Campaign, lang: Language) => {
    const tally = app.campaigns.publicTally(campaign)
    const t = translator(lang)
    return {
      total: tally.total,
      goal: tally.goal,
      count: t('share.card.count', { count: tally.total }),
      goalText: t('share.card.goal', { goal: tally.goal }),
      progress: tally.goal > 0 ? tally.total / tally.goal : 0,
    }
  }

  const send = (req: FastifyRequest, reply: FastifyReply, type: string, drawn: { body: Buffer; etag: string }) => {
    reply.header('cache-control', SHARE_CACHE_CONTROL).header('etag', drawn.etag).header('cross-origin-resource-policy', 'cross-origin')
    const match = req.headers['if-none-match']
    if (match && match.split(',').some((m) => m.trim().replace(/^W\//, '') === drawn.etag)) return reply.code(304).send()
    return reply.type(type).send(drawn.body)
  }

  app.get<SlugParams>('/campaigns/:slug/card.png', { onSend: noCookie }, async (req, reply) => {
    const found = shown(req)
    if (!found) return sendError(req, reply, 404, (t) => t('errors.noCampaign'))
    const { campaign, lang, texts } = found
    const f = figures(campaign, lang)
    const organisation = app.config.organisation.name
    const content = { title: texts.title, count: f.count, goal: f.goalText, progress: f.progress, organisation, lang }
    const drawn = await cards.get(`${campaign.id}:${lang}`, () => JSON.stringify(content), () => renderCard(content))
    return send(req, reply, 'image/png', drawn)
  })

  app.get<SlugParams>('/campaigns/:slug/badge.svg', { onSend: noCookie }, async (req, reply) => {
    const found = shown(req)
    if (!found) return sendError(req, reply, 404, (t) => t('errors.noCampaign'))
    const { campaign, lang, texts } = found
    const f = figures(campaign, lang)
    const t = translator(lang)
    const content = { count: f.count, title: texts.title, lang: texts.langs.title ?? lang, label: t('share.badge.label', { count: f.total, title: texts.title }) }
    const drawn = await badges.get(`${campaign.id}:${lang}`, () => JSON.stringify(content), () => Buffer.from(badgeSvg(content)))
    return send(req, reply, 'image/svg+xml; charset=utf-8', drawn)
  })

  app.get<SlugParams>('/campaigns/:slug/widget', { onSend: noCookie }, async (req, reply) => {
    const found = shown(req)
    if (!found) return sendError(req, reply, 404, (t) => t('errors.noCampaign'))
    const { campaign, lang, texts } = found
    const f = figures(campaign, lang)
    allowFraming(reply)
    const html = renderPartial('../updates/widget', {
      lang,
      dir: directionOf(lang),
      title: texts.title,
      titleLang: texts.langs.title,
      total: f.total,
      value: Math.min(f.total, f.goal),
      goal: f.goal,
      count: f.count,
      goalText: f.goalText,
      open: app.campaigns.isOpen(campaign),
      url: `${app.config.baseUrl}/campaigns/${encodeURIComponent(campaign.slug)}?lang=${lang}`,
      organisation: app.config.organisation.name,
    })
    return reply.header('cache-control', SHARE_CACHE_CONTROL).type('text/html; charset=utf-8').send(html)
  })
}

