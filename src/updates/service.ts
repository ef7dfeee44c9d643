import { and, eq } from 'drizzle-orm'
import { z } from 'zod'
import type { Db, DbOrTx } from '../db/client.js'
import type { Clock } from '../clock.js'
import type { CampaignService } from '../campaigns/service.js'
import type { UpdateMailing } from './mailing.js'
import type { Language } from '../i18n/index.js'
import { campaignPeople, campaigns, personStatusChanges, updates, updateTexts, type Campaign, type PersonStatusChange, type Update } from '../db/schema/index.js'
import type { ContentTranslations } from '../db/schema/columns.js'
import { localize } from '../i18n/content.js'
import { InputError, issuesOf, localized, type FieldIssue } from '../validation.js'
import { audit, type Actor } from '../admin/audit.js'
import { MarkdownCache, excerpt } from './markdown.js'
import * as q from './queries.js'

/** An update as the campaign page lists it: in the page's language where translated (langs: what fell back). */
export interface UpdateView {
  id: number
  title: string
  /** Sanitised HTML from the Markdown. */
  html: string
  /** Its text, shortened, for lists. */
  excerpt: string
  publishedAt: Date
  /** YYYY-MM-DD (UTC), for {{day}}. */
  publishedOn: string
  url: string
  langs: { title?: string; body?: string }
}

/** One dated step of a person's timeline, in the page's language where translated. */
export interface TimelineEntry {
  status: string
  /** YYYY-MM-DD */
  on: string
  lang?: string
  updateUrl?: string
  /** The latest step: the person's status now. */
  current?: boolean
}

/** A status change as given: the status in the update's language, others in `translations`. */
export interface PersonChangeInput {
  personId: number
  status: string
  date: string
  translations?: Record<string, { status?: string }>
}

declare module 'fastify' {
  interface FastifyInstance {
    updates: UpdateService
  }
}

export const TITLE_MAX = 200
export const BODY_MAX = 20_000
export const STATUS_MAX = 100
export const CHANGES_MAX = 20

// Messages: English for the API, catalog messages for the back office in its language.
const M = {
  notText: localized((t) => t('adminUpdates.errors.notText')),
  titleRequired: localized((t) => t('adminUpdates.errors.titleRequired')),
  titleTooLong: localized((t) => t('adminUpdates.errors.titleTooLong', { max: TITLE_MAX })),
  oneLine: localized((t) => t('adminUpdates.errors.oneLine')),
  bodyRequired: localized((t) => t('adminUpdates.errors.bodyRequired')),
  bodyTooLong: localized((t) => t('adminUpdates.errors.bodyTooLong', { max: BODY_MAX })),
  badCharacters: localized((t) => t('adminUpdates.errors.badCharacters')),
  translationLanguage: localized((t) => t('adminUpdates.errors.translationLanguage')),
  personUnknown: localized((t) => t('adminUpdates.errors.personUnknown')),
  statusRequired: localized((t) => t('adminUpdates.errors.statusRequired')),
  statusTooLong: localized((t) => t('adminUpdates.errors.statusTooLong', { max: STATUS_MAX })),
  date: localized((t) => t('adminUpdates.errors.date')),
  dateFuture: localized((t) => t('adminUpdates.errors.dateFuture')),
  tooManyChanges: localized((t) => t('adminUpdates.errors.tooManyChanges', { max: CHANGES_MAX })),
  boolean: localized((t) => t('adminUpdates.errors.boolean')),
  notifyDraft: localized((t) => t('adminUpdates.errors.notifyDraft')),
  noUnpublish: localized((t) => t('adminUpdates.errors.noUnpublish')),
}
const languageMessage = (languages: readonly string[]) => localized((t) => t('adminUpdates.errors.language', { languages: languages.join(', ') }))

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

