import ical, { ICalCalendarMethod, ICalEventStatus, type ICalCalendar } from 'ical-generator'
import { tzlib_get_ical_block } from 'timezones-ical-library'
import { DateTime } from 'luxon'
import type { Campaign, Picket } from '../db/schema/index.js'
import type { MailSettings } from '../mail/settings.js'
import { countryName } from '../countries.js'
import { translator, type Language } from '../i18n/index.js'

export type CalendarMethod = 'PUBLISH' | 'CANCEL'

function calendar(name: string, method: CalendarMethod, lang: Language = 'en'): ICalCalendar {
  const cal = ical({ name, prodId: { company: 'Outcry', product: 'Pickets', language: lang.toUpperCase() } })
  cal.method(method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.PUBLISH)
  // VTIMEZONE blocks so calendar apps show the venue's zone, with its own DST rules.
  cal.timezone({ name: null, generator: (zone) => tzlib_get_ical_block(zone)[0] ?? null })
  return cal
}

/** One UID per picket for its whole life: updates and cancellations replace the same event. */
export function picketUid(picket: Picket, mail: MailSettings): string {
  return `picket-${picket.id}@${mail.domain}`
}

function addEvent(cal: ICalCalendar, picket: Picket, campaign: Campaign, mail: MailSettings, lang: Language = 'en') {
  const t = translator(lang)
  const start = DateTime.fromJSDate(picket.startsAt, { zone: picket.timeZone })
  const end = DateTime.fromJSDate(picket.endsAt, { zone: picket.timeZone })
  const url = `${mail.baseUrl}/pickets/${picket.id}`
  const description = [campaign.title, picket.bring && t('mail.picket.calendar.bring', { bring: picket.bring }), picket.contact && t('mail.picket.calendar.organizer', { contact: picket.contact }), url]
    .filter(Boolean)
    .join('\n\n')
  cal.createEvent({
    id: picketUid(picket, mail),
    sequence: picket.sequence,
    stamp: picket.updatedAt,
    start,
    end,
    timezone: picket.timeZone,
    summary: picket.status === 'cancelled' ? t('mail.picket.calendar.cancelled', { title: picket.title }) : picket.title,
    location: `${picket.venue}, ${picket.address}, ${picket.city}, ${countryName(picket.country, lang)}`,
    description,
    url,
    status: picket.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: { name: mail.fromName, email: mail.from },
  })
}

// Built once per version of a picket: mail to one RSVP then costs the same with or without a calendar
// file, so the time an RSVP takes tells nothing (and a surge of RSVPs does not rebuild it each time).
const icsCache = new Map<string, string>()
const ICS_CACHE_MAX = 1000

/** The .ics of one picket: PUBLISH normally, CANCEL when it is called off; our words in `lang` (pass the picket's texts in it). */
export function picketIcs(picket: Picket, campaign: Campaign, mail: MailSettings, lang: Language = 'en'): string {
  const p = picket
  const key = JSON.stringify([lang, p.id, p.sequence, p.status, p.updatedAt.getTime(), p.startsAt.getTime(), p.endsAt.getTime(), p.timeZone, p.title, p.venue, p.address, p.city, p.country, p.bring, p.contact, campaign.title, mail.baseUrl, mail.domain, mail.from, mail.fromName])
  const held = icsCache.get(key)
  if (held !== undefined) return held
  const cal = calendar(picket.title, picket.status === 'cancelled' ? 'CANCEL' : 'PUBLISH', lang)
  addEvent(cal, picket, campaign, mail, lang)
  const text = cal.toString()
  if (icsCache.size >= ICS_CACHE_MAX) icsCache.clear()
  icsCache.set(key, text)
  return text
}

/** A feed a calendar app can subscribe to: every recent picket of the campaign. */
export function campaignFeed(campaign: Campaign, pickets: Picket[], mail: MailSettings): string {
  const cal = calendar(`Pickets: ${campaign.title}`, 'PUBLISH')
  cal.ttl(60 * 60)
  for (const picket of pickets) addEvent(cal, picket, campaign, mail)
  return cal.toString()
}

export function icsAttachment(picket: Picket, campaign: Campaign, mail: MailSettings, lang: Language = 'en') {
  const method = picket.status === 'cancelled' ? 'CANCEL' : 'PUBLISH'
  return { filename: 'picket.ics', content: picketIcs(picket, campaign, mail, lang), contentType: `text/calendar; charset=utf-8; method=${method}` }
}
