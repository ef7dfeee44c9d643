import type { Campaign, Digest, Letter, OutboxMessage, Target } from '../db/schema/index.js'
import { countsByCountry, digestCsv, digestNotes, type DeliveryLetter } from './digest-files.js'
import { buildDossier, dossierFileName } from './dossier.js'
import { officialZone } from './zone.js'
import { renderEmail } from '../mail/render.js'
import type { MailSettings } from '../mail/settings.js'

/**
 * The letter itself, to the official: from us on the supporter's behalf. Replies go to the supporter
 * only if they asked to share their address; otherwise to the campaign's own address.
 */
export function letterToOfficial(mail: MailSettings, campaign: Campaign, target: Target, letter: Letter): OutboxMessage {
  const { text, html } = renderEmail('letter', { letter, campaign, target })
  return {
    from: { name: `${letter.supporterName} via ${mail.fromName}`, address: mail.from },
    to: { name: target.name, address: target.email },
    replyTo: letter.replyDirect && letter.supporterEmail ? { name: letter.supporterName ?? '', address: letter.supporterEmail } : { name: mail.fromName, address: mail.replyTo },
    subject: letter.subject,
    text,
    html,
    messageId: `<letter.${letter.publicId}@${mail.domain}>`,
  }
}

export function letterCopy(mail: MailSettings, campaign: Campaign, target: Target, letter: Letter): OutboxMessage {
  const campaignUrl = `${mail.baseUrl}/campaigns/${campaign.slug}`
  const { text, html } = renderEmail('letter-copy', { letter, campaign, target, campaignUrl })
  return {
    from: { name: mail.fromName, address: mail.from },
    to: { name: letter.supporterName ?? '', address: letter.supporterEmail! },
    subject: `Your letter to ${target.name}: ${letter.subject}`,
    text,
    html,
    messageId: `<letter-copy.${letter.publicId}@${mail.domain}>`,
  }
}

/** Officials as unconfirmed mail may show them: organizers' words only, nothing the submitter typed. */
const listed = (officials: Target[]) => officials.map((t) => ({ name: t.name, title: t.title }))

export function alreadyWritten(mail: MailSettings, campaign: Campaign, officials: Target[], to: { name: string; address: string }, attemptId: string): OutboxMessage {
  const campaignUrl = `${mail.baseUrl}/campaigns/${campaign.slug}`
  const { text, html } = renderEmail('already-written', { campaign, officials: listed(officials), several: officials.length > 1, name: to.name, campaignUrl })
  return {
    from: { name: mail.fromName, address: mail.from },
    to,
    subject: officials.length === 1 ? `You have already written to ${officials[0]!.name}` : `You have already written to these officials`,
    text,
    html,
    messageId: `<already-written.${attemptId}@${mail.domain}>`,
  }
}

/** One link for every letter the address has pending in the campaign. */
export function confirmLetters(mail: MailSettings, campaign: Campaign, officials: Target[], to: { name: string; address: string }, token: string, attemptId: string): OutboxMessage {
  const confirmUrl = `${mail.baseUrl}/letters/confirm/${token}`
  const { text, html } = renderEmail('confirm-letter', { campaign, officials: listed(officials), several: officials.length > 1, name: to.name, confirmUrl })
  return {
    from: { name: mail.fromName, address: mail.from },
    to,
    subject: officials.length === 1 ? `Please confirm your letter to ${officials[0]!.name}` : `Please confirm your ${officials.length} letters`,
    text,
    html,
    messageId: `<confirm.${attemptId}@${mail.domain}>`,
  }
}

/** A letter row as the digest and the dossier read it (its snapshot; the date it counted). */
export const asDelivered = (l: Letter): DeliveryLetter => ({
  subject: l.subject,
  body: l.body,
  supporterName: l.supporterName,
  city: l.city,
  country: l.country,
  organisation: l.organisation,
  createdAt: l.countedAt ?? l.createdAt,
  language: l.language,
  note: l.note,
})

/**
 * One mail for a period's letters: the count, the count by country, a selection of supporters' own
 * words, and every letter attached as a table (CSV) and to print (PDF, one letter a page).
 */
export async function digestToOfficial(mail: MailSettings, campaign: Campaign, target: Target, digest: Digest, included: Letter[], now: Date): Promise<OutboxMessage> {
  const delivered = included.map(asDelivered)
  const period = { from: digest.periodStart, to: digest.periodEnd }
  const timeZone = officialZone(target)
  const pdfName = dossierFileName(target.name, period)
  const csvName = pdfName.replace(/\.pdf$/, '.csv')
  const pdf = await buildDossier({ campaign, official: target, period, letters: delivered, generatedAt: now, timeZone })
  const since = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone }).format(digest.periodStart)
  const data = {
    campaign,
    target,
    count: included.length,
    countText: included.length.toLocaleString('en'),
    several: included.length > 1,
    since,
    countries: countsByCountry(delivered),
    notes: digestNotes(delivered),
    csvName,
    pdfName,
    campaignUrl: `${mail.baseUrl}/campaigns/${campaign.slug}`,
  }
  const subject = `${included.length.toLocaleString('en')} ${included.length === 1 ? 'letter' : 'letters'} to you: ${campaign.title}`
  const { text, html } = renderEmail('digest', data, { title: subject })
  return {
    from: { name: mail.fromName, address: mail.from },
    to: { name: target.name, address: target.email },
    replyTo: { name: mail.fromName, address: mail.replyTo },
    subject,
    text,
    html,
    messageId: `<digest.${digest.id}.${digest.periodEnd.getTime()}@${mail.domain}>`,
    attachments: [
      // Not text/csv: filters read text/* parts as the body, and a table of names and cities reads as a form
      // asking for personal data (SpamAssassin FILL_THIS_FORM_LONG, +2). Excel, what officials open it with, takes this type.
      { filename: csvName, content: digestCsv(delivered), contentType: 'application/vnd.ms-excel' },
      { filename: pdfName, content: pdf.toString('base64'), contentType: 'application/pdf', encoding: 'base64' },
    ],
  }
}
