import type { FastifyInstance } from 'fastify'
import { sendError } from '../errors.js'
import { CampaignPageCache, withTally } from './page.js'
import { sendPhoto } from './photos.js'
import { countryName, isCountryCode } from '../countries.js'
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
      return withTally(app, localizeRow(c, campaignTexts, req.lang, c.languages[0] ?? req.lang))
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

  /**
   * The thank-you page names the officials written to and the nearest picket: `?to=3,4` (officials'
   * ids: public, like the officials themselves) and `?country=GB`. A country in a URL reaches our
   * access logs, but it is coarse (one of some 250, already less than the IP address beside it), the
   * supporter's own choice on a public form, and it leaves the page with no referrer (helmet sends
   * Referrer-Policy: no-referrer); no name, email or city ever goes in the address. The same form gives
   * the same address whether the letter was new, a repeat or caught by the honeypot.
   */
  app.get<SlugParams & { Querystring: { confirmed?: string; to?: unknown; country?: unknown } }>('/campaigns/:slug/thanks', async (req, reply) => {
    const campaign = campaigns.publicBySlug(req.params.slug)
    if (!campaign) return sendError(req, reply, 404, (t) => t('errors.noCampaign'))
    useCampaignLanguage(req, reply, campaign)
    const t = translator(req.lang)
    const url = `${app.config.baseUrl}/campaigns/${campaign.slug}`
    const base = campaign.languages[0] ?? req.lang
    const texts = localizeRow(campaign, campaignTexts, req.lang, base)
    const asked = new Set(String(typeof req.query.to === 'string' ? req.query.to : '').split(',').slice(0, 50).map(Number).filter((n) => Number.isInteger(n) && n > 0))
    const officials = campaigns
      .targets(campaign.id)
      .filter((o) => asked.has(o.id))
      .map((o) => localize(o, targetTexts, req.lang, base))
    const code = typeof req.query.country === 'string' ? req.query.country.trim().toUpperCase() : ''
    const country = isCountryCode(code) ? code : undefined
    const places = app.pickets.upcomingByPlace(campaign.id, { lang: req.lang, baseLanguage: base })
    const theirs = places.find((c) => c.code === country)
    // The first to start in their country (the city is not carried: it would say more than the country).
    const picket = theirs?.cities.flatMap((c) => c.pickets).sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())[0]
    return reply.view('campaigns/thanks', {
      title: t('thanks.title', { title: texts.title }),
      campaign: withTally(app, texts),
      url,
      shareText: t('thanks.shareText', { title: texts.title }),
      // Which page to show depends on the campaign, never on whether this address wrote before.
      awaitingConfirmation: campaign.confirmLetters && req.query.confirmed === undefined,
      confirmed: req.query.confirmed !== undefined,
      officials,
      picket,
      anyPickets: places.length > 0,
      countryName: country ? countryName(country, req.lang) : undefined,
    })
  })

  // The people's photos, linked from the campaign page with their version (?v=): cached for good.
  app.get<SlugParams & { Params: { personId: string }; Querystring: { v?: unknown } }>('/campaigns/:slug/people/:personId/photo', async (req, reply) => {
    const campaign = campaigns.publicBySlug(req.params.slug)
    const sent = campaign && (await sendPhoto(app.db, campaign, req.params.personId, req.query.v, reply))
    if (!sent) return sendError(req, reply, 404, (t) => t('page.photo.notFound'))
    return sent
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
