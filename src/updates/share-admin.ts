import type { FastifyInstance } from 'fastify'
import { campaignScope } from '../admin/access.js'
import { isLanguage, LANGUAGE_NAMES, translator, type Language } from '../i18n/index.js'
import { localizeRow } from '../i18n/content.js'
import { campaignTexts } from '../db/schema/index.js'
import { CARD_SIZE } from '../views/open-graph.js'

/** The widget's frame in a union website: wide enough for a phone, tall enough for a long title. */
const WIDGET_HEIGHT = 260

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/**
 * Back office: "Share and embed" (/admin/campaigns/:id/share) — the snippets to copy for the widget,
 * the badge, the campaign link and the card, in one of the campaign's languages (?snippets=ru; by
 * default the page's, when the campaign speaks it, else its first).
 */
export default async function shareAdminRoutes(app: FastifyInstance) {
  await app.register(async (scoped) => {
    scoped.addHook('preHandler', campaignScope)
    scoped.get<{ Params: { id: string }; Querystring: { snippets?: unknown } }>('/campaigns/:id/share', async (req, reply) => {
      const campaign = req.campaign!
      const t = translator(req.lang)
      const languages = campaign.languages.filter(isLanguage)
      const first: Language = languages[0] ?? 'en'
      const asked = req.query.snippets
      const lang: Language = isLanguage(asked) && languages.includes(asked) ? asked : languages.includes(req.lang) ? req.lang : first
      const texts = localizeRow(campaign, campaignTexts, lang, campaign.languages[0] ?? lang)
      const st = translator(lang)
      const base = app.config.baseUrl
      const slug = encodeURIComponent(campaign.slug)
      const page = `${base}/campaigns/${slug}?lang=${lang}`
      const widget = `${base}/campaigns/${slug}/widget?lang=${lang}`
      const badge = `${base}/campaigns/${slug}/badge.svg?lang=${lang}`
      const card = `${base}/campaigns/${slug}/card.png?lang=${lang}`
      const tally = app.campaigns.publicTally(campaign)
      const title = escapeHtml(texts.title)
      return reply.view('updates/share-admin', {
        title: t('share.admin.pageTitle', { campaign: campaign.title }),
        campaign,
        baseLang: campaign.languages[0],
        isDraft: campaign.status === 'draft',
        languages: languages.map((code) => ({ code, name: LANGUAGE_NAMES[code], current: code === lang, href: `/admin/campaigns/${campaign.id}/share?snippets=${code}` })),
        several: languages.length > 1,
        snippetLang: lang,
        snippets: {
          widget: `<iframe src="${escapeHtml(widget)}" title="${title}" width="100%" height="${WIDGET_HEIGHT}" style="border:0;max-width:40rem" loading="lazy"></iframe>`,
          badge: `<a href="${escapeHtml(page)}"><img src="${escapeHtml(badge)}" alt="${escapeHtml(st('share.badge.label', { count: tally.total, title: texts.title }))}" height="28"></a>`,
          link: page,
          card,
        },
        // The previews load from this site (frame-src and img-src 'self'), in the snippets' language.
        preview: { widget: `/campaigns/${slug}/widget?lang=${lang}`, card: `/campaigns/${slug}/card.png?lang=${lang}`, badge: `/campaigns/${slug}/badge.svg?lang=${lang}` },
        cardSize: CARD_SIZE,
      })
    })
  })
}
