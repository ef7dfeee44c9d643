import { campaignTexts, targetTexts, type Campaign, type Digest, type Letter, type OutboxMessage, type Target } from '../db/schema/index.js'
import { countsByCountry, digestCsv, digestNotes, type DeliveryLetter } from './digest-files.js'
import { buildDossier, dossierFileName, dossierParties } from './dossier.js'
import { officialZone } from './zone.js'
import { languageHeaders, mailLanguage, renderEmail } from '../mail/render.js'
import type { MailSettings } from '../mail/settings.js'
import { translator, type Language } from '../i18n/index.js'
import { localize, localizeRow } from '../i18n/content.js'
import { targetContext } from '../campaigns/appeal.js'
import { dateLocale } from '../i18n/languages.js'

/** The campaign's texts in a mail's language (its first language where a text has no translation). */
const campaignIn = (campaign: Campaign, lang: string) => localizeRow(campaign, campaignTexts, lang, campaign.languages[0] ?? lang)
/** An official's name and title in a mail's language. */
const officialIn = (campaign: Campaign, target: Target, lang: string) => {
  const texts = localize(target, targetTexts, lang, campaign.languages[0] ?? lang)
  return { name: texts.name, title: texts.title }
}

/** The language of mail to the supporter about their letter: the page they wrote from, else the letter's. */
export const supporterLanguage = (letter: Pick<Letter, 'supporterLanguage' | 'language'>): Language => mailLanguage(letter.supporterLanguage ?? letter.language)

/**
 * The letter itself, to the official: from us on the supporter's behalf. Replies go to the supporter
 * only if they asked to share their address; otherwise to the campaign's own address.
 */
export function letterToOfficial(mail: MailSettings, campaign: Campaign, target: Target, letter: Letter): OutboxMessage {
  // Our footer is in the letter's language (English when Outcry has no catalog for it, then marked so).
  const lang = mailLanguage(letter.language)
  const data = { letter, campaign: campaignIn(campaign, lang), target, supporterName: letter.supporterName ?? '', footerLang: lang === letter.language ? undefined : lang }
  const { text, html } = renderEmail('letter', data, { lang, htmlLang: letter.language })
  return {
    from: { name: `${letter.supporterName} via ${mail.fromName}`, address: mail.from },
    // Named as the letter names them (Нурсултан Назарбаев in a Russian letter).
    to: { name: officialIn(campaign, target, letter.language).name, address: target.email },
    replyTo: letter.replyDirect && letter.supporterEmail ? { name: letter.supporterName ?? '', address: letter.supporterEmail } : { name: mail.fromName, address: mail.replyTo },
    subject: letter.subject,
    text,
    html,
    messageId: `<letter.${letter.publicId}@${mail.domain}>`,
    // The letter's own language: it is most of the mail.
    headers: { 'Content-Language': /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(letter.language) ? letter.language : lang },
  }
}

export function letterCopy(mail: MailSettings, campaign: Campaign, target: Target, letter: Letter): OutboxMessage {
  const campaignUrl = `${mail.baseUrl}/campaigns/${campaign.slug}`
  const lang = supporterLanguage(letter)
  const official = officialIn(campaign, target, lang)
  // The letter itself is its snapshot, as sent: never rendered again in another language.
  const t = translator(lang)
  const subject = t('mail.letterCopy.subject', { name: official.name, subject: letter.subject })
  const data = { letter, campaign: campaignIn(campaign, lang), target: official, supporterName: letter.supporterName ?? '', campaignUrl, subject }
  const { text, html } = renderEmail('letter-copy', data, { lang })
  return {
    from: { name: mail.fromName, address: mail.from },
    to: { name: letter.supporterName ?? '', address: letter.supporterEmail! },
    subject,
    text,
    html,
    messageId: `<letter-copy.${letter.publicId}@${mail.domain}>`,
    headers: languageHeaders(lang),
  }
}

/** Officials as unconfirmed mail may show them: organizers' words only, nothing the submitter typed. */
const listed = (campaign: Campaign, officials: Target[], lang: string) => officials.map((t) => officialIn(campaign, t, lang))

