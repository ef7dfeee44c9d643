import crypto from 'node:crypto'
import type { Db, DbOrTx } from '../db/client.js'
import type { Clock } from '../clock.js'
import { campaignTexts, targetTexts, type Campaign, type Letter, type Target } from '../db/schema/index.js'
import { localize, localizeRow } from '../i18n/content.js'
import type { CampaignService } from '../campaigns/service.js'
import { countLetter } from '../campaigns/tally.js'
import { enqueueMail } from '../mail/outbox.js'
import { takeAnonymousMail } from '../mail/quota.js'
import type { MailSettings } from '../mail/settings.js'
import { countryName } from '../countries.js'
import { InputError, normalizeEmail } from '../validation.js'
import { randomBase64url } from '../random.js'
import { GroupCommit } from '../db/group-commit.js'
import { AppealCache, letterDate, renderAppeal, targetContext, type AppealContext } from '../campaigns/appeal.js'
import { CHOOSE_LISTED_TARGET, CHOOSE_OFFERED_LANGUAGE, type LetterInput, type PreviewInput } from './input.js'
import * as queries from './queries.js'
import * as mails from './mail.js'
import { letterFormView, letterLanguage, type LetterFormState } from './form.js'

export const CONFIRM_LINK_DAYS = 7

type LetterAnswer = { id: string; status: 'queued' | 'pending_confirmation' }

export type WriteResult =
  | { kind: 'not_found' }
  | { kind: 'closed'; campaign: Campaign }
  // `duplicate` is for logs and tests only: responses must look the same either way.
  | { kind: 'accepted'; campaign: Campaign; letter: LetterAnswer; letters: (LetterAnswer & { targetId: number })[]; duplicate: boolean }

export type ConfirmState =
  | { state: 'unknown' }
  | { state: 'expired' | 'pending' | 'confirmed'; campaign: Campaign; letters: { letter: Letter; target: Target }[] }

const newId = () => randomBase64url(12)
const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex')

declare module 'fastify' {
  interface FastifyInstance {
    letters: LetterService
  }
}

