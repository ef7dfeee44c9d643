import { openGraph } from '../views/open-graph.js'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Feed } from 'feed'
import unsubscribeRoutes from './unsubscribe-routes.js'
import shareRoutes from './share-routes.js'
import { sendError } from '../errors.js'
import { translator, isLanguage, type Language } from '../i18n/index.js'
import { localize, localizeRow } from '../i18n/content.js'
import { useCampaignLanguage } from '../i18n/plugin.js'
import { campaignTexts, type Campaign } from '../db/schema/index.js'

const PER_PAGE = 20
const FEED_ENTRIES = 50

const parseId = (raw: string) => (/^[1-9][0-9]{0,9}$/.test(raw) ? Number(raw) : 0)
const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

type SlugParams = { Params: { slug: string } }

/** Public: a campaign's updates, one update, their Atom feed; and unsubscribing and sharing. */
export default async function updateRoutes(app: FastifyInstance) {
  await app.register(unsubscribeRoutes)
  await app.register(shareRoutes)

  const base = app.config.baseUrl.replace(/\/+$/, '')

  const notFound = (req: FastifyRequest, reply: FastifyReply, what: 'campaign' | 'update') =>
    sendError(req, reply, 404, what === 'campaign' ? (t) => t('updates.notFound.campaign') : (t) => t('updates.notFound.update'))

  /** The campaign's pages speak its first language unless the visitor chose one. */
  const speak = (req: FastifyRequest, reply: FastifyReply, campaign: Campaign) => {
    useCampaignLanguage(req, reply, campaign)
    return localizeRow(campaign, campaignTexts, req.lang, campaign.languages[0] ?? req.lang)
  }

  app.get<SlugParams & { Querystring: { page?: string } }>('/campaigns/:slug/updates', async (req, reply) => {
    const campaign = app.campaigns.publicBySlug(req.params.slug)
    if (!campaign) return notFound(req, reply, 'campaign')
    const texts = speak(req, reply, campaign)
    const page = Math.max(1, parseId(String(req.query.page ?? '1')) || 1)
    const total = app.updates.publishedCount(campaign.id)
    const updates = app.updates.published(campaign, req.lang, { limit: PER_PAGE, offset: (page - 1) * PER_PAGE })
    const t = translator(req.lang)
    const path = `/campaigns/${campaign.slug}/updates`
    return reply.view('updates/updates', {
      title: t('updates.list.pageTitle', { campaign: texts.title }),
      campaign: texts,
      updates,
      older: page * PER_PAGE < total ? `${path}?page=${page + 1}` : undefined,
      newer: page > 1 ? (page === 2 ? path : `${path}?page=${page - 1}`) : undefined,
    })
  })

  app.get<SlugParams>('/campaigns/:slug/updates.atom', async (req, reply) => {
    const campaign = app.campaigns.publicBySlug(req.params.slug)
    if (!campaign) return notFound(req, reply, 'campaign')
    // A feed reader sends no language: ?lang= or the campaign's first.
    const asked = (req.query as Record<string, unknown>).lang
    const lang: Language = isLanguage(asked) ? asked : isLanguage(campaign.languages[0]) ? campaign.languages[0] : 'en'
    const first = campaign.languages[0] ?? lang
    const texts = localize(campaign, campaignTexts, lang, first)
    const t = translator(lang)
    const rows = app.updates.publishedRows(campaign.id, FEED_ENTRIES)
    const page = `${base}/campaigns/${campaign.slug}`
    const suffix = isLanguage(asked) ? `?lang=${lang}` : ''
    const feed = new Feed({
      id: `${page}/updates`,
      title: t('updates.atom.title', { campaign: texts.title }),
      description: texts.summary,
      link: `${page}${suffix}`,
      language: lang,
      updated: rows.reduce<Date>((latest, u) => (u.updatedAt > latest ? u.updatedAt : latest), rows[0]?.publishedAt ?? campaign.createdAt),
      generator: 'Outcry',
      feedLinks: { atom: `${page}/updates.atom${suffix}` },
      ...(app.config.organisation?.name ? { author: { name: app.config.organisation.name, ...(app.config.organisation.url ? { link: app.config.organisation.url } : {}) } } : {}),
    })
    for (const row of rows) {
      const view = app.updates.view(row, campaign, lang)
      feed.addItem({
        title: view.title,
        id: `${page}/updates/${row.id}`,
        link: `${page}/updates/${row.id}${suffix}`,
        date: row.updatedAt,
        published: row.publishedAt ?? row.createdAt,
        content: view.html,
      })
    }
    // Atom's own language attribute (the library writes none).
    const xml = feed.atom1().replace(/<feed(\s)/, `<feed xml:lang="${xmlEscape(lang)}"$1`)
    return reply.type('application/atom+xml; charset=utf-8').header('content-language', lang).send(xml)
  })

  app.get<SlugParams & { Params: { id: string } }>('/campaigns/:slug/updates/:id', async (req, reply) => {
    const campaign = app.campaigns.publicBySlug(req.params.slug)
    if (!campaign) return notFound(req, reply, 'campaign')
    const row = app.updates.publishedOne(campaign, parseId(req.params.id))
    if (!row) return notFound(req, reply, 'update')
    const texts = speak(req, reply, campaign)
    const update = app.updates.view(row, campaign, req.lang)
    return reply.view('updates/update', {
      title: update.title,
      campaign: texts,
      update,
      shareUrl: `${base}${update.url}`,
      // Shared on social sites: the campaign's card, the update's title and its opening words.
      og: openGraph({ baseUrl: base, path: `/campaigns/${campaign.slug}/updates/${row.id}`, lang: req.lang, baseLanguage: row.language, title: update.title, description: update.excerpt, campaignSlug: campaign.slug, type: 'article', languages: campaign.languages }),
    })
  })
}
