import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { DateTime } from 'luxon'
import type { TFunction } from 'i18next'
import type { z } from 'zod'
import { picketTexts, type Campaign, type Picket } from '../db/schema/index.js'
import { countryName, countryOptions, isCountryCode } from '../countries.js'
import { picketView } from './view.js'
import { InputError, fieldErrors, issuesOf, localized, translateMessage, type FieldIssue } from '../validation.js'
import { dateLocale, languageName, translator, type Language } from '../i18n/index.js'
import { localize, missingTranslations } from '../i18n/content.js'
import { mergeTranslations, picketInput, picketTranslations, translationLanguageIssues } from './input.js'
import { sendError } from '../errors.js'
import { isTimeZone } from './time.js'
import { audit } from '../admin/audit.js'
import { actorOf, parseId, campaignScope, picketScope } from '../admin/access.js'
import * as pq from './admin-queries.js'
import { allTimeZones, countryZones, labelInstant, suggestTimeZone, venueStart, zoneCity, zoneLabel, zoneOptions } from './time-zones.js'

// ---------------------------------------------------------------------------------------------
// Changes, shared by the screens and the API: each one audited in its own transaction.

const AUDITED_FIELDS = ['title', 'venue', 'address', 'city', 'country', 'timeZone', 'startsAt', 'endsAt', 'capacity', 'bring', 'contact', 'reminders', 'status', 'translations'] as const

function diff(before: Picket, after: Picket) {
  const out: Record<string, { from: unknown; to: unknown }> = {}
  for (const k of AUDITED_FIELDS) {
    const from = before[k] instanceof Date ? (before[k] as Date).toISOString() : before[k]
    const to = after[k] instanceof Date ? (after[k] as Date).toISOString() : after[k]
    if (JSON.stringify(from) !== JSON.stringify(to)) out[k] = { from, to }
  }
  return out
}

/**
 * Translations are for the campaign's other languages: a 422 by language for any other (checked with
 * the rest of the description, so every issue is named at once).
 */
function checkLanguages(app: FastifyInstance, campaignId: number, raw: unknown, schema: z.ZodType = picketInput) {
  const translations = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).translations : undefined
  const languages = app.campaigns.byId(campaignId)?.languages ?? []
  const issues = translationLanguageIssues(translations, languages)
  if (!issues.length) return
  const parsed = schema.safeParse(raw)
  throw new InputError([...(parsed.success ? [] : issuesOf(parsed.error).filter((i) => !(i.path[0] === 'translations' && issues.some((l) => l.path[1] === i.path[1])))), ...issues])
}

/** A change's translations laid over the picket's (an empty text removes one); unreadable ones go on for the service to name. */
function withTranslations(current: Picket, changes: Record<string, unknown>): Record<string, unknown> {
  if (!('translations' in changes)) return changes
  const parsed = picketTranslations.safeParse(changes.translations)
  return parsed.success ? { ...changes, translations: mergeTranslations(current.translations, parsed.data) } : changes
}

/** Fields whose change sends the "changed" notice to everyone going (as the picket service decides). */
const NOTICE_FIELDS = ['startsAt', 'endsAt', 'venue', 'address', 'city', 'country', 'timeZone', 'title'] as const

const GONE = localized((t) => t('adminPickets.errors.gone'))

