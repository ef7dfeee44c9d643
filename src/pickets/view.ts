import { picketTexts, type Picket } from '../db/schema/index.js'
import { localize } from '../i18n/content.js'
import { countryName } from '../countries.js'
import Handlebars from 'handlebars'
import type { Language } from '../i18n/index.js'
import { dateLocale, describeLocal } from './time.js'

/** The public shape of a picket (JSON API). */
export function picketJson(p: Picket) {
  return {
    id: p.id,
    title: p.title,
    venue: p.venue,
    address: p.address,
    city: p.city,
    country: p.country,
    startsAt: p.startsAt.toISOString(),
    endsAt: p.endsAt.toISOString(),
    timeZone: p.timeZone,
    capacity: p.capacity,
    going: p.goingCount,
    waitlisted: p.waitlistedCount,
    status: p.status,
  }
}

/**
 * What pages show of a picket, in the page's language: local time with the zone named, the country's
 * name, places left; `strongTitle` is the title escaped in <strong>, for catalog messages that hold
 * markup (rendered with {{{t}}}, so whatever the organizer typed must be escaped here). With
 * `baseLanguage` (the campaign's first) its title and what to bring are in the page's language where
 * the organizers translated them, `langs` marking those that are not.
 */
export function picketView(p: Picket, lang: Language = 'en', baseLanguage?: string) {
  const texts = baseLanguage ? localize(p, picketTexts, lang, baseLanguage) : { title: p.title, bring: p.bring, langs: {} }
  return {
    ...p,
    ...texts,
    // The venue, its address and the organizer's contact are written once, in the campaign's first language.
    placeLang: baseLanguage && baseLanguage !== lang ? baseLanguage : undefined,
    local: describeLocal(p.startsAt, p.endsAt, p.timeZone, dateLocale(lang)),
    countryName: countryName(p.country, lang),
    strongTitle: `<strong${texts.langs.title ? ` lang="${texts.langs.title}"` : ''}>${Handlebars.escapeExpression(texts.title)}</strong>`,
    placesLeft: p.capacity === null ? null : Math.max(0, p.capacity - p.goingCount),
    full: p.capacity !== null && p.goingCount >= p.capacity,
  }
}

/** Upcoming pickets grouped by country, then city, for the campaign page and the pickets page. */
export function groupPickets(pickets: Picket[], lang: Language = 'en', baseLanguage?: string) {
  const countries = new Map<string, { code: string; name: string; cities: Map<string, ReturnType<typeof picketView>[]> }>()
  for (const p of pickets) {
    let country = countries.get(p.country)
    if (!country) countries.set(p.country, (country = { code: p.country, name: countryName(p.country, lang), cities: new Map() }))
    const city = country.cities.get(p.city) ?? []
    city.push(picketView(p, lang, baseLanguage))
    country.cities.set(p.city, city)
  }
  return [...countries.values()]
    .sort((a, b) => a.name.localeCompare(b.name, lang))
    .map((c) => ({ code: c.code, name: c.name, cities: [...c.cities.entries()].map(([name, pickets]) => ({ name, pickets, placeLang: pickets[0]?.placeLang })) }))
}
