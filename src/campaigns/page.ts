import type { FastifyReply } from 'fastify'
import type { Campaign } from '../db/schema/index.js'
import type { LetterService } from '../letters/service.js'
import { countryName, countryOptions } from '../countries.js'
import { NOTE_MAX } from '../letters/input.js'
import { groupPickets } from '../pickets/routes.js'
import type { PicketService } from '../pickets/service.js'

export interface LetterFormState {
  values?: Record<string, unknown>
  errors?: Record<string, string>
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' })

/** The campaign page, used for the first view, a preview and a form with errors alike. */
export function renderCampaignPage(
  reply: FastifyReply,
  services: { letters: LetterService; pickets: PicketService },
  campaign: Campaign,
  state: LetterFormState = {},
  status = 200,
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
  return reply.code(status).view('pages/campaign', {
    title: campaign.title,
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
    csrfToken: open ? reply.generateCsrf() : undefined,
  })
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
