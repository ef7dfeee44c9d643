import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { campaignTexts, personTexts, type Campaign } from '../db/schema/index.js'
import { localizeRow } from '../i18n/content.js'
import { renderPartial } from '../views/plugin.js'
import { openGraph } from '../views/open-graph.js'
import { languageLocals } from '../i18n/plugin.js'
import type { Language } from '../i18n/index.js'
import { isCountryCode } from '../countries.js'
import { photoMetas } from './photos.js'

/** What the supporter typed, and what was wrong with it, when the letter form comes back. */
type LetterFormState = NonNullable<Parameters<FastifyInstance['letters']['formView']>[1]>

const CSRF_MARK = '__outcry_csrf__'
const TALLY_MARK = '<!--outcry:tally-->'

/**
 * The untouched campaign page is the one a surge hits: it is rendered at most once a second per
 * campaign, with the two parts that cannot wait — the tally and the visitor's CSRF token — put in
 * per request. Edits by organizers show within a second.
 */
export class CampaignPageCache {
  private pages = new Map<string, { parts: string[]; at: number; version: string; picketCountries: Set<string> }>()
  constructor(private ttlMs = 1000) {}

  async send(reply: FastifyReply, app: FastifyInstance, campaign: Campaign) {
    const now = Date.now()
    // A change to the campaign itself (opened, closed, edited) shows at once; the rest within the TTL.
    const version = `${campaign.status}|${campaign.updatedAt.getTime()}`
    // One page per campaign and language; its links to other languages use the campaign's own address.
    const base = `${campaign.id}:${reply.request.lang}`
    // The pickets in the visitor's country (their Accept-Language region) come first: one more page per
    // country that has pickets, shared by everyone there — nothing of one visitor is kept in it.
    const region = acceptRegion(reply.request)
    const near = region && this.pages.get(`${base}:`)?.picketCountries.has(region) ? region : ''
    const key = `${base}:${near}`
    let entry = this.pages.get(key)
    if (!entry || entry.version !== version || now - entry.at >= this.ttlMs) {
      const locals = { ...reply.locals, ...languageLocals(reply.request, `/campaigns/${campaign.slug}`) }
      const data = campaignPageData(app, campaign, { lang: reply.request.lang }, CSRF_MARK, TALLY_MARK, near || undefined)
      const html = await reply.server.view('campaigns/campaign', { ...locals, ...data })
      // Split once at the two marks, so a request joins pieces instead of searching 17 KB twice.
      const [head = '', rest = ''] = html.split(TALLY_MARK)
      entry = { parts: [head, ...rest.split(CSRF_MARK)], at: now, version, picketCountries: new Set(data.pickets.map((c) => c.code)) }
      if (this.pages.size > 1000) this.pages.clear()
      this.pages.set(key, entry)
    }
    const [head, middle, ...tail] = entry.parts
    const csrf = tail.length ? reply.generateCsrf() : ''
    // The tally is the one part rendered per request: in the page's language (11,000 · 11 000).
    return reply.type('text/html; charset=utf-8').send(head + progressHtml(app, campaign, reply.request.lang) + middle + (tail.length ? csrf + tail.join(csrf) : ''))
  }
}

/** The campaign page, used for a preview and a form with errors (uncached). */
export function renderCampaignPage(
  reply: FastifyReply,
  app: FastifyInstance,
  campaign: Campaign,
  state: LetterFormState = {},
  status = 200,
) {
  const csrfToken = app.campaigns.isOpen(campaign) ? reply.generateCsrf() : undefined
  const lang = reply.request.lang
  const near = supporterCountryOf(state.values?.country) ?? acceptRegion(reply.request)
  return reply.code(status).view('campaigns/campaign', campaignPageData(app, campaign, { lang, ...state }, csrfToken, progressHtml(app, campaign, lang), near))
}

