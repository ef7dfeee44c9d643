import type { FastifyReply } from 'fastify'
import type { Campaign } from '../db/schema/index.js'
import type { LetterService } from '../letters/service.js'
import { countryName, countryOptions } from '../countries.js'
import { NOTE_MAX } from '../letters/input.js'
import { groupPickets } from '../pickets/routes.js'
import { renderPartial } from '../views/plugin.js'
import type { PicketService } from '../pickets/service.js'

export interface LetterFormState {
  values?: Record<string, unknown>
  errors?: Record<string, string>
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' })

const CSRF_MARK = '__outcry_csrf__'
const TALLY_MARK = '<!--outcry:tally-->'

/**
 * The untouched campaign page is the one a surge hits: it is rendered at most once a second per
 * campaign, with the two parts that cannot wait — the tally and the visitor's CSRF token — put in
 * per request. Edits by organizers show within a second.
 */
export class CampaignPageCache {
  private pages = new Map<number, { parts: string[]; at: number; version: string }>()
  constructor(private ttlMs = 1000) {}

  async send(reply: FastifyReply, services: { letters: LetterService; pickets: PicketService }, campaign: Campaign) {
    const now = Date.now()
    // A change to the campaign itself (opened, closed, edited) shows at once; the rest within the TTL.
    const version = `${campaign.status}|${campaign.updatedAt.getTime()}`
    let entry = this.pages.get(campaign.id)
    if (!entry || entry.version !== version || now - entry.at >= this.ttlMs) {
      const html = await reply.server.view('pages/campaign', campaignPageData(services, campaign, {}, CSRF_MARK, TALLY_MARK))
      // Split once at the two marks, so a request joins pieces instead of searching 17 KB twice.
      const [head = '', rest = ''] = html.split(TALLY_MARK)
      entry = { parts: [head, ...rest.split(CSRF_MARK)], at: now, version }
      if (this.pages.size > 1000) this.pages.clear()
      this.pages.set(campaign.id, entry)
    }
    const [head, middle, ...tail] = entry.parts
    const csrf = tail.length ? reply.generateCsrf() : ''
    return reply.type('text/html; charset=utf-8').send(head + progressHtml(campaign) + middle + (tail.length ? csrf + tail.join(csrf) : ''))
  }
}

const letterFormOpen = (campaign: Campaign) => campaign.status === 'live'

/** The campaign page, used for a preview and a form with errors (uncached). */
export function renderCampaignPage(
  reply: FastifyReply,
  services: { letters: LetterService; pickets: PicketService },
  campaign: Campaign,
  state: LetterFormState = {},
  status = 200,
) {
  const csrfToken = letterFormOpen(campaign) ? reply.generateCsrf() : undefined
  return reply.code(status).view('pages/campaign', campaignPageData(services, campaign, state, csrfToken, progressHtml(campaign)))
}

function campaignPageData(
  services: { letters: LetterService; pickets: PicketService },
  campaign: Campaign,
  state: LetterFormState,
  csrfToken: string | undefined,
  tallyHtml: string,
) {
  const { letters, pickets } = services
  const targets = letters.campaigns.targets(campaign.id)
  const values: Record<string, unknown> = { language: campaign.languages[0], ...state.values }
  const targetId = Number(values.target) || undefined
  const open = letters.isOpen(campaign)
  const preview = open
    ? letters.preview(campaign, {
        name: str(values.name) || '[your name]',
        city: str(values.city) || '[your city]',
        country: str(values.country) || undefined,
        organisation: str(values.organisation),
        note: str(values.note),
        targetId,
        language: str(values.language),
      })
    : null
  return {
    title: campaign.title,
    tallyHtml,
    campaign,
    open,
    people: letters.campaigns.people(campaign.id),
    pickets: groupPickets(pickets.upcoming(campaign.id)),
    targets: targets.map((t) => ({ ...t, countryName: countryName(t.country), checked: t.id === targetId })),
    languages: campaign.languages.map((code) => ({ code, name: safeLanguageName(code), selected: code === values.language })),
    countries: countryOptions().map((c) => ({ ...c, selected: c.code === str(values.country).toUpperCase() })),
    values,
    errors: state.errors ?? {},
    hasErrors: Object.keys(state.errors ?? {}).length > 0,
    preview,
    noteMax: NOTE_MAX,
    csrfToken,
  }
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : ''
}

function safeLanguageName(code: string): string {
  try {
    return languageNames.of(code) ?? code
  } catch {
    return code
  }
}

function progressHtml(campaign: Campaign): string {
  return renderPartial('progress', { campaign })
}
