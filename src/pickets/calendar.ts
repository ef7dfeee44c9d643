import ical, { ICalCalendarMethod, ICalEventStatus, foldLines, formatDate, type ICalCalendar } from 'ical-generator'
import { tzlib_get_ical_block } from 'timezones-ical-library'
import { DateTime } from 'luxon'
import type { Campaign, Picket } from '../db/schema/index.js'
import type { MailSettings } from '../mail/settings.js'
import { countryName } from '../countries.js'
import { translator, type Language } from '../i18n/index.js'

// The picket's .ics files, after RFC 5545 (iCalendar) and RFC 5546 (iTIP):
// - every line ends with CRLF, the last one too (ical-generator leaves END:VCALENDAR bare; `finish` adds it);
// - DTSTAMP is when the file was made: the app clock's now, passed in by the caller (LAST-MODIFIED
//   carries the picket's own last change);
// - which files carry an ATTENDEE, and why:
//   * public files (the campaign feed /campaigns/:slug/pickets.ics and /pickets/:id.ics) are the same for
//     whoever asks: they never list attendees, whose addresses are nobody else's business. So they are
//     always PUBLISH (iTIP forbids attendees in PUBLISH, and requires them in CANCEL); a called-off picket
//     shows there as STATUS:CANCELLED, which replaces the event (same UID, higher SEQUENCE) in a calendar
//     that subscribed to or imported it.
//   * per-recipient files (the attachment of one RSVP's mail) are private to that person: a cancellation
//     there is METHOD:CANCEL and lists its attendee, the recipient (as RFC 5546 §3.2.5 requires), so a
//     calendar that took the invitation removes it. The other mails attach a PUBLISH, without attendees.

export type CalendarMethod = 'PUBLISH' | 'CANCEL'

/** Who a per-recipient file is for: the RSVP the mail goes to. */
export interface IcsRecipient {
  name: string | null
  email: string
}

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

function addEvent(cal: ICalCalendar, picket: Picket, campaign: Campaign, mail: MailSettings, stamp: Date, lang: Language = 'en') {
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
    stamp,
    lastModified: picket.updatedAt,
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

/** The DTSTAMP a cached file is built with, replaced by the real one in `finish`. */
const STAMP_PLACEHOLDER = new Date(0)
const PLACEHOLDER_LINE = `\r\nDTSTAMP:${formatDate(null, STAMP_PLACEHOLDER)}\r\n`

/**
 * A parameter value as RFC 6868 writes it inside quotes: ^ as ^^, a line break as ^n, a double quote as ^'
 * (RFC 5545 allows no quote inside a quoted value, and no backslash escapes in parameters).
 */
const paramValue = (text: string) => `"${text.replace(/\^/g, '^^').replace(/\r\n|\r|\n/g, '^n').replace(/"/g, "^'")}"`

/** The ATTENDEE line of one recipient, folded at 75 octets. */
function attendeeLine(who: IcsRecipient): string {
  const name = who.name?.trim()
  return foldLines(`ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT${name ? `;CN=${paramValue(name)}` : ''}:mailto:${who.email}`) + '\r\n'
}

/** A built file made whole: its DTSTAMP now, the attendee if any, a CRLF after the last line. */
function finish(text: string, now: Date, attendee?: IcsRecipient): string {
  let out = text.replace(PLACEHOLDER_LINE, `\r\nDTSTAMP:${formatDate(null, now)}\r\n`)
  if (attendee) out = out.replace('\r\nEND:VEVENT', `\r\n${attendeeLine(attendee)}END:VEVENT`)
  return out.endsWith('\r\n') ? out : `${out}\r\n`
}

// Built once per version of a picket (with a placeholder DTSTAMP): mail to one RSVP then costs the same
// with or without a calendar file, so the time an RSVP takes tells nothing (and a surge of RSVPs does
// not rebuild it each time). `finish` puts in what changes per file, at a cost that does not depend on it.
const icsCache = new Map<string, string>()
const ICS_CACHE_MAX = 1000

function builtIcs(picket: Picket, campaign: Campaign, mail: MailSettings, method: CalendarMethod, lang: Language): string {
  const p = picket
  const key = JSON.stringify([method, lang, p.id, p.sequence, p.status, p.updatedAt.getTime(), p.startsAt.getTime(), p.endsAt.getTime(), p.timeZone, p.title, p.venue, p.address, p.city, p.country, p.bring, p.contact, campaign.title, mail.baseUrl, mail.domain, mail.from, mail.fromName])
  const held = icsCache.get(key)
  if (held !== undefined) return held
  const cal = calendar(picket.title, method, lang)
  addEvent(cal, picket, campaign, mail, STAMP_PLACEHOLDER, lang)
  const text = cal.toString()
  if (icsCache.size >= ICS_CACHE_MAX) icsCache.clear()
  icsCache.set(key, text)
  return text
}

/**
 * The public .ics of one picket (/pickets/:id.ics): always PUBLISH, a called-off picket as
 * STATUS:CANCELLED, no attendees (see the top of this file). `now`: the app clock's, for DTSTAMP.
 * Our words in `lang` (pass the picket's texts in it).
 */
export function picketIcs(picket: Picket, campaign: Campaign, mail: MailSettings, now: Date, lang: Language = 'en'): string {
  return finish(builtIcs(picket, campaign, mail, 'PUBLISH', lang), now)
}

/** A feed a calendar app can subscribe to: every recent picket of the campaign. Public: no attendees. */
export function campaignFeed(campaign: Campaign, pickets: Picket[], mail: MailSettings, now: Date): string {
  const cal = calendar(`Pickets: ${campaign.title}`, 'PUBLISH')
  cal.ttl(60 * 60)
  for (const picket of pickets) addEvent(cal, picket, campaign, mail, now)
  return finish(cal.toString(), now)
}

/**
 * The .ics attached to one RSVP's mail: PUBLISH normally; when the picket is called off, METHOD:CANCEL
 * listing `to`, the recipient, as its ATTENDEE. Per recipient, so the address is theirs alone.
 */
export function icsAttachment(picket: Picket, campaign: Campaign, mail: MailSettings, opts: { to: IcsRecipient; now: Date; lang?: Language }) {
  const lang = opts.lang ?? 'en'
  const method: CalendarMethod = picket.status === 'cancelled' ? 'CANCEL' : 'PUBLISH'
  const content = finish(builtIcs(picket, campaign, mail, method, lang), opts.now, method === 'CANCEL' ? opts.to : undefined)
  return { filename: 'picket.ics', content, contentType: `text/calendar; charset=utf-8; method=${method}` }
}