export function picketActions(app: FastifyInstance) {
  return {
    /** Schedules a picket; throws InputError with field paths. */
    schedule(req: FastifyRequest, campaignId: number, raw: unknown): Picket {
      checkLanguages(app, campaignId, raw)
      return app.db.transaction((tx) => {
        const picket = app.pickets.schedule(campaignId, raw)
        audit(tx, actorOf(req), 'picket.schedule', { campaignId, subject: `picket:${picket.id}`, detail: { title: picket.title, startsAt: picket.startsAt.toISOString(), timeZone: picket.timeZone } }, app.clock())
        return picket
      })
    },

    /** Changes a picket (partial changes are merged with what it is now); the service mails the notice. */
    reschedule(req: FastifyRequest, current: Picket, changes: Record<string, unknown>): { picket: Picket; notified: number; changed: boolean } {
      checkLanguages(app, current.campaignId, changes, picketInput.partial())
      return app.db.transaction((tx) => {
        const picket = app.pickets.reschedule(current.id, withTranslations(current, changes))
        if (!picket) throw new InputError([{ path: [], message: GONE }])
        const changed = diff(current, picket)
        const notified = NOTICE_FIELDS.some((k) => k in changed) ? current.goingCount : 0
        if (Object.keys(changed).length) {
          audit(tx, actorOf(req), 'picket.reschedule', { campaignId: current.campaignId, subject: `picket:${current.id}`, detail: { changes: changed, notified } }, app.clock())
        }
        return { picket, notified, changed: Object.keys(changed).length > 0 }
      })
    },

    /** Cancels a picket and tells everyone going or waiting; a second cancel changes nothing. */
    cancel(req: FastifyRequest, current: Picket): { picket: Picket; notified: number } {
      if (current.status === 'cancelled') return { picket: current, notified: 0 }
      return app.db.transaction((tx) => {
        const picket = app.pickets.cancel(current.id)!
        const notified = current.goingCount + current.waitlistedCount
        audit(tx, actorOf(req), 'picket.cancel', { campaignId: current.campaignId, subject: `picket:${current.id}`, detail: { title: current.title, startsAt: current.startsAt.toISOString(), notified } }, app.clock())
        return { picket, notified }
      })
    },

    /** Ticks or unticks an RSVP; null when it is not one of this picket's. */
    checkIn(req: FastifyRequest, picket: Picket, rsvpId: number, checkedIn: boolean): { changed: boolean } | null {
      return app.db.transaction((tx) => {
        const rsvp = pq.rsvpOfPicket(tx, picket.id, rsvpId)
        if (!rsvp) return null
        const now = app.clock()
        const changed = pq.setCheckedIn(tx, picket.id, rsvpId, checkedIn, now)
        if (changed) audit(tx, actorOf(req), 'rsvp.check_in', { campaignId: picket.campaignId, subject: `rsvp:${rsvpId}`, detail: { picketId: picket.id, checkedIn } }, now)
        return { changed }
      })
    },
  }
}

/** One audit entry per read of a picket's RSVP list (screen, check-in, API; the CSV export has its own). */
export function auditRsvpRead(req: FastifyRequest, picket: Picket, detail: Record<string, unknown>) {
  audit(req.server.db, actorOf(req), 'rsvps.read', { campaignId: picket.campaignId, subject: `picket:${picket.id}`, detail }, req.server.clock())
}

/** What the organizers' tools see of a picket: instants in UTC and the local times it was given in. */
export function adminPicketJson(p: Picket, extra: { checkedIn?: number } = {}) {
  return {
    id: p.id,
    campaignId: p.campaignId,
    title: p.title,
    venue: p.venue,
    address: p.address,
    city: p.city,
    country: p.country,
    timeZone: p.timeZone,
    startsLocal: DateTime.fromJSDate(p.startsAt, { zone: p.timeZone }).toFormat("yyyy-MM-dd'T'HH:mm"),
    endsLocal: DateTime.fromJSDate(p.endsAt, { zone: p.timeZone }).toFormat("yyyy-MM-dd'T'HH:mm"),
    startsAt: p.startsAt.toISOString(),
    endsAt: p.endsAt.toISOString(),
    capacity: p.capacity,
    notes: p.bring,
    contact: p.contact,
    reminders: p.reminders,
    // Title and what to bring in the campaign's other languages: { ru: { title, bring } }.
    translations: p.translations,
    status: p.status,
    going: p.goingCount,
    waitlisted: p.waitlistedCount,
    ...(extra.checkedIn === undefined ? {} : { checkedIn: extra.checkedIn }),
    sequence: p.sequence,
    cancelledAt: p.cancelledAt?.toISOString() ?? null,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  }
}

