import { z } from 'zod'
import type { TFunction } from 'i18next'
import { personName, requiredLine, optionalLine, multiLine, email, countryCode, checkbox, type FieldIssue } from '../validation.js'
import { translator, type Language } from '../i18n/index.js'
import { isTimeZone } from './time.js'

const TWO_WEEKS = 14 * 24 * 60

/** What an organizer gives to schedule or change a picket; times are local to the venue. */
export const picketInput = z.object({
  title: requiredLine('Title', 150),
  venue: requiredLine('Venue', 150),
  address: requiredLine('Address', 300),
  city: requiredLine('City', 100),
  country: countryCode,
  startsLocal: z.string({ error: 'Start must be a local date and time such as 2026-12-16T12:00' }),
  endsLocal: z.string({ error: 'End must be a local date and time such as 2026-12-16T14:00' }),
  timeZone: z.string({ error: 'Time zone must be an IANA zone such as Europe/London' }).refine(isTimeZone, 'Time zone must be an IANA zone such as Europe/London'),
  capacity: z.number({ error: 'Capacity must be a whole number' }).int('Capacity must be a whole number').min(1, 'Capacity must be at least 1').max(100_000).nullable().optional(),
  notes: multiLine('What to bring', 2000).optional(),
  contact: optionalLine('Organizer contact', 300),
  reminders: z
    .array(z.number({ error: 'Reminders are minutes before the start' }).int().min(5, 'A reminder must be at least 5 minutes before').max(TWO_WEEKS, 'A reminder can be at most 14 days before'), {
      error: 'Reminders are a list of minutes before the start, such as [1440, 120]',
    })
    .max(5, 'At most 5 reminders')
    .optional(),
})

export type PicketInput = z.infer<typeof picketInput>

// Names go into mail to addresses nobody has confirmed yet: no web addresses in them.
export const rsvpForm = z.object({
  name: personName('Name', 100),
  email,
  consent: checkbox,
})

export const rsvpJson = z.object({
  name: personName('Name', 100),
  email,
  consent: z.boolean({ error: 'consent must be true or false' }).optional().default(false),
})

/** `language`: the page's (or API request's) language, kept so every mail to them is in it. */
export type RsvpInput = { name: string; email: string; consent: boolean; language?: string }

/**
 * Every message the RSVP rules above give (the shared rules' own words, in English), each as a catalog
 * message: English's must read exactly as the rule's, which test/i18n/picket-pages.test.ts checks.
 */
const rsvpMessages = (t: TFunction) => [
  t('pickets.errors.nameText'),
  t('pickets.errors.nameTooLong', { max: 100 }),
  t('pickets.errors.nameControl'),
  t('pickets.errors.nameInvalid'),
  t('pickets.errors.nameRequired'),
  t('pickets.errors.nameLink'),
  t('pickets.errors.emailText'),
  t('pickets.errors.emailTooLong', { max: 254 }),
  t('pickets.errors.emailInvalid'),
  t('pickets.errors.consentBoolean'),
]

/** When a rule says something the list above lacks: a plain "please check" for its field. */
const fieldFallback = (t: TFunction, field: unknown) =>
  field === 'name' ? t('pickets.errors.nameCheck') : field === 'email' ? t('pickets.errors.emailCheck') : field === 'consent' ? t('pickets.errors.consentCheck') : t('pickets.errors.fieldCheck')

const byEnglish = new Map<Language, Map<string, string>>()

/** The RSVP rules' messages in `lang` (English: unchanged, word for word). */
export function rsvpIssuesIn(issues: FieldIssue[], lang: Language): FieldIssue[] {
  if (lang === 'en') return issues
  let messages = byEnglish.get(lang)
  if (!messages) {
    const english = rsvpMessages(translator('en'))
    const translated = rsvpMessages(translator(lang))
    messages = new Map(english.map((m, i) => [m, translated[i]!]))
    byEnglish.set(lang, messages)
  }
  const t = translator(lang)
  return issues.map((issue) => ({ ...issue, message: messages.get(issue.message) ?? fieldFallback(t, issue.path[0]) }))
}

/** For the test: the English catalog's messages, to compare with what the rules say. */
export const englishRsvpMessages = () => rsvpMessages(translator('en'))
