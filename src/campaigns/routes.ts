import type { FastifyInstance } from 'fastify'
import { sendError } from '../errors.js'
import { CampaignPageCache } from './page.js'
import { officialsForCountry } from './queries.js'
import { countryCode, issuesOf } from '../validation.js'
import { translator } from '../i18n/index.js'

type SlugParams = { Params: { slug: string } }

export default async function campaignRoutes(app: FastifyInstance) {
  const campaigns = app.campaigns
  const pages = new CampaignPageCache()

  app.get('/', async (req, reply) => {
    // Each campaign's figures as the public sees them (see publicTally).
    const listed = campaigns.listed().map((c) => {
      const tally = campaigns.publicTally(c)
      return { ...c, lettersCount: tally.letters, offlineCount: tally.offline }
    })
    const t = translator(req.lang)
    return reply.view('campaigns/home', { title: t('home.title'), campaigns: listed })
  })

  app.get<SlugParams>('/campaigns/:slug', async (req, reply) => {
    const campaign = campaigns.publicBySlug(req.params.slug)
    if (!campaign) return sendError(req, reply, 404, (t) => t('errors.noCampaign'))
    return pages.send(reply, app, campaign)
  })

  app.get<SlugParams & { Querystring: { confirmed?: string } }>('/campaigns/:slug/thanks', async (req, reply) => {
    const campaign = campaigns.publicBySlug(req.params.slug)
    if (!campaign) return sendError(req, reply, 404, (t) => t('errors.noCampaign'))
    const t = translator(req.lang)
    const url = `${app.config.baseUrl}/campaigns/${campaign.slug}`
    return reply.view('campaigns/thanks', {
      title: t('thanks.title', { title: campaign.title }),
      campaign,
      url,
      shareText: t('thanks.shareText', { title: campaign.title }),
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
    return {
      slug: campaign.slug,
      title: campaign.title,
      goal: campaign.goal,
      status: campaign.status,
      languages: campaign.languages,
      targets: officialsForCountry(campaigns.targets(campaign.id), country).map((t) => ({
        id: t.id,
        name: t.name,
        title: t.title,
        country: t.country,
        suggested: t.suggested,
      })),
    }
  })

  app.get<SlugParams>('/api/campaigns/:slug/tally', async (req, reply) => {
    const campaign = campaigns.publicBySlug(req.params.slug)
    if (!campaign) return sendError(req, reply, 404, (t) => t('errors.campaignNotFound'))
    return campaigns.publicTally(campaign)
  })
}
