import type { FastifyInstance } from 'fastify'
import { sendError } from '../errors.js'
import { CampaignPageCache } from './page.js'
import { officialsForCountry } from './queries.js'
import { countryCode, issuesOf } from '../validation.js'
import { translator } from '../i18n/index.js'
import { localize, localizeRow } from '../i18n/content.js'
import { useCampaignLanguage } from '../i18n/plugin.js'
import { campaignTexts, personTexts, targetTexts } from '../db/schema/index.js'

type SlugParams = { Params: { slug: string } }

export default async function campaignRoutes(app: FastifyInstance) {
  const campaigns = app.campaigns
  const pages = new CampaignPageCache()

  app.get('/', async (req, reply) => {
    // Each campaign's figures as the public sees them (see publicTally).
    const listed = campaigns.listed().map((c) => {
      const tally = campaigns.publicTally(c)
      return { ...localizeRow(c, campaignTexts, req.lang, c.languages[0] ?? req.lang), lettersCount: tally.letters, offlineCount: tally.offline }
    })
    const t = translator(req.lang)
    return reply.view('campaigns/home', { title: t('home.title'), campaigns: listed })
  })

  app.get<SlugParams>('/campaigns/:slug', async (req, reply) => {
    const campaign = campaigns.publicBySlug(req.params.slug)
    if (!campaign) return sendError(req, reply, 404, (t) => t('errors.noCampaign'))
    useCampaignLanguage(req, reply, campaign)
    return pages.send(reply, app, campaign)
  })

  app.get<SlugParams & { Querystring: { confirmed?: string } }>('/campaigns/:slug/thanks', async (req, reply) => {
    const campaign = campaigns.publicBySlug(req.params.slug)
    if (!campaign) return sendError(req, reply, 404, (t) => t('errors.noCampaign'))
    useCampaignLanguage(req, reply, campaign)
    const t = translator(req.lang)
    const url = `${app.config.baseUrl}/campaigns/${campaign.slug}`
    const texts = localizeRow(campaign, campaignTexts, req.lang, campaign.languages[0] ?? req.lang)
    return reply.view('campaigns/thanks', {
      title: t('thanks.title', { title: texts.title }),
      campaign: texts,
      url,
      shareText: t('thanks.shareText', { title: texts.title }),
      // Which page to show depends on the campaign, never on whether this address wrote before.
      awaitingConfirmation: campaign.confirmLetters && req.query.confirmed === undefined,
      confirmed: req.query.confirmed !== undefined,
    })
  })

  // `?country=GB`: the officials for supporters from that country (the embassy in London) first, `suggested: true`.
  app.get<SlugParams & { Querystring: { country?: unknown } }>('/api/campaigns/:slug', async (req, reply) => {
    const campaign = campaigns.publicBySlug(req.params.slug)
    if (!campaign) return sendError(req, reply, 404, (t) => t('errors.campaignNotFound'))
    let country: string | undefined
    // An empty `country=` (a form's unchosen select) means no country; anything else must be an ISO code.
    if (req.query.country !== undefined && req.query.country !== '') {
      const parsed = countryCode.safeParse(req.query.country)
      if (!parsed.success) return sendError(req, reply, 422, (t) => t('errors.invalidInput'), { issues: issuesOf(parsed.error).map((i) => ({ ...i, path: ['country'] })) })
      country = parsed.data
    }
    // `?lang=ru` (or Accept-Language): the organizers' texts in Russian where they wrote them; `language`
    // says which was asked for, and `fallback` lists the texts given in the campaign's first language instead.
    const lang = req.langChosen ? req.lang : (campaign.languages[0] ?? req.lang)
    const base = campaign.languages[0] ?? lang
    const texts = localize(campaign, campaignTexts, lang, base)
    const fallback = (langs: Record<string, string | undefined>) => Object.keys(langs)
    return {
      slug: campaign.slug,
      language: lang,
      title: texts.title,
      summary: texts.summary,
      story: texts.story,
      fallback: fallback(texts.langs),
      fallbackLanguage: base,
      goal: campaign.goal,
      status: campaign.status,
      languages: campaign.languages,
      people: campaigns.people(campaign.id).map((p) => {
        const person = localize(p, personTexts, lang, base)
        return { id: p.id, name: person.name, status: person.status, detail: person.detail, statusChangedOn: p.statusChangedOn, fallback: fallback(person.langs) }
      }),
      targets: officialsForCountry(campaigns.targets(campaign.id), country).map((t) => {
        const official = localize(t, targetTexts, lang, base)
        return { id: t.id, name: official.name, title: official.title, country: t.country, suggested: t.suggested, fallback: fallback(official.langs).filter((f) => f !== 'salutation') }
      }),
    }
  })

  app.get<SlugParams>('/api/campaigns/:slug/tally', async (req, reply) => {
    const campaign = campaigns.publicBySlug(req.params.slug)
    if (!campaign) return sendError(req, reply, 404, (t) => t('errors.campaignNotFound'))
    return campaigns.publicTally(campaign)
  })
}