// ---------------------------------------------------------------------------------------------
// Forms

const FORM_FIELDS = ['title', 'venue', 'address', 'city', 'country', 'startsLocal', 'endsLocal', 'timeZone', 'capacity', 'notes', 'contact', 'reminders'] as const
type FormValues = Record<(typeof FORM_FIELDS)[number], string> & {
  /** Title and what to bring in the campaign's other languages, as typed. */
  texts: Record<string, { title: string; bring: string }>
}

/** The form's names for a translated text: tr_ru_title, tr_ru_bring. */
const textField = (lang: string, field: 'title' | 'bring') => `tr_${lang}_${field}`

const remindersHelp = (t: TFunction) => t('adminPickets.errors.remindersHelp')

/** "24, 2, 30m" → [1440, 120, 30]; null when it cannot be read. Plain numbers are hours. */
export function parseReminderHours(text: string): number[] | null {
  const parts = text.split(/[,;]+/).map((s) => s.trim()).filter(Boolean)
  const out: number[] = []
  for (const part of parts) {
    const m = /^(\d{1,4}(?:\.\d{1,3})?)\s*(h|hrs?|hours?|m|mins?|minutes?|d|days?)?$/i.exec(part)
    if (!m) return null
    const n = Number(m[1])
    const unit = (m[2] ?? 'h').toLowerCase()[0]
    out.push(Math.round(unit === 'm' ? n : unit === 'd' ? n * 1440 : n * 60))
  }
  return out
}

export function formatReminderHours(minutes: number[]): string {
  return minutes.map((m) => (m >= 60 && m % 15 === 0 ? String(m / 60) : `${m}m`)).join(', ')
}

/** A browser may send seconds with a datetime-local value; the service wants minutes. */
const localMinutes = (v: string) => v.trim().replace(/^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}):00(?:\.0+)?$/, '$1')

/** The campaign's languages after its first: the ones a picket's texts are translated into. */
const otherLanguages = (campaign: Campaign) => campaign.languages.slice(1)

function formValues(body: unknown, campaign: Campaign): FormValues {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>
  const text = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : '')
  const out = { texts: {} } as FormValues
  for (const k of FORM_FIELDS) out[k] = text(k)
  for (const lang of otherLanguages(campaign)) out.texts[lang] = { title: text(textField(lang, 'title')), bring: text(textField(lang, 'bring')) }
  return out
}

/**
 * Form strings to the service's input. Unreadable values go through as they are, so the service names the
 * field. A zone left empty (the form without scripts) is the one suggested from the country and city, and is
 * put in the values so the form shows it chosen; `zoneUnknown` when none could be suggested.
 */
function inputOf(v: FormValues): { input: Record<string, unknown>; remindersUnreadable: boolean; zoneUnknown: boolean } {
  let zoneUnknown = false
  if (v.timeZone.trim() === '') {
    const suggested = suggestTimeZone(v.country, v.city)
    if (suggested) v.timeZone = suggested
    else zoneUnknown = true
  }
  const capacity = v.capacity.trim() === '' ? null : /^\s*\d+\s*$/.test(v.capacity) ? Number(v.capacity) : v.capacity
  const reminders = parseReminderHours(v.reminders)
  return {
    input: {
      title: v.title,
      venue: v.venue,
      address: v.address,
      city: v.city,
      country: v.country,
      startsLocal: localMinutes(v.startsLocal),
      endsLocal: localMinutes(v.endsLocal),
      timeZone: v.timeZone.trim(),
      capacity,
      notes: v.notes,
      contact: v.contact,
      reminders: reminders ?? v.reminders,
      // Every language the form shows: an emptied box removes that translation.
      ...(Object.keys(v.texts).length ? { translations: v.texts } : {}),
    },
    remindersUnreadable: reminders === null,
    zoneUnknown,
  }
}

