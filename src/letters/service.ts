import crypto from 'node:crypto'
import type { Db } from '../db/client.js'
import type { Clock } from '../clock.js'
import type { Campaign, Letter, Target } from '../db/schema/index.js'
import type { CampaignService } from '../campaigns/service.js'
import { countLetter } from '../campaigns/tally.js'
import { enqueueMail } from '../mail/outbox.js'
import type { MailSettings } from '../mail/settings.js'
import { countryName } from '../countries.js'
import { InputError, normalizeEmail } from '../validation.js'
import { AppealCache, letterDate, renderAppeal, targetContext, type AppealContext } from '../campaigns/appeal.js'
import type { LetterInput, PreviewInput } from './input.js'
import * as queries from './queries.js'
import * as mails from './mail.js'
import { letterFormView, type LetterFormState } from './form.js'

export const CONFIRM_LINK_DAYS = 7

export type WriteResult =
  | { kind: 'not_found' }
  | { kind: 'closed'; campaign: Campaign }
  // `duplicate` is for logs and tests only: responses must look the same either way.
  | { kind: 'accepted'; campaign: Campaign; letter: { id: string; status: 'queued' | 'pending_confirmation' }; duplicate: boolean }

export type ConfirmState =
  | { state: 'unknown' }
  | { state: 'expired' | 'pending' | 'confirmed'; campaign: Campaign; target: Target; letter: Letter }

