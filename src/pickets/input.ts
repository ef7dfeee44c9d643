import { z } from 'zod'
import type { TFunction } from 'i18next'
import { personName, email, countryCode, checkbox, localized, type FieldIssue } from '../validation.js'
import { translator, type Language } from '../i18n/index.js'
import { isTimeZone } from './time.js'

const TWO_WEEKS = 14 * 24 * 60

// The same rules as the shared ones in validation.ts, with the back office's own field names in the
// messages (English in the API, the form's language on the screens: fieldErrors(issues, lang)).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** The picket form's field names, in each language (literal keys, so the catalog checker sees them). */
const LABELS = {
  title: (t: TFunction) => t('adminPickets.form.title'),
  venue: (t: TFunction) => t('adminPickets.form.venue'),
  address: (t: TFunction) => t('adminPickets.form.address'),
  city: (t: TFunction) => t('adminPickets.form.city'),
  notes: (t: TFunction) => t('adminPickets.form.bring'),
  contact: (t: TFunction) => t('adminPickets.form.contact'),
} as const
type Field = keyof typeof LABELS
const label = (field: Field, t: TFunction) => LABELS[field](t)

const line = (field: Field, max: number) =>
  z
    .string({ error: localized((t) => t('adminPickets.errors.notText', { label: label(field, t) })) })
    .trim()
    .max(max, localized((t) => t('adminPickets.errors.tooLong', { label: label(field, t), max })))
    .refine((v) => !CONTROL.test(v), localized((t) => t('adminPickets.errors.lineControl', { label: label(field, t) })))
    .refine((v) => !LONE_SURROGATE.test(v), localized((t) => t('adminPickets.errors.invalidCharacters', { label: label(field, t) })))

const requiredLine = (field: Field, max: number) =>
  line(field, max).refine((v) => v.length > 0, localized((t) => t('adminPickets.errors.required', { label: label(field, t), lower: label(field, t).toLowerCase() })))

const optionalLine = (field: Field, max: number) =>
  line(field, max)
    .optional()
    .transform((v) => (v ? v : undefined))

const text = (field: Field, max: number) =>
  z
    .string({ error: localized((t) => t('adminPickets.errors.notText', { label: label(field, t) })) })
    .max(max, localized((t) => t('adminPickets.errors.textTooLong', { label: label(field, t), max })))
    .refine((v) => !CONTROL_IN_TEXT.test(v), localized((t) => t('adminPickets.errors.textControl', { label: label(field, t) })))
    .refine((v) => !LONE_SURROGATE.test(v), localized((t) => t('adminPickets.errors.invalidCharacters', { label: label(field, t) })))
    .transform((v) => v.replace(/\r\n?/g, '\n').trim())

const TITLE_MAX = 150
const BRING_MAX = 2000

/**
 * The picket's title and what to bring in the campaign's other languages, `{ ru: { title, bring } }`;
 * an empty text removes that translation (see mergeTranslations).
 */
export const picketTranslations = z.record(
  z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, localized((t) => t('adminPickets.errors.languageCode'))),
  z.strictObject(
    { title: line('title', TITLE_MAX).optional(), bring: text('notes', BRING_MAX).optional() },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? UNKNOWN_TEXT : TEXTS_OBJECT) },
  ),
  { error: localized((t) => t('adminPickets.errors.translations')) },
)
const UNKNOWN_TEXT = localized((t) => t('adminPickets.errors.translationFields'))
const TEXTS_OBJECT = localized((t) => t('adminPickets.errors.translationObject'))
export type PicketTranslations = z.infer<typeof picketTranslations>

