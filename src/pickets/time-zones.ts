import ct from 'countries-and-timezones'
import { latinSlug } from '../slug.js'
import { DateTime, IANAZone } from 'luxon'
import { isTimeZone } from './time.js'

// A picket's time zone, suggested from its country and city (the countries-and-timezones data, kept
// up to date with the IANA database), and the zones as a volunteer reads them: "London — GMT+0".

/**
 * A place name folded for comparison: case and accents gone, Cyrillic transliterated, words joined by
 * hyphens ("São Paulo" and "Sao_Paulo" → "sao-paulo", "Алматы" → "almaty"). Only the part before a
 * comma counts ("Washington, D.C." → "washington").
 */
export function foldPlace(text: string): string {
  const head = text.split(',')[0] ?? ''
  const plain = head.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
  return latinSlug(plain.replace(/_/g, ' '))
}

/**
 * The zone most people of a country with several live in (the capital's, or the largest city's), where
 * it is not the first of the country's list (which is alphabetical: America/Adak for the United States).
 */
const MAIN_ZONE: Record<string, string> = {
  AU: 'Australia/Sydney',
  BR: 'America/Sao_Paulo',
  CA: 'America/Toronto',
  CL: 'America/Santiago',
  CY: 'Asia/Nicosia',
  ES: 'Europe/Madrid',
  GL: 'America/Nuuk',
  KI: 'Pacific/Tarawa',
  MH: 'Pacific/Tarawa',
  MN: 'Asia/Ulaanbaatar',
  MX: 'America/Mexico_City',
  MY: 'Asia/Singapore',
  PF: 'Pacific/Tahiti',
  PG: 'Pacific/Port_Moresby',
  PT: 'Europe/Lisbon',
  RU: 'Europe/Moscow',
  US: 'America/New_York',
  UZ: 'Asia/Tashkent',
}

/**
 * Cities where embassies and consulates are that no zone is named after, by country (folded names, the
 * Russian spelling too where organizers may type it): each in the zone of its nearest namesake.
 */
const CITY_ZONE: Record<string, Record<string, string>> = {
  US: {
    ...cities('America/New_York', 'washington', 'boston', 'miami', 'atlanta', 'philadelphia', 'baltimore', 'pittsburgh', 'nyu-iork', 'vashington'),
    ...cities('America/Chicago', 'houston', 'dallas', 'austin', 'san-antonio', 'minneapolis', 'new-orleans', 'saint-louis', 'st-louis', 'chikago'),
    ...cities('America/Los_Angeles', 'san-francisco', 'seattle', 'san-diego', 'las-vegas', 'portland', 'sacramento', 'san-jose', 'los-andzheles', 'san-frantsisko'),
    ...cities('America/Denver', 'salt-lake-city', 'albuquerque'),
    ...cities('America/Phoenix', 'tucson'),
  },
  CA: {
    ...cities('America/Toronto', 'ottawa', 'montreal', 'quebec', 'quebec-city', 'ottava', 'monreal', 'toronto'),
    ...cities('America/Edmonton', 'calgary'),
    ...cities('America/Vancouver', 'victoria', 'vankuver'),
  },
  AU: { ...cities('Australia/Sydney', 'canberra', 'sidnei', 'kanberra') },
  BR: { ...cities('America/Sao_Paulo', 'brasilia', 'rio-de-janeiro', 'belo-horizonte', 'brazilia') },
  KZ: {
    ...cities('Asia/Almaty', 'astana', 'nur-sultan', 'shymkent', 'karaganda', 'karagandy', 'pavlodar', 'semey', 'oskemen', 'ust-kamenogorsk', 'taraz', 'almaty', 'alma-ata'),
    ...cities('Asia/Aqtobe', 'aktobe', 'aktyubinsk'),
    ...cities('Asia/Aqtau', 'aktau'),
    ...cities('Asia/Oral', 'uralsk', 'oral'),
    ...cities('Asia/Qostanay', 'kostanay', 'kostanai'),
    ...cities('Asia/Qyzylorda', 'kyzylorda', 'kyzyl-orda'),
  },
  RU: {
    ...cities('Europe/Moscow', 'moskva', 'saint-petersburg', 'st-petersburg', 'sankt-peterburg', 'kazan', 'nizhny-novgorod', 'nizhnii-novgorod', 'rostov-on-don', 'rostov-na-donu'),
    ...cities('Asia/Yekaterinburg', 'ekaterinburg', 'chelyabinsk', 'ufa', 'tiumen', 'tyumen'),
    ...cities('Asia/Novosibirsk', 'novosibirsk'),
  },
  UA: { ...cities('Europe/Kyiv', 'kiev', 'kyiv', 'kiiv', 'kharkiv', 'lviv', 'odesa', 'odessa') },
  MX: { ...cities('America/Mexico_City', 'guadalajara', 'puebla') },
  CN: { ...cities('Asia/Shanghai', 'beijing', 'pekin') },
  ES: { ...cities('Europe/Madrid', 'barcelona'), ...cities('Atlantic/Canary', 'las-palmas', 'santa-cruz-de-tenerife') },
  PT: { ...cities('Europe/Lisbon', 'porto'), ...cities('Atlantic/Madeira', 'funchal'), ...cities('Atlantic/Azores', 'ponta-delgada') },
}

