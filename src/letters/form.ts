import type { Campaign, Target } from '../db/schema/index.js'
import { countryName, countryOptions } from '../countries.js'
import { NOTE_MAX, type PreviewInput } from './input.js'

/** What the supporter typed, and what was wrong with it, when the form comes back. */
export interface LetterFormState {
  values?: Record<string, unknown>
  errors?: Record<string, string>
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' })

/** The letter form's part of the campaign page: officials, languages, countries, the preview. */
export function letterFormView(
  campaign: Campaign,
  targets: Target[],
  open: boolean,
  preview: (input: PreviewInput) => unknown,
  state: LetterFormState,
) {
  const values: Record<string, unknown> = { language: campaign.languages[0], ...state.values }
  const chosen = new Set(String(values.target ?? '').split(',').map(Number).filter((id) => id > 0))
  // The preview shows the letter to the first official ticked.
  const targetId = chosen.values().next().value
  return {
    open,
    preview: open
      ? preview({
          name: str(values.name) || '[your name]',
          city: str(values.city) || '[your city]',
          country: str(values.country) || undefined,
          organisation: str(values.organisation),
          note: str(values.note),
          targetId,
          language: str(values.language),
        })
      : null,
    targets: targets.map((t) => ({ ...t, countryName: countryName(t.country), checked: chosen.has(t.id) })),
    languages: campaign.languages.map((code) => ({ code, name: safeLanguageName(code), selected: code === values.language })),
    countries: countryOptions().map((c) => ({ ...c, selected: c.code === str(values.country).toUpperCase() })),
    values,
    errors: state.errors ?? {},
    hasErrors: Object.keys(state.errors ?? {}).length > 0,
    noteMax: NOTE_MAX,
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