const newId = () => crypto.randomBytes(12).toString('base64url')
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

  function appealFor(campaign: Campaign, target: Target, language: string, supporter: PreviewInput, now: Date) {
    const template = campaigns.template(campaign.id, language)
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
      target: targetContext(target, language),
      campaign: { title: campaign.title, url: `${mail.baseUrl}/campaigns/${campaign.slug}` },
      date: letterDate(now, language),
      note: supporter.note ?? '',
    }
    return renderAppeal(appeals.get(template), context)
  }

  /** Checks what the schema cannot: the official and language belong to this campaign. */
  function resolve(campaign: Campaign, targetId: number | undefined, language: string | undefined, field: 'target' | 'targetId') {
    const issues = []
    const target = targetId ? campaigns.target(campaign.id, targetId) : undefined
    if (!target) issues.push({ path: [field], message: 'Please choose one of the officials listed' })
    const lang = language ?? campaign.languages[0]
    if (!lang || !campaign.languages.includes(lang) || !campaigns.template(campaign.id, lang)) {
      issues.push({ path: ['language'], message: `Language must be one of: ${campaign.languages.join(', ')}` })
    }
    if (issues.length) throw new InputError(issues)
    return { target: target!, language: lang! }
  }

  return {
    /** The letter form as the campaign page shows it, with a preview of the appeal. */
    formView(campaign: Campaign, state: LetterFormState = {}) {
      return letterFormView(campaign, campaigns.targets(campaign.id), campaigns.isOpen(campaign), (input) => this.preview(campaign, input), state)
    },

    preview(campaign: Campaign, input: PreviewInput) {
      const target = input.targetId ? campaigns.target(campaign.id, input.targetId) : campaigns.targets(campaign.id)[0]
      const language = input.language && campaign.languages.includes(input.language) ? input.language : campaign.languages[0]
      if (!target || !language) return null
      return { target, language, ...appealFor(campaign, target, language, input, clock())! }
    },

    /** Writes one letter, its mail and its tally in one transaction. `field` names the target field in errors. */
    write(slug: string, input: LetterInput, field: 'target' | 'targetId' = 'targetId'): WriteResult {
      const campaign = campaigns.bySlug(slug)
      if (!campaign) return { kind: 'not_found' }
      if (campaign.status !== 'live') return { kind: 'closed', campaign }
      const { target, language } = resolve(campaign, input.targetId, input.language, field)
      const now = clock()
      const rendered = appealFor(campaign, target, language, input, now)!
      const emailNormalized = normalizeEmail(input.email)
      const confirm = campaign.confirmLetters
      const token = confirm ? crypto.randomBytes(32).toString('base64url') : null
      const status = confirm ? ('pending_confirmation' as const) : ('queued' as const)

      const result = db.transaction((tx) => {
        const letter = queries.insertLetter(tx, {
          publicId: newId(),
          campaignId: campaign.id,
          targetId: target.id,
          language,
          supporterName: input.name,
          supporterEmail: input.email,
          emailNormalized,
          country: input.country,
          city: input.city,
          organisation: input.organisation ?? null,
          note: input.note || null,
          wantsCopy: input.copy,
          consent: input.consent,
          subject: rendered.subject,
          body: rendered.body,
          status,
          confirmTokenHash: token ? hashToken(token) : null,
          confirmExpiresAt: token ? addDays(now, CONFIRM_LINK_DAYS) : null,
          createdAt: now,
          countedAt: confirm ? null : now,
        })
        if (letter) {
          if (token) {
            enqueueMail(tx, { kind: 'confirm_letter', message: mails.confirmLetter(mail, campaign, target, letter, token, newId()) }, now)
          } else {
            countLetter(tx, campaign.id, target.id, now)
            queueLetterMail(tx, campaign, target, letter, now)
          }
          return { id: letter.publicId, duplicate: false }
        }
        const existing = queries.findExisting(tx, campaign.id, target.id, emailNormalized)!
        if (existing.status === 'pending_confirmation') {
          // They may have lost the first link: send a fresh one instead of "already written".
          const fresh = crypto.randomBytes(32).toString('base64url')
          queries.refreshConfirmToken(tx, existing.id, hashToken(fresh), addDays(now, CONFIRM_LINK_DAYS))
          enqueueMail(tx, { kind: 'confirm_letter', message: mails.confirmLetter(mail, campaign, target, existing, fresh, newId()) }, now)
        } else {
          const to = { name: input.name, address: input.email }
          enqueueMail(tx, { kind: 'already_written', message: mails.alreadyWritten(mail, campaign, target, to, newId()) }, now)
        }
        return { id: existing.publicId, duplicate: true }
      })
      mailQueued()
      // The status is what a first letter would get, so a repeat reads exactly like a success.
      return { kind: 'accepted', campaign, letter: { id: result.id, status }, duplicate: result.duplicate }
    },

    /** What a confirmation link points at; never changes anything (mail scanners follow links). */
    lookupConfirmation(token: string): ConfirmState {
      const letter = queries.findByConfirmToken(db, hashToken(token))
      if (!letter) return { state: 'unknown' }
      const campaign = campaigns.byId(letter.campaignId)!
      const target = campaigns.target(campaign.id, letter.targetId)!
      if (letter.status !== 'pending_confirmation') return { state: 'confirmed', campaign, target, letter }
      if (!letter.confirmExpiresAt || letter.confirmExpiresAt <= clock()) return { state: 'expired', campaign, target, letter }
      return { state: 'pending', campaign, target, letter }
    },

    /** Confirms a pending letter: it counts and goes out now. Confirming twice is harmless. */
    confirm(token: string): ConfirmState | { state: 'closed'; campaign: Campaign } {
      const found = this.lookupConfirmation(token)
      if (found.state !== 'pending') return found
      const { campaign, target, letter } = found
      if (campaign.status !== 'live') return { state: 'closed', campaign }
      const now = clock()
      db.transaction((tx) => {
        if (!queries.markConfirmed(tx, letter.id, now)) return
        countLetter(tx, campaign.id, target.id, now)
        queueLetterMail(tx, campaign, target, letter, now)
      })
      mailQueued()
      return { ...found, state: 'confirmed' }
    },
  }

  function queueLetterMail(tx: Parameters<typeof enqueueMail>[0], campaign: Campaign, target: Target, letter: Letter, now: Date) {
    enqueueMail(tx, { kind: 'letter', letterId: letter.id, message: mails.letterToOfficial(mail, campaign, target, letter) }, now)
    if (letter.wantsCopy) {
      enqueueMail(tx, { kind: 'letter_copy', letterId: letter.id, message: mails.letterCopy(mail, campaign, target, letter) }, now)
    }
  }
}

export type LetterService = ReturnType<typeof createLetterService>

function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000)
}
