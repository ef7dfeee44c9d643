import { z } from 'zod'
import { personName, requiredLine, optionalLine, multiLine, email, countryCode, language, checkbox, localized } from '../validation.js'

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
// What the JSON body states of rules zod checks in refinements: a line has no control characters and
// something besides spaces; an email address and a country code have their formats.
const NO_CONTROL = '\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029'
const FILLED_LINE = `^[^${NO_CONTROL}]*[^\\s${NO_CONTROL}][^${NO_CONTROL}]*$`

export const letterJson = z.object(
  {
    ...supporterFields,
    name: supporterName.meta({ minLength: 1, pattern: FILLED_LINE, description: 'One line, no web address in it' }),
    email: email.meta({ format: 'email' }),
    country: countryCode.meta({ pattern: '^[A-Za-z]{2}$', description: 'The supporter’s country: ISO 3166-1 alpha-2, such as GB' }),
    city: supporterFields.city.meta({ minLength: 1, pattern: FILLED_LINE }),
    language: supporterFields.language.describe('The letter’s language: one the campaign offers (its `languages`); absent or empty, chosen for the officials'),
    targetId: jsonTargetId.optional().describe('The official to write to (an id from the campaign’s `targets`)'),
    targetIds: z
      .array(jsonTargetId, { error: 'targetIds must be a list of officials\' numbers' })
      .min(1, CHOOSE_TARGET)
      .max(MAX_TARGETS, TOO_MANY_TARGETS)
      .optional()
      .describe(`Several officials at once (1 to ${MAX_TARGETS}), with or instead of targetId`),
    copy: z.boolean({ error: 'copy must be true or false' }).optional().default(false).describe('Mail the supporter a copy (once their address is confirmed)'),
    replyDirect: z.boolean({ error: 'replyDirect must be true or false' }).optional().default(false).describe('Give the official the supporter’s address to answer them'),
    consent: z.boolean({ error: 'consent must be true or false' }).optional().default(false).describe('The supporter agrees to hear from the campaign again'),
  },
  { error: 'The body must be a JSON object' },
)

/**
 * The JSON API's body as its route validates it: the fields above, and at least one official. The
 * missing official is told beside every other wrong field (a refinement zod would skip once a field
 * failed, so it runs whenever the body is an object).
 */
export const letterBody = letterJson
  .refine((d) => d.targetId !== undefined || d.targetIds !== undefined, { message: CHOOSE_TARGET, path: ['targetId'], when: (p) => typeof p.value === 'object' && p.value !== null && !Array.isArray(p.value) })
  .meta({
    description: 'The supporter and the officials: `targetId` or `targetIds` (at least one official)',
    anyOf: [{ required: ['targetId'] }, { required: ['targetIds'] }],
    'x-examples': { valid: { summary: 'A valid letter', value: { name: 'Roza T.', email: 'roza@example.com', country: 'GB', city: 'Leeds', organisation: 'Unite', language: 'en', note: 'Greetings from the Leeds branch.', targetIds: [1, 2], copy: true, replyDirect: false, consent: true } } },
  })
export type LetterJson = z.infer<typeof letterBody>

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

/** The JSON API's letter (validated by its route's schema, letterBody) as the service takes it. */
export function fromJson(data: LetterJson): LetterInput {
  const { targetId, targetIds, ...rest } = data
  return { ...rest, targetIds: distinct([...(targetId ? [targetId] : []), ...(targetIds ?? [])]) }
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