export function createLetterService(deps: { db: Db; clock: Clock; mail: MailSettings; campaigns: CampaignService; onMailQueued?: () => void }) {
  const { db, clock, mail, campaigns } = deps
  const appeals = new AppealCache()
  const mailQueued = () => deps.onMailQueued?.()
  // The letters of one turn of the event loop share a transaction (see GroupCommit).
  const group = new GroupCommit(db.$client)

  function appealFor(campaign: Campaign, target: Target, language: string, supporter: PreviewInput, now: Date) {
    const template = campaigns.cached.template(campaign.id, language)
    if (!template) return null
    const country = supporter.country ?? ''
    const context: AppealContext = {
      supporter: {
        name: supporter.name ?? '',
        city: supporter.city ?? '',
        country: country ? countryName(country, language) : '',
        countryCode: country,
        organisation: supporter.organisation ?? '',
      },
      target: targetContext(target, language, campaign.languages[0]),
      campaign: { title: localize(campaign, campaignTexts, language, campaign.languages[0] ?? language).title, url: `${mail.baseUrl}/campaigns/${campaign.slug}` },
      date: letterDate(now, language),
      note: supporter.note ?? '',
    }
    return renderAppeal(appeals.get(template), context)
  }

  /** Checks what the schema cannot: the officials and language belong to this campaign. */
  function resolve(campaign: Campaign, targetIds: number[], language: string | undefined, field: 'target' | 'targetId', pageLanguage?: string) {
    const issues = []
    const targets = targetIds.map((id) => campaigns.cached.target(campaign.id, id))
    if (targets.length === 0 || targets.some((t) => !t)) issues.push({ path: [field], message: CHOOSE_LISTED_TARGET })
    // An API client that names no language writes as from a page in the campaign's first language.
    const lang = language ?? letterLanguage(campaign, pageLanguage ?? campaign.languages[0], targets[0])
    if (!lang || !campaign.languages.includes(lang) || !campaigns.cached.template(campaign.id, lang)) {
      issues.push({ path: ['language'], message: CHOOSE_OFFERED_LANGUAGE })
    }
    if (issues.length) throw new InputError(issues)
    return { targets: targets as Target[], language: lang! }
  }

  /** A fresh confirmation link covering every letter this address has pending in the campaign, in the supporter's language. */
  function queueConfirmation(tx: DbOrTx, campaign: Campaign, to: { name: string; address: string }, emailNormalized: string, pending: Letter[], now: Date, supporterLanguage: string) {
    const token = randomBase64url(32)
    queries.insertConfirmation(tx, { campaignId: campaign.id, emailNormalized, tokenHash: hashToken(token), expiresAt: addDays(now, CONFIRM_LINK_DAYS), createdAt: now })
    const officials = pending.map((l) => campaigns.cached.target(campaign.id, l.targetId)!)
    enqueueMail(tx, { kind: 'confirm_letter', message: mails.confirmLetters(mail, campaign, officials, to, token, newId(), supporterLanguage, CONFIRM_LINK_DAYS) }, now)
  }

  return {
    /** The letter form as the campaign page shows it, with a preview of the appeal. */
    formView(campaign: Campaign, state: LetterFormState = {}) {
      return letterFormView(campaign, campaigns.cached.targets(campaign.id), campaigns.isOpen(campaign), (input) => this.preview(campaign, input), state)
    },

    preview(campaign: Campaign, input: PreviewInput) {
      const target = input.targetId ? campaigns.cached.target(campaign.id, input.targetId) : campaigns.cached.targets(campaign.id)[0]
      const language = input.language && campaign.languages.includes(input.language) ? input.language : campaign.languages[0]
      if (!target || !language) return null
      // The official as the letter names them.
      return { target: localizeRow(target, targetTexts, language, campaign.languages[0] ?? language), language, ...appealFor(campaign, target, language, input, clock())! }
    },

    /**
     * Writes one letter to each official chosen, their mail and the tally in one transaction.
     * `field` names the officials' field in errors. A repeat (this address already wrote to that
     * official) changes nothing and is answered exactly like a first letter: a fresh random id, the
     * same status, the same mail-shaped work; only the mailbox learns the difference.
     */
    write(slug: string, input: LetterInput, field: 'target' | 'targetId' = 'targetId'): WriteResult {
      const campaign = campaigns.cached.bySlug(slug)
      if (!campaign) return { kind: 'not_found' }
      if (campaign.status !== 'live') return { kind: 'closed', campaign }
      const { targets, language } = resolve(campaign, input.targetIds, input.language, field, input.pageLanguage)
      const now = clock()
      const emailNormalized = normalizeEmail(input.email)
      const confirm = campaign.confirmLetters
      const status = confirm ? ('pending_confirmation' as const) : ('queued' as const)
      const to = { name: input.name, address: input.email }
      // Mail to the supporter is in the language of the page they wrote from, else the letter's.
      const supporterLanguage = input.pageLanguage ?? language

      const result = db.transaction((tx) => {
        const answers: { id: string; targetId: number; duplicate: boolean }[] = []
        for (const target of targets) {
          const rendered = appealFor(campaign, target, language, input, now)!
          const letter = queries.insertLetter(tx, {
            publicId: newId(),
            campaignId: campaign.id,
            targetId: target.id,
            language,
            supporterLanguage,
            supporterName: input.name,
            supporterEmail: input.email,
            emailNormalized,
            country: input.country,
            city: input.city,
            organisation: input.organisation ?? null,
            note: input.note || null,
            // Without confirmation nobody proved the address is theirs: their own text goes nowhere but to the official.
            wantsCopy: confirm && input.copy,
            replyDirect: input.replyDirect,
            consent: input.consent,
            subject: rendered.subject,
            body: rendered.body,
            status,
            createdAt: now,
            countedAt: confirm ? null : now,
          })
          if (letter && !confirm) {
            countLetter(tx, campaign.id, target.id, now)
            queueLetterMail(tx, campaign, target, letter, now)
          }
          // A repeat gets an id drawn the same way as a new letter's, and never the earlier letter's.
          answers.push({ id: letter ? letter.publicId : newId(), targetId: target.id, duplicate: !letter })
        }
        // One mail to the supporter per submission, within the day's cap for anonymous actions.
        const pending = confirm ? queries.pendingLetters(tx, campaign.id, emailNormalized) : []
        const mailsSupporter = pending.length > 0 || answers.some((a) => a.duplicate)
        if (mailsSupporter && takeAnonymousMail(tx, mail.addressKey, emailNormalized, now)) {
          if (pending.length > 0) queueConfirmation(tx, campaign, to, emailNormalized, pending, now, supporterLanguage)
          else enqueueMail(tx, { kind: 'already_written', message: mails.alreadyWritten(mail, campaign, targets.filter((t) => answers.some((a) => a.duplicate && a.targetId === t.id)), to, newId(), supporterLanguage) }, now)
        }
        return answers
      })
      mailQueued()
      return {
        kind: 'accepted',
        campaign,
        letters: result.map((a) => ({ id: a.id, status, targetId: a.targetId })),
        letter: { id: result[0]!.id, status },
        duplicate: result.every((a) => a.duplicate),
      }
    },

    /** write(), answered once its group of letters is committed: what the routes use under load. */
    submit(slug: string, input: LetterInput, field: 'target' | 'targetId' = 'targetId'): Promise<WriteResult> {
      return group.run(() => this.write(slug, input, field))
    },

    /** What a confirmation link points at; never changes anything (mail scanners follow links). */
    lookupConfirmation(token: string): ConfirmState {
      const confirmation = queries.findConfirmation(db, hashToken(token))
      if (!confirmation) return { state: 'unknown' }
      const campaign = campaigns.byId(confirmation.campaignId)
      if (!campaign) return { state: 'unknown' }
      const pending = queries.pendingLetters(db, campaign.id, confirmation.emailNormalized)
      const letters = pending.map((letter) => ({ letter, target: campaigns.target(campaign.id, letter.targetId)! }))
      if (pending.length === 0) return { state: 'confirmed', campaign, letters }
      if (confirmation.expiresAt <= clock()) return { state: 'expired', campaign, letters }
      return { state: 'pending', campaign, letters }
    },

    /** Confirms every letter pending from that address: they count and go out now. Confirming twice is harmless. */
    confirm(token: string): ConfirmState | { state: 'closed'; campaign: Campaign } {
      const found = this.lookupConfirmation(token)
      if (found.state !== 'pending') return found
      const { campaign } = found
      if (campaign.status !== 'live') return { state: 'closed', campaign }
      const now = clock()
      db.transaction((tx) => {
        for (const { letter, target } of found.letters) {
          if (!queries.markConfirmed(tx, letter.id, now)) continue
          countLetter(tx, campaign.id, target.id, now)
          queueLetterMail(tx, campaign, target, letter, now)
        }
      })
      mailQueued()
      return { ...found, state: 'confirmed' }
    },
  }

  /**
   * A letter that counts waits as `queued` for its official's delivery (delivery.ts turns it into mail
   * when its slot, digest or hand delivery comes); only the supporter's copy is queued now.
   */
  function queueLetterMail(tx: DbOrTx, campaign: Campaign, target: Target, letter: Letter, now: Date) {
    // The copy goes only once the address is proven theirs (see write()).
    if (letter.wantsCopy) {
      // Composed when sent, from the letter row (delivery.ts): an erasure before then leaves nothing to send.
      enqueueMail(tx, { kind: 'letter_copy', letterId: letter.id, message: null, recipient: letter.supporterEmail! }, now)
    }
  }
}

export type LetterService = ReturnType<typeof createLetterService>

function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000)
}