const titleText = z
  .string({ error: M.notText })
  .trim()
  .max(TITLE_MAX, M.titleTooLong)
  .refine((v) => !CONTROL.test(v), M.oneLine)
  .refine((v) => !LONE_SURROGATE.test(v), M.badCharacters)
const bodyText = z
  .string({ error: M.notText })
  .max(BODY_MAX, M.bodyTooLong)
  .refine((v) => !CONTROL_IN_TEXT.test(v), M.badCharacters)
  .refine((v) => !LONE_SURROGATE.test(v), M.badCharacters)
  .transform((v) => v.replace(/\r\n?/g, '\n').trim())
const statusText = z
  .string({ error: M.notText })
  .trim()
  .max(STATUS_MAX, M.statusTooLong)
  .refine((v) => !CONTROL.test(v), M.oneLine)
  .refine((v) => !LONE_SURROGATE.test(v), M.badCharacters)

const dayPattern = /^(\d{4})-(\d{2})-(\d{2})$/
const realDay = (v: string) => {
  const m = dayPattern.exec(v)
  if (!m) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]) && Number(m[1]) >= 1900
}

const CHANGE_FIELDS = ['personId', 'status', 'date', 'translations']
const unknownChangeField = localized((t) => t('adminUpdates.errors.unknownField', { fields: CHANGE_FIELDS.join(', ') }))
// Strict, as the update's own fields are: a misspelt field of a change would otherwise be dropped in silence.
const changeSchema = z.strictObject(
  {
    personId: z.number({ error: M.personUnknown }).int(M.personUnknown).positive(M.personUnknown),
    status: statusText.refine((v) => v.length > 0, M.statusRequired),
    date: z.string({ error: M.date }).trim().refine(realDay, M.date),
    translations: z.record(z.string(), z.object({ status: statusText.optional() }, { error: M.notText }), { error: M.notText }).optional(),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? unknownChangeField : undefined) },
)

const updateSchema = z.object({
  title: titleText.optional(),
  body: bodyText.optional(),
  language: z.string({ error: M.notText }).trim().optional(),
  translations: z.record(z.string(), z.object({ title: titleText.optional(), body: bodyText.optional() }, { error: M.notText }), { error: M.notText }).optional(),
  personChanges: z.array(changeSchema, { error: M.notText }).max(CHANGES_MAX, M.tooManyChanges).optional(),
  publish: z.boolean({ error: M.boolean }).optional(),
  notify: z.boolean({ error: M.boolean }).optional(),
})
export type UpdateInput = z.input<typeof updateSchema>
/** The fields an update's JSON may carry. */
export const UPDATE_FIELDS = Object.keys(updateSchema.shape)
/** For the API's documentation. */
export const updateInputSchema = updateSchema

/** Thrown when the update cannot take that step now (mailed already, no unpublishing): a 409. */
export class UpdateConflict extends Error {
  constructor(public reason: 'alreadyMailed' | 'noUnpublish') {
    super(reason === 'alreadyMailed' ? 'This update has been mailed already' : 'A published update cannot go back to draft')
  }
}

/** The last day a change may have happened: today somewhere on Earth (UTC+14), so no one's today is "the future". */
const latestDay = (now: Date) => new Date(now.getTime() + 14 * 3600_000).toISOString().slice(0, 10)

const isoDay = (d: Date) => d.toISOString().slice(0, 10)

/** Translations laid over others by language and text: a text given replaces, an empty one removes. */
function mergeTexts<F extends string>(current: ContentTranslations<F>, given: Record<string, Partial<Record<F, string | undefined>>> | undefined): ContentTranslations<F> {
  const out: ContentTranslations<F> = structuredClone(current ?? {})
  for (const [lang, texts] of Object.entries(given ?? {})) {
    const merged: Partial<Record<F, string>> = { ...(out[lang] ?? {}) }
    for (const [field, text] of Object.entries(texts ?? {}) as [F, string | undefined][]) {
      if (text === undefined) continue
      if (text.trim() === '') delete merged[field]
      else merged[field] = text
    }
    if (Object.keys(merged).length) out[lang] = merged
    else delete out[lang]
  }
  return out
}

