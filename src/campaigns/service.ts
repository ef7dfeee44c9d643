import { and, asc, count, eq, inArray, isNotNull, ne, sql } from 'drizzle-orm'
import { parse as parseCsv } from 'csv-parse/sync'
import { IANAZone } from 'luxon'
import { z } from 'zod'
import { latinSlug } from '../slug.js'
import type { Db, DbOrTx } from '../db/client.js'
import {
  campaigns,
  picketTexts,
  type Picket,
  campaignPeople,
  campaignStatuses,
  deliveryModes,
  digestPeriods,
  letters,
  letterTemplates,
  targets,
  users,
  type Campaign,
  type CampaignPerson,
  type CampaignText,
  type PersonText,
  type TargetText,
  type LetterTemplate,
  type Target,
  campaignTexts,
  personTexts,
  targetTexts,
} from '../db/schema/index.js'
import { localize, missingTranslations } from '../i18n/content.js'
import { countryName, isCountryCode, zoneOfCountry } from '../countries.js'
import type { TFunction } from 'i18next'
import { checkbox, InputError, localized, translateMessage, type FieldIssue } from '../validation.js'
import { languageName, translator, type Language } from '../i18n/index.js'
import type { ContentTranslations } from '../db/schema/columns.js'
import { APPEAL_PLACEHOLDERS, compileAppeal, letterDate, renderAppeal, sampleContext, targetContext, validateAppeal, type AppealContext } from './appeal.js'
import { audit, type Actor } from '../admin/audit.js'
import { campaignQueries } from './queries.js'
import { tallyOf, type Tally } from './tally.js'
import { DelayedValues } from '../delayed.js'

declare module 'fastify' {
  interface FastifyInstance {
    campaigns: CampaignService
  }
}

/**
 * app.campaigns: how other features read campaigns, their people, officials and templates (the hot
 * reads are prepared once). The back office's writes are the functions below.
 */
export function createCampaignService(db: Db, opts: { now: () => Date; publicCountDelayMs: number }) {
  const queries = campaignQueries(db)
  const delayed = new DelayedValues<number, Tally>(opts.publicCountDelayMs, opts.now)
  const cached = cachedDefinitions(db, queries)
  return {
    ...queries,
    cached,
    /** What the campaign needs before it may go live, item by item, in a page's language (the dashboard's checklist). */
    checklist: (campaign: Campaign, lang: Language) => readinessChecklist(db, campaign, translator(lang)),
    /** Whether the campaign takes letters and RSVPs now. */
    isOpen: (campaign: Campaign) => campaign.status === 'live',
    /** A campaign the public may see: drafts answer 404 (organizers preview them in the back office). */
    publicBySlug: (slug: string) => {
      const campaign = cached.bySlug(slug)
      return campaign && campaign.status !== 'draft' ? campaign : undefined
    },
    /**
     * The tally as the public sees it. Without confirmation anyone can submit any address, so the
     * figures move only every PUBLIC_COUNT_DELAY: a watcher cannot tie a change to one submission.
     */
    publicTally(campaign: Campaign): Tally {
      // Counted afresh: the campaign at hand may be the cached one, whose counters are those it was read with.
      const read = () => tallyOf(queries.byId(campaign.id) ?? campaign, queries.targets(campaign.id))
      return campaign.confirmLetters ? read() : delayed.get(campaign.id, read)
    },
  }
}

export type CampaignService = ReturnType<typeof createCampaignService>

/**
 * What letters are written from — the campaign, its officials, its templates — kept in memory while
 * content_generation.n stays the same (triggers raise it on any change but a tally's, from any process).
 * A hot path reads one integer instead of three rows. Their counters are as first read: never show them
 * (the public tally is read apart, see publicTally).
 */
function cachedDefinitions(db: Db, queries: ReturnType<typeof campaignQueries>) {
  const generation = db.$client.prepare('select n from content_generation where id = 1').pluck()
  let seen: unknown
  const campaignsBySlug = new Map<string, Campaign | undefined>()
  const officials = new Map<number, Target[]>()
  const templates = new Map<string, LetterTemplate | undefined>()
  /** Forgets everything once the generation has moved (or the maps have grown past any real campaign's size). */
  const fresh = () => {
    const n = generation.get()
    if (n !== seen || campaignsBySlug.size + templates.size > 10_000) {
      seen = n
      campaignsBySlug.clear()
      officials.clear()
      templates.clear()
    }
  }
  const targetsOf = (campaignId: number) => {
    let list = officials.get(campaignId)
    if (!list) officials.set(campaignId, (list = queries.targets(campaignId)))
    return list
  }
  return {
    bySlug(slug: string): Campaign | undefined {
      fresh()
      if (!campaignsBySlug.has(slug)) campaignsBySlug.set(slug, queries.bySlug(slug))
      return campaignsBySlug.get(slug)
    },
    targets(campaignId: number): Target[] {
      fresh()
      return targetsOf(campaignId)
    },
    target(campaignId: number, id: number): Target | undefined {
      fresh()
      return targetsOf(campaignId).find((t) => t.id === id)
    },
    template(campaignId: number, language: string): LetterTemplate | undefined {
      fresh()
      const key = `${campaignId}:${language}`
      if (!templates.has(key)) templates.set(key, queries.template(campaignId, language))
      return templates.get(key)
    },
  }
}

/*
 * Campaigns, the people they are for, officials and letter templates: the rules and writes
 * shared by the back-office screens (campaign-routes.ts) and the JSON API (campaign-api.ts).
 * Every change is audited in its own transaction; bad input is an InputError (422).
 */

// ---------------------------------------------------------------- field rules

// Every message is English (the API's language) and remembers its catalog message (adminCampaigns.rules),
// so a back-office form re-rendered with fieldErrors(issues, req.lang) speaks the page's language.
type Label = (t: TFunction) => string
const label = {
  title: (t) => t('adminCampaigns.label.title'),
  summary: (t) => t('adminCampaigns.label.summary'),
  story: (t) => t('adminCampaigns.label.story'),
  name: (t) => t('adminCampaigns.label.name'),
  status: (t) => t('adminCampaigns.label.status'),
  detail: (t) => t('adminCampaigns.label.detail'),
  organisation: (t) => t('adminCampaigns.label.organisation'),
  postalAddress: (t) => t('adminCampaigns.label.postalAddress'),
  salutation: (t) => t('adminCampaigns.label.salutation'),
  subject: (t) => t('adminCampaigns.label.subject'),
  body: (t) => t('adminCampaigns.label.body'),
} satisfies Record<string, Label>

// As in validation.ts: no control characters in one line (CR/LF could forge mail headers), only line
// breaks and tabs in a text, and no lone surrogates (SQLite and UTF-8 mail cannot keep them).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** One line of text, trimmed; may be empty. */
const line = (name: Label, max: number) =>
  z
    .string({ error: localized((t) => t('adminCampaigns.rules.notText', { label: name(t) })) })
    .trim()
    .max(max, localized((t) => t('adminCampaigns.rules.tooLong', { label: name(t), max })))
    .refine((v) => !CONTROL.test(v), localized((t) => t('adminCampaigns.rules.lineControl', { label: name(t) })))
    .refine((v) => !LONE_SURROGATE.test(v), localized((t) => t('adminCampaigns.rules.invalidCharacters', { label: name(t) })))
/** A text of paragraphs (line breaks kept, made \n), trimmed; may be empty. */
const block = (name: Label, max: number) =>
  z
    .string({ error: localized((t) => t('adminCampaigns.rules.notText', { label: name(t) })) })
    .max(max, localized((t) => t('adminCampaigns.rules.textTooLong', { label: name(t), max })))
    .refine((v) => !CONTROL_IN_TEXT.test(v), localized((t) => t('adminCampaigns.rules.textControl', { label: name(t) })))
    .refine((v) => !LONE_SURROGATE.test(v), localized((t) => t('adminCampaigns.rules.invalidCharacters', { label: name(t) })))
    .transform((v) => v.replace(/\r\n?/g, '\n').trim())
const required = (name: Label, max: number) => line(name, max).refine((v) => v.length > 0, localized((t) => t('adminCampaigns.rules.required', { label: name(t) })))
const optionalText = (name: Label, max: number) => line(name, max).optional().default('')
const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/

/**
 * Texts in the campaign's other languages, as given: per language an object of the fields, each ruled
 * as its base field (an empty one removes that translation). Which languages are allowed is the
 * campaign's business: translationIssues.
 */
function translationsOf<S extends Record<string, z.ZodType<string, string>>>(fields: S) {
  const shape = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.optional()])) as { [K in keyof S]: z.ZodOptional<S[K]> }
  return z.record(
    z.string(),
    z.strictObject(shape, { error: localized((t) => t('adminCampaigns.rules.translationObject')) }),
    { error: localized((t) => t('adminCampaigns.rules.translations')) },
  )
}
export type TranslationsInput<F extends string> = Record<string, Partial<Record<F, string>>>

/** Translations only in the campaign's languages, and never in its first (the base fields are that). */
export function translationIssues(languages: readonly string[], given: Record<string, unknown> | undefined): FieldIssue[] {
  const issues: FieldIssue[] = []
  for (const lang of Object.keys(given ?? {})) {
    const list = languages.join(', ')
    if (lang === languages[0]) issues.push({ path: ['translations', lang], message: localized((t) => t('adminCampaigns.rules.firstLanguage', { lang })) })
    else if (!languages.includes(lang)) issues.push({ path: ['translations', lang], message: localized((t) => t('adminCampaigns.rules.notCampaignLanguage', { lang, list })) })
  }
  return issues
}