function campaignPageData(app: FastifyInstance, campaign: Campaign, state: LetterFormState, csrfToken: string | undefined, tallyHtml: string, near?: string) {
  // The organizers' texts in the page's language; those not translated yet in the first, marked with it.
  const lang = state.lang ?? 'en'
  const base = campaign.languages[0] ?? lang
  const texts = localizeRow(campaign, campaignTexts, lang, base)
  const updates = app.updates.pageData(campaign.id, lang, base)
  const people = app.campaigns.people(campaign.id)
  const photos = photoMetas(app.db, people.map((p) => p.id))
  const { organisation } = app.config
  return {
    title: texts.title,
    og: openGraph({ baseUrl: app.config.baseUrl, path: `/campaigns/${campaign.slug}`, lang, baseLanguage: base, title: texts.title, description: texts.summary, campaignSlug: campaign.slug, languages: campaign.languages }),
    tallyHtml,
    campaign: texts,
    people: people.map((p) => {
      const person = localizeRow(p, personTexts, lang, base)
      const photo = photos.get(p.id)
      return {
        ...person,
        // Served with the page (img-src 'self'); the version in the address lets it be cached for good.
        photo: photo && {
          src: `/campaigns/${encodeURIComponent(campaign.slug)}/people/${p.id}/photo?v=${photo.updatedAt.getTime()}`,
          width: photo.width,
          height: photo.height,
          alt: photo.alt,
          // The alt text is written in the campaign's first language.
          altLang: photo.alt && base !== lang ? base : undefined,
        },
        timeline: updates.timelines[p.id] ?? [],
      }
    }),
    updates,
    // The other features' parts of the page, through their services on the instance; the pickets in
    // the supporter's country first (the script moves them too when the form's country changes).
    pickets: nearFirst(app.pickets.upcomingByPlace(campaign.id, { lang: state.lang, baseLanguage: base }), near),
    picketsNear: near,
    organisation: { ...organisation, contactHref: contactHref(organisation.privacyContact) },
    ...app.letters.formView(campaign, state),
    csrfToken,
  }
}

/** The pickets grouped by country, the supporter's country first and marked. */
function nearFirst<C extends { code: string }>(countries: C[], near: string | undefined): (C & { near: boolean })[] {
  const marked = countries.map((c) => ({ ...c, near: c.code === near }))
  return [...marked.filter((c) => c.near), ...marked.filter((c) => !c.near)]
}

/** The region of the visitor's first Accept-Language tag ("en-GB" → GB), if it names a country. */
export function acceptRegion(req: FastifyRequest): string | undefined {
  const first = String(req.headers['accept-language'] ?? '').split(',')[0] ?? ''
  const region = /^\s*[A-Za-z]{2,3}(?:-[A-Za-z]{4})?-([A-Za-z]{2})\b/.exec(first)?.[1]?.toUpperCase()
  return region && isCountryCode(region) ? region : undefined
}

function supporterCountryOf(v: unknown): string | undefined {
  const code = typeof v === 'string' ? v.trim().toUpperCase() : ''
  return isCountryCode(code) ? code : undefined
}

/** PRIVACY_CONTACT as a link: an address as mailto:, a web address as it is, anything else as text. */
export function contactHref(contact: string): string | undefined {
  if (/^https?:\/\//i.test(contact)) return contact
  if (/^[^\s@]+@[^\s@]+$/.test(contact)) return `mailto:${contact}`
  return undefined
}

/** The bar's figures: at least a sliver once one letter is in, and how many are still to go. */
export function progressView(total: number, goal: number) {
  const share = goal > 0 ? Math.min(1, total / goal) : 1
  return {
    total,
    goal,
    value: Math.min(total, goal),
    toGo: Math.max(0, goal - total),
    reached: total >= goal,
    // A percentage for the SVG bar (attributes, not inline style: the CSP forbids those); 1.5% is visible at 390 px.
    width: total > 0 ? Math.max(1.5, Math.round(share * 1000) / 10) : 0,
  }
}

/** The bar as last drawn per campaign and language: redrawn only when its figures move (translating is most of its cost). */
const progressDrawn = new Map<string, { figures: string; html: string }>()

export function progressHtml(app: FastifyInstance, campaign: Campaign, lang: Language): string {
  const withFigures = withTally(app, campaign)
  const key = `${campaign.id}:${lang}`
  const figures = `${withFigures.lettersCount}:${withFigures.offlineCount}:${campaign.goal}`
  const drawn = progressDrawn.get(key)
  if (drawn?.figures === figures) return drawn.html
  const html = renderPartial('progress', { lang, campaign: withFigures })
  if (progressDrawn.size > 10_000) progressDrawn.clear()
  progressDrawn.set(key, { figures, html })
  return html
}

/** The campaign with its public figures (see publicTally) and the bar's, as the progress partial reads them. */
export function withTally<C extends Campaign>(app: FastifyInstance, campaign: C) {
  const tally = app.campaigns.publicTally(campaign)
  return { ...campaign, lettersCount: tally.letters, offlineCount: tally.offline, progress: progressView(tally.letters + tally.offline, campaign.goal) }
}