/** app.updates: writing, publishing and reading updates and the people's timelines. */
export function createUpdateService(deps: { db: Db; clock: Clock; campaigns: CampaignService; mailing: UpdateMailing; onMailQueued: () => void }) {
  const { db, clock, mailing } = deps
  const cache = new MarkdownCache()

  const urlOf = (campaign: Pick<Campaign, 'slug'>, id: number) => `/campaigns/${campaign.slug}/updates/${id}`

  /** An update in a language (its own language where not translated, marked). */
  function view(update: Update, campaign: Pick<Campaign, 'slug'>, lang: string): UpdateView {
    const texts = localize(update, updateTexts, lang, update.language)
    const bodyLang = texts.langs.body ?? (lang === update.language ? update.language : lang)
    const html = cache.render(`${update.id}:${update.updatedAt.getTime()}:${bodyLang}`, texts.body)
    const at = update.publishedAt ?? update.createdAt
    return { id: update.id, title: texts.title, html, excerpt: excerpt(html), publishedAt: at, publishedOn: isoDay(at), url: urlOf(campaign, update.id), langs: texts.langs }
  }

  /** Each person's visible changes, oldest first, the last marked current; keyed by person id. */
  function timelines(campaign: Campaign, lang: string): Record<number, TimelineEntry[]> {
    const out: Record<number, TimelineEntry[]> = {}
    for (const c of q.timelineRows(db, campaign.id)) {
      const texts = localize(c, ['status'] as const, lang, c.language)
      ;(out[c.personId] ??= []).push({ status: texts.status, on: c.happenedOn, ...(texts.langs.status ? { lang: texts.langs.status } : {}), ...(c.updateId && c.updatePublished ? { updateUrl: urlOf(campaign, c.updateId) } : {}) })
    }
    for (const entries of Object.values(out)) entries[entries.length - 1]!.current = true
    return out
  }

  /** Checks raw input against the campaign and what the update is now; every issue at once. */
  function parse(campaign: Campaign, raw: unknown, current?: Update & { changes: PersonStatusChange[] }) {
    const parsed = updateSchema.safeParse(raw)
    const issues: FieldIssue[] = parsed.success ? [] : issuesOf(parsed.error)
    const input = parsed.success ? parsed.data : ({} as z.output<typeof updateSchema>)
    const rawObj = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>
    const languages = campaign.languages

    // The language: one of the campaign's.
    const rawLanguage = typeof rawObj.language === 'string' ? rawObj.language.trim() : undefined
    const language = rawLanguage ?? current?.language
    if (language === undefined) issues.push({ path: ['language'], message: languageMessage(languages) })
    else if (!languages.includes(language) && !issues.some((i) => i.path[0] === 'language')) issues.push({ path: ['language'], message: languageMessage(languages) })

    // Texts: a new language takes the texts it had as a translation; the old ones become one.
    let title = current?.title ?? ''
    let body = current?.body ?? ''
    let translations: ContentTranslations<'title' | 'body'> = structuredClone(current?.translations ?? {})
    if (current && language && language !== current.language) {
      translations[current.language] = { title: current.title, body: current.body }
      title = translations[language]?.title ?? ''
      body = translations[language]?.body ?? ''
      delete translations[language]
    }
    if (input.title !== undefined) title = input.title
    if (input.body !== undefined) body = input.body
    if (!title && !issues.some((i) => i.path[0] === 'title')) issues.push({ path: ['title'], message: M.titleRequired })
    if (!body && !issues.some((i) => i.path[0] === 'body')) issues.push({ path: ['body'], message: M.bodyRequired })
    const rawTranslations = rawObj.translations && typeof rawObj.translations === 'object' ? Object.keys(rawObj.translations) : []
    for (const lang of rawTranslations) {
      if (!languages.includes(lang) || lang === language) issues.push({ path: ['translations', lang], message: M.translationLanguage })
    }
    translations = mergeTexts(translations, input.translations)
    if (language) delete translations[language]

    // Status changes: people of this campaign, days that have come.
    // (Checked on what was sent, so these show beside the others even when some field could not be read.)
    const rawChanges = Array.isArray(rawObj.personChanges) ? (rawObj.personChanges as unknown[]) : []
    if (rawChanges.length) {
      const people = new Set(deps.campaigns.people(campaign.id).map((p) => p.id))
      const last = latestDay(clock())
      rawChanges.forEach((item, i) => {
        const c = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>
        const at = (field: string) => issues.some((x) => x.path[0] === 'personChanges' && x.path[1] === i && x.path[2] === field)
        if (!people.has(c.personId as number) && !at('personId')) issues.push({ path: ['personChanges', i, 'personId'], message: M.personUnknown })
        if (typeof c.date === 'string' && realDay(c.date.trim()) && c.date.trim() > last) issues.push({ path: ['personChanges', i, 'date'], message: M.dateFuture })
        const translated = c.translations && typeof c.translations === 'object' ? Object.keys(c.translations) : []
        for (const lang of translated) {
          if (!languages.includes(lang) || lang === language) issues.push({ path: ['personChanges', i, 'translations', lang], message: M.translationLanguage })
        }
      })
    }
    const changes: PersonChangeInput[] | undefined = input.personChanges

    // What it should become.
    // (From what was sent, so these show with the rest.)
    const publish = typeof rawObj.publish === 'boolean' ? rawObj.publish : undefined
    const notify = rawObj.notify === true
    if (publish === false && current?.status === 'published') issues.push({ path: ['publish'], message: M.noUnpublish })
    const willBePublished = publish === true || current?.status === 'published'
    if (notify && !willBePublished) issues.push({ path: ['notify'], message: M.notifyDraft })

    if (issues.length) throw new InputError(issues)
    return { language: language!, title, body, translations, changes, publish: publish === true, notify }
  }

  /** A person's status follows their latest visible change: the first language in the row, the others as translations. */
  function refreshPerson(tx: DbOrTx, campaign: Campaign, personId: number, actor: Actor | null, now: Date) {
    const latest = q.latestChange(tx, personId)
    if (!latest) return
    const person = tx.select().from(campaignPeople).where(and(eq(campaignPeople.id, personId), eq(campaignPeople.campaignId, campaign.id))).get()
    if (!person) return
    const [first = latest.language, ...others] = campaign.languages
    const textIn = (lang: string) => (lang === latest.language ? latest.status : latest.translations[lang]?.status?.trim() || undefined)
    // Without a text in the first language, the change's own text is the best there is.
    const status = textIn(first) ?? latest.status
    const translations = structuredClone(person.translations ?? {})
    for (const lang of others) {
      const text = textIn(lang)
      if (text) translations[lang] = { ...(translations[lang] ?? {}), status: text }
      else if (translations[lang]?.status !== undefined) {
        // A stale translation would contradict the new status: the first language's shows instead.
        const { status: _stale, ...rest } = translations[lang]!
        void _stale
        if (Object.keys(rest).length) translations[lang] = rest
        else delete translations[lang]
      }
    }
    const changed = status !== person.status || latest.happenedOn !== person.statusChangedOn || JSON.stringify(translations) !== JSON.stringify(person.translations)
    if (!changed) return
    tx.update(campaignPeople).set({ status, statusChangedOn: latest.happenedOn, translations }).where(eq(campaignPeople.id, personId)).run()
    audit(tx, actor, 'person.status', { campaignId: campaign.id, subject: person.name, detail: { id: personId, from: person.status, to: status, on: latest.happenedOn, updateId: latest.updateId } }, now)
  }

  /** The cached public page is rendered anew when the campaign's updatedAt moves. */
  function touchCampaign(tx: DbOrTx, campaignId: number, now: Date) {
    tx.update(campaigns).set({ updatedAt: now }).where(eq(campaigns.id, campaignId)).run()
  }

  /** Starts the fan-out once (mailState none only); returns how many it is for. */
  function startMailing(tx: DbOrTx, update: Update, actor: Actor | null, now: Date): number {
    const fresh = tx.select().from(updates).where(eq(updates.id, update.id)).get()!
    if (fresh.status !== 'published') throw new InputError([{ path: ['notify'], message: M.notifyDraft }])
    if (fresh.mailState !== 'none') throw new UpdateConflict('alreadyMailed')
    const recipients = mailing.start(tx, fresh, now)
    // The fan-out marks it sending (or done when no one is to get it); make sure it can never start twice.
    tx.update(updates)
      .set({ mailState: 'sending', recipients, mailStartedAt: now })
      .where(and(eq(updates.id, update.id), eq(updates.mailState, 'none')))
      .run()
    audit(tx, actor, 'update.mail', { campaignId: update.campaignId, subject: `update:${update.id}`, detail: { title: update.title, recipients } }, now)
    return recipients
  }

  function write(campaign: Campaign, current: (Update & { changes: PersonStatusChange[] }) | undefined, raw: unknown, actor: Actor | null): { update: Update; recipients: number } {
    const input = parse(campaign, raw, current)
    const now = clock()
    const result = db.transaction((tx) => {
      let row: Update
      if (current) {
        const before = current
        row = tx
          .update(updates)
          .set({ language: input.language, title: input.title, body: input.body, translations: input.translations, updatedAt: now })
          .where(eq(updates.id, current.id))
          .returning()
          .get()
        const changed = (['language', 'title', 'body', 'translations'] as const).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(row[k]))
        if (changed.length || input.changes) audit(tx, actor, 'update.edit', { campaignId: campaign.id, subject: `update:${row.id}`, detail: { title: row.title, changed, ...(input.changes ? { personChanges: input.changes.length } : {}) } }, now)
      } else {
        row = tx
          .insert(updates)
          .values({ campaignId: campaign.id, language: input.language, title: input.title, body: input.body, translations: input.translations, status: 'draft', createdBy: actor?.id ?? null, createdAt: now, updatedAt: now })
          .returning()
          .get()
        audit(tx, actor, 'update.create', { campaignId: campaign.id, subject: `update:${row.id}`, detail: { title: row.title, language: row.language, personChanges: input.changes?.length ?? 0 } }, now)
      }
      // The people whose status may move: those the update named before and those it names now.
      const touched = new Set<number>(current?.changes.map((c) => c.personId) ?? [])
      if (input.changes) {
        tx.delete(personStatusChanges).where(eq(personStatusChanges.updateId, row.id)).run()
        for (const c of input.changes) {
          const translations = mergeTexts<'status'>({}, c.translations)
          delete translations[input.language]
          tx.insert(personStatusChanges).values({ personId: c.personId, updateId: row.id, language: input.language, status: c.status, translations, happenedOn: c.date, createdAt: now }).run()
          touched.add(c.personId)
        }
      } else if (current && input.language !== current.language) {
        // The changes are in the update's language too.
        tx.update(personStatusChanges).set({ language: input.language }).where(eq(personStatusChanges.updateId, row.id)).run()
      }
      if (input.publish && row.status === 'draft') {
        row = tx.update(updates).set({ status: 'published', publishedAt: now, updatedAt: now }).where(eq(updates.id, row.id)).returning().get()
        audit(tx, actor, 'update.publish', { campaignId: campaign.id, subject: `update:${row.id}`, detail: { title: row.title } }, now)
      }
      for (const personId of touched) refreshPerson(tx, campaign, personId, actor, now)
      const recipients = input.notify ? startMailing(tx, row, actor, now) : 0
      if (row.status === 'published' || touched.size) touchCampaign(tx, campaign.id, now)
      return { update: tx.select().from(updates).where(eq(updates.id, row.id)).get()!, recipients }
    })
    if (result.recipients) deps.onMailQueued()
    return result
  }

  return {
    /**
     * What the campaign page shows of the updates: the latest published ones (newest first), how many
     * there are, and each person's timeline (oldest first), keyed by person id.
     */
    pageData(campaignId: number, lang: Language, baseLanguage: string): { latest: UpdateView[]; total: number; timelines: Record<number, TimelineEntry[]> } {
      // Each update falls back to its own language; the campaign's first language is not needed here.
      void baseLanguage
      const campaign = deps.campaigns.byId(campaignId)
      if (!campaign) return { latest: [], total: 0, timelines: {} }
      return { latest: q.publishedOf(db, campaignId, 3).map((u) => view(u, campaign, lang)), total: q.publishedCount(db, campaignId), timelines: timelines(campaign, lang) }
    },

    timelines,

    /** Published updates in a language, newest first. */
    published(campaign: Campaign, lang: string, opts: { limit?: number; offset?: number } = {}): UpdateView[] {
      return q.publishedOf(db, campaign.id, opts.limit, opts.offset).map((u) => view(u, campaign, lang))
    },
    publishedRows: (campaignId: number, limit?: number) => q.publishedOf(db, campaignId, limit),
    publishedCount: (campaignId: number) => q.publishedCount(db, campaignId),
    /** One published update (drafts are not public). */
    publishedOne(campaign: Campaign, id: number): Update | undefined {
      const row = q.updateById(db, campaign.id, id)
      return row?.status === 'published' ? row : undefined
    },
    view,
    /** The HTML of any Markdown, for the back office's preview. */
    preview: (text: string) => cache.render(`preview:${text.length}:${text}`, text),

    all: (campaignId: number) => q.updatesOf(db, campaignId),
    get: (campaignId: number, id: number) => q.updateById(db, campaignId, id),
    changesOf: (updateId: number) => q.changesOfUpdate(db, updateId),
    changesOfAll: (updateIds: number[]) => q.changesOfUpdates(db, updateIds),

    /** A new update (a draft unless `publish`), its status changes, and its mailing if `notify`; one transaction. */
    create(campaign: Campaign, raw: unknown, actor: Actor | null): { update: Update; recipients: number } {
      return write(campaign, undefined, raw, actor)
    },

    /** Changes an update: texts, translations (merged), status changes (replaced when given), publish, notify. */
    edit(campaign: Campaign, current: Update, raw: unknown, actor: Actor | null): { update: Update; recipients: number } {
      return write(campaign, { ...current, changes: q.changesOfUpdate(db, current.id) }, raw, actor)
    },

    /** Mails a published update to the supporters who consented; once only (UpdateConflict after). */
    mail(campaign: Campaign, update: Update, actor: Actor | null): number {
      const now = clock()
      const recipients = db.transaction((tx) => {
        const n = startMailing(tx, update, actor, now)
        touchCampaign(tx, campaign.id, now)
        return n
      })
      deps.onMailQueued()
      return recipients
    },

    /** How many addresses a mailing would reach now. */
    recipientCount: (campaignId: number) => mailing.recipientCount(campaignId),

    /** A test of the update's mail to the organizer alone. */
    sendTest(update: Update, to: { name: string; address: string }, lang: Language, actor: Actor | null) {
      const now = clock()
      db.transaction((tx) => {
        mailing.sendTest(tx, update, to, lang, now)
        audit(tx, actor, 'update.test', { campaignId: update.campaignId, subject: `update:${update.id}`, detail: { title: update.title, to: to.address } }, now)
      })
      deps.onMailQueued()
    },
  }
}

export type UpdateService = ReturnType<typeof createUpdateService>
