import type { FastifyInstance, FastifyReply } from 'fastify'
import { campaignTexts, personTexts, type Campaign } from '../db/schema/index.js'
import { localizeRow } from '../i18n/content.js'
import { renderPartial } from '../views/plugin.js'
import { languageLocals } from '../i18n/plugin.js'
import type { Language } from '../i18n/index.js'

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
  private pages = new Map<string, { parts: string[]; at: number; version: string }>()
  constructor(private ttlMs = 1000) {}

  async send(reply: FastifyReply, app: FastifyInstance, campaign: Campaign) {
    const now = Date.now()
    // A change to the campaign itself (opened, closed, edited) shows at once; the rest within the TTL.
    const version = `${campaign.status}|${campaign.updatedAt.getTime()}`
    // One page per campaign and language; its links to other languages use the campaign's own address.
    const key = `${campaign.id}:${reply.request.lang}`
    let entry = this.pages.get(key)
    if (!entry || entry.version !== version || now - entry.at >= this.ttlMs) {
      const locals = { ...reply.locals, ...languageLocals(reply.request, `/campaigns/${campaign.slug}`) }
      const html = await reply.server.view('campaigns/campaign', { ...locals, ...campaignPageData(app, campaign, { lang: reply.request.lang }, CSRF_MARK, TALLY_MARK) })
      // Split once at the two marks, so a request joins pieces instead of searching 17 KB twice.
      const [head = '', rest = ''] = html.split(TALLY_MARK)
      entry = { parts: [head, ...rest.split(CSRF_MARK)], at: now, version }
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
  return reply.code(status).view('campaigns/campaign', campaignPageData(app, campaign, { lang, ...state }, csrfToken, progressHtml(app, campaign, lang)))
}

function campaignPageData(app: FastifyInstance, campaign: Campaign, state: LetterFormState, csrfToken: string | undefined, tallyHtml: string) {
  // The organizers' texts in the page's language; those not translated yet in the first, marked with it.
  const lang = state.lang ?? 'en'
  const base = campaign.languages[0] ?? lang
  const texts = localizeRow(campaign, campaignTexts, lang, base)
  return {
    title: texts.title,
    tallyHtml,
    campaign: texts,
    people: app.campaigns.people(campaign.id).map((p) => localizeRow(p, personTexts, lang, base)),
    // The other features' parts of the page, through their services on the instance.
    pickets: app.pickets.upcomingByPlace(campaign.id, { lang: state.lang, baseLanguage: base }),
    ...app.letters.formView(campaign, state),
    csrfToken,
  }
}

function progressHtml(app: FastifyInstance, campaign: Campaign, lang: Language): string {
  const tally = app.campaigns.publicTally(campaign)
  return renderPartial('progress', { lang, campaign: { ...campaign, lettersCount: tally.letters, offlineCount: tally.offline } })
}