/** What an organizer gives to schedule or change a picket; times are local to the venue. */
export const picketInput = z.object({
  title: requiredLine('title', TITLE_MAX),
  venue: requiredLine('venue', 150),
  address: requiredLine('address', 300),
  city: requiredLine('city', 100),
  country: countryCode,
  startsLocal: z.string({ error: localized((t) => t('adminPickets.errors.startsLocal')) }),
  endsLocal: z.string({ error: localized((t) => t('adminPickets.errors.endsLocal')) }),
  timeZone: z.string({ error: localized((t) => t('adminPickets.errors.timeZone')) }).refine(isTimeZone, localized((t) => t('adminPickets.errors.timeZone'))),
  capacity: z
    .number({ error: localized((t) => t('adminPickets.errors.capacity')) })
    .int(localized((t) => t('adminPickets.errors.capacity')))
    .min(1, localized((t) => t('adminPickets.errors.capacityMin')))
    .max(100_000, localized((t) => t('adminPickets.errors.capacityMax', { max: 100_000 })))
    .nullable()
    .optional(),
  notes: text('notes', BRING_MAX).optional(),
  contact: optionalLine('contact', 300),
  reminders: z
    .array(
      z
        .number({ error: localized((t) => t('adminPickets.errors.reminderMinutes')) })
        .int(localized((t) => t('adminPickets.errors.reminderMinutes')))
        .min(5, localized((t) => t('adminPickets.errors.reminderMin')))
        .max(TWO_WEEKS, localized((t) => t('adminPickets.errors.reminderMax'))),
      { error: localized((t) => t('adminPickets.errors.reminders')) },
    )
    .max(5, localized((t) => t('adminPickets.errors.remindersMax', { max: 5 })))
    .optional(),
  translations: picketTranslations.optional(),
})

export type PicketInput = z.infer<typeof picketInput>

/** The translations without empty texts (an empty text is no translation), and languages left empty dropped. */
export function cleanTranslations(translations: PicketTranslations): PicketTranslations {
  const out: PicketTranslations = {}
  for (const [lang, texts] of Object.entries(translations)) {
    const kept = Object.fromEntries(Object.entries(texts).filter(([, v]) => typeof v === 'string' && v.trim() !== ''))
    if (Object.keys(kept).length) out[lang] = kept
  }
  return out
}

/** A change's translations laid over the picket's: the texts given replace, an empty one removes. */
export function mergeTranslations(current: PicketTranslations, changes: PicketTranslations): PicketTranslations {
  const merged: PicketTranslations = {}
  for (const [lang, texts] of Object.entries(current)) merged[lang] = { ...texts }
  for (const [lang, texts] of Object.entries(changes)) merged[lang] = { ...merged[lang], ...texts }
  return cleanTranslations(merged)
}

/**
 * Translations are for the campaign's languages other than its first (whose texts are the picket's own
 * fields): issues, by language, for the others.
 */
export function translationLanguageIssues(raw: unknown, languages: readonly string[]): FieldIssue[] {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return []
  const [first, ...others] = languages
  // English, as API messages are (the keys are anybody's strings: not kept as catalog messages).
  const t = translator('en')
  return Object.keys(raw).flatMap((lang): FieldIssue[] => {
    if (lang === first) return [{ path: ['translations', lang], message: t('adminPickets.errors.firstLanguage', { lang }) }]
    if (!others.includes(lang)) return [{ path: ['translations', lang], message: t('adminPickets.errors.notCampaignLanguage', { lang, languages: others.join(', ') || '—' }) }]
    return []
  })
}

// Names go into mail to addresses nobody has confirmed yet: no web addresses in them.
export const rsvpForm = z.object({
  name: personName('Name', 100),
  email,
  consent: checkbox,
})

/** The public API's RSVP (documented at /api/docs with this example). */
export const rsvpJson = z
  .object({
    name: personName('Name', 100).meta({ description: 'One line, at most 100 characters, no web address', minLength: 1, pattern: '\\S' }),
    email: email.meta({ description: 'Where the confirmation (or the RSVP’s link) and the reminders go', format: 'email' }),
    consent: z.boolean({ error: 'consent must be true or false' }).optional().default(false).describe('true: the organizers may see the address to contact them'),
  })
  .meta({ examples: [{ name: 'Ann Supporter', email: 'ann@example.org', consent: false }] })

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
