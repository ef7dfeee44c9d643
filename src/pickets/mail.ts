import crypto from 'node:crypto'
import { campaignTexts, picketTexts, type Campaign, type OutboxMessage, type Picket, type Rsvp } from '../db/schema/index.js'
import type { MailSettings } from '../mail/settings.js'
import { languageHeaders, mailLanguage, renderEmail } from '../mail/render.js'
import { translator, type Language } from '../i18n/index.js'
import { localizeRow } from '../i18n/content.js'
import { countryName } from '../countries.js'
import { dateLocale, describeLocal } from './time.js'
import { icsAttachment } from './calendar.js'

export type PicketMailKind = 'rsvp_confirm' | 'rsvp_going' | 'rsvp_waitlisted' | 'rsvp_promoted' | 'rsvp_link' | 'picket_reminder' | 'picket_changed' | 'picket_cancelled'

/** "in 24 hours", "in 2 hours", "in 30 minutes", "in 3 days" (in the language's own words and plurals: "через 2 часа"). */
export function describeOffset(minutes: number, lang: Language = 'en'): string {
  const t = translator(lang)
  if (minutes % 1440 === 0 && minutes > 1440) return t('mail.picket.in.days', { count: minutes / 1440 })
  if (minutes % 60 === 0) return t('mail.picket.in.hours', { count: minutes / 60 })
  return t('mail.picket.in.minutes', { count: minutes })
}

interface Wording {
  subject: string
  heading: string
  intro: string
  withIcs: boolean
}

function wording(kind: PicketMailKind, picket: Picket, lang: Language, extra: { offsetMinutes?: number }): Wording {
  const t = translator(lang)
  const title = picket.title
  switch (kind) {
    // To an address nobody has confirmed: nothing in it was typed by the submitter except the name.
    case 'rsvp_confirm':
      return { subject: t('mail.picket.confirm.subject', { title }), heading: t('mail.picket.confirm.heading'), intro: t('mail.picket.confirm.intro'), withIcs: false }
    case 'rsvp_going':
      return { subject: t('mail.picket.going.subject', { title }), heading: t('mail.picket.going.heading'), intro: t('mail.picket.going.intro'), withIcs: true }
    case 'rsvp_waitlisted':
      return { subject: t('mail.picket.waitlisted.subject', { title }), heading: t('mail.picket.waitlisted.heading'), intro: t('mail.picket.waitlisted.intro'), withIcs: false }
    case 'rsvp_promoted':
      return { subject: t('mail.picket.promoted.subject', { title }), heading: t('mail.picket.promoted.heading'), intro: t('mail.picket.promoted.intro'), withIcs: true }
    case 'rsvp_link':
      return { subject: t('mail.picket.link.subject', { title }), heading: t('mail.picket.link.heading'), intro: t('mail.picket.link.intro'), withIcs: false }
    case 'picket_reminder': {
      const offset = describeOffset(extra.offsetMinutes ?? 0, lang)
      return { subject: t('mail.picket.reminder.subject', { title, in: offset }), heading: t('mail.picket.reminder.heading', { in: offset }), intro: t('mail.picket.reminder.intro'), withIcs: true }
    }
    case 'picket_changed': {
      const when = describeLocal(picket.startsAt, picket.endsAt, picket.timeZone, dateLocale(lang)).full
      return { subject: t('mail.picket.changed.subject', { title, when }), heading: t('mail.picket.changed.heading'), intro: t('mail.picket.changed.intro'), withIcs: true }
    }
    case 'picket_cancelled':
      return { subject: t('mail.picket.cancelled.subject', { title }), heading: t('mail.picket.cancelled.heading'), intro: t('mail.picket.cancelled.intro'), withIcs: true }
  }
}

/**
 * Every picket mail to one RSVP: the same details block, links only to BASE_URL. In the language the
 * RSVP was made in (English for RSVPs from before it was kept): our words, the date, the country, and
 * the picket's and campaign's titles where the organizers translated them.
 */
export function picketMail(
  mail: MailSettings,
  kind: PicketMailKind,
  campaign: Campaign,
  picket: Picket,
  rsvp: Rsvp,
  extra: { offsetMinutes?: number; now?: Date } = {},
): OutboxMessage {
  const lang = mailLanguage(rsvp.language)
  const base = campaign.languages[0] ?? lang
  const localPicket = localizeRow(picket, picketTexts, lang, base)
  const localCampaign = localizeRow(campaign, campaignTexts, lang, base)
  const w = wording(kind, localPicket, lang, extra)
  const manageUrl = `${mail.baseUrl}/rsvps/${rsvp.token}`
  const stopUrl = `${manageUrl}/stop-reminders`
  const local = describeLocal(picket.startsAt, picket.endsAt, picket.timeZone, dateLocale(lang))
  const data = {
    ...w,
    name: rsvp.name ?? '',
    campaign: localCampaign,
    picket: localPicket,
    // Texts that fell back to the campaign's first language, marked with it.
    langs: localPicket.langs,
    campaignLangs: localCampaign.langs,
    countryName: countryName(picket.country, lang),
    local,
    manageUrl,
    stopUrl,
    picketUrl: `${mail.baseUrl}/pickets/${picket.id}`,
    cancelled: picket.status === 'cancelled',
    reminder: kind === 'picket_reminder',
    confirm: kind === 'rsvp_confirm',
  }
  const { text, html } = renderEmail('picket', data, { lang })
  const stableId = kind === 'picket_reminder' ? `${rsvp.id}.${extra.offsetMinutes}.${picket.startsAt.getTime()}` : `${rsvp.id}.${crypto.randomBytes(6).toString('base64url')}`
  return {
    from: { name: mail.fromName, address: mail.from },
    to: { name: rsvp.name ?? '', address: rsvp.email! },
    subject: w.subject,
    text,
    html,
    messageId: `<${kind.replace('_', '-')}.${stableId}@${mail.domain}>`,
    headers: {
      ...languageHeaders(lang),
      // List-Unsubscribe only where it stops that very kind of mail (RFC 8058): the stop-reminders link
      // stops reminders, so only a reminder carries it. The other picket mails (going, changed, cancelled,
      // a place on the waiting list, the confirmation) answer what the supporter did or tell them their
      // picket moved: transactional, and a one-click "unsubscribe" there would stop nothing of the kind.
      ...(kind === 'picket_reminder' ? { 'List-Unsubscribe': `<${stopUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}),
    },
    // The .ics in the RSVP's language; built once per version of the picket and language (calendar.ts),
    // stamped with when the mail was made (`extra.now`, the app clock's: the service passes it) and, for a
    // cancellation, naming this RSVP as its attendee: the file is theirs alone.
    attachments: w.withIcs ? [icsAttachment(localPicket, localCampaign, mail, { lang, now: extra.now ?? new Date(), to: { name: rsvp.name, email: rsvp.email! } })] : undefined,
  }
}