function cities(zone: string, ...names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, zone]))
}

/** The city a zone is named after, as a person writes it: "America/Argentina/Buenos_Aires" → "Buenos Aires". */
export const zoneCity = (zone: string) => (zone.split('/').pop() ?? zone).replace(/_/g, ' ')

let aliases: Map<string, string> | undefined
/** Old names still in use for a zone ("Europe/Kiev" for "Europe/Kyiv"): their city part finds the current zone. */
function aliasesOf(zone: string): string[] {
  if (!aliases) {
    aliases = new Map()
    for (const tz of Object.values(ct.getAllTimezones({ deprecated: true }))) if (tz.aliasOf) aliases.set(tz.name, tz.aliasOf)
  }
  return [...aliases].filter(([, to]) => to === zone).map(([from]) => from)
}

/** The country's zones, as the data lists them; empty for a code it does not know. */
export function countryZones(country: string): string[] {
  const code = country.trim().toUpperCase()
  if (!/^[A-Z]{2}$/.test(code)) return []
  return (ct.getCountry(code)?.timezones ?? []).filter(isTimeZone)
}

/**
 * The zone a picket in `city`, `country` (ISO 3166 code) most likely keeps its clocks in: a country's only
 * zone; for a country with several, the one named after the city (or a known city in it, or an old name
 * of it), else the country's main zone; null for a country the data does not know.
 */
export function suggestTimeZone(country: string, city: string): string | null {
  const zones = countryZones(country)
  if (!zones.length) return null
  if (zones.length === 1) return zones[0]!
  const code = country.trim().toUpperCase()
  const place = foldPlace(city)
  if (place) {
    const named = zones.find((z) => foldPlace(zoneCity(z)) === place || aliasesOf(z).some((a) => foldPlace(zoneCity(a)) === place))
    if (named) return named
    const known = CITY_ZONE[code]?.[place]
    if (known && zones.includes(known)) return known
  }
  const main = MAIN_ZONE[code]
  return main && zones.includes(main) ? main : zones[0]!
}

/** "+0", "+5:30", "-3": a zone's distance from GMT at an instant. */
export function gmtOffset(zone: string, at: Date): string {
  const minutes = IANAZone.create(zone).offset(at.getTime())
  const sign = minutes < 0 ? '-' : '+'
  const abs = Math.abs(minutes)
  const h = Math.floor(abs / 60)
  const m = abs % 60
  return `${sign}${h}${m ? `:${String(m).padStart(2, '0')}` : ''}`
}

/** "London — GMT+0", "Buenos Aires, Argentina — GMT-3"; `at` decides summer or winter time. */
export function zoneLabel(zone: string, at: Date): string {
  const parts = zone.split('/')
  const city = zoneCity(zone)
  // America/Indiana/Knox: the state or country in the middle tells two cities apart.
  const where = parts.length > 2 ? `${city}, ${parts[1]!.replace(/_/g, ' ')}` : city
  return `${where} — GMT${gmtOffset(zone, at)}`
}

let allZones: string[] | undefined
/** Every current zone (no old aliases, no "Factory"), for the list of all zones. */
export function allTimeZones(): string[] {
  allZones ??= Object.values(ct.getAllTimezones())
    .filter((tz) => !tz.aliasOf && isTimeZone(tz.name))
    .map((tz) => tz.name)
  return allZones
}

export type ZoneOption = { value: string; label: string }

/** Options in the order of their labels, so typing a city's first letters in the list finds it. */
export function zoneOptions(zones: readonly string[], at: Date): ZoneOption[] {
  return zones.map((z) => ({ value: z, label: zoneLabel(z, at) })).sort((a, b) => a.label.localeCompare(b.label, 'en'))
}

/**
 * The instant whose offsets the labels show: the picket's start read as if at GMT (near enough for
 * summer or winter time), else now.
 */
export function labelInstant(startsLocal: string | undefined, now: Date): Date {
  if (startsLocal && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(startsLocal)) {
    const dt = DateTime.fromISO(startsLocal.slice(0, 16), { zone: 'UTC' })
    if (dt.isValid) return dt.toJSDate()
  }
  return now
}

/** A date that opens a line starts with a capital, as it would in a sentence ("Суббота", "Samedi"). */
const capitalize = (text: string, locale: string) => text.charAt(0).toLocaleUpperCase(locale) + text.slice(1)

/**
 * The start as the venue reads it, in pieces for "Saturday 16 December, 12:00 in London": the weekday and
 * date spelled out in `locale` (dateLocale of the page's language) and the time as typed; null when the
 * local time cannot be read. The zone does not change what the clock at the venue says, only when that is.
 */
export function venueStart(startsLocal: string, locale: string): { date: string; time: string } | null {
  const local = startsLocal.trim().slice(0, 16)
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local)) return null
  const dt = DateTime.fromISO(local, { zone: 'UTC' })
  if (!dt.isValid) return null
  const date = capitalize(dt.setLocale(locale).toLocaleString({ weekday: 'long', day: 'numeric', month: 'long' }), locale)
  return { date, time: local.slice(11) }
}