function valuesOf(app: FastifyInstance, picket: Picket, campaign: Campaign): FormValues {
  const input = app.pickets.asInput(picket)
  const texts: FormValues['texts'] = {}
  for (const lang of otherLanguages(campaign)) texts[lang] = { title: picket.translations[lang]?.title ?? '', bring: picket.translations[lang]?.bring ?? '' }
  return {
    title: input.title,
    venue: input.venue,
    address: input.address,
    city: input.city,
    country: input.country,
    startsLocal: input.startsLocal,
    endsLocal: input.endsLocal,
    timeZone: input.timeZone,
    capacity: input.capacity == null ? '' : String(input.capacity),
    notes: input.notes ?? '',
    contact: input.contact ?? '',
    reminders: formatReminderHours(input.reminders ?? []),
    texts,
  }
}

/**
 * The zone list of the form: the country's zones first, then all of them (with any a picket of the
 * campaign already keeps that the data has since renamed), labelled "London — GMT+0" at the picket's
 * date; the chosen one selected once.
 */
function zoneChoice(values: FormValues, extra: string[], now: Date, lang: Language) {
  const t = translator(lang)
  const at = labelInstant(values.startsLocal, now)
  const chosen = values.timeZone.trim()
  const all = allTimeZones()
  const missing = [...new Set([...extra, chosen])].filter((z) => z && isTimeZone(z) && !all.includes(z))
  const inCountry = zoneOptions(countryZones(values.country), at)
  let selectedOnce = false
  const mark = (o: { value: string; label: string }) => {
    const selected = !selectedOnce && o.value === chosen
    if (selected) selectedOnce = true
    return { ...o, selected }
  }
  const country = inCountry.map(mark)
  const everywhere = zoneOptions([...all, ...missing], at).map(mark)
  const countryCode = values.country.trim().toUpperCase()
  return {
    country,
    countryLabel: country.length ? t('adminPickets.form.zonesInCountry', { country: countryName(countryCode, lang) }) : '',
    all: everywhere,
    suggested: suggestTimeZone(values.country, values.city) ?? '',
  }
}

/**
 * "Saturday 16 December, 12:00 in London": the start as the venue's clocks read it, in the page's language
 * ('' until a start is given). The browser keeps it up to date as the organizer types (public/picket-form.js).
 */
export function localPreview(startsLocal: string, city: string, zone: string, lang: Language): string {
  const start = venueStart(startsLocal, dateLocale(lang))
  if (!start) return ''
  const place = city.trim() || (isTimeZone(zone) ? zoneCity(zone) : '')
  const t = translator(lang)
  return place ? t('adminPickets.form.preview', { ...start, city: place }) : t('adminPickets.form.previewNoCity', start)
}

/**
 * Messages beside the fields, in the page's language: a translation's beside its own box
 * (tr_ru_title), the local times' own words replaced by a plain hint when they have no catalog message.
 */
function formErrors(issues: FieldIssue[], remindersUnreadable: boolean, lang: Language, zoneUnknown = false): Record<string, string> {
  const t = translator(lang)
  const own = issues.filter((i) => i.path[0] !== 'translations')
  const errors = fieldErrors(own, lang)
  for (const issue of issues) {
    if (issue.path[0] !== 'translations') continue
    const [, language, field] = issue.path
    const key = typeof language === 'string' && (field === 'title' || field === 'bring') ? textField(language, field) : 'translations'
    errors[key] ??= translateMessage(issue.message, lang, 'generic')
  }
  if (lang !== 'en') {
    // fromLocal's messages name the value the organizer typed; say what is expected instead.
    for (const field of ['startsLocal', 'endsLocal'] as const) {
      const issue = own.find((i) => i.path[0] === field)
      if (issue && errors[field] === t('validation.invalid')) errors[field] = t('adminPickets.errors.localTime')
    }
  }
  if (remindersUnreadable && errors.reminders) errors.reminders = remindersHelp(t)
  if (zoneUnknown && errors.timeZone) errors.timeZone = t('adminPickets.errors.timeZoneUnknown')
  return errors
}

