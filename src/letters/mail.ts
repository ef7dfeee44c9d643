import type { Campaign, Letter, OutboxMessage, Target } from '../db/schema/index.js'
import { renderEmail } from '../mail/render.js'
import type { MailSettings } from '../mail/settings.js'

/** The letter itself, to the official: from us on the supporter's behalf, replies go to the supporter. */
export function letterToOfficial(mail: MailSettings, campaign: Campaign, target: Target, letter: Letter): OutboxMessage {
  const { text, html } = renderEmail('letter', { letter, campaign, target })
  return {
    from: { name: `${letter.supporterName} via ${mail.fromName}`, address: mail.from },
    to: { name: target.name, address: target.email },
    replyTo: { name: letter.supporterName ?? '', address: letter.supporterEmail ?? mail.from },
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

export function alreadyWritten(mail: MailSettings, campaign: Campaign, target: Target, to: { name: string; address: string }, attemptId: string): OutboxMessage {
  const campaignUrl = `${mail.baseUrl}/campaigns/${campaign.slug}`
  const { text, html } = renderEmail('already-written', { campaign, target, name: to.name, campaignUrl })
  return {
    from: { name: mail.fromName, address: mail.from },
    to,
    subject: `You have already written to ${target.name}`,
    text,
    html,
    messageId: `<already-written.${attemptId}@${mail.domain}>`,
  }
}

export function confirmLetter(mail: MailSettings, campaign: Campaign, target: Target, letter: Letter, token: string, attemptId: string): OutboxMessage {
  const confirmUrl = `${mail.baseUrl}/letters/confirm/${token}`
  const { text, html } = renderEmail('confirm-letter', { campaign, target, letter, confirmUrl })
  return {
    from: { name: mail.fromName, address: mail.from },
    to: { name: letter.supporterName ?? '', address: letter.supporterEmail! },
    subject: `Please confirm your letter to ${target.name}`,
    text,
    html,
    messageId: `<confirm.${attemptId}@${mail.domain}>`,
  }
}
