import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Campaign } from '../db/schema/index.js'
import { sendError } from '../errors.js'
import { CampaignPageCache, withTally } from './page.js'
import { sendPhoto } from './photos.js'
import { countryName, isCountryCode } from '../countries.js'
import { officialsForCountry } from './queries.js'
import { z } from 'zod'
import { countryCode } from '../validation.js'
import { dateTime, responses } from '../openapi.js'
import { slugParams } from './api-schemas.js'
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
  // The public API finds the campaign before judging the query: an unknown one is a 404 whatever is asked.
  const publicCampaign = new WeakMap<FastifyRequest, Campaign>()
  async function findPublicCampaign(req: FastifyRequest, reply: FastifyReply) {
    const campaign = campaigns.publicBySlug(String((req.params as { slug?: unknown }).slug))
    if (!campaign) return sendError(req, reply, 404, (t) => t('errors.campaignNotFound'))
    publicCampaign.set(req, campaign)
  }

  app.get<SlugParams & { Querystring: { country?: string } }>(
    '/api/campaigns/:slug',
    {
      preValidation: findPublicCampaign,
      schema: {
        tags: ['public'],
        summary: 'A campaign as its page shows it: its texts, the people it is for and the officials to write to',
        description:
          'No token. `?lang=ru` (or Accept-Language) gives the organizers’ texts in that language where they wrote them: `language` says which was asked for, `fallback` lists the texts given in the campaign’s first language (`fallbackLanguage`) instead. Drafts are not public (404).',
        params: slugParams,
        querystring: z.object({
          country: publicCountry
            .describe('The supporter’s country (ISO 3166-1 alpha-2, any case; empty for none): its officials (an embassy there) come first, marked `suggested`')
            .meta({ examples: ['GB'] }),
        }),
        response: responses({ 200: publicCampaignOut.describe('The campaign') }, [404, 422]),
      },
    },
    async (req, reply) => {
      const campaign = publicCampaign.get(req)!
      // An empty `country=` (a form's unchosen select) means no country; anything else was an ISO code (the schema).
      const country = req.query.country
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
    },
  )

  app.get<SlugParams>(
    '/api/campaigns/:slug/tally',
    {
      preValidation: findPublicCampaign,
      schema: {
        tags: ['public'],
        summary: 'The campaign’s tally: letters so far, against its goal',
        description:
          'No token. Read from stored counters; where the campaign does not confirm letters the figures move only every few minutes (PUBLIC_COUNT_DELAY), so a watcher cannot tie a change to one submission.',
        params: slugParams,
        response: responses({ 200: tallyOut.describe('The tally') }, [404]),
      },
    },
    async (req) => campaigns.publicTally(publicCampaign.get(req)!),
  )
}

// ---------------------------------------------------------------------------- the public API's schemas

/** A supporter's country in a query: an ISO code in any case, or empty for none. */
const publicCountry = z.preprocess((v) => (v === '' ? undefined : v), countryCode.meta({ pattern: '^[A-Za-z]{2}$' }).optional())

const fallbackOut = z.array(z.string()).describe('The texts given in the campaign’s first language, for want of one in the language asked for')
const publicCampaignOut = z.object({
  slug: z.string(),
  language: z.string().describe('The language asked for (`?lang=`, Accept-Language), else the campaign’s first'),
  title: z.string(),
  summary: z.string(),
  story: z.string(),
  fallback: fallbackOut,
  fallbackLanguage: z.string().describe('The campaign’s first language'),
  goal: z.int().positive().describe('Letters the campaign aims for'),
  status: z.enum(['live', 'closed']).describe('closed: it takes no more letters'),
  languages: z.array(z.string()),
  people: z.array(z.object({ id: z.int().positive(), name: z.string(), status: z.string(), detail: z.string(), statusChangedOn: z.string().nullable().describe('YYYY-MM-DD'), fallback: fallbackOut })),
  targets: z
    .array(z.object({ id: z.int().positive().describe('What a letter names in `targetId`'), name: z.string(), title: z.string(), country: z.string(), suggested: z.boolean().describe('An official for the `country` asked'), fallback: fallbackOut }))
    .describe('The officials to write to, those for the `country` asked first'),
})

const tallyOut = z.object({
  goal: z.int().positive(),
  letters: z.int().nonnegative().describe('Letters written online that count'),
  offline: z.int().nonnegative().describe('Letters posted on paper, reported by groups'),
  total: z.int().nonnegative(),
  byTarget: z.array(z.object({ targetId: z.int().positive(), name: z.string(), letters: z.int().nonnegative() })).describe('Online letters per official'),
  updatedAt: dateTime.describe('When the figures last moved'),
})