const SAVED: Record<string, (t: TFunction) => string> = {
  scheduled: (t) => t('adminPickets.notice.scheduled'),
  changed: (t) => t('adminPickets.notice.changed'),
  unchanged: (t) => t('adminPickets.notice.unchanged'),
  cancelled: (t) => t('adminPickets.notice.cancelled'),
}

function statusOf(p: Picket, now: Date, t: TFunction): { key: string; label: string } {
  if (p.status === 'cancelled') return { key: 'cancelled', label: t('adminPickets.status.cancelled') }
  if (p.endsAt <= now) return { key: 'over', label: t('adminPickets.status.over') }
  if (p.startsAt <= now) return { key: 'now', label: t('adminPickets.status.now') }
  return { key: 'scheduled', label: t('adminPickets.status.scheduled') }
}

const localTime = (d: Date | null, zone: string, lang: Language, format = 'd LLL HH:mm') => (d ? DateTime.fromJSDate(d, { zone }).setLocale(dateLocale(lang)).toFormat(format) : '')

/** Which of the picket's texts are not translated yet, by language, for the list. */
function missingTexts(p: Picket, campaign: Campaign, lang: Language) {
  const t = translator(lang)
  return Object.entries(missingTranslations(p, picketTexts, campaign.languages)).map(([code, fields]) => ({
    code,
    name: languageName(code, lang),
    fields: fields.map((f) => (f === 'title' ? t('adminPickets.form.title') : t('adminPickets.form.bring'))).join(', '),
  }))
}

/** A name folded for search: case and accents gone ("Aigül" → "aigul", "Ёлка" → "елка"), as public/check-in.js does. */
export const foldName = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase().replace(/\s+/g, ' ').trim()

type IdParams = { Params: { id: string } }
type CheckInParams = { Params: { id: string; rsvpId: string }; Querystring: { q?: string } }

// ---------------------------------------------------------------------------------------------
// Screens