/** The stored translations with the given ones applied: a text replaces, an empty one removes, an absent one stays. */
function mergeTranslations<F extends string>(current: ContentTranslations<F> | null | undefined, given: TranslationsInput<F> | undefined): ContentTranslations<F> {
  const out: ContentTranslations<F> = { ...(current ?? {}) }
  for (const [lang, texts] of Object.entries(given ?? {})) {
    const merged: Partial<Record<F, string>> = { ...(out[lang] ?? {}) }
    for (const [field, text] of Object.entries(texts) as [F, string | undefined][]) {
      if (text === undefined) continue
      if (text === '') delete merged[field]
      else merged[field] = text
    }
    if (Object.keys(merged).length) out[lang] = merged
    else delete out[lang]
  }
  return out
}

/** The languages whose texts differ between two translations objects (for the audit log). */
function translationChanges(before: ContentTranslations<string>, after: ContentTranslations<string>): string[] {
  const langs = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])
  return [...langs].filter((l) => JSON.stringify(before?.[l] ?? {}) !== JSON.stringify(after?.[l] ?? {})).sort()
}

/**
 * Audits a change to what the public campaign page shows (people, officials, templates) and
 * moves the campaign's updatedAt, so the cached page is rendered anew at once.
 */
function auditChange(tx: DbOrTx, actor: Actor, action: string, what: Parameters<typeof audit>[3] & { campaignId: number }, now: Date) {
  audit(tx, actor, action, what, now)
  tx.update(campaigns).set({ updatedAt: now }).where(eq(campaigns.id, what.campaignId)).run()
}

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/
export const GOAL_MAX = 100_000_000

const slug = z
  .string({ error: localized((t) => t('adminCampaigns.rules.slugText')) })
  .trim()
  .min(1, localized((t) => t('adminCampaigns.rules.slugRequired')))
  .max(80, localized((t) => t('adminCampaigns.rules.slugTooLong', { max: 80 })))
  .regex(SLUG_PATTERN, localized((t) => t('adminCampaigns.rules.slugPattern')))
const status = z.enum(campaignStatuses, { error: localized((t) => t('adminCampaigns.rules.status')) })
const goalJson = z
  .number({ error: localized((t) => t('adminCampaigns.rules.goalNumber')) })
  .int(localized((t) => t('adminCampaigns.rules.goalWhole')))
  .min(1, localized((t) => t('adminCampaigns.rules.goalMin')))
  .max(GOAL_MAX, localized((t) => t('adminCampaigns.rules.goalMax', { max: GOAL_MAX })))
const goalForm = z
  .string({ error: localized((t) => t('adminCampaigns.rules.goalNumber')) })
  .trim()
  .regex(/^[0-9]{1,10}$/, localized((t) => t('adminCampaigns.rules.goalForm')))
  .transform(Number)
  .pipe(goalJson)

const languageList = z
  .array(z.string({ error: localized((t) => t('adminCampaigns.rules.languageItem')) }), { error: localized((t) => t('adminCampaigns.rules.languageList')) })
  .transform((list) => [...new Set(list.map((l) => l.trim()).filter(Boolean))])
  .superRefine((list, ctx) => {
    const bad = list.filter((l) => !LANGUAGE.test(l))
    const codes = bad.slice(0, 5).join(', ')
    if (bad.length) ctx.addIssue({ code: 'custom', message: localized((t) => t('adminCampaigns.rules.notLanguageCodes', { codes })) })
    else if (list.length === 0) ctx.addIssue({ code: 'custom', message: localized((t) => t('adminCampaigns.rules.languagesNone')) })
    else if (list.length > 20) ctx.addIssue({ code: 'custom', message: localized((t) => t('adminCampaigns.rules.languagesMax', { max: 20 })) })
  })
/** "en, ru" from a text field; the first is the default. */
const languagesForm = z
  .string({ error: localized((t) => t('adminCampaigns.rules.languagesForm')) })
  .transform((v) => v.split(/[\s,;]+/))
  .pipe(languageList)

const campaignBase = {
  slug,
  title: required(label.title, 200),
  summary: line(label.summary, 500),
  story: block(label.story, 50_000),
}
/** title, summary, story in the campaign's other languages. */
export const campaignTranslations = translationsOf({ title: line(label.title, 200), summary: line(label.summary, 500), story: block(label.story, 50_000) })

const MAIN_LANGUAGE_MESSAGE = localized((t) => t('adminCampaigns.rules.mainLanguageRequired'))

/**
 * The form's languages as the service keeps them, the main one first: the main language from its
 * <select> (`mainLanguage`) and the others from their checkboxes (`languages`, one value each; the main
 * one ticked again counts once). A form without `mainLanguage` may still send `languages` as "en, ru"
 * (the field the screen had before), the first being the main one.
 */
const formLanguages = { mainLanguage: z.unknown().optional(), languages: z.unknown().optional() }
type FormLanguages = { mainLanguage?: unknown; languages?: unknown }
function languagesOfForm(form: FormLanguages): { languages: string[]; issue?: FieldIssue } {
  const fail = (path: string, message: string) => ({ languages: [], issue: { path: [path], message } })
  const { mainLanguage, languages } = form
  const others = typeof languages === 'string' ? [languages] : Array.isArray(languages) ? languages.filter((l): l is string => typeof l === 'string') : []
  if (typeof mainLanguage !== 'string') {
    if (typeof languages !== 'string') return fail('mainLanguage', MAIN_LANGUAGE_MESSAGE)
    const listed = languagesForm.safeParse(languages)
    return listed.success ? { languages: listed.data } : fail('languages', listed.error.issues[0]!.message)
  }
  if (mainLanguage.trim() === '') return fail('mainLanguage', MAIN_LANGUAGE_MESSAGE)
  const main = languageList.safeParse([mainLanguage])
  if (!main.success) return fail('mainLanguage', main.error.issues[0]!.message)
  const all = languageList.safeParse([mainLanguage, ...others])
  return all.success ? { languages: all.data } : fail('languages', all.error.issues[0]!.message)
}

/** The languages' issue beside the other fields' (it runs even when they fail, so every message shows at once). */
function checkLanguages(form: FormLanguages, ctx: z.RefinementCtx) {
  const { issue } = languagesOfForm(form)
  if (issue) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message })
}
const always = { when: () => true }

/** An empty slug on the new-campaign form: the server makes one from the title (suggestSlug). */
const slugOrEmpty = z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), slug.optional())

const campaignFormFields = {
  ...campaignBase,
  summary: campaignBase.summary.optional().default(''),
  story: campaignBase.story.optional().default(''),
  goal: goalForm,
  // The screen changes the status with its own buttons (changeStatus); a form may still send it.
  status: status.optional(),
  confirmLetters: checkbox,
  confirmRsvps: checkbox,
  ...formLanguages,
  translations: campaignTranslations.optional(),
}

/** The campaign screen's form (goal as text, the confirmations as checkboxes, languages as above). */
export const campaignForm = z
  .object(campaignFormFields)
  .superRefine(checkLanguages, always)
  .transform(({ mainLanguage, ...form }) => ({ ...form, languages: languagesOfForm({ mainLanguage, languages: form.languages }).languages }))

/** The new-campaign form: as campaignForm, but the slug may be left empty. */
export const newCampaignForm = z
  .object({ ...campaignFormFields, slug: slugOrEmpty })
  .superRefine(checkLanguages, always)
  .transform(({ mainLanguage, ...form }) => ({ ...form, languages: languagesOfForm({ mainLanguage, languages: form.languages }).languages }))

/** POST /api/admin/campaigns. */
export const campaignCreateJson = z.object({
  slug,
  title: campaignBase.title,
  summary: campaignBase.summary.optional(),
  story: campaignBase.story.optional(),
  goal: goalJson,
  status: status.optional(),
  languages: languageList,
  confirmLetters: z.boolean({ error: 'confirmLetters must be true or false' }).optional(),
  confirmRsvps: z.boolean({ error: 'confirmRsvps must be true or false' }).optional(),
  translations: campaignTranslations.optional(),
})

/** PATCH /api/admin/campaigns/:id: any of the fields above. */
export const campaignPatchJson = z.object({
  slug: slug.optional(),
  title: campaignBase.title.optional(),
  summary: campaignBase.summary.optional(),
  story: campaignBase.story.optional(),
  goal: goalJson.optional(),
  status: status.optional(),
  languages: languageList.optional(),
  confirmLetters: z.boolean({ error: 'confirmLetters must be true or false' }).optional(),
  confirmRsvps: z.boolean({ error: 'confirmRsvps must be true or false' }).optional(),
  translations: campaignTranslations.optional(),
})

export interface CampaignInput {
  slug: string
  title: string
  summary?: string
  story?: string
  goal: number
  status?: (typeof campaignStatuses)[number]
  confirmLetters?: boolean
  confirmRsvps?: boolean
  languages: string[]
  translations?: TranslationsInput<CampaignText>
}

