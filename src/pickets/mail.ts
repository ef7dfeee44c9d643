import crypto from 'node:crypto'
import type { Campaign, OutboxMessage, Picket, Rsvp } from '../db/schema/index.js'
import type { MailSettings } from '../mail/settings.js'
import { renderEmail } from '../mail/render.js'
import { countryName } from '../countries.js'
import { describeLocal } from './time.js'
import { icsAttachment } from './calendar.js'

export type PicketMailKind = 'rsvp_confirm' | 'rsvp_going' | 'rsvp_waitlisted' | 'rsvp_promoted' | 'rsvp_link' | 'picket_reminder' | 'picket_changed' | 'picket_cancelled'

/** "24 hours", "2 hours", "30 minutes", "3 days" */
export function describeOffset(minutes: number): string {
  if (minutes % 1440 === 0 && minutes > 1440) return `${minutes / 1440} days`
  if (minutes % 60 === 0) return minutes === 60 ? '1 hour' : `${minutes / 60} hours`
  return `${minutes} minutes`
}

interface Wording {
  subject: string
  heading: string
  intro: string
  withIcs: boolean
}

function wording(kind: PicketMailKind, picket: Picket, extra: { offsetMinutes?: number }): Wording {
  const when = describeLocal(picket.startsAt, picket.endsAt, picket.timeZone).full
  switch (kind) {
    // To an address nobody has confirmed: nothing in it was typed by the submitter except the name.
    case 'rsvp_confirm':
      return {
        subject: `Confirm your place: ${picket.title}`,
        heading: 'Please confirm your place',
        intro: 'Someone, we hope you, asked to join this picket with this email address. You are not counted and hold no place until you confirm with the link below. If it was not you, ignore this mail: nothing more will come.',
        withIcs: false,
      }
    case 'rsvp_going':
      return { subject: `You're going: ${picket.title}`, heading: "You're going", intro: 'Thank you for joining the picket. The details are below, and the attached calendar file adds it to your calendar.', withIcs: true }
    case 'rsvp_waitlisted':
      return { subject: `Waiting list: ${picket.title}`, heading: "You're on the waiting list", intro: 'The picket is full for now. If a place opens up we will move you up and write to you at once.', withIcs: false }
    case 'rsvp_promoted':
      return { subject: `A place opened up: ${picket.title}`, heading: "A place opened up — you're going", intro: 'Someone cancelled, so you have moved up from the waiting list. The calendar file is attached.', withIcs: true }
    case 'rsvp_link':
      return { subject: `Your RSVP: ${picket.title}`, heading: 'Your RSVP', intro: 'You (or someone with your address) asked to join this picket again. You are already signed up; use the link below to see or cancel your RSVP.', withIcs: false }
    case 'picket_reminder':
      return { subject: `Reminder: ${picket.title} starts in ${describeOffset(extra.offsetMinutes ?? 0)}`, heading: `The picket starts in ${describeOffset(extra.offsetMinutes ?? 0)}`, intro: 'A reminder of where and when. See you there.', withIcs: true }
    case 'picket_changed':
      return { subject: `Changed: ${picket.title} — now ${when}`, heading: 'The picket has changed', intro: 'The organizers changed the picket. Here are the new details; the attached calendar file updates your calendar.', withIcs: true }
    case 'picket_cancelled':
      return { subject: `Cancelled: ${picket.title}`, heading: 'The picket is cancelled', intro: 'The organizers have cancelled this picket. The attached calendar file removes it from your calendar. Thank you for being ready to stand with us.', withIcs: true }
  }
}

/** Every picket mail to one RSVP: the same details block, links only to BASE_URL. */
export function picketMail(
  mail: MailSettings,
  kind: PicketMailKind,
  campaign: Campaign,
  picket: Picket,
  rsvp: Rsvp,
  extra: { offsetMinutes?: number; ics?: ReturnType<typeof icsAttachment> } = {},
): OutboxMessage {
  const w = wording(kind, picket, extra)
  const manageUrl = `${mail.baseUrl}/rsvps/${rsvp.token}`
  const stopUrl = `${manageUrl}/stop-reminders`
  const local = describeLocal(picket.startsAt, picket.endsAt, picket.timeZone)
  const data = {
    ...w,
    name: rsvp.name ?? '',
    campaign,
    picket,
    countryName: countryName(picket.country),
    local,
    manageUrl,
    stopUrl,
    picketUrl: `${mail.baseUrl}/pickets/${picket.id}`,
    cancelled: picket.status === 'cancelled',
    reminder: kind === 'picket_reminder',
    confirm: kind === 'rsvp_confirm',
  }
  const { text, html } = renderEmail('picket', data)
  const stableId = kind === 'picket_reminder' ? `${rsvp.id}.${extra.offsetMinutes}.${picket.startsAt.getTime()}` : `${rsvp.id}.${crypto.randomBytes(6).toString('base64url')}`
  return {
    from: { name: mail.fromName, address: mail.from },
    to: { name: rsvp.name ?? '', address: rsvp.email! },
    subject: w.subject,
    text,
    html,
    messageId: `<${kind.replace('_', '-')}.${stableId}@${mail.domain}>`,
    // No reminders go to an RSVP that is not confirmed, so there is nothing to unsubscribe from.
    headers:
      kind === 'rsvp_confirm'
        ? undefined
        : {
            'List-Unsubscribe': `<${stopUrl}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          },
    // The .ics is the same for every RSVP: callers mailing many pass it in once.
    attachments: w.withIcs ? [extra.ics ?? icsAttachment(picket, campaign, mail)] : undefined,
  }
}
