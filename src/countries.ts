import countries from 'i18n-iso-countries'
import { getCountry } from 'countries-and-timezones'

const codes = new Set(Object.keys(countries.getAlpha2Codes()))
const displayNames = new Map<string, Intl.DisplayNames>()

export function isCountryCode(code: string): boolean {
  return codes.has(code)
}

/** The country's name in the reader's language (falls back to English, then the code). */
export function countryName(code: string, language = 'en'): string {
  // Intl throws on a malformed region code; anything that is not ISO 3166 is shown as given.
  if (!codes.has(code)) return code
  let names = displayNames.get(language)
  if (!names) {
    try {
      names = new Intl.DisplayNames([language, 'en'], { type: 'region' })
    } catch {
      names = new Intl.DisplayNames(['en'], { type: 'region' })
    }
    displayNames.set(language, names)
  }
  return names.of(code) ?? code
}

const optionsCache = new Map<string, { code: string; name: string }[]>()

export function countryOptions(language = 'en'): { code: string; name: string }[] {
  let options = optionsCache.get(language)
  if (!options) {
    options = [...codes].map((code) => ({ code, name: countryName(code, language) })).sort((a, b) => a.name.localeCompare(b.name, language))
    optionsCache.set(language, options)
  }
  return options
}

// The zone of the capital for countries with several, where the alphabetical first would mislead.
const CAPITAL_ZONES: Record<string, string> = {
  RU: 'Europe/Moscow', US: 'America/New_York', CA: 'America/Toronto', AU: 'Australia/Sydney', BR: 'America/Sao_Paulo',
  MX: 'America/Mexico_City', ID: 'Asia/Jakarta', CN: 'Asia/Shanghai', AR: 'America/Argentina/Buenos_Aires',
  CL: 'America/Santiago', ES: 'Europe/Madrid', PT: 'Europe/Lisbon', UA: 'Europe/Kyiv', UZ: 'Asia/Tashkent',
  MN: 'Asia/Ulaanbaatar', CD: 'Africa/Kinshasa', EC: 'America/Guayaquil', NZ: 'Pacific/Auckland', KZ: 'Asia/Almaty',
  DE: 'Europe/Berlin', MY: 'Asia/Kuala_Lumpur', KI: 'Pacific/Tarawa', PF: 'Pacific/Tahiti', GL: 'America/Nuuk',
}

/** The time zone to assume for someone in this country (its capital's), or UTC. */
export function zoneOfCountry(code: string): string {
  return CAPITAL_ZONES[code] ?? getCountry(code)?.timezones[0] ?? 'UTC'
}