const isoDate = (v: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false
  const d = new Date(`${v}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v
}

const DATE_MESSAGE = localized((t) => t('adminCampaigns.rules.date'))
/** name (in each script), status and detail in the campaign's other languages. */
export const personTranslations = translationsOf({ name: line(label.name, 150), status: line(label.status, 100), detail: block(label.detail, 2000) })

/** A person the campaign is for, from the form or the API. */
export const personForm = z.object({
  name: required(label.name, 150),
  status: required(label.status, 100),
  detail: block(label.detail, 2000).optional().default(''),
  statusChangedOn: z
    .string({ error: DATE_MESSAGE })
    .trim()
    .refine((v) => v === '' || isoDate(v), DATE_MESSAGE)
    .optional()
    .transform((v) => v || null),
  translations: personTranslations.optional(),
})
export type PersonInput = z.infer<typeof personForm>

const targetEmail = z
  .string({ error: localized((t) => t('adminCampaigns.rules.emailText')) })
  .trim()
  .min(1, localized((t) => t('adminCampaigns.rules.emailRequired')))
  .max(254, localized((t) => t('adminCampaigns.rules.emailTooLong', { max: 254 })))
  .pipe(z.email(localized((t) => t('adminCampaigns.rules.emailInvalid'))))
  .transform((v) => v.toLowerCase())
  // The document states the rule the pipe hides.
  .meta({ format: 'email', pattern: (z.toJSONSchema(z.email()) as { pattern: string }).pattern, examples: ['ministry@gov.example.kz'] })

// How letters reach an official (targets.delivery and the columns after it). Every one is optional on
// input: absent, a new official gets the default and an existing one keeps what it has.

export const MAX_PER_HOUR = 100_000
/** What an official gets when nothing is said: paced mail, 30 an hour, 08–18 in their country's zone. */
export const DELIVERY_DEFAULTS = { delivery: 'each', maxPerHour: 30, sendHoursFrom: 8, sendHoursTo: 18, digestEvery: 'day', digestHour: 9 } as const

/** "30" from a form or a CSV cell is 30; an empty one is not given; anything else goes to the check as it is. */
const numberFrom = (v: unknown) => {
  if (typeof v !== 'string') return v
  const s = v.trim()
  if (s === '') return undefined
  return /^[+-]?[0-9]{1,12}$/.test(s) ? Number(s) : v
}
const wholeNumber = (message: string, min: number, max: number) => z.preprocess(numberFrom, z.number({ error: message }).int(message).min(min, message).max(max, message))

const maxPerHour = wholeNumber(localized((t) => t('adminCampaigns.rules.maxPerHour', { max: MAX_PER_HOUR })), 1, MAX_PER_HOUR)
/**
 * The hours mail may go out, in the official's zone: from `from` (0–23) up to `to` (1–24, exclusive; 24
 * is midnight). A window such as 22 to 6 runs overnight.
 */
const sendHours = z
  .object(
    {
      from: wholeNumber(localized((t) => t('adminCampaigns.rules.sendHoursFrom')), 0, 23),
      to: wholeNumber(localized((t) => t('adminCampaigns.rules.sendHoursTo')), 1, 24),
    },
    { error: 'sendHours must be an object such as {"from": 8, "to": 18}' },
  )
  .refine((h) => h.from !== h.to, { message: localized((t) => t('adminCampaigns.rules.sendHoursSame')), path: ['to'] })

/** The IANA name of a zone as Intl spells it, or null when Intl or luxon does not know it. */
export function canonicalZone(name: string): string | null {
  // Names only (Europe/London, UTC, Etc/GMT+5): no offsets such as +03:00, which ignore summer time.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(name)) return null
  try {
    const zone = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone
    return IANAZone.isValidZone(zone) ? zone : null
  } catch {
    return null
  }
}

const ZONE_MESSAGE = localized((t) => t('adminCampaigns.rules.timeZone'))
/** An IANA zone; empty or null: the zone of the official's country. */
const timeZone = z.preprocess(
  (v) => (v === null ? '' : v),
  z
    .string({ error: ZONE_MESSAGE })
    .trim()
    .max(64, ZONE_MESSAGE)
    .meta({ pattern: '^$|^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$', description: 'An IANA zone name that Intl knows, such as Europe/London; empty for the zone of the official’s country', examples: ['Asia/Almaty'] })
    .transform((v, ctx) => {
      if (v === '') return null
      const zone = canonicalZone(v)
      if (!zone) ctx.addIssue({ code: 'custom', message: ZONE_MESSAGE })
      return zone
    }),
)

const FOR_COUNTRIES_MESSAGE = localized((t) => t('adminCampaigns.rules.forCountries'))
/** Supporters from these countries are offered the official first: a list, or "GB, IE" from a form or CSV cell. */
const forCountries = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(/[\s,;]+/).filter(Boolean) : v),
  z
    .array(z.string({ error: FOR_COUNTRIES_MESSAGE }).max(10, FOR_COUNTRIES_MESSAGE), { error: FOR_COUNTRIES_MESSAGE })
    .max(300, localized((t) => t('adminCampaigns.rules.forCountriesMax', { max: 300 })))
    .transform((list) => [...new Set(list.map((c) => c.trim().toUpperCase()).filter(Boolean))])
    .superRefine((list, ctx) => {
      const bad = list.filter((c) => !isCountryCode(c))
      const codes = bad.slice(0, 5).join(', ')
      if (bad.length) ctx.addIssue({ code: 'custom', message: localized((t) => t('adminCampaigns.rules.notCountryCodes', { codes })) })
    }),
)

const deliveryFields = {
  delivery: z.enum(deliveryModes, { error: localized((t) => t('adminCampaigns.rules.delivery')) }).optional(),
  maxPerHour: maxPerHour.optional(),
  sendHours: sendHours.optional(),
  timeZone: timeZone.optional(),
  digestEvery: z.enum(digestPeriods, { error: localized((t) => t('adminCampaigns.rules.digestEvery')) }).optional(),
  digestHour: wholeNumber(localized((t) => t('adminCampaigns.rules.digestHour')), 0, 23).optional(),
  forCountries: forCountries.optional(),
}

/**
 * An official, from the form, the API or a CSV line. An empty language means the campaign's default.
 * The delivery settings are optional: a new official gets DELIVERY_DEFAULTS, an existing one keeps its own.
 */
const COUNTRY_MESSAGE = localized((t) => t('adminCampaigns.rules.country'))
/** name (in each script), title and salutation in the campaign's other languages. */
export const targetTranslations = translationsOf({ name: line(label.name, 150), title: line(label.title, 200), salutation: line(label.salutation, 200) })

export const targetInput = z.object({
  name: required(label.name, 150),
  title: optionalText(label.title, 200),
  // How a letter greets them ("Dear Mr President,"); absent: a new official has none, an existing one keeps its own.
  salutation: line(label.salutation, 200).optional(),
  organisation: optionalText(label.organisation, 200),
  country: z
    .string({ error: COUNTRY_MESSAGE })
    .trim()
    .transform((v) => v.toUpperCase())
    .refine(isCountryCode, COUNTRY_MESSAGE),
  email: targetEmail,
  postalAddress: block(label.postalAddress, 1000).optional().default(''),
  language: z
    .string({ error: localized((t) => t('adminCampaigns.rules.languageText')) })
    .trim()
    .refine((v) => v === '' || LANGUAGE.test(v), localized((t) => t('adminCampaigns.rules.language')))
    .optional()
    .transform((v) => v || undefined),
  ...deliveryFields,
  translations: targetTranslations.optional(),
})
export type TargetInput = z.infer<typeof targetInput>

export const templateInput = z.object({
  subject: required(label.subject, 300),
  body: block(label.body, 20_000).pipe(z.string().min(1, localized((t) => t('adminCampaigns.rules.required', { label: label.body(t) })))),
})

// ---------------------------------------------------------------- campaigns

function slugTaken(tx: DbOrTx, value: string, exceptId?: number): boolean {
  const where = exceptId ? and(eq(campaigns.slug, value), ne(campaigns.id, exceptId)) : eq(campaigns.slug, value)
  return tx.select({ id: campaigns.id }).from(campaigns).where(where).get() !== undefined
}

export const SLUG_MAX = 80

/** A slug cut to `max` characters after a whole word (a single word longer than that is cut inside). */
function cutAtWord(value: string, max: number): string {
  if (value.length <= max) return value
  const end = value.lastIndexOf('-', max)
  return end > 0 ? value.slice(0, end) : value.slice(0, max)
}

/**
 * A title as a slug: transliterated to Latin ("Свободу нефтяникам Жанаозена" → "svobodu-neftyanikam-zhanaozena",
 * Kazakh letters too), lower case, words joined by hyphens, at most 80 characters cut at a word; empty when
 * the title has nothing to transliterate.
 */
export function slugFromTitle(title: string): string {
  return cutAtWord(latinSlug(title), SLUG_MAX)
}

/** A free slug for a title: its own, else with -2, -3 … ("campaign" when the title gives none); `exceptId` may keep its own. */
export function suggestSlug(db: DbOrTx, title: string, exceptId?: number): string {
  const base = slugFromTitle(title) || 'campaign'
  if (!slugTaken(db, base, exceptId)) return base
  for (let n = 2; ; n++) {
    const suffix = `-${n}`
    const candidate = `${cutAtWord(base, SLUG_MAX - suffix.length)}${suffix}`
    if (!slugTaken(db, candidate, exceptId)) return candidate
  }
}

const slugTakenIssue = (value: string): FieldIssue => ({ path: ['slug'], message: localized((t) => t('adminCampaigns.rules.slugTaken', { slug: value })) })

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && String((err as { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT')
}

export function campaignById(db: DbOrTx, id: number): Campaign | undefined {
  return db.select().from(campaigns).where(eq(campaigns.id, id)).get()
}

/** The campaigns a user runs: all for admins. */
export function campaignsFor(db: DbOrTx, user: { role: string; campaignIds: number[] }): Campaign[] {
  const all = db.select().from(campaigns).orderBy(asc(campaigns.title), asc(campaigns.id)).all()
  return user.role === 'admin' ? all : all.filter((c) => user.campaignIds.includes(c.id))
}

export function createCampaign(db: Db, input: CampaignInput, actor: Actor, now: Date): Campaign {
  try {
    return db.transaction((tx) => {
      const wrong = translationIssues(input.languages, input.translations)
      if (wrong.length) throw new InputError(wrong)
      if (slugTaken(tx, input.slug)) throw new InputError([slugTakenIssue(input.slug)])
      // A new campaign has no official and no letter yet: it starts as a draft (or closed), never live.
      if (input.status === 'live') refuseUnready(tx, { id: 0, goal: input.goal, languages: input.languages })
      const row = tx
        .insert(campaigns)
        .values({
          slug: input.slug,
          title: input.title,
          summary: input.summary ?? '',
          story: input.story ?? '',
          goal: input.goal,
          status: input.status ?? 'draft',
          // On unless turned off: without it, a watcher learns from the counts who wrote (SECURITY.md).
          confirmLetters: input.confirmLetters ?? true,
          confirmRsvps: input.confirmRsvps ?? true,
          languages: input.languages,
          translations: mergeTranslations({}, input.translations),
          createdAt: now,
          updatedAt: now,
        })
        .returning()
        .get()
      audit(tx, actor, 'campaign.create', { campaignId: row.id, subject: row.slug, detail: { title: row.title, status: row.status, languages: row.languages, translations: Object.keys(row.translations).sort() } }, now)
      return row
    })
  } catch (err) {
    // Two admins racing for one slug: the unique index decides.
    if (isUniqueViolation(err)) throw new InputError([slugTakenIssue(input.slug)])
    throw err
  }
}

const CAMPAIGN_FIELDS = ['slug', 'title', 'summary', 'story', 'goal', 'status', 'confirmLetters', 'confirmRsvps', 'languages'] as const

/** Applies the fields given; audits which changed. */
export function updateCampaign(db: Db, campaignId: number, patch: Partial<CampaignInput>, actor: Actor, now: Date): Campaign {
  try {
    return db.transaction((tx) => {
      const current = campaignById(tx, campaignId)
      if (!current) throw new InputError([{ path: [], message: localized((t) => t('adminCampaigns.rules.campaignGone')) }])
      const changes: Record<string, unknown> = {}
      for (const key of CAMPAIGN_FIELDS) {
        const value = patch[key]
        if (value === undefined) continue
        if (JSON.stringify(value) !== JSON.stringify(current[key])) changes[key] = value
      }
      const wrong = translationIssues(patch.languages ?? current.languages, patch.translations)
      if (wrong.length) throw new InputError(wrong)
      const translated = mergeTranslations(current.translations, patch.translations)
      const languagesTranslated = translationChanges(current.translations, translated)
      if (languagesTranslated.length) changes.translations = translated
      if (Object.keys(changes).length === 0) return current
      if (typeof changes.slug === 'string' && slugTaken(tx, changes.slug, campaignId)) throw new InputError([slugTakenIssue(changes.slug)])
      // Going live: only once supporters' letters can be written and can arrive (the campaign as it will be).
      if (changes.status === 'live') refuseUnready(tx, { id: campaignId, goal: patch.goal ?? current.goal, languages: patch.languages ?? current.languages })
      const row = tx
        .update(campaigns)
        .set({ ...(changes as Partial<Campaign>), updatedAt: now })
        .where(eq(campaigns.id, campaignId))
        .returning()
        .get()
      const detail: Record<string, unknown> = { changed: Object.keys(changes) }
      if ('status' in changes) detail.status = { from: current.status, to: changes.status }
      if ('slug' in changes) detail.slug = { from: current.slug, to: changes.slug }
      if (languagesTranslated.length) detail.translations = languagesTranslated
      audit(tx, actor, 'campaign.update', { campaignId, subject: row.slug, detail }, now)
      return row
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw new InputError([slugTakenIssue(String(patch.slug))])
    throw err
  }
}

// ---------------------------------------------------------------- the screen's status buttons

/** What each button on the campaign screen does: from which states, to which. */
export const STATUS_ACTIONS = {
  publish: { from: ['draft'], to: 'live' },
  close: { from: ['live'], to: 'closed' },
  reopen: { from: ['closed'], to: 'live' },
  draft: { from: ['live', 'closed'], to: 'draft' },
} as const satisfies Record<string, { from: readonly Campaign['status'][]; to: Campaign['status'] }>
export type StatusAction = keyof typeof STATUS_ACTIONS
export const statusActions = Object.keys(STATUS_ACTIONS) as StatusAction[]

/** Every letter of the campaign: online ones in any state (even unconfirmed), and those groups reported on paper. */
export function lettersIn(db: DbOrTx, campaign: Pick<Campaign, 'id' | 'offlineCount'>): number {
  const online = db.select({ n: count() }).from(letters).where(eq(letters.campaignId, campaign.id)).get()?.n ?? 0
  return online + campaign.offlineCount
}

/**
 * Why the campaign may not move to `to` on the screen, or null: back to draft hides the page, so not once
 * anyone has written (close it instead). Going live is checked by updateCampaign (readiness).
 */
export function statusChangeIssue(db: DbOrTx, campaign: Pick<Campaign, 'id' | 'status' | 'offlineCount'>, to: Campaign['status']): FieldIssue | null {
  if (to !== 'draft' || campaign.status === 'draft') return null
  const n = lettersIn(db, campaign)
  return n > 0 ? { path: ['status'], message: localized((t) => t('adminCampaigns.rules.draftWithLetters', { count: n })) } : null
}

/** The actions the screen offers for a campaign in its state (back to draft only while it has no letters). */
export function availableStatusActions(db: DbOrTx, campaign: Pick<Campaign, 'id' | 'status' | 'offlineCount'>): StatusAction[] {
  return statusActions.filter((a) => (STATUS_ACTIONS[a].from as readonly string[]).includes(campaign.status) && !statusChangeIssue(db, campaign, STATUS_ACTIONS[a].to))
}

/**
 * A status button pressed: publish, close, reopen, back to draft. A button that no longer fits the state
 * (another tab, another organizer) is refused in words; going live lists every reason it is not ready.
 * Audited by updateCampaign as any status change.
 */
export function changeStatus(db: Db, campaign: Campaign, action: StatusAction, actor: Actor, now: Date): Campaign {
  const { from, to } = STATUS_ACTIONS[action]
  if (!(from as readonly string[]).includes(campaign.status)) {
    throw new InputError([{ path: ['status'], message: localized((t) => t('adminCampaigns.rules.statusNow', { status: campaign.status })) }])
  }
  const issue = statusChangeIssue(db, campaign, to)
  if (issue) throw new InputError([issue])
  return updateCampaign(db, campaign.id, { status: to }, actor, now)
}

export interface Warning {
  text: string
  /** Where to fix it, if there is one place. */
  href?: string
  linkText?: string
}

/** Officials whose address refuses our mail, with how many of their letters are held meanwhile. */
export function bouncingTargets(db: DbOrTx, campaignId: number): { target: Target; held: number }[] {
  const bouncing = db.select().from(targets).where(and(eq(targets.campaignId, campaignId), eq(targets.deliveryState, 'bouncing'))).orderBy(asc(targets.position), asc(targets.id)).all()
  const waiting = lettersWaiting(db, bouncing.map((t) => t.id))
  return bouncing.map((target) => ({ target, held: waiting.get(target.id) ?? 0 }))
}

const english = translator('en')

/** The warning for an official whose address bounces: the server's answer, the letters held, how to end it (in t's language). */
export function bounceWarning(target: Target, held: number, t: TFunction = english): string {
  const refused = target.bouncedAt
    ? t('adminCampaigns.bounce.refusedOn', { name: target.name, email: target.email, date: target.bouncedAt.toISOString().slice(0, 16).replace('T', ' ') })
    : t('adminCampaigns.bounce.refused', { name: target.name, email: target.email })
  const reason = target.bounceReason ? ` ${t('adminCampaigns.bounce.reason', { reason: target.bounceReason })}` : ''
  return `${refused}${reason} ${t('adminCampaigns.bounce.held', { held })}`
}

/** What stops supporters from writing, or their letters from arriving, shown on the campaign screen (in t's language). */
/** Languages as a reader names them in t's language ("English, Russian"), not as codes. */
function languageNames(codes: readonly string[], t: TFunction): string {
  const lang = (t as TFunction & { lng?: string }).lng ?? 'en'
  return codes.map((code) => languageName(code, lang)).join(', ')
}

export function campaignWarnings(db: DbOrTx, campaign: Campaign, t: TFunction = english): Warning[] {
  const warnings: Warning[] = []
  const n = db.select({ n: sql<number>`count(*)` }).from(targets).where(eq(targets.campaignId, campaign.id)).get()?.n ?? 0
  if (n === 0) warnings.push({ text: t('adminCampaigns.warnings.noOfficials') })
  const have = new Set(templatesOf(db, campaign.id).map((x) => x.language))
  const missing = campaign.languages.filter((l) => !have.has(l))
  if (missing.length) warnings.push({ text: t('adminCampaigns.warnings.noTemplate', { list: languageNames(missing, t), count: missing.length }) })
  for (const { target, held } of bouncingTargets(db, campaign.id)) {
    warnings.push({ text: bounceWarning(target, held, t), href: `/admin/campaigns/${campaign.id}/targets/${target.id}`, linkText: t('adminCampaigns.warnings.fixDelivery', { name: target.name }) })
  }
  return warnings
}

/** A 422 listing each reason the campaign may not go live, under `status`: `{ path: ['status'], code, message }`. */
function refuseUnready(db: DbOrTx, campaign: Pick<Campaign, 'id' | 'goal' | 'languages'>): void {
  const { ok, reasons } = readiness(db, campaign)
  if (!ok) throw new InputError(reasons.map((r) => ({ path: ['status'], code: r.code, message: r.message })))
}

/** Why a campaign may not go live yet: `code` names the rule, `message` says it (English, translated by the screens). */
export interface ReadinessIssue {
  code: 'goal' | 'official' | 'templates' | 'placeholders'
  message: string
}

const anEmail = z.email()

/** Whether letters to this official can arrive: a working address for mail, or a postal address for hand delivery. */
export function reachable(target: Pick<Target, 'delivery' | 'email' | 'deliveryState' | 'postalAddress'>): boolean {
  if (target.delivery === 'hand') return target.postalAddress.trim() !== ''
  return target.deliveryState !== 'bouncing' && anEmail.safeParse(target.email).success
}

/** The starter letter's gaps ("about …", "I ask you to …"): text the organizer must replace. */
export function starterGaps(): string[] {
  return [...new Set([...STARTER_BODY.matchAll(/[^{},\n]*?\s*…/g)].map((m) => m[0].trim()).filter((gap) => gap.length > 1))]
}

/** The languages whose template still has a gap of the starter letter. */
function templatesWithGaps(list: Pick<LetterTemplate, 'language' | 'subject' | 'body'>[]): string[] {
  const gaps = starterGaps()
  return list.filter((x) => gaps.some((gap) => x.body.includes(gap) || x.subject.includes(gap))).map((x) => x.language)
}

interface ReadinessState {
  goal: boolean
  official: boolean
  missingTemplates: string[]
  gaps: string[]
}

function readinessState(db: DbOrTx, campaign: Pick<Campaign, 'id' | 'goal' | 'languages'>): ReadinessState {
  const have = templatesOf(db, campaign.id).filter((x) => campaign.languages.includes(x.language))
  const languages = new Set(have.map((x) => x.language))
  return {
    goal: Number.isInteger(campaign.goal) && campaign.goal >= 1,
    official: targetsOf(db, campaign.id).some(reachable),
    missingTemplates: campaign.languages.filter((l) => !languages.has(l)),
    gaps: templatesWithGaps(have),
  }
}

/**
 * Whether the campaign may go live: it has a goal, at least one official letters can reach, a letter
 * template in each of its languages, and no gap left from the starter letter. Each reason is a
 * catalog message (English here; `translateMessage` gives it in a page's language).
 */
export function readiness(db: DbOrTx, campaign: Pick<Campaign, 'id' | 'goal' | 'languages'>): { ok: boolean; reasons: ReadinessIssue[] } {
  const state = readinessState(db, campaign)
  const reasons: ReadinessIssue[] = []
  if (!state.goal) reasons.push({ code: 'goal', message: localized((t) => t('readiness.reason.goal')) })
  if (!state.official) reasons.push({ code: 'official', message: localized((t) => t('readiness.reason.official')) })
  const phrases = starterGaps().map((g) => `“${g}”`).join(', ')
  if (state.missingTemplates.length) reasons.push({ code: 'templates', message: localized((t) => t('readiness.reason.templates', { list: languageNames(state.missingTemplates, t), count: state.missingTemplates.length })) })
  if (state.gaps.length) reasons.push({ code: 'placeholders', message: localized((t) => t('readiness.reason.placeholders', { list: languageNames(state.gaps, t), phrases, count: state.gaps.length })) })
  return { ok: reasons.length === 0, reasons }
}

export interface ChecklistItem {
  code: ReadinessIssue['code']
  done: boolean
  label: string
  /** Where to do it. */
  href: string
}

/** The dashboard's checklist for going live, in t's language: every item, done or not, with where to do it. */
export function readinessChecklist(db: DbOrTx, campaign: Campaign, t: TFunction = english): { ready: boolean; done: number; items: ChecklistItem[] } {
  const state = readinessState(db, campaign)
  const base = `/admin/campaigns/${campaign.id}`
  const firstMissing = state.missingTemplates[0]
  const firstGap = state.gaps[0]
  const items: ChecklistItem[] = [
    { code: 'goal', done: state.goal, label: t('readiness.check.goal'), href: base },
    { code: 'official', done: state.official, label: t('readiness.check.official'), href: `${base}/targets` },
    { code: 'templates', done: state.missingTemplates.length === 0, label: t('readiness.check.templates', { list: languageNames(campaign.languages, t) }), href: firstMissing ? `${base}/templates/${firstMissing}` : `${base}/templates` },
    { code: 'placeholders', done: state.gaps.length === 0, label: t('readiness.check.placeholders'), href: firstGap ? `${base}/templates/${firstGap}` : `${base}/templates` },
  ]
  const done = items.filter((i) => i.done).length
  return { ready: done === items.length, done, items }
}

/** What turning confirmation off gives away, shown beside the settings while it is off (in t's language). */
export function confirmationWarnings(campaign: Campaign, t: TFunction = english): string[] {
  const off = !campaign.confirmLetters && !campaign.confirmRsvps ? 'both' : !campaign.confirmLetters ? 'letters' : !campaign.confirmRsvps ? 'rsvps' : null
  if (!off) return []
  return [t('adminCampaigns.warnings.confirmationOff', { off })]
}

/** A picket's texts, as the pickets feature hands them over (app.pickets.upcoming). */
export type PicketTexts = Pick<Picket, 'id' | 'title' | 'bring' | 'translations'>

/** Per language, how many of the campaign's texts (its own, its people's, its officials', its upcoming pickets') have no translation yet. */
export function missingTranslationCounts(db: DbOrTx, campaign: Campaign, pickets: PicketTexts[] = []): { lang: string; count: number }[] {
  const counts = new Map(campaign.languages.slice(1).map((l) => [l, 0]))
  const add = (missing: Record<string, string[]>) => {
    for (const [lang, fields] of Object.entries(missing)) counts.set(lang, (counts.get(lang) ?? 0) + fields.length)
  }
  add(missingTranslations(campaign, campaignTexts, campaign.languages))
  for (const p of peopleOf(db, campaign.id)) add(missingTranslations(p, personTexts, campaign.languages))
  for (const x of targetsOf(db, campaign.id)) add(missingTranslations(x, targetTexts, campaign.languages))
  for (const p of pickets) add(missingTranslations(p, picketTexts, campaign.languages))
  return [...counts].map(([lang, count]) => ({ lang, count }))
}

export function campaignJson(c: Campaign) {
  return {
    id: c.id,
    slug: c.slug,
    title: c.title,
    summary: c.summary,
    story: c.story,
    goal: c.goal,
    status: c.status,
    confirmLetters: c.confirmLetters,
    confirmRsvps: c.confirmRsvps,
    languages: c.languages,
    // title, summary and story in the campaign's other languages: {"ru": {"title": "…"}}.
    translations: c.translations,
    lettersCount: c.lettersCount,
    offlineCount: c.offlineCount,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  }
}

// ---------------------------------------------------------------- people

/** A person as the API answers. */
export function personJson(p: CampaignPerson) {
  // name, status and detail in the campaign's other languages: {"ru": {"name": "…"}}.
  return { id: p.id, name: p.name, status: p.status, detail: p.detail, statusChangedOn: p.statusChangedOn, translations: p.translations }
}

export function peopleOf(db: DbOrTx, campaignId: number): CampaignPerson[] {
  return db.select().from(campaignPeople).where(eq(campaignPeople.campaignId, campaignId)).orderBy(asc(campaignPeople.position), asc(campaignPeople.id)).all()
}

export function personById(db: DbOrTx, campaignId: number, personId: number): CampaignPerson | undefined {
  return db.select().from(campaignPeople).where(and(eq(campaignPeople.id, personId), eq(campaignPeople.campaignId, campaignId))).get()
}

/** The campaign's languages, for checking translations given for its people or officials. */
function languagesOf(tx: DbOrTx, campaignId: number): string[] {
  return campaignById(tx, campaignId)?.languages ?? []
}

export function addPerson(db: Db, campaignId: number, input: PersonInput, actor: Actor, now: Date): CampaignPerson {
  return db.transaction((tx) => {
    const wrong = translationIssues(languagesOf(tx, campaignId), input.translations)
    if (wrong.length) throw new InputError(wrong)
    const last = tx.select({ n: sql<number | null>`max(${campaignPeople.position})` }).from(campaignPeople).where(eq(campaignPeople.campaignId, campaignId)).get()?.n ?? 0
    const row = tx
      .insert(campaignPeople)
      .values({ campaignId, name: input.name, status: input.status, detail: input.detail, statusChangedOn: input.statusChangedOn, translations: mergeTranslations({}, input.translations), position: last + 1 })
      .returning()
      .get()
    auditChange(tx, actor, 'person.create', { campaignId, subject: row.name, detail: { id: row.id, status: row.status, translations: Object.keys(row.translations).sort() } }, now)
    return row
  })
}

export function updatePerson(db: Db, campaignId: number, personId: number, input: PersonInput, actor: Actor, now: Date): CampaignPerson | undefined {
  return db.transaction((tx) => {
    const before = personById(tx, campaignId, personId)
    if (!before) return undefined
    const wrong = translationIssues(languagesOf(tx, campaignId), input.translations)
    if (wrong.length) throw new InputError(wrong)
    const translated = mergeTranslations(before.translations, input.translations)
    const row = tx
      .update(campaignPeople)
      .set({ name: input.name, status: input.status, detail: input.detail, statusChangedOn: input.statusChangedOn, translations: translated })
      .where(and(eq(campaignPeople.id, personId), eq(campaignPeople.campaignId, campaignId)))
      .returning()
      .get()
    const detail: Record<string, unknown> = { id: personId }
    if (before.status !== row.status) detail.status = { from: before.status, to: row.status }
    const languagesTranslated = translationChanges(before.translations, translated)
    if (languagesTranslated.length) detail.translations = languagesTranslated
    auditChange(tx, actor, 'person.update', { campaignId, subject: row.name, detail }, now)
    return row
  })
}

export function deletePerson(db: Db, campaignId: number, personId: number, actor: Actor, now: Date): boolean {
  return db.transaction((tx) => {
    const before = personById(tx, campaignId, personId)
    if (!before) return false
    tx.delete(campaignPeople).where(and(eq(campaignPeople.id, personId), eq(campaignPeople.campaignId, campaignId))).run()
    auditChange(tx, actor, 'person.delete', { campaignId, subject: before.name, detail: { id: personId } }, now)
    return true
  })
}

// ---------------------------------------------------------------- officials

export function targetsOf(db: DbOrTx, campaignId: number): Target[] {
  return db.select().from(targets).where(eq(targets.campaignId, campaignId)).orderBy(asc(targets.position), asc(targets.id)).all()
}

export function targetById(db: DbOrTx, campaignId: number, targetId: number): Target | undefined {
  return db.select().from(targets).where(and(eq(targets.id, targetId), eq(targets.campaignId, campaignId))).get()
}

function targetByEmail(tx: DbOrTx, campaignId: number, email: string): Target | undefined {
  return tx.select().from(targets).where(and(eq(targets.campaignId, campaignId), eq(targets.email, email))).get()
}

function nextTargetPosition(tx: DbOrTx, campaignId: number): number {
  return (tx.select({ n: sql<number | null>`max(${targets.position})` }).from(targets).where(eq(targets.campaignId, campaignId)).get()?.n ?? 0) + 1
}

const emailTakenIssue: FieldIssue = { path: ['email'], message: localized((t) => t('adminCampaigns.rules.emailTaken')) }

function targetValues(campaign: Campaign, input: TargetInput) {
  return {
    name: input.name,
    title: input.title,
    ...(input.salutation !== undefined ? { salutation: input.salutation } : {}),
    organisation: input.organisation,
    country: input.country,
    email: input.email,
    postalAddress: input.postalAddress,
    language: input.language ?? campaign.languages[0] ?? 'en',
  }
}

/** The delivery columns the input sets; absent ones are left out (a default for a new official, kept otherwise). */
function deliveryValues(input: TargetInput) {
  const out: Partial<Pick<Target, 'delivery' | 'maxPerHour' | 'sendHoursFrom' | 'sendHoursTo' | 'timeZone' | 'digestEvery' | 'digestHour' | 'forCountries'>> = {}
  if (input.delivery !== undefined) out.delivery = input.delivery
  if (input.maxPerHour !== undefined) out.maxPerHour = input.maxPerHour
  if (input.sendHours !== undefined) {
    out.sendHoursFrom = input.sendHours.from
    out.sendHoursTo = input.sendHours.to
  }
  if (input.timeZone !== undefined) out.timeZone = input.timeZone
  if (input.digestEvery !== undefined) out.digestEvery = input.digestEvery
  if (input.digestHour !== undefined) out.digestHour = input.digestHour
  if (input.forCountries !== undefined) out.forCountries = input.forCountries
  return out
}

/** The zone an official's hours are kept in: theirs if set, else their country's (as letters/zone.ts). */
export const zoneUsed = (t: Pick<Target, 'timeZone' | 'country'>) => t.timeZone ?? zoneOfCountry(t.country)

/** Letters of an official still waiting (paced, for their digest, by hand, or held while the address bounces). */
export function lettersWaiting(db: DbOrTx, targetIds: number[]): Map<number, number> {
  if (targetIds.length === 0) return new Map()
  const rows = db
    .select({ targetId: letters.targetId, n: count() })
    .from(letters)
    .where(and(inArray(letters.targetId, targetIds), eq(letters.status, 'queued')))
    .groupBy(letters.targetId)
    .all()
  return new Map(rows.map((r) => [r.targetId, r.n]))
}

/**
 * An address that bounced takes mail again once it is fixed: a new address applied (an admin's edit, an
 * import, an approved change), or the official switched to hand delivery. The held letters then go out
 * (or wait for the dossier). Audited as target.delivery_resume; returns the row as it is now.
 */
function resumeIfFixed(tx: DbOrTx, actor: Actor, campaignId: number, before: Target, after: Target, now: Date): Target {
  if (after.deliveryState !== 'bouncing') return after
  const newAddress = after.email !== before.email
  const byHand = after.delivery === 'hand'
  if (!newAddress && !byHand) return after
  const held = lettersWaiting(tx, [after.id]).get(after.id) ?? 0
  const row = tx.update(targets).set({ deliveryState: 'ok', bounceReason: null, bouncedAt: null }).where(eq(targets.id, after.id)).returning().get()
  audit(
    tx,
    actor,
    'target.delivery_resume',
    {
      campaignId,
      subject: row.name,
      detail: { id: row.id, because: newAddress ? 'new address' : 'hand delivery', bouncedAddress: before.email, email: row.email, delivery: row.delivery, bounceReason: after.bounceReason, bouncedAt: after.bouncedAt, heldLetters: held },
    },
    now,
  )
  return row
}

/**
 * Who may change where an official's mail goes. An organizer's new address is held until an admin
 * approves it (a hostile organizer could otherwise send supporters' letters to themselves); an admin's
 * own change applies at once: making it is approving it.
 */
export interface TargetEditor {
  canApproveEmail: boolean
}

/** The old and new value of each field that changed, for the audit log. */
function targetChanges(before: Target, values: Partial<Target>) {
  const out: Record<string, { from: unknown; to: unknown }> = {}
  for (const k of Object.keys(values) as (keyof Target)[]) if (JSON.stringify(values[k]) !== JSON.stringify(before[k])) out[k] = { from: before[k], to: values[k] }
  return out
}

/**
 * The columns to write when an official's address is to become `email`: applied (and any request
 * dropped) for an admin; held in pendingEmail, the mail still going to the old address, for anyone else.
 */
function emailChange(before: Target, email: string, editor: TargetEditor, actor: Actor, now: Date) {
  if (email === before.email) return { set: {}, held: false }
  if (editor.canApproveEmail) return { set: { email, pendingEmail: null, pendingEmailBy: null, pendingEmailAt: null }, held: false }
  // Asking again for the address already waiting keeps the first request's time.
  if (before.pendingEmail === email) return { set: { email: before.email }, held: true }
  return { set: { email: before.email, pendingEmail: email, pendingEmailBy: actor.id, pendingEmailAt: now }, held: true }
}

export function addTarget(db: Db, campaign: Campaign, input: TargetInput, actor: Actor, now: Date): Target {
  try {
    return db.transaction((tx) => {
      const wrong = translationIssues(campaign.languages, input.translations)
      if (wrong.length) throw new InputError(wrong)
      if (targetByEmail(tx, campaign.id, input.email)) throw new InputError([emailTakenIssue])
      const row = tx
        .insert(targets)
        .values({ campaignId: campaign.id, ...targetValues(campaign, input), ...deliveryValues(input), translations: mergeTranslations({}, input.translations), position: nextTargetPosition(tx, campaign.id), createdAt: now, updatedAt: now })
        .returning()
        .get()
      auditChange(tx, actor, 'target.create', { campaignId: campaign.id, subject: row.name, detail: { id: row.id, email: row.email, delivery: row.delivery } }, now)
      return row
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw new InputError([emailTakenIssue])
    throw err
  }
}

export interface TargetUpdate {
  target: Target
  /** The new address waits for an admin (it is target.pendingEmail); mail still goes to target.email. */
  held: boolean
}

export function updateTarget(db: Db, campaign: Campaign, targetId: number, input: TargetInput, editor: TargetEditor, actor: Actor, now: Date): TargetUpdate | undefined {
  try {
    return db.transaction((tx) => {
      const before = targetById(tx, campaign.id, targetId)
      if (!before) return undefined
      const other = targetByEmail(tx, campaign.id, input.email)
      if (other && other.id !== targetId) throw new InputError([emailTakenIssue])
      const wrong = translationIssues(campaign.languages, input.translations)
      if (wrong.length) throw new InputError(wrong)
      const values = { ...targetValues(campaign, input), ...deliveryValues(input), translations: mergeTranslations(before.translations, input.translations) }
      const { set, held } = emailChange(before, values.email, editor, actor, now)
      const updated = tx
        .update(targets)
        .set({ ...values, ...set, updatedAt: now })
        .where(eq(targets.id, targetId))
        .returning()
        .get()
      const changes = targetChanges(before, values)
      const detail: Record<string, unknown> = { id: updated.id, changed: Object.keys(changes), changes }
      if (changes.email) detail.email = { from: before.email, to: values.email, held }
      auditChange(tx, actor, 'target.update', { campaignId: campaign.id, subject: updated.name, detail }, now)
      return { target: resumeIfFixed(tx, actor, campaign.id, before, updated, now), held }
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw new InputError([emailTakenIssue])
    throw err
  }
}

export function targetJson(t: Target) {
  return {
    id: t.id,
    name: t.name,
    title: t.title,
    // How a letter greets them in the campaign's first language ("Dear Mr President,"); '' for the usual greeting.
    salutation: t.salutation,
    // name, title and salutation in the campaign's other languages: {"ru": {"name": "…"}}.
    translations: t.translations,
    organisation: t.organisation,
    country: t.country,
    email: t.email,
    // A change of address an organizer asked for, waiting for an admin: mail goes to `email` until then.
    pendingEmail: t.pendingEmail,
    pendingEmailAt: t.pendingEmailAt,
    postalAddress: t.postalAddress,
    language: t.language,
    lettersCount: t.lettersCount,
    // How letters reach them (each: paced mail; digest: one mail a day or week; hand: a printed dossier).
    delivery: t.delivery,
    maxPerHour: t.maxPerHour,
    sendHours: { from: t.sendHoursFrom, to: t.sendHoursTo },
    // Null: their country's zone; timeZoneUsed is the zone their hours are kept in either way.
    timeZone: t.timeZone,
    timeZoneUsed: zoneUsed(t),
    digestEvery: t.digestEvery,
    digestHour: t.digestHour,
    forCountries: t.forCountries,
    // bouncing: the address refused our mail for good (bounceReason is the server's answer); nothing is
    // sent to it, its letters wait, until the address is changed or the official switched to hand.
    deliveryState: t.deliveryState,
    bounceReason: t.bounceReason,
    bouncedAt: t.bouncedAt,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  }
}

// ---------------------------------------------------------------- changes of address waiting for an admin

export interface PendingEmailChange {
  target: Target
  campaign: { id: number; slug: string; title: string }
  /** Who asked: their email, or null if the account is gone. */
  requestedBy: string | null
}

/** Every official whose new address waits for an admin, oldest request first; of one campaign if given. */
export function pendingEmailChanges(db: DbOrTx, campaignId?: number): PendingEmailChange[] {
  const where = campaignId ? and(isNotNull(targets.pendingEmail), eq(targets.campaignId, campaignId)) : isNotNull(targets.pendingEmail)
  return db
    .select({ target: targets, campaign: { id: campaigns.id, slug: campaigns.slug, title: campaigns.title }, requestedBy: users.email })
    .from(targets)
    .innerJoin(campaigns, eq(campaigns.id, targets.campaignId))
    .leftJoin(users, eq(users.id, targets.pendingEmailBy))
    .where(where)
    .orderBy(asc(targets.pendingEmailAt), asc(targets.id))
    .all()
}

const nothingPendingIssue: FieldIssue = { path: ['pendingEmail'], message: localized((t) => t('adminCampaigns.rules.nothingPending')) }
const pendingTakenIssue = (email: string): FieldIssue => ({ path: ['pendingEmail'], message: localized((t) => t('adminCampaigns.rules.pendingTaken', { email })) })

/**
 * An admin approves the address an organizer asked for: it becomes the official's email, so letters
 * go there from now on. Undefined when there is no such official; an InputError when nothing waits or
 * another official already has the address (the (campaign, email) index is checked, never tripped).
 */
export function approveEmailChange(db: Db, campaign: Campaign, targetId: number, actor: Actor, now: Date): Target | undefined {
  let pending = ''
  try {
    return db.transaction((tx) => {
      const before = targetById(tx, campaign.id, targetId)
      if (!before) return undefined
      if (!before.pendingEmail) throw new InputError([nothingPendingIssue])
      pending = before.pendingEmail
      const other = targetByEmail(tx, campaign.id, pending)
      if (other && other.id !== targetId) throw new InputError([pendingTakenIssue(pending)])
      const row = tx
        .update(targets)
        .set({ email: pending, pendingEmail: null, pendingEmailBy: null, pendingEmailAt: null, updatedAt: now })
        .where(eq(targets.id, targetId))
        .returning()
        .get()
      const requestedBy = before.pendingEmailBy ? (tx.select({ email: users.email }).from(users).where(eq(users.id, before.pendingEmailBy)).get()?.email ?? null) : null
      auditChange(tx, actor, 'target.email_approve', { campaignId: campaign.id, subject: row.name, detail: { id: row.id, email: { from: before.email, to: pending }, requestedBy, requestedAt: before.pendingEmailAt } }, now)
      // A bouncing address replaced: the held letters go to the new one.
      return resumeIfFixed(tx, actor, campaign.id, before, row, now)
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw new InputError([pendingTakenIssue(pending)])
    throw err
  }
}

/** An admin turns the requested address down: the official keeps the address letters go to. */
export function rejectEmailChange(db: Db, campaign: Campaign, targetId: number, actor: Actor, now: Date): Target | undefined {
  return db.transaction((tx) => {
    const before = targetById(tx, campaign.id, targetId)
    if (!before) return undefined
    if (!before.pendingEmail) throw new InputError([nothingPendingIssue])
    const row = tx.update(targets).set({ pendingEmail: null, pendingEmailBy: null, pendingEmailAt: null, updatedAt: now }).where(eq(targets.id, targetId)).returning().get()
    const requestedBy = before.pendingEmailBy ? (tx.select({ email: users.email }).from(users).where(eq(users.id, before.pendingEmailBy)).get()?.email ?? null) : null
    audit(tx, actor, 'target.email_reject', { campaignId: campaign.id, subject: row.name, detail: { id: row.id, email: { current: before.email, rejected: before.pendingEmail }, requestedBy, requestedAt: before.pendingEmailAt } }, now)
    return row
  })
}

// ---------------------------------------------------------------- CSV import

export const CSV_COLUMNS = ['name', 'title', 'organisation', 'country', 'email', 'postal_address', 'language'] as const
/**
 * Optional delivery columns (an empty cell keeps the official's setting, or the default for a new one):
 * delivery (each, digest, hand), max_per_hour, send_hours_from, send_hours_to, time_zone, digest_every
 * (day, week), digest_hour, for_countries ("GB IE").
 */
export const CSV_DELIVERY_COLUMNS = ['delivery', 'max_per_hour', 'send_hours_from', 'send_hours_to', 'time_zone', 'digest_every', 'digest_hour', 'for_countries'] as const
/** Optional: the official to update, as the officials list numbers them; with it a line can change an address. */
export const CSV_ID_COLUMN = 'id'
/** Optional: how a letter greets the official; an empty cell leaves none (a missing column keeps theirs). */
export const CSV_SALUTATION_COLUMN = 'salutation'
const CSV_REQUIRED = ['name', 'country', 'email']
export const CSV_MAX_ROWS = 5000

export type ImportResult =
  | { ok: true; created: number; updated: number; held: { id: number; name: string; email: string; pendingEmail: string }[] }
  | { ok: false; errors: { line: number; message: string }[] }

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1)

/**
 * Reads officials from CSV text (header row first) and writes them all or none: every line is
 * checked before anything is written. An official whose email the campaign already has is updated.
 * A line with an `id` updates that official, and a new email on it is a change of address: applied for
 * an admin, held for an admin's approval otherwise (listed in `held`).
 */
export function importTargets(db: Db, campaign: Campaign, text: string, editor: TargetEditor, actor: Actor, now: Date, lang: Language = 'en'): ImportResult {
  const t = translator(lang)
  const columns = CSV_COLUMNS.join(',')
  const errors: { line: number; message: string }[] = []
  if (!text.trim()) return { ok: false, errors: [{ line: 1, message: t('adminCampaigns.csv.empty', { columns }) }] }

  let header: string[] = []
  let records: { record: Record<string, string>; info: { lines: number } }[]
  try {
    records = parseCsv(text, {
      columns: (names: string[]) => (header = names.map((h) => String(h).trim().toLowerCase())),
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      trim: true,
      bom: true,
      info: true,
      max_record_size: 20_000,
    }) as unknown as { record: Record<string, string>; info: { lines: number } }[]
  } catch (err) {
    const e = err as { lines?: number; code?: string; message?: string }
    const msg = String(e.message ?? err)
    const mismatch = /columns length is (\d+), got (\d+)/.exec(msg)
    const message = mismatch ? t('adminCampaigns.csv.fieldCount', { got: Number(mismatch[2]), header: Number(mismatch[1]) }) : lowerFirst(msg.replace(/\s+(on|at) line \d+\.?$/, ''))
    return { ok: false, errors: [{ line: e.lines ?? 1, message }] }
  }

  const known: readonly string[] = [CSV_ID_COLUMN, ...CSV_COLUMNS, CSV_SALUTATION_COLUMN, ...CSV_DELIVERY_COLUMNS]
  const unknown = header.filter((h) => !known.includes(h))
  const missing = CSV_REQUIRED.filter((h) => !header.includes(h))
  const repeated = header.filter((h, i) => header.indexOf(h) !== i)
  const quoted = (names: string[]) => names.map((n) => `"${n}"`).join(', ')
  const optional = [CSV_ID_COLUMN, CSV_SALUTATION_COLUMN, ...CSV_DELIVERY_COLUMNS].join(', ')
  if (unknown.length) errors.push({ line: 1, message: t('adminCampaigns.csv.unknownColumns', { count: unknown.length, names: quoted(unknown), columns, optional }) })
  if (missing.length) errors.push({ line: 1, message: t('adminCampaigns.csv.missingColumns', { count: missing.length, names: quoted(missing), columns }) })
  if (repeated.length) errors.push({ line: 1, message: t('adminCampaigns.csv.repeatedColumn', { name: repeated[0] }) })
  if (errors.length) return { ok: false, errors }
  if (records.length === 0) return { ok: false, errors: [{ line: 2, message: t('adminCampaigns.csv.noOfficials') }] }
  if (records.length > CSV_MAX_ROWS) return { ok: false, errors: [{ line: CSV_MAX_ROWS + 2, message: t('adminCampaigns.csv.tooMany', { max: CSV_MAX_ROWS }) }] }

  const existing = targetsOf(db, campaign.id)
  const byId = new Map(existing.map((x) => [x.id, x]))
  const byEmail = new Map(existing.map((x) => [x.email, x]))
  const rows: { line: number; input: TargetInput; target?: Target }[] = []
  const seen = new Map<string, number>()
  const seenTargets = new Map<number, number>()
  for (const { record, info } of records) {
    // info.lines is where the record ends; quoted line breaks move its start up.
    const line = info.lines - Object.values(record).reduce((n, v) => n + (String(v).match(/\n/g)?.length ?? 0), 0)
    // An empty delivery cell says nothing: the official keeps its setting (a new one gets the default).
    const cell = (name: (typeof CSV_DELIVERY_COLUMNS)[number]) => (record[name] ? record[name] : undefined)
    const from = cell('send_hours_from')
    const to = cell('send_hours_to')
    const parsed = targetInput.safeParse({
      name: record.name ?? '',
      title: record.title ?? '',
      // No salutation column: each official keeps theirs.
      salutation: header.includes(CSV_SALUTATION_COLUMN) ? (record[CSV_SALUTATION_COLUMN] ?? '') : undefined,
      organisation: record.organisation ?? '',
      country: record.country ?? '',
      email: record.email ?? '',
      postalAddress: record.postal_address ?? '',
      language: record.language ?? '',
      delivery: cell('delivery'),
      maxPerHour: cell('max_per_hour'),
      sendHours: from || to ? { from: from ?? String(DELIVERY_DEFAULTS.sendHoursFrom), to: to ?? String(DELIVERY_DEFAULTS.sendHoursTo) } : undefined,
      timeZone: cell('time_zone'),
      digestEvery: cell('digest_every'),
      digestHour: cell('digest_hour'),
      forCountries: cell('for_countries'),
    })
    const rawId = (record[CSV_ID_COLUMN] ?? '').trim()
    let named: Target | undefined
    if (rawId) {
      named = /^[1-9][0-9]{0,9}$/.test(rawId) ? byId.get(Number(rawId)) : undefined
      if (!named) errors.push({ line, message: t('adminCampaigns.csv.unknownId', { id: rawId }) })
    }
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors.push({ line, message: lowerFirst(translateMessage(issue.message, lang)) })
      continue
    }
    if (rawId && !named) continue
    const email = parsed.data.email
    const first = seen.get(email)
    if (first !== undefined) {
      errors.push({ line, message: t('adminCampaigns.csv.emailTwice', { email, first }) })
      continue
    }
    const owner = byEmail.get(email)
    if (named && owner && owner.id !== named.id) {
      errors.push({ line, message: t('adminCampaigns.csv.emailOfAnother', { email, id: owner.id }) })
      continue
    }
    const target = named ?? owner
    const sameOfficial = target ? seenTargets.get(target.id) : undefined
    if (target && sameOfficial !== undefined) {
      errors.push({ line, message: t('adminCampaigns.csv.officialTwice', { id: target.id, first: sameOfficial }) })
      continue
    }
    seen.set(email, line)
    if (target) seenTargets.set(target.id, line)
    rows.push({ line, input: parsed.data, target })
  }
  if (errors.length) return { ok: false, errors }

  try {
    return db.transaction((tx) => {
      let created = 0
      let updated = 0
      const held: { id: number; name: string; email: string; pendingEmail: string }[] = []
      const emailChanges: { id: number; from: string; to: string; held: boolean }[] = []
      let position = nextTargetPosition(tx, campaign.id)
      for (const { input, target } of rows) {
        const values = { ...targetValues(campaign, input), ...deliveryValues(input) }
        const current = target ? targetById(tx, campaign.id, target.id) : undefined
        if (current) {
          const change = emailChange(current, values.email, editor, actor, now)
          const after = tx
            .update(targets)
            .set({ ...values, ...change.set, updatedAt: now })
            .where(eq(targets.id, current.id))
            .returning()
            .get()
          resumeIfFixed(tx, actor, campaign.id, current, after, now)
          if (values.email !== current.email) emailChanges.push({ id: current.id, from: current.email, to: values.email, held: change.held })
          if (change.held) held.push({ id: current.id, name: values.name, email: current.email, pendingEmail: values.email })
          updated++
        } else {
          tx.insert(targets).values({ campaignId: campaign.id, ...values, position: position++, createdAt: now, updatedAt: now }).run()
          created++
        }
      }
      const detail: Record<string, unknown> = { created, updated }
      if (emailChanges.length) detail.emailChanges = emailChanges
      auditChange(tx, actor, 'target.import', { campaignId: campaign.id, subject: `${rows.length} officials`, detail }, now)
      return { ok: true as const, created, updated, held }
    })
  } catch (err) {
    // Someone else added an official with one of these addresses meanwhile.
    if (isUniqueViolation(err)) return { ok: false, errors: [{ line: 1, message: t('adminCampaigns.csv.raced') }] }
    throw err
  }
}

// ---------------------------------------------------------------- letter templates

export function templatesOf(db: DbOrTx, campaignId: number): LetterTemplate[] {
  return db.select().from(letterTemplates).where(eq(letterTemplates.campaignId, campaignId)).orderBy(asc(letterTemplates.language)).all()
}

export function templateFor(db: DbOrTx, campaignId: number, language: string): LetterTemplate | undefined {
  return db.select().from(letterTemplates).where(and(eq(letterTemplates.campaignId, campaignId), eq(letterTemplates.language, language))).get()
}

export function languageIssue(campaign: Campaign, language: string): FieldIssue | null {
  if (campaign.languages.includes(language)) return null
  const list = campaign.languages.join(', ')
  return { path: ['language'], message: localized((t) => t('adminCampaigns.rules.notCampaignLanguage', { lang: language, list })) }
}

/**
 * Saves the appeal for one language after checking it compiles and uses only known placeholders.
 * updatedAt always moves forward, so the public letter flow's cache compiles the new text.
 * The template's problems are told in `lang`, the language of whoever is saving (not the template's).
 */
export function saveTemplate(db: Db, campaign: Campaign, language: string, input: { subject: string; body: string }, actor: Actor, now: Date, lang: Language = 'en'): LetterTemplate {
  const wrongLanguage = languageIssue(campaign, language)
  if (wrongLanguage) throw new InputError([wrongLanguage])
  const issues = validateAppeal(input.subject, input.body, lang)
  if (issues.length) throw new InputError(issues)
  return db.transaction((tx) => {
    const before = templateFor(tx, campaign.id, language)
    const updatedAt = before && before.updatedAt.getTime() >= now.getTime() ? new Date(before.updatedAt.getTime() + 1) : now
    const row = tx
      .insert(letterTemplates)
      .values({ campaignId: campaign.id, language, subject: input.subject, body: input.body, createdAt: now, updatedAt })
      .onConflictDoUpdate({ target: [letterTemplates.campaignId, letterTemplates.language], set: { subject: input.subject, body: input.body, updatedAt } })
      .returning()
      .get()
    auditChange(tx, actor, 'template.save', { campaignId: campaign.id, subject: language, detail: { created: !before, subject: input.subject } }, now)
    return row
  })
}

export function templateJson(t: LetterTemplate) {
  return { language: t.language, subject: t.subject, body: t.body, updatedAt: t.updatedAt }
}

export const STARTER_BODY = `Dear {{target.name}},

I am writing from {{supporter.city}}, {{supporter.country}}{{#if supporter.organisation}}, as a member of {{supporter.organisation}}{{/if}}, about …

I ask you to …
{{#if note}}

{{note}}
{{/if}}

Yours sincerely,
{{supporter.name}}
{{supporter.city}}, {{supporter.country}}
{{date}}`

export { APPEAL_PLACEHOLDERS }

/** The sample supporter writing to one of the campaign's officials (or a sample one), in this language. */
export function previewContext(campaign: Campaign, target: Target | undefined, language: string, baseUrl: string, now: Date): AppealContext {
  const sample = sampleContext()
  return {
    ...sample,
    supporter: { ...sample.supporter, country: countryName(sample.supporter.countryCode, language) },
    // The official and the campaign as a letter in this language names them (the Russian salutation in a Russian letter).
    target: target ? targetContext(target, language, campaign.languages[0]) : sample.target,
    campaign: { title: localize(campaign, campaignTexts, language, campaign.languages[0] ?? language).title, url: `${baseUrl}/campaigns/${campaign.slug}` },
    date: letterDate(now, language),
  }
}

export type PreviewResult = { ok: true; subject: string; body: string } | { ok: false; issues: FieldIssue[] }

/** Renders a subject and body as a supporter would get them, or says what is wrong with them (in `lang`, the reader's language). */
export function previewTemplate(context: AppealContext, subject: string, body: string, lang: Language = 'en'): PreviewResult {
  const issues = validateAppeal(subject, body, lang)
  if (issues.length) return { ok: false, issues }
  try {
    return { ok: true, ...renderAppeal(compileAppeal(subject, body), context) }
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err)
    return { ok: false, issues: [{ path: ['body'], message: translator(lang)('adminTemplates.letterDoesNotCompile', { error }) }] }
  }
}
