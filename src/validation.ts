import { z } from 'zod'
import { isCountryCode } from './countries.js'

// Control characters have no place in a name or a city, and CR/LF there could forge mail headers.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
// Notes keep their line breaks and tabs, nothing else.
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/
// Lone surrogates cannot be encoded in UTF-8 mail or SQLite text faithfully.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

export const singleLine = (label: string, max: number) =>
  z
    .string({ error: `${label} must be text` })
    .trim()
    .max(max, `${label} must be at most ${max} characters`)
    .refine((v) => !CONTROL.test(v), `${label} cannot contain line breaks or control characters`)
    .refine((v) => !LONE_SURROGATE.test(v), `${label} contains invalid characters`)

export const requiredLine = (label: string, max: number) =>
  singleLine(label, max).refine((v) => v.length > 0, `Please enter your ${label.toLowerCase()}`)

/** Names go into mail to addresses nobody has confirmed yet: they must not carry a link. */
const LINK_LIKE = /:\/\/|www\.|\b[\p{L}\p{N}-]+\.(?:com|net|org|info|biz|io|co|me|ly|gl|to|app|site|online|link|click|shop|xyz|top|club|ru|su|kz|ua|by|uz|kg|tj|cn|tk|ml|ga|cf|gq|de|uk|fr|es|it|pl|nl|eu|us)\b/iu

/** A supporter's name: required, one line, and no web address (our mail is no relay for links). */
export const personName = (label: string, max: number) =>
  requiredLine(label, max).refine((v) => !LINK_LIKE.test(v), `Please enter your ${label.toLowerCase()} without a web address`)

export const optionalLine = (label: string, max: number) =>
  singleLine(label, max)
    .optional()
    .transform((v) => (v ? v : undefined))

export const multiLine = (label: string, max: number) =>
  z
    .string({ error: `${label} must be text` })
    .max(max, `${label} must be at most ${max.toLocaleString('en')} characters`)
    .refine((v) => !CONTROL_IN_TEXT.test(v), `${label} cannot contain control characters`)
    .refine((v) => !LONE_SURROGATE.test(v), `${label} contains invalid characters`)
    .transform((v) => v.replace(/\r\n?/g, '\n').trim())

export const email = z
  .string({ error: 'Email must be text' })
  .trim()
  .max(254, 'Email must be at most 254 characters')
  .pipe(z.email('Please enter a valid email address'))

export const countryCode = z
  .string({ error: 'Country must be a two-letter code' })
  .trim()
  .transform((v) => v.toUpperCase())
  .refine((v) => isCountryCode(v), 'Please choose a country (ISO 3166-1 code such as GB)')

export const language = z
  .string({ error: 'Language must be text' })
  .trim()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, 'Language must be a code such as en or ru')

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

/** First message per top-level field, for showing beside form inputs. */
export function fieldErrors(issues: FieldIssue[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const i of issues) {
    const key = String(i.path[0] ?? '_')
    if (!(key in out)) out[key] = i.message
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
