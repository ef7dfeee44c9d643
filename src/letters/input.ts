import { z } from 'zod'
import { personName, requiredLine, optionalLine, multiLine, email, countryCode, language, checkbox, issuesOf, localized, type FieldIssue } from '../validation.js'

export const NOTE_MAX = 2000

export const supporterName = personName('Name', 100)

const supporterFields = {
  name: supporterName,
  email,
  country: countryCode,
  city: requiredLine('City', 100),
  organisation: optionalLine('Organisation', 150),
  language: language.optional().or(z.literal('').transform(() => undefined)),
  note: multiLine('Note', NOTE_MAX).optional(),
}

const CHOOSE_TARGET = localized((t) => t('validation.chooseOfficial'))
/** A supporter may write to several officials in one go (the President, the Prosecutor General, the embassy). */
export const MAX_TARGETS = 20
const TOO_MANY_TARGETS = localized((t) => t('validation.tooManyOfficials', { max: MAX_TARGETS }))
/** What the letters service says of an official not in the campaign: the same English, so the form translates it. */
export const CHOOSE_LISTED_TARGET = localized((t) => t('validation.chooseListedOfficial'))
export const CHOOSE_OFFERED_LANGUAGE = localized((t) => t('validation.chooseOfferedLanguage'))

const formTargetId = z
  .string({ error: CHOOSE_TARGET })
  .regex(/^[1-9][0-9]{0,9}$/, CHOOSE_TARGET)
  .transform(Number)
const jsonTargetId = z.number({ error: 'targetId must be the number of an official' }).int(CHOOSE_TARGET).positive(CHOOSE_TARGET).max(2 ** 31, CHOOSE_TARGET)
const distinct = (ids: number[]) => [...new Set(ids)]

/** The HTML form: `target` (one, or several checkboxes), checkboxes as "on". */
export const letterForm = z.object({
  ...supporterFields,
  target: z
    .union([formTargetId.transform((id) => [id]), z.array(formTargetId, { error: CHOOSE_TARGET }).min(1, CHOOSE_TARGET).max(MAX_TARGETS, TOO_MANY_TARGETS)], { error: CHOOSE_TARGET })
    .transform(distinct),
  copy: checkbox,
  replyDirect: checkbox,
  consent: checkbox,
})

/** The JSON API: `targetId`, or `targetIds` for several; checkboxes as booleans. */
export const letterJson = z
  .object({
    ...supporterFields,
    targetId: jsonTargetId.optional(),
    targetIds: z.array(jsonTargetId, { error: 'targetIds must be a list of officials\' numbers' }).min(1, CHOOSE_TARGET).max(MAX_TARGETS, TOO_MANY_TARGETS).optional(),
    copy: z.boolean({ error: 'copy must be true or false' }).optional().default(false),
    replyDirect: z.boolean({ error: 'replyDirect must be true or false' }).optional().default(false),
    consent: z.boolean({ error: 'consent must be true or false' }).optional().default(false),
  })

export interface LetterInput {
  name: string
  email: string
  country: string
  city: string
  organisation?: string
  language?: string
  /** The language of the page (or API request) they wrote from: mail to them is in it. */
  pageLanguage?: string
  note?: string
  targetIds: number[]
  copy: boolean
  /** Share the supporter's address with the official, so they can reply directly. */
  replyDirect: boolean
  consent: boolean
}

export function fromForm(data: z.infer<typeof letterForm>): LetterInput {
  const { target, ...rest } = data
  return { ...rest, targetIds: target }
}

function fromJson(data: z.infer<typeof letterJson>): LetterInput {
  const { targetId, targetIds, ...rest } = data
  return { ...rest, targetIds: distinct([...(targetId ? [targetId] : []), ...(targetIds ?? [])]) }
}

/** The JSON API's body: every issue at once, a missing official among them (zod skips object refinements once a field fails). */
export function parseLetterJson(body: Record<string, unknown>): { ok: true; input: LetterInput } | { ok: false; issues: FieldIssue[] } {
  const parsed = letterJson.safeParse(body)
  const noTarget = body.targetId === undefined && body.targetIds === undefined
  if (parsed.success && !noTarget) return { ok: true, input: fromJson(parsed.data) }
  const issues = parsed.success ? [] : issuesOf(parsed.error)
  if (noTarget) issues.push({ path: ['targetId'], message: CHOOSE_TARGET })
  return { ok: false, issues }
}

/** What the appeal preview is rendered with: the letter's fields, any of them still empty. */
export interface PreviewInput {
  name?: string
  city?: string
  country?: string
  organisation?: string
  note?: string
  targetId?: number
  language?: string
}
