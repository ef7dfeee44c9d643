import { z } from 'zod'
import type { TFunction } from 'i18next'
import { isCountryCode } from './countries.js'
import { translator, type Language } from './i18n/index.js'

/**
 * Messages are English strings (what the API and the back office show) that remember their catalog
 * message, so a public form can show them in its page's language (`fieldErrors(issues, lang)`).
 */
type Render = (t: TFunction, label: (english: string) => string) => string
const rendered = new Map<string, Render>()
const english = translator('en')

/** An English message, kept as a catalog message for the other languages (same English, same message). */
export function localized(render: Render): string {
  const text = render(english, (label) => label)
  // The first message with this English keeps it: two rules that read alike in English stay as the first translated them.
  if (!rendered.has(text)) rendered.set(text, render)
  return text
}

// Field names inside messages, in the reader's language (the public forms' fields; others stay as given).
const LABELS: Record<string, (t: TFunction) => string> = {
  Name: (t) => t('validation.label.name'),
  City: (t) => t('validation.label.city'),
  Organisation: (t) => t('validation.label.organisation'),
  Note: (t) => t('validation.label.note'),
  Email: (t) => t('validation.label.email'),
  Country: (t) => t('validation.label.country'),
  Language: (t) => t('validation.label.language'),
}

/**
 * A message in another language: its catalog message, or, for one nobody made a catalog message of,
 * `fallback` (the form's "check this field"; the English text itself by default).
 */
export function translateMessage(message: string, lang: Language, fallback: 'generic' | 'english' = 'english'): string {
  if (lang === 'en') return message
  const t = translator(lang)
  const render = rendered.get(message)
  if (render) return render(t, (label) => LABELS[label]?.(t) ?? label)
  return fallback === 'generic' ? t('validation.invalid') : message
}

const lower = (label: string) => label.toLowerCase()

// Control characters have no place in a name or a city, and CR/LF there could forge mail headers.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
// Notes keep their line breaks and tabs, nothing else.
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/
// Lone surrogates cannot be encoded in UTF-8 mail or SQLite text faithfully.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

export const singleLine = (label: string, max: number) =>
  z
    .string({ error: localized((t, l) => t('validation.notText', { label: l(label) })) })
    .trim()
    .max(max, localized((t, l) => t('validation.tooLong', { label: l(label), max })))
    .refine((v) => !CONTROL.test(v), localized((t, l) => t('validation.lineControl', { label: l(label) })))
    .refine((v) => !LONE_SURROGATE.test(v), localized((t, l) => t('validation.invalidCharacters', { label: l(label) })))

export const requiredLine = (label: string, max: number) =>
  singleLine(label, max).refine((v) => v.length > 0, localized((t, l) => t('validation.required', { label: l(label), lower: lower(l(label)) })))

/** Names go into mail to addresses nobody has confirmed yet: they must not carry a link. */
const LINK_LIKE = /:\/\/|www\.|\b[\p{L}\p{N}-]+\.(?:com|net|org|info|biz|io|co|me|ly|gl|to|app|site|online|link|click|shop|xyz|top|club|ru|su|kz|ua|by|uz|kg|tj|cn|tk|ml|ga|cf|gq|de|uk|fr|es|it|pl|nl|eu|us)\b/iu

/** A supporter's name: required, one line, and no web address (our mail is no relay for links). */
export const personName = (label: string, max: number) =>
  requiredLine(label, max).refine((v) => !LINK_LIKE.test(v), localized((t, l) => t('validation.noLink', { label: l(label), lower: lower(l(label)) })))

export const optionalLine = (label: string, max: number) =>
  singleLine(label, max)
    .optional()
    .transform((v) => (v ? v : undefined))

export const multiLine = (label: string, max: number) =>
  z
    .string({ error: localized((t, l) => t('validation.notText', { label: l(label) })) })
    .max(max, localized((t, l) => t('validation.textTooLong', { label: l(label), max })))
    .refine((v) => !CONTROL_IN_TEXT.test(v), localized((t, l) => t('validation.textControl', { label: l(label) })))
    .refine((v) => !LONE_SURROGATE.test(v), localized((t, l) => t('validation.invalidCharacters', { label: l(label) })))
    .transform((v) => v.replace(/\r\n?/g, '\n').trim())

export const email = z
  .string({ error: localized((t, l) => t('validation.notText', { label: l('Email') })) })
  .trim()
  .max(254, localized((t, l) => t('validation.tooLong', { label: l('Email'), max: 254 })))
  .pipe(z.email(localized((t) => t('validation.email'))))

export const countryCode = z
  .string({ error: localized((t) => t('validation.countryCode')) })
  .trim()
  .transform((v) => v.toUpperCase())
  .refine((v) => isCountryCode(v), localized((t) => t('validation.country')))

export const language = z
  .string({ error: localized((t, l) => t('validation.notText', { label: l('Language') })) })
  .trim()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, localized((t) => t('validation.languageCode')))

/** An HTML checkbox: present ("on", "true", "1") or absent. */
export const checkbox = z
  .union([z.literal('on'), z.literal('true'), z.literal('1'), z.literal('yes'), z.literal('')])
  .optional()
  .transform((v) => v !== undefined && v !== '')

export interface FieldIssue {
  path: (string | number)[]
  message: string
}

export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message }))
}

/** First message per top-level field, for showing beside form inputs; in `lang` when given (English by default). */
export function fieldErrors(issues: FieldIssue[], lang: Language = 'en'): Record<string, string> {
  const out: Record<string, string> = {}
  for (const i of issues) {
    const key = String(i.path[0] ?? '_')
    if (!(key in out)) out[key] = translateMessage(i.message, lang, 'generic')
  }
  return out
}

/** A failure the client can fix: becomes a 422 with field paths. */
export class InputError extends Error {
  constructor(public issues: FieldIssue[]) {
    super(issues[0]?.message ?? 'Invalid input')
  }
}

/**
 * The key of "one letter (or RSVP) per supporter": case and surrounding spaces do not matter, nor
 * the usual aliases of one mailbox — a `+tag` anywhere, and dots at gmail.com / googlemail.com.
 */
export function normalizeEmail(address: string): string {
  const lower = address.trim().toLowerCase()
  const at = lower.lastIndexOf('@')
  if (at <= 0) return lower
  let local = lower.slice(0, at)
  let domain = lower.slice(at + 1)
  const plus = local.indexOf('+')
  if (plus > 0) local = local.slice(0, plus)
  if (domain === 'gmail.com' || domain === 'googlemail.com') {
    local = local.replace(/\./g, '')
    domain = 'gmail.com'
  }
  return `${local}@${domain}`
}
