import { z } from 'zod'
import { requiredLine, optionalLine, multiLine, email, countryCode, language, checkbox } from '../validation.js'

export const NOTE_MAX = 2000

const supporterFields = {
  name: requiredLine('Name', 100),
  email,
  country: countryCode,
  city: requiredLine('City', 100),
  organisation: optionalLine('Organisation', 150),
  language: language.optional().or(z.literal('').transform(() => undefined)),
  note: multiLine('Note', NOTE_MAX).optional(),
}

const CHOOSE_TARGET = 'Please choose an official to write to'

/** The HTML form: `target`, checkboxes as "on". */
export const letterForm = z.object({
  ...supporterFields,
  target: z
    .string({ error: CHOOSE_TARGET })
    .regex(/^[1-9][0-9]{0,9}$/, CHOOSE_TARGET)
    .transform(Number),
  copy: checkbox,
  consent: checkbox,
})

/** The JSON API: `targetId`, checkboxes as booleans. */
export const letterJson = z.object({
  ...supporterFields,
  targetId: z.number({ error: 'targetId must be the number of an official' }).int(CHOOSE_TARGET).positive(CHOOSE_TARGET).max(2 ** 31, CHOOSE_TARGET),
  copy: z.boolean({ error: 'copy must be true or false' }).optional().default(false),
  consent: z.boolean({ error: 'consent must be true or false' }).optional().default(false),
})

export interface LetterInput {
  name: string
  email: string
  country: string
  city: string
  organisation?: string
  language?: string
  note?: string
  targetId: number
  copy: boolean
  consent: boolean
}

export function fromForm(data: z.infer<typeof letterForm>): LetterInput {
  const { target, ...rest } = data
  return { ...rest, targetId: target }
}

export function fromJson(data: z.infer<typeof letterJson>): LetterInput {
  return data
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