export default async function picketRoutes(app: FastifyInstance) {
  const actions = picketActions(app)

  // The zone for a place, asked by the form's script as the country and city change (so the rule lives
  // here only): {"timeZone":"Europe/London","label":"London — GMT+0","zones":[the country's]}. Any signed-in
  // person may ask; it tells nothing about anyone. A country not chosen yet: no zone; a wrong one: 422.
  app.get<{ Querystring: Record<string, unknown> }>('/pickets/time-zone-suggestion', async (req, reply) => {
    const t = translator(req.lang)
    const text = (v: unknown) => (v === undefined ? '' : typeof v === 'string' ? v : null)
    const country = text(req.query.country)
    const city = text(req.query.city)
    const startsLocal = text(req.query.startsLocal)
    const issues: FieldIssue[] = []
    if (country === null || (country.trim() !== '' && !isCountryCode(country.trim().toUpperCase()))) issues.push({ path: ['country'], message: t('validation.country') })
    if (city === null || city.length > 100) issues.push({ path: ['city'], message: t('adminPickets.errors.tooLong', { label: t('adminPickets.form.city'), max: 100 }) })
    if (startsLocal === null || (startsLocal !== '' && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(startsLocal))) issues.push({ path: ['startsLocal'], message: t('adminPickets.errors.startsLocal') })
    reply.header('cache-control', 'no-store')
    if (issues.length) return reply.code(422).send({ error: t('errors.invalidInput'), issues })
    const at = labelInstant(startsLocal!, app.clock())
    const code = country!.trim().toUpperCase()
    const timeZone = code ? suggestTimeZone(code, city!) : null
    const zones = zoneOptions(countryZones(code), at)
    return {
      timeZone,
      label: timeZone ? zoneLabel(timeZone, at) : null,
      zones,
      zonesLabel: zones.length ? t('adminPickets.form.zonesInCountry', { country: countryName(code, req.lang) }) : null,
    }
  })

  function renderForm(
    req: FastifyRequest,
    reply: FastifyReply,
    campaign: Campaign,
    state: { picket?: Picket; values: FormValues; errors?: Record<string, string>; notice?: string },
    status = 200,
  ) {
    const { picket, values } = state
    const lang = req.lang
    const t = translator(lang)
    const errors = state.errors ?? {}
    const counts = picket ? pq.rsvpCounts(app.db, picket.id) : undefined
    const [base = 'en', ...others] = campaign.languages
    // The texts in each of the campaign's languages, side by side: the first language's are the picket's own fields.
    const texts = [
      { code: base, name: languageName(base, lang), base: true, titleName: 'title', bringName: 'notes', title: values.title, bring: values.notes, titleError: errors.title, bringError: errors.notes },
      ...others.map((code) => ({
        code,
        name: languageName(code, lang),
        base: false,
        titleName: textField(code, 'title'),
        bringName: textField(code, 'bring'),
        title: values.texts[code]?.title ?? '',
        bring: values.texts[code]?.bring ?? '',
        titleError: errors[textField(code, 'title')],
        bringError: errors[textField(code, 'bring')],
      })),
    ]
    return reply.code(status).view('pickets/picket-form', {
      title: picket ? t('adminPickets.form.editTitle', { title: picket.title }) : t('adminPickets.form.newTitle', { campaign: campaign.title }),
      campaign,
      picket: picket ? { ...picketView(picket, lang), statusLabel: statusOf(picket, app.clock(), t).label, cancelled: picket.status === 'cancelled' } : undefined,
      counts,
      values,
      texts,
      multilingual: others.length > 0,
      errors,
      formError: errors._ ?? errors.translations,
      hasErrors: Object.keys(errors).length > 0,
      notice: state.notice,
      action: picket ? `/admin/pickets/${picket.id}` : `/admin/campaigns/${campaign.id}/pickets/new`,
      countries: countryOptions(lang).map((c) => ({ ...c, selected: c.code === values.country.trim().toUpperCase() })),
      zones: zoneChoice(values, pq.picketsOfCampaign(app.db, campaign.id).map((p) => p.timeZone), app.clock(), lang),
      preview: localPreview(values.startsLocal, values.city, values.timeZone || suggestTimeZone(values.country, values.city) || '', lang),
      // The browser's live preview: the same message with its pieces left as {date}, {time}, {city}.
      previewPattern: t('adminPickets.form.preview', { date: '{date}', time: '{time}', city: '{city}' }),
      previewPatternNoCity: t('adminPickets.form.previewNoCity', { date: '{date}', time: '{time}' }),
      yourTimePattern: t('adminPickets.form.yourTime', { time: '{time}' }),
      dateLocale: dateLocale(lang),
      csrfToken: reply.generateCsrf(),
    })
  }

  // Campaign screens: /admin/campaigns/:id/pickets…
  await app.register(async (scoped) => {
    scoped.addHook('preHandler', campaignScope)

    scoped.get<IdParams>('/campaigns/:id/pickets', async (req, reply) => {
      const campaign = req.campaign!
      const t = translator(req.lang)
      const now = app.clock()
      const all = pq.picketsOfCampaign(app.db, campaign.id)
      const attended = pq.attendance(app.db, all.map((p) => p.id))
      const row = (p: Picket) => ({ ...picketView(p, req.lang), status: statusOf(p, now, t), attended: attended.get(p.id) ?? 0, cancelled: p.status === 'cancelled', missing: missingTexts(p, campaign, req.lang) })
      const upcoming = all.filter((p) => p.endsAt > now).map(row)
      const past = all.filter((p) => p.endsAt <= now).reverse().map(row)
      return reply.view('pickets/picket-list', { title: t('adminPickets.list.pageTitle', { campaign: campaign.title }), campaign, upcoming, past, multilingual: campaign.languages.length > 1 })
    })

    scoped.get<IdParams>('/campaigns/:id/pickets/new', async (req, reply) => {
      const values = formValues({ reminders: formatReminderHours([1440, 120]) }, req.campaign!)
      return renderForm(req, reply, req.campaign!, { values })
    })

    scoped.post<IdParams>('/campaigns/:id/pickets/new', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const values = formValues(req.body, campaign)
      const { input, remindersUnreadable, zoneUnknown } = inputOf(values)
      try {
        const picket = actions.schedule(req, campaign.id, input)
        return reply.redirect(`/admin/pickets/${picket.id}?saved=scheduled`, 303)
      } catch (err) {
        if (!(err instanceof InputError)) throw err
        return renderForm(req, reply, campaign, { values, errors: formErrors(err.issues, remindersUnreadable, req.lang, zoneUnknown) }, 422)
      }
    })
  })

  // Picket screens: /admin/pickets/:id…
  await app.register(async (scoped) => {
    scoped.addHook('preHandler', picketScope)

    scoped.get<IdParams & { Querystring: { saved?: string; notified?: string } }>('/pickets/:id', async (req, reply) => {
      const picket = req.picket!
      const t = translator(req.lang)
      const saved = SAVED[req.query.saved ?? '']?.(t)
      const notified = parseId(req.query.notified)
      const notice = saved && notified ? `${saved} ${t('adminPickets.notice.told', { count: notified })}` : saved
      return renderForm(req, reply, req.campaign!, { picket, values: valuesOf(app, picket, req.campaign!), notice })
    })

    scoped.post<IdParams>('/pickets/:id', { preHandler: app.csrfProtection }, async (req, reply) => {
      const picket = req.picket!
      const values = formValues(req.body, req.campaign!)
      const { input, remindersUnreadable, zoneUnknown } = inputOf(values)
      try {
        const { notified, changed } = actions.reschedule(req, picket, input)
        const saved = changed ? 'changed' : 'unchanged'
        return reply.redirect(`/admin/pickets/${picket.id}?saved=${saved}${notified ? `&notified=${notified}` : ''}`, 303)
      } catch (err) {
        if (!(err instanceof InputError)) throw err
        return renderForm(req, reply, req.campaign!, { picket, values, errors: formErrors(err.issues, remindersUnreadable, req.lang, zoneUnknown) }, 422)
      }
    })

    scoped.get<IdParams>('/pickets/:id/cancel', async (req, reply) => {
      const picket = req.picket!
      const t = translator(req.lang)
      return reply.view('pickets/picket-cancel', {
        title: t('adminPickets.cancel.pageTitle', { title: picket.title }),
        campaign: req.campaign,
        picket: picketView(picket, req.lang),
        cancelled: picket.status === 'cancelled',
        told: picket.goingCount + picket.waitlistedCount,
        csrfToken: reply.generateCsrf(),
      })
    })

    scoped.post<IdParams>('/pickets/:id/cancel', { preHandler: app.csrfProtection }, async (req, reply) => {
      const { notified } = actions.cancel(req, req.picket!)
      return reply.redirect(`/admin/pickets/${req.picket!.id}?saved=cancelled${notified ? `&notified=${notified}` : ''}`, 303)
    })

    scoped.get<IdParams>('/pickets/:id/rsvps', async (req, reply) => {
      const picket = req.picket!
      const lang = req.lang
      const t = translator(lang)
      const rows = pq.rsvpsOf(app.db, picket.id)
      auditRsvpRead(req, picket, { via: 'admin', rows: rows.length })
      const view = (r: pq.RsvpRow) => ({
        ...r,
        signedUp: localTime(r.createdAt, picket.timeZone, lang),
        checkedIn: localTime(r.checkedInAt, picket.timeZone, lang, 'HH:mm'),
        cancelledOn: localTime(r.cancelledAt, picket.timeZone, lang),
      })
      const going = rows.filter((r) => r.status === 'going').map(view)
      const waitlisted = rows.filter((r) => r.status === 'waitlisted').map(view)
      const cancelled = rows.filter((r) => r.status === 'cancelled').map(view)
      const unconfirmed = rows.filter((r) => r.status === 'pending_confirmation').map(view)
      return reply.view('pickets/picket-rsvps', {
        title: t('adminPickets.rsvps.pageTitle', { title: picket.title }),
        campaign: req.campaign,
        picket: picketView(picket, lang),
        going,
        waitlisted,
        cancelled,
        unconfirmed,
        attended: rows.filter((r) => r.status !== 'cancelled' && r.checkedInAt).length,
      })
    })

    scoped.get<CheckInParams>('/pickets/:id/check-in', async (req, reply) => {
      const picket = req.picket!
      const lang = req.lang
      const t = translator(lang)
      const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 100) : ''
      const needle = foldName(q)
      const rows = pq.rsvpsOf(app.db, picket.id, pq.CHECK_IN_STATUSES)
      // The names on the list are an RSVP list too. The search text is not recorded: it may be an address.
      auditRsvpRead(req, picket, { via: 'check-in', rows: rows.length, search: q !== '' })
      // Names match whatever their case and accents ("aigul" finds "Aigül"). An address matches only one its
      // owner agreed to share (never shown here: a phone at a picket is seen by others), so a search
      // cannot tell whether some address RSVPed.
      const matches = (r: pq.RsvpRow) => !needle || foldName(r.name ?? '').includes(needle) || (q.includes('@') && (r.email ?? '').toLowerCase() === q.toLowerCase())
      // Enough to tell two people of the same name apart: when each RSVPed (the RSVP collects no
      // organisation or city), and never an address.
      const view = (r: pq.RsvpRow) => ({
        id: r.id,
        name: r.name ?? t('adminPickets.checkIn.nameErased'),
        folded: foldName(r.name ?? ''),
        checked: r.checkedInAt !== null,
        at: localTime(r.checkedInAt, picket.timeZone, lang, 'HH:mm'),
        rsvped: localTime(r.createdAt, picket.timeZone, lang, 'd LLL, HH:mm'),
      })
      const going = rows.filter((r) => r.status === 'going')
      const waitlisted = rows.filter((r) => r.status === 'waitlisted')
      const waitlistedShown = waitlisted.filter(matches).map(view)
      return reply.view('pickets/picket-check-in', {
        title: t('adminPickets.checkIn.pageTitle', { title: picket.title }),
        campaign: req.campaign,
        picket: picketView(picket, lang),
        cancelled: picket.status === 'cancelled',
        q,
        going: going.filter(matches).map(view),
        waitlisted: waitlistedShown,
        // A search that finds someone on the waiting list opens it.
        waitlistOpen: q !== '' && waitlistedShown.length > 0,
        goingTotal: going.length,
        attended: rows.filter((r) => r.checkedInAt !== null).length,
        csrfToken: reply.generateCsrf(),
      })
    })

    scoped.post<CheckInParams>('/pickets/:id/check-in/:rsvpId', { preHandler: app.csrfProtection }, async (req, reply) => {
      const picket = req.picket!
      if (picket.status === 'cancelled') return sendError(req, reply, 409, (t) => t('adminPickets.errors.checkInCancelled'))
      const rsvpId = parseId(req.params.rsvpId)
      const body = (req.body ?? {}) as Record<string, unknown>
      const current = rsvpId ? pq.rsvpOfPicket(app.db, picket.id, rsvpId) : undefined
      if (!current || current.status === 'cancelled') return reply.callNotFound()
      if (!pq.canCheckIn(current)) return sendError(req, reply, 409, (t) => t('adminPickets.errors.checkInUnconfirmedScreen'))
      // An explicit wish, so a double tap on a slow phone does not undo itself; without one, a toggle.
      const wanted = body.checkedIn === '1' ? true : body.checkedIn === '0' ? false : current.checkedInAt === null
      actions.checkIn(req, picket, rsvpId, wanted)
      const q = typeof body.q === 'string' && body.q.trim() ? `?q=${encodeURIComponent(body.q.trim().slice(0, 100))}` : ''
      return reply.redirect(`/admin/pickets/${picket.id}/check-in${q}#rsvp-${rsvpId}`, 303)
    })
  })
}