/** `language`: the page they wrote from (else the letter's); one Outcry has no catalog for reads English. */
export function alreadyWritten(mail: MailSettings, campaign: Campaign, officials: Target[], to: { name: string; address: string }, attemptId: string, language?: string | null): OutboxMessage {
  const lang = mailLanguage(language)
  const t = translator(lang)
  const campaignUrl = `${mail.baseUrl}/campaigns/${campaign.slug}`
  const named = listed(campaign, officials, lang)
  const subject = named.length === 1 ? t('mail.alreadyWritten.subjectOne', { name: named[0]!.name }) : t('mail.alreadyWritten.subjectSeveral')
  const { text, html } = renderEmail('already-written', { campaign: campaignIn(campaign, lang), officials: named, count: named.length, name: to.name, campaignUrl, subject }, { lang })
  return {
    from: { name: mail.fromName, address: mail.from },
    to,
    subject,
    text,
    html,
    messageId: `<already-written.${attemptId}@${mail.domain}>`,
    headers: languageHeaders(lang),
  }
}

/** One link for every letter the address has pending in the campaign, in `language` (see alreadyWritten). */
export function confirmLetters(mail: MailSettings, campaign: Campaign, officials: Target[], to: { name: string; address: string }, token: string, attemptId: string, language?: string | null, days = 7): OutboxMessage {
  const lang = mailLanguage(language)
  const t = translator(lang)
  const confirmUrl = `${mail.baseUrl}/letters/confirm/${token}`
  const named = listed(campaign, officials, lang)
  const subject = named.length === 1 ? t('mail.confirmLetter.subjectOne', { name: named[0]!.name }) : t('mail.confirmLetter.subjectSeveral', { count: named.length })
  const { text, html } = renderEmail('confirm-letter', { campaign: campaignIn(campaign, lang), officials: named, count: named.length, name: to.name, confirmUrl, days, subject }, { lang })
  return {
    from: { name: mail.fromName, address: mail.from },
    to,
    subject,
    text,
    html,
    messageId: `<confirm.${attemptId}@${mail.domain}>`,
    headers: languageHeaders(lang),
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
  // In the official's language when Outcry speaks it, else English; the campaign's texts in it too,
  // and the attachments' words (the letters in them are their snapshots, as sent).
  const lang = mailLanguage(target.language)
  const pdf = await buildDossier({ ...dossierParties(campaign, target), period, letters: delivered, generatedAt: now, timeZone })
  const t = translator(lang)
  const locale = dateLocale(lang)
  const since = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone }).format(digest.periodStart)
  const number = new Intl.NumberFormat(locale)
  const localCampaign = campaignIn(campaign, lang)
  const data = {
    campaign: localCampaign,
    target,
    salutation: targetContext(target, lang, campaign.languages[0] ?? lang).salutation,
    count: included.length,
    since,
    countries: countsByCountry(delivered, lang).map((c) => ({ ...c, countText: number.format(c.count) })),
    notes: digestNotes(delivered, { language: lang }),
    csvName,
    pdfName,
    campaignUrl: `${mail.baseUrl}/campaigns/${campaign.slug}`,
  }
  const subject = t('mail.digest.subject', { count: included.length, title: localCampaign.title })
  const { text, html } = renderEmail('digest', data, { title: subject, lang })
  return {
    from: { name: mail.fromName, address: mail.from },
    to: { name: officialIn(campaign, target, lang).name, address: target.email },
    replyTo: { name: mail.fromName, address: mail.replyTo },
    subject,
    text,
    html,
    headers: languageHeaders(lang),
    messageId: `<digest.${digest.id}.${digest.periodEnd.getTime()}@${mail.domain}>`,
    attachments: [
      // Not text/csv: filters read text/* parts as the body, and a table of names and cities reads as a form
      // asking for personal data (SpamAssassin FILL_THIS_FORM_LONG, +2). Excel, what officials open it with, takes this type.
      { filename: csvName, content: digestCsv(delivered, { language: lang }), contentType: 'application/vnd.ms-excel' },
      { filename: pdfName, content: pdf.toString('base64'), contentType: 'application/pdf', encoding: 'base64' },
    ],
  }
}
