import type { Campaign, Letter, OutboxMessage, Target } from '../db/schema/index.js'
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
