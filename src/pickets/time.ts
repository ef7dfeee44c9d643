import { DateTime, IANAZone } from 'luxon'

export function isTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone) && zone.includes('/')
}

export type LocalTimeResult = { ok: true; at: Date } | { ok: false; message: string }

/** "2026-12-16T12:00" in `zone` to the instant it names; refuses times the clocks skip. */
export function fromLocal(local: string, zone: string): LocalTimeResult {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local)) return { ok: false, message: 'Use the form 2026-12-16T12:00 (local time at the venue)' }
  const dt = DateTime.fromISO(local, { zone })
  if (!dt.isValid) return { ok: false, message: `Not a valid date and time: ${local}` }
  // Luxon moves a time inside a spring-forward gap; such a time does not exist there.
  if (dt.toFormat("yyyy-MM-dd'T'HH:mm") !== local) {
    return { ok: false, message: `${local.replace('T', ' ')} does not exist in ${zone}: the clocks change then` }
  }
  return { ok: true, at: dt.toJSDate() }
}

export function toLocalInput(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toFormat("yyyy-MM-dd'T'HH:mm")
}

type LocalDescription = { date: string; time: string; zone: string; full: string }
// Luxon's zone formatting is slow, and a reminder run describes the same picket thousands of times.
const described = new Map<string, LocalDescription>()

/** "Wednesday 16 December 2026, 12:00–14:00 (Europe/London, GMT)"; `locale` from dateLocale(lang) for other languages. */
export function describeLocal(startsAt: Date, endsAt: Date, zone: string, locale = 'en-GB'): LocalDescription {
  const key = `${startsAt.getTime()}|${endsAt.getTime()}|${zone}|${locale}`
  let d = described.get(key)
  if (!d) {
    d = describeUncached(startsAt, endsAt, zone, locale)
    if (described.size > 1000) described.clear()
    described.set(key, d)
  }
  return d
}

function describeUncached(startsAt: Date, endsAt: Date, zone: string, locale: string): LocalDescription {
  const start = DateTime.fromJSDate(startsAt, { zone }).setLocale(locale)
  const end = DateTime.fromJSDate(endsAt, { zone }).setLocale(locale)
  const sameDay = start.hasSame(end, 'day')
  const zoneLabel = `${zone}, ${start.toFormat('ZZZZ')}`
  if (locale === 'en-GB') {
    // English as it always read: "Wednesday 16 December 2026, 12:00–14:00".
    const date = start.toFormat('cccc d LLLL yyyy')
    const time = sameDay ? `${start.toFormat('HH:mm')}–${end.toFormat('HH:mm')}` : `${start.toFormat('HH:mm')} – ${end.toFormat('cccc d LLLL HH:mm')}`
    return { date, time, zone: zoneLabel, full: `${date}, ${time} (${zoneLabel})` }
  }
  // Other languages by their own rules (Intl through luxon): "Среда, 16 декабря 2026 г.", the month
  // in the case a date needs ("декабря", not the nominative "декабрь" a bare LLLL would give).
  const date = capitalize(start.toLocaleString({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }), locale)
  const time = sameDay
    ? `${start.toFormat('HH:mm')}–${end.toFormat('HH:mm')}`
    : `${start.toFormat('HH:mm')} – ${end.toLocaleString({ weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })}`
  return { date, time, zone: zoneLabel, full: `${date}, ${time} (${zoneLabel})` }
}

/** A date that opens a line starts with a capital, as it would in a sentence ("Среда", "Mercredi"). */
const capitalize = (text: string, locale: string) => text.charAt(0).toLocaleUpperCase(locale) + text.slice(1)

/** The locale a page's language formats dates in: English keeps its British day-month order. */
export { dateLocale } from '../i18n/languages.js'
