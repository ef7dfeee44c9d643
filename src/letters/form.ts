import { targetTexts, type Campaign, type Target } from '../db/schema/index.js'
import { localize } from '../i18n/content.js'
import { countryName, countryOptions, isCountryCode } from '../countries.js'
import { officialsForCountry } from '../campaigns/queries.js'
import { NOTE_MAX, type PreviewInput } from './input.js'
import { languageName, translator, type Language } from '../i18n/index.js'

/** What the supporter typed, and what was wrong with it, when the form comes back. */
export interface LetterFormState {
  values?: Record<string, unknown>
  errors?: Record<string, string>
  /** The page's language: labels, country and language names, the preview's blanks (English by default). */
  lang?: Language
}

/** The letter form's part of the campaign page: officials, languages, countries, the preview. */
export function letterFormView(
  campaign: Campaign,
  targets: Target[],
  open: boolean,
  preview: (input: PreviewInput) => unknown,
  state: LetterFormState,
) {
  const lang = state.lang ?? 'en'
  const t = translator(lang)
  const values: Record<string, unknown> = { ...state.values }
  const country = supporterCountry(values.country)
  // The officials for the supporter's country (the embassy in it) first, as the country field says.
  const officials = officialsForCountry(targets, country)
  const chosen = new Set(String(values.target ?? '').split(',').map(Number).filter((id) => id > 0))
  // Nothing ticked yet: the suggested ones are, unless the form came back because no official was chosen.
  const autoTicked = chosen.size === 0 && !state.errors?.target
  if (autoTicked) for (const t of officials) if (t.suggested) chosen.add(t.id)
  // The preview shows the letter to the first official ticked.
  const targetId = chosen.values().next().value
  // (The preview goes to the first official listed when none is ticked.)
  values.language ??= letterLanguage(campaign, lang, officials.find((t) => t.id === targetId) ?? officials[0])
  return {
    open,
    preview: open
      ? preview({
          name: str(values.name) || t('letterForm.yourName'),
          city: str(values.city) || t('letterForm.yourCity'),
          country: country ?? (str(values.country) || t('letterForm.yourCountry')),
          organisation: str(values.organisation),
          note: str(values.note),
          targetId,
          language: str(values.language),
        })
      : null,
    // Their names and titles in the page's language where the organizers gave them (else marked with theirs).
    targets: officials.map((t) => ({
      ...t,
      ...localize(t, targetTexts, lang, campaign.languages[0] ?? lang),
      countryName: countryName(t.country, lang),
      checked: chosen.has(t.id),
      autoChecked: autoTicked && t.suggested,
    })),
    languages: campaign.languages.map((code) => ({ code, name: languageName(code, lang), selected: code === values.language })),
    countries: countryOptions(lang).map((c) => ({ ...c, selected: c.code === str(values.country).toUpperCase() })),
    values,
    errors: state.errors ?? {},
    hasErrors: Object.keys(state.errors ?? {}).length > 0,
    noteMax: NOTE_MAX,
  }
}

/**
 * The letter's language when the supporter has not chosen one: the page's when the campaign has a letter
 * in it, else the official's own language when it has one in that, else the campaign's first.
 */
export function letterLanguage(campaign: Campaign, pageLanguage: string | undefined, official: Pick<Target, 'language'> | undefined): string | undefined {
  if (pageLanguage && campaign.languages.includes(pageLanguage)) return pageLanguage
  if (official && campaign.languages.includes(official.language)) return official.language
  return campaign.languages[0]
}

/** The supporter's country as an ISO code, if the field holds one. */
export function supporterCountry(v: unknown): string | undefined {
  const code = str(v).trim().toUpperCase()
  return isCountryCode(code) ? code : undefined
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : ''
}

