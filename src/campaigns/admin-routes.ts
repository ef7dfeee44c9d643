import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { z } from 'zod'
import type { TFunction } from 'i18next'
import type { Campaign, CampaignPerson, Target } from '../db/schema/index.js'
import { campaignTexts, digestPeriods, personTexts, picketTexts, targetTexts } from '../db/schema/index.js'
import { countryName, countryOptions } from '../countries.js'
import { fieldErrors, InputError, issuesOf, translateMessage, type FieldIssue } from '../validation.js'
import { isLanguage, LANGUAGE_NAMES, LANGUAGES, languageName, translator, type Language } from '../i18n/index.js'
import { missingTranslations } from '../i18n/content.js'
import { actorOf, campaignScope, parseId, requireAdmin } from '../admin/access.js'
import { renderCampaignPage } from './page.js'
import { personPhotoRoutes, photoForScreen } from './photos.js'
import {
  addPerson,
  addTarget,
  availableStatusActions,
  bounceWarning,
  campaignForm,
  campaignWarnings,
  changeStatus,
  confirmationWarnings,
  createCampaign,
  CSV_COLUMNS,
  CSV_DELIVERY_COLUMNS,
  CSV_SALUTATION_COLUMN,
  DELIVERY_DEFAULTS,
  deletePerson,
  importTargets,
  languageIssue,
  lettersIn,
  lettersWaiting,
  MAX_PER_HOUR,
  newCampaignForm,
  missingTranslationCounts,
  peopleOf,
  personById,
  personForm,
  previewContext,
  previewTemplate,
  saveTemplate,
  statusActions,
  statusChangeIssue,
  suggestSlug,
  type StatusAction,
  STARTER_BODY,
  targetById,
  targetInput,
  targetsOf,
  templateFor,
  templateInput,
  templatesOf,
  updateCampaign,
  updatePerson,
  updateTarget,
  zoneUsed,
} from './service.js'
import { emailChangeScreens } from './email-changes.js'
import { APPEAL_PLACEHOLDER_GROUPS, LONGEST_NOTE, placeholderGroupName, placeholderName } from './appeal.js'

type Body = Record<string, unknown>
type IdParams = { Params: { id: string } }

/** A ticked checkbox. */
const isChecked = (v: unknown) => typeof v === 'string' && v !== ''

/** Only the string fields a form sent, to put back in it. */
function strings(body: unknown, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  const b = (body && typeof body === 'object' ? body : {}) as Body
  for (const key of keys) {
    const v = b[key]
    if (typeof v === 'string') out[key] = v.slice(0, 300_000)
  }
  return out
}

function parseForm<T extends z.ZodType>(schema: T, body: unknown): { ok: true; data: z.infer<T> } | { ok: false; issues: FieldIssue[] } {
  const parsed = schema.safeParse(body && typeof body === 'object' ? body : {})
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, issues: issuesOf(parsed.error) }
}

// ------------------------------------------------------------ texts in each of the campaign's languages

/** The form's name of a text: the field itself in the first language, translations.<lang>.<field> in the others. */
const inputName = (field: string, lang: string, isBase: boolean) => (isBase ? field : `translations.${lang}.${field}`)
/** Its id (and its error's key): the field in the first language, <field>-<lang> in the others. */
const inputId = (field: string, lang: string, isBase: boolean) => (isBase ? field : `${field}-${lang}`)

/** The translations a form sent, for the campaign's languages after the first (an empty text removes one). */
function translationsFrom(body: unknown, languages: readonly string[], fields: readonly string[]): Record<string, Record<string, string>> {
  const b = (body && typeof body === 'object' ? body : {}) as Body
  const out: Record<string, Record<string, string>> = {}
  for (const lang of languages.slice(1)) {
    const texts: Record<string, string> = {}
    for (const field of fields) {
      const v = b[inputName(field, lang, false)]
      if (typeof v === 'string') texts[field] = v.slice(0, 300_000)
    }
    if (Object.keys(texts).length) out[lang] = texts
  }
  return out
}

/** The form's body with its translations gathered into `translations`, as the service's rules read it. */
const withTranslations = (body: unknown, languages: readonly string[], fields: readonly string[]) => ({
  ...((body && typeof body === 'object' ? body : {}) as Body),
  translations: translationsFrom(body, languages, fields),
})

/** A row's translations as form values, keyed by input name. */
function translationValues(translations: Record<string, Partial<Record<string, string>>> | undefined, languages: readonly string[], fields: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const lang of languages.slice(1)) for (const field of fields) out[inputName(field, lang, false)] = translations?.[lang]?.[field] ?? ''
  return out
}

/** Messages beside the fields, in the page's language: a translation's under <field>-<lang>, a wrong language above the form. */
function formErrors(issues: FieldIssue[], lang: Language): Record<string, string> {
  return fieldErrors(
    issues.map((i) => {
      if (i.path[0] !== 'translations') return i
      const [, language, field] = i.path
      return { ...i, path: [typeof field === 'string' && typeof language === 'string' ? inputId(field, language, false) : '_'] }
    }),
    lang,
  )
}

/** The campaign form's messages: as formErrors, but every reason it may not go live, not only the first. */
function campaignErrors(issues: FieldIssue[], lang: Language): Record<string, string> {
  const errors = formErrors(issues, lang)
  const status = issues.filter((i) => i.path[0] === 'status' && 'code' in i)
  if (status.length) errors.status = status.map((i) => translateMessage(i.message, lang)).join(' ')
  return errors
}

/**
 * First message per field for the template screen: the template's own problems come from
 * validateAppeal already in the page's language and stay as they are; the others (the language
 * rule) are catalog messages, translated here.
 */
function templateErrors(issues: FieldIssue[], lang: Language): Record<string, string> {
  const out: Record<string, string> = {}
  for (const i of issues) {
    const key = String(i.path[0] ?? '_')
    if (!(key in out)) out[key] = translateMessage(i.message, lang)
  }
  return out
}

interface TextSpec {
  field: string
  label: string
  help?: string
  max?: number
  /** A textarea of this many rows; an input without. */
  rows?: number
  required?: boolean
}

/** The side-by-side columns of texts: one per campaign language, the first being the row's own fields. */
function textColumns(languages: readonly string[], lang: Language, specs: TextSpec[], values: Record<string, string | boolean>, errors: Record<string, string>) {
  return languages.map((code, i) => {
    const isBase = i === 0
    return {
      code,
      name: languageName(code, lang),
      isBase,
      fields: specs.map((spec) => {
        const id = inputId(spec.field, code, isBase)
        const name = inputName(spec.field, code, isBase)
        return { ...spec, id, name, value: String(values[name] ?? ''), error: errors[id], required: isBase && spec.required, lang: isBase ? undefined : code }
      }),
    }
  })
}

/** "title, story": the labels of the fields a language misses. */
function fieldList(fields: string[], labels: Record<string, string>): string {
  return fields.map((f) => labels[f] ?? f).join(', ')
}

const LANGUAGE_PARAM = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/
const CAMPAIGN_KEYS = ['title', 'slug', 'summary', 'story', 'goal', 'confirmLetters', 'confirmRsvps'] as const
const PERSON_KEYS = ['name', 'status', 'detail', 'statusChangedOn'] as const
const TARGET_KEYS = ['name', 'title', 'salutation', 'organisation', 'country', 'email', 'postalAddress', 'language'] as const
const DELIVERY_KEYS = ['delivery', 'maxPerHour', 'sendHoursFrom', 'sendHoursTo', 'timeZone', 'digestEvery', 'digestHour', 'forCountries'] as const
const TARGET_FORM_KEYS = [...TARGET_KEYS, ...DELIVERY_KEYS] as const

/**
 * The official's form as targetInput reads it: the two hour fields become sendHours, and an emptied
 * number field means its default. A form without the delivery fields leaves them as they are.
 */
function targetFormInput(body: unknown): Record<string, unknown> {
  const b = { ...((body && typeof body === 'object' ? body : {}) as Body) }
  const orDefault = (key: string, fallback: number) => (typeof b[key] === 'string' && (b[key] as string).trim() === '' ? String(fallback) : b[key])
  if ('maxPerHour' in b) b.maxPerHour = orDefault('maxPerHour', DELIVERY_DEFAULTS.maxPerHour)
  if ('digestHour' in b) b.digestHour = orDefault('digestHour', DELIVERY_DEFAULTS.digestHour)
  if ('sendHoursFrom' in b || 'sendHoursTo' in b) {
    b.sendHours = { from: orDefault('sendHoursFrom', DELIVERY_DEFAULTS.sendHoursFrom) ?? String(DELIVERY_DEFAULTS.sendHoursFrom), to: orDefault('sendHoursTo', DELIVERY_DEFAULTS.sendHoursTo) ?? String(DELIVERY_DEFAULTS.sendHoursTo) }
  }
  delete b.sendHoursFrom
  delete b.sendHoursTo
  return b
}

const pad = (h: number) => `${String(h).padStart(2, '0')}:00`
const TIME_ZONES: string[] = Intl.supportedValuesOf('timeZone')

/** One line on how letters reach this official, for the officials list. */
function deliverySummary(x: Target, t: TFunction): string {
  const zone = zoneUsed(x)
  if (x.delivery === 'hand') return t('adminCampaigns.targets.summaryHand')
  if (x.delivery === 'digest') return t('adminCampaigns.targets.summaryDigest', { every: x.digestEvery, hour: pad(x.digestHour), zone })
  return t('adminCampaigns.targets.summaryPaced', { max: x.maxPerHour, from: pad(x.sendHoursFrom), to: pad(x.sendHoursTo), zone })
}

/** The delivery fields of an official as the form shows them. */
const deliveryFormValues = (t: Target): Record<string, string> => ({
  delivery: t.delivery,
  maxPerHour: String(t.maxPerHour),
  sendHoursFrom: String(t.sendHoursFrom),
  sendHoursTo: String(t.sendHoursTo),
  timeZone: t.timeZone ?? '',
  digestEvery: t.digestEvery,
  digestHour: String(t.digestHour),
  forCountries: t.forCountries.join(', '),
})
const NEW_DELIVERY_VALUES: Record<string, string> = {
  delivery: DELIVERY_DEFAULTS.delivery,
  maxPerHour: String(DELIVERY_DEFAULTS.maxPerHour),
  sendHoursFrom: String(DELIVERY_DEFAULTS.sendHoursFrom),
  sendHoursTo: String(DELIVERY_DEFAULTS.sendHoursTo),
  timeZone: '',
  digestEvery: DELIVERY_DEFAULTS.digestEvery,
  digestHour: String(DELIVERY_DEFAULTS.digestHour),
  forCountries: '',
}

/** /admin/campaigns/…: campaigns, the people they are for, officials and letter templates. */
export default async function campaignRoutes(app: FastifyInstance) {
  // ------------------------------------------------------------ campaign form (new and edit)

  const campaignSpecs = (t: TFunction): TextSpec[] => [
    { field: 'title', label: t('adminCampaigns.form.title'), max: 200, required: true },
    { field: 'summary', label: t('adminCampaigns.form.summary'), help: t('adminCampaigns.form.summaryHelp'), max: 500 },
    { field: 'story', label: t('adminCampaigns.form.story'), help: t('adminCampaigns.form.storyHelp'), rows: 10 },
  ]

  /** A language as the form names it: its own name, then the page's name for it when that differs ("Русский — Russian"). */
  const languageLabel = (code: string, lang: Language) => {
    // Outcry's own languages as its language switch names them ("Қазақша").
    const own = isLanguage(code) ? LANGUAGE_NAMES[code] : languageName(code, code)
    const here = languageName(code, lang)
    return code === lang || own === here ? own : `${own} — ${here}`
  }

  /** The languages the form offers: Outcry's own, then any other the campaign has or the form sent. */
  const languageChoices = (campaign: Campaign | undefined, main: string, others: string[]) =>
    [...new Set([...LANGUAGES, ...(campaign?.languages ?? []), main, ...others])].filter((code) => LANGUAGE_PARAM.test(code))

  /** Each status button's words: what it says, and what it does. */
  const statusButtons = (t: TFunction): Record<StatusAction, { label: string; help: string }> => ({
    publish: { label: t('adminCampaigns.status.publish'), help: t('adminCampaigns.status.publishHelp') },
    close: { label: t('adminCampaigns.status.close'), help: t('adminCampaigns.status.closeHelp') },
    reopen: { label: t('adminCampaigns.status.reopen'), help: t('adminCampaigns.status.reopenHelp') },
    draft: { label: t('adminCampaigns.status.draft'), help: t('adminCampaigns.status.draftHelp') },
  })

  type CampaignState = {
    campaign?: Campaign
    values: Record<string, string | boolean>
    /** The languages ticked besides the main one (values.mainLanguage). */
    otherLanguages: string[]
    errors?: Record<string, string>
    notice?: string
    /** Publishing (or reopening) refused: what is missing, each with where to do it. */
    refusal?: { action: StatusAction; reasons: { message: string; href: string }[] }
    /** The second screen before closing. */
    closing?: boolean
    /** The main language is changing: the box that says "yes". */
    confirmMain?: boolean
  }

  function campaignPage(reply: FastifyReply, state: CampaignState, status = 200) {
    const { campaign, values } = state
    const lang = reply.request.lang
    const t = translator(lang)
    const errors = state.errors ?? {}
    const main = String(values.mainLanguage ?? '')
    const others = state.otherLanguages.filter((l) => l !== main)
    // A new campaign's texts are in its main language; the others appear once its languages are saved.
    const languages = campaign ? campaign.languages : [LANGUAGE_PARAM.test(main) ? main : lang]
    const missing = campaign ? missingTranslationCounts(app.db, campaign, app.pickets.upcoming(campaign.id, { preview: true })).filter((m) => m.count > 0) : []
    const choices = languageChoices(campaign, main, others)
    const hasLetters = campaign ? lettersIn(app.db, campaign) > 0 : false
    return reply.code(status).view('campaigns/campaign-form', {
      title: state.closing && campaign ? t('adminCampaigns.titles.closeCampaign', { title: campaign.title }) : campaign ? t('adminCampaigns.titles.editCampaign', { title: campaign.title }) : t('adminCampaigns.titles.newCampaign'),
      campaign,
      isNew: !campaign,
      action: campaign ? `/admin/campaigns/${campaign.id}` : '/admin/campaigns/new',
      values,
      errors,
      hasErrors: Object.keys(errors).length > 0,
      translated: languages.length > 1,
      texts: textColumns(languages, lang, campaignSpecs(t), values, errors),
      mainLanguages: choices.map((code) => ({ code, label: languageLabel(code, lang), selected: code === main })),
      mainChosen: choices.includes(main),
      otherLanguages: choices.map((code) => ({ code, label: languageLabel(code, lang), checked: others.includes(code), isMain: code === main })),
      confirmMain: state.confirmMain,
      addressBase: `${app.config.baseUrl}/campaigns/`,
      slugSuggestionUrl: campaign ? undefined : '/admin/campaigns/slug-suggestion',
      slugKind: campaign ? 'edit' : 'yes',
      statusName: campaign ? t('adminCampaigns.form.statusName', { status: campaign.status }) : undefined,
      statusState: campaign ? t('adminCampaigns.status.state', { status: campaign.status }) : undefined,
      statusActions: campaign
        ? availableStatusActions(app.db, campaign).map((a) => ({
            action: a,
            href: `/admin/campaigns/${campaign.id}/${a}`,
            // Closing asks first, on a screen of its own: the button only opens it.
            confirmFirst: a === 'close',
            ...statusButtons(t)[a],
            secondary: a === 'draft',
          }))
        : [],
      noDraft: campaign && campaign.status !== 'draft' && hasLetters,
      isLive: campaign?.status === 'live',
      slugIsPublic: campaign && campaign.status !== 'draft',
      refusal: state.refusal ? { message: t('adminCampaigns.status.refused', { action: state.refusal.action }), reasons: state.refusal.reasons } : undefined,
      closing: state.closing,
      missingTranslations: missing.map((m) => ({ ...m, name: languageName(m.lang, lang) })),
      notice: state.notice,
      warnings: campaign ? campaignWarnings(app.db, campaign, t) : [],
      confirmationWarnings: campaign ? confirmationWarnings(campaign, t) : [],
      peopleCount: campaign ? peopleOf(app.db, campaign.id).length : 0,
      csrfToken: reply.generateCsrf(),
    })
  }

  const campaignValues = (c: Campaign) => ({
    title: c.title,
    slug: c.slug,
    summary: c.summary,
    story: c.story,
    goal: String(c.goal),
    confirmLetters: c.confirmLetters,
    confirmRsvps: c.confirmRsvps,
    mainLanguage: c.languages[0] ?? '',
    ...translationValues(c.translations, c.languages, campaignTexts),
  })
  const campaignState = (c: Campaign): CampaignState => ({ campaign: c, values: campaignValues(c), otherLanguages: c.languages.slice(1) })

  /** The main language and the others as a form sent them (or as the older field "en, ru" had them, the first the main one). */
  function languageValues(body: unknown): { mainLanguage: string; otherLanguages: string[] } {
    const b = (body && typeof body === 'object' ? body : {}) as Body
    const given = b.languages
    const list = (Array.isArray(given) ? given : [given]).filter((l): l is string => typeof l === 'string').map((l) => l.slice(0, 40))
    if (typeof b.mainLanguage === 'string') return { mainLanguage: b.mainLanguage.slice(0, 40), otherLanguages: list }
    const legacy = list.flatMap((l) => l.split(/[\s,;]+/)).filter(Boolean)
    return { mainLanguage: legacy[0] ?? '', otherLanguages: legacy.slice(1) }
  }

  /** What the form sent, to put back in it. */
  const formState = (body: unknown, campaign?: Campaign): CampaignState => {
    const languages = campaign?.languages ?? []
    const keys = languages.slice(1).flatMap((l) => campaignTexts.map((f) => inputName(f, l, false)))
    const v: Record<string, string | boolean> = strings(body, [...CAMPAIGN_KEYS, ...keys])
    v.confirmLetters = typeof v.confirmLetters === 'string' && v.confirmLetters !== ''
    v.confirmRsvps = typeof v.confirmRsvps === 'string' && v.confirmRsvps !== ''
    const { mainLanguage, otherLanguages } = languageValues(body)
    v.mainLanguage = mainLanguage
    return { campaign, values: v, otherLanguages }
  }

  app.get('/campaigns/new', { preHandler: requireAdmin }, async (req, reply) =>
    // The main language the organizer most likely writes in: the one they use the back office in.
    campaignPage(reply, { values: { goal: '1000', confirmLetters: true, confirmRsvps: true, mainLanguage: req.lang }, otherLanguages: [] }),
  )

  app.post<{ Body: Body }>('/campaigns/new', { preHandler: [requireAdmin, app.csrfProtection] }, async (req, reply) => {
    const form = parseForm(newCampaignForm, req.body)
    if (!form.ok) return campaignPage(reply, { ...formState(req.body), errors: formErrors(form.issues, req.lang) }, 422)
    try {
      // No slug given: one made from the title, free (-2, -3 … when taken).
      const slug = form.data.slug ?? suggestSlug(app.db, form.data.title)
      const campaign = createCampaign(app.db, { ...form.data, slug }, actorOf(req), app.clock())
      return reply.redirect(`/admin/campaigns/${campaign.id}?created=1`, 303)
    } catch (err) {
      if (err instanceof InputError) return campaignPage(reply, { ...formState(req.body), errors: campaignErrors(err.issues, req.lang) }, 422)
      throw err
    }
  })

  // The new-campaign form's script asks here as the title is typed (public/campaign-form.js), so the
  // slug's rules live in one place. It changes nothing, and tells a signed-in organizer no more than
  // saving a taken slug on their own campaign would ("already taken").
  app.get<{ Querystring: Record<string, unknown> }>('/campaigns/slug-suggestion', async (req, reply) => {
    const title = req.query.title ?? ''
    reply.header('cache-control', 'no-store').type('application/json')
    if (typeof title !== 'string') {
      const t = translator(req.lang)
      return reply.code(422).send({ error: t('errors.invalidInput'), issues: [{ path: ['title'], message: t('adminCampaigns.rules.notText', { label: t('adminCampaigns.label.title') }) }] })
    }
    return reply.send({ slug: title.trim() ? suggestSlug(app.db, title.slice(0, 200)) : '' })
  })

  // Changes of officials' email addresses waiting for an admin (admins only).
  await app.register(emailChangeScreens)

  // Everything under /admin/campaigns/:id/… belongs to one campaign: the scope hook loads it or answers 404.
  await app.register(async (scoped) => {
    scoped.addHook('preHandler', campaignScope)

    scoped.get<IdParams & { Querystring: Record<string, string> }>('/campaigns/:id', async (req, reply) => {
      const campaign = req.campaign!
      const t = translator(req.lang)
      const notices: Record<string, string> = {
        created: t('adminCampaigns.notices.created'),
        saved: t('adminCampaigns.notices.saved'),
        published: t('adminCampaigns.notices.published'),
        closed: t('adminCampaigns.notices.closed'),
        reopened: t('adminCampaigns.notices.reopened'),
        drafted: t('adminCampaigns.notices.drafted'),
      }
      const notice = Object.entries(notices).find(([k]) => k in req.query)?.[1]
      return campaignPage(reply, { ...campaignState(campaign), notice })
    })

    // The public page as supporters will see it: drafts answer 404 to the public, so organizers look here.
    scoped.get<IdParams>('/campaigns/:id/preview', async (req, reply) => renderCampaignPage(reply, app, req.campaign!))

    scoped.post<IdParams & { Body: Body }>('/campaigns/:id', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const body = withTranslations(req.body, campaign.languages, campaignTexts)
      const form = parseForm(campaignForm, body)
      const state = formState(req.body, campaign)
      if (!form.ok) return campaignPage(reply, { ...state, errors: formErrors(form.issues, req.lang) }, 422)
      // A new main language translates nothing: the texts written so far count as written in it. Said, then asked.
      const [from, to] = [campaign.languages[0], form.data.languages[0]]
      if (from && to && from !== to && !isChecked((req.body as Body | undefined)?.confirmMainLanguage)) {
        const t = translator(req.lang)
        const message = t('adminCampaigns.rules.mainLanguageChange', { from: languageName(from, req.lang), to: languageName(to, req.lang) })
        return campaignPage(reply, { ...state, errors: { mainLanguage: message }, confirmMain: true }, 422)
      }
      // An older form's status: the buttons' rules (back to draft only without letters; going live, readiness).
      const statusIssue = form.data.status ? statusChangeIssue(app.db, campaign, form.data.status) : null
      if (statusIssue) return campaignPage(reply, { ...state, errors: campaignErrors([statusIssue], req.lang) }, 422)
      // Translations go with the languages as saved: those of a language just removed (or made the first) are left as they are.
      const languages = form.data.languages
      const translations = Object.fromEntries(Object.entries(form.data.translations ?? {}).filter(([l]) => languages.indexOf(l) > 0))
      try {
        updateCampaign(app.db, campaign.id, { ...form.data, translations }, actorOf(req), app.clock())
      } catch (err) {
        if (err instanceof InputError) return campaignPage(reply, { ...state, errors: campaignErrors(err.issues, req.lang) }, 422)
        throw err
      }
      return reply.redirect(`/admin/campaigns/${campaign.id}?saved=1`, 303)
    })

    // ---------------------------------------------------------- status: publish, close, reopen, back to draft

    const DONE: Record<StatusAction, string> = { publish: 'published', close: 'closed', reopen: 'reopened', draft: 'drafted' }

    /** Why going live was refused, each reason with where to fix it (the dashboard checklist's places). */
    function refusalOf(campaign: Campaign, issues: FieldIssue[], lang: Language) {
      const places = new Map(app.campaigns.checklist(campaign, lang).items.map((i) => [i.code, i.href]))
      const here = `/admin/campaigns/${campaign.id}`
      return issues.map((i) => {
        const href = ('code' in i && places.get(i.code as never)) || here
        // The goal is on this screen: its field, not a reload.
        return { message: translateMessage(i.message, lang), href: href === here ? '#goal' : href }
      })
    }

    // Closing asks first: this screen says what closing does, and its button does it.
    scoped.get<IdParams>('/campaigns/:id/close', async (req, reply) => {
      const campaign = req.campaign!
      if (campaign.status !== 'live') return reply.redirect(`/admin/campaigns/${campaign.id}`, 303)
      return campaignPage(reply, { ...campaignState(campaign), closing: true })
    })

    for (const action of statusActions) {
      scoped.post<IdParams>(`/campaigns/:id/${action}`, { preHandler: app.csrfProtection }, async (req, reply) => {
        const campaign = req.campaign!
        try {
          changeStatus(app.db, campaign, action, actorOf(req), app.clock())
        } catch (err) {
          if (!(err instanceof InputError)) throw err
          const notReady = err.issues.filter((i) => 'code' in i)
          if (notReady.length) return campaignPage(reply, { ...campaignState(campaign), refusal: { action, reasons: refusalOf(campaign, notReady, req.lang) } }, 422)
          return campaignPage(reply, { ...campaignState(campaign), errors: campaignErrors(err.issues, req.lang) }, 422)
        }
        return reply.redirect(`/admin/campaigns/${campaign.id}?${DONE[action]}=1`, 303)
      })
    }

    // ---------------------------------------------------------- which texts miss which languages

    scoped.get<IdParams>('/campaigns/:id/translations', async (req, reply) => {
      const campaign = req.campaign!
      const t = translator(req.lang)
      const labels = {
        campaign: { title: t('adminCampaigns.form.title'), summary: t('adminCampaigns.form.summary'), story: t('adminCampaigns.form.story') },
        person: { name: t('adminCampaigns.people.name'), status: t('adminCampaigns.people.status'), detail: t('adminCampaigns.people.detail') },
        target: { name: t('adminCampaigns.target.name'), title: t('adminCampaigns.target.title'), salutation: t('adminCampaigns.target.salutation') },
        picket: { title: t('adminCampaigns.translations.picketTitle'), bring: t('adminCampaigns.translations.picketBring') },
      }
      const campaignMissing = missingTranslations(campaign, campaignTexts, campaign.languages)
      const people = peopleOf(app.db, campaign.id).map((p) => ({ row: p, missing: missingTranslations(p, personTexts, campaign.languages) }))
      const officials = targetsOf(app.db, campaign.id).map((x) => ({ row: x, missing: missingTranslations(x, targetTexts, campaign.languages) }))
      // Upcoming pickets only: a past one needs no translation. Through the pickets feature's service.
      const pickets = app.pickets.upcoming(campaign.id, { preview: true }).map((p) => ({ row: p, missing: missingTranslations(p, picketTexts, campaign.languages) }))
      const languages = campaign.languages.slice(1).map((code) => {
        const campaignFields: string[] = campaignMissing[code] ?? []
        const peopleMissing = people.filter((p) => p.missing[code]).map((p) => ({ id: p.row.id, name: p.row.name, fields: fieldList(p.missing[code]!, labels.person), n: p.missing[code]!.length }))
        const targetsMissing = officials.filter((x) => x.missing[code]).map((x) => ({ id: x.row.id, name: x.row.name, fields: fieldList(x.missing[code]!, labels.target), n: x.missing[code]!.length }))
        const picketsMissing = pickets.filter((p) => p.missing[code]).map((p) => ({ id: p.row.id, name: p.row.title, fields: fieldList(p.missing[code]!, labels.picket), n: p.missing[code]!.length }))
        const count = campaignFields.length + [...peopleMissing, ...targetsMissing, ...picketsMissing].reduce((n, x) => n + x.n, 0)
        return { code, name: languageName(code, req.lang), count, campaignFields: fieldList(campaignFields, labels.campaign), people: peopleMissing, targets: targetsMissing, pickets: picketsMissing }
      })
      return reply.view('campaigns/translations', {
        title: t('adminCampaigns.titles.translations', { title: campaign.title }),
        campaign,
        firstLanguage: { code: campaign.languages[0], name: languageName(campaign.languages[0] ?? 'en', req.lang) },
        languages,
      })
    })

    // ---------------------------------------------------------- the people the campaign is for

    const personSpecs = (t: TFunction): TextSpec[] => [
      { field: 'name', label: t('adminCampaigns.people.name'), help: t('adminCampaigns.people.nameHelp'), max: 150, required: true },
      { field: 'status', label: t('adminCampaigns.people.status'), help: t('adminCampaigns.people.statusHelp'), max: 100, required: true },
      { field: 'detail', label: t('adminCampaigns.people.detail'), max: 2000, rows: 3 },
    ]
    const personKeys = (campaign: Campaign) => [...PERSON_KEYS, ...campaign.languages.slice(1).flatMap((l) => personTexts.map((f) => inputName(f, l, false)))]
    /** The other languages' names of a person or an official ("Роза Тулетаева"), and which languages miss a text. */
    const otherNames = (campaign: Campaign, row: CampaignPerson | Target, fields: readonly ('name' | 'status' | 'detail' | 'title' | 'salutation')[]) => ({
      otherNames: campaign.languages
        .slice(1)
        .map((lang) => ({ lang, text: row.translations?.[lang as string]?.name ?? '' }))
        .filter((n) => n.text && n.text !== row.name),
      missing: Object.keys(missingTranslations(row as never, fields as never, campaign.languages)).join(', '),
    })

    function peoplePage(reply: FastifyReply, campaign: Campaign, state: { values?: Record<string, string>; errors?: Record<string, string> } = {}, status = 200) {
      const lang = reply.request.lang
      const t = translator(lang)
      const errors = state.errors ?? {}
      return reply.code(status).view('campaigns/campaign-people', {
        title: t('adminCampaigns.titles.people', { title: campaign.title }),
        campaign,
        people: peopleOf(app.db, campaign.id).map((p) => ({ ...p, ...otherNames(campaign, p, personTexts) })),
        values: state.values ?? {},
        translated: campaign.languages.length > 1,
        texts: textColumns(campaign.languages, lang, personSpecs(t), state.values ?? {}, errors),
        errors,
        hasErrors: Object.keys(errors).length > 0,
        csrfToken: reply.generateCsrf(),
      })
    }

    scoped.get<IdParams>('/campaigns/:id/people', async (req, reply) => peoplePage(reply, req.campaign!))

    scoped.post<IdParams & { Body: Body }>('/campaigns/:id/people', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const form = parseForm(personForm, withTranslations(req.body, campaign.languages, personTexts))
      const values = strings(req.body, personKeys(campaign))
      if (!form.ok) return peoplePage(reply, campaign, { values, errors: formErrors(form.issues, req.lang) }, 422)
      try {
        addPerson(app.db, campaign.id, form.data, actorOf(req), app.clock())
      } catch (err) {
        if (err instanceof InputError) return peoplePage(reply, campaign, { values, errors: formErrors(err.issues, req.lang) }, 422)
        throw err
      }
      return reply.redirect(`/admin/campaigns/${campaign.id}/people`, 303)
    })

    type PersonParams = { Params: { id: string; personId: string } }
    function personPage(reply: FastifyReply, campaign: Campaign, personId: number, values: Record<string, string>, errors: Record<string, string> = {}, status = 200) {
      const lang = reply.request.lang
      const t = translator(lang)
      const heading = values.name || t('adminCampaigns.person.fallbackName')
      return reply.code(status).view('campaigns/campaign-person', {
        title: t('adminCampaigns.common.editHeading', { name: heading }),
        heading,
        campaign,
        personId,
        values,
        photo: photoForScreen(app.db, campaign, personId),
        translated: campaign.languages.length > 1,
        texts: textColumns(campaign.languages, lang, personSpecs(t), values, errors),
        errors,
        hasErrors: Object.keys(errors).length > 0,
        csrfToken: reply.generateCsrf(),
      })
    }

    scoped.get<PersonParams>('/campaigns/:id/people/:personId', async (req, reply) => {
      const campaign = req.campaign!
      const person = personById(app.db, campaign.id, parseId(req.params.personId))
      if (!person) return reply.callNotFound()
      const values = { name: person.name, status: person.status, detail: person.detail, statusChangedOn: person.statusChangedOn ?? '', ...translationValues(person.translations, campaign.languages, personTexts) }
      return personPage(reply, campaign, person.id, values)
    })

    scoped.post<PersonParams & { Body: Body }>('/campaigns/:id/people/:personId', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const personId = parseId(req.params.personId)
      if (!personById(app.db, campaign.id, personId)) return reply.callNotFound()
      const form = parseForm(personForm, withTranslations(req.body, campaign.languages, personTexts))
      const values = strings(req.body, personKeys(campaign))
      if (!form.ok) return personPage(reply, campaign, personId, values, formErrors(form.issues, req.lang), 422)
      try {
        if (!updatePerson(app.db, campaign.id, personId, form.data, actorOf(req), app.clock())) return reply.callNotFound()
      } catch (err) {
        if (err instanceof InputError) return personPage(reply, campaign, personId, values, formErrors(err.issues, req.lang), 422)
        throw err
      }
      return reply.redirect(`/admin/campaigns/${campaign.id}/people`, 303)
    })

    // The person's photo: upload (multipart, in this scope only), describe, remove; a refusal shows this screen again.
    await scoped.register(
      personPhotoRoutes((reply, campaign, personId, errors, status) => {
        const person = personById(app.db, campaign.id, personId)
        if (!person) return reply.callNotFound()
        const values = { name: person.name, status: person.status, detail: person.detail, statusChangedOn: person.statusChangedOn ?? '', ...translationValues(person.translations, campaign.languages, personTexts) }
        return personPage(reply, campaign, personId, values, errors, status)
      }),
    )

    scoped.post<PersonParams>('/campaigns/:id/people/:personId/delete', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      if (!deletePerson(app.db, campaign.id, parseId(req.params.personId), actorOf(req), app.clock())) return reply.callNotFound()
      return reply.redirect(`/admin/campaigns/${campaign.id}/people`, 303)
    })

    // ---------------------------------------------------------- officials

    scoped.get<IdParams & { Querystring: Record<string, string> }>('/campaigns/:id/targets', async (req, reply) => {
      const campaign = req.campaign!
      const t = translator(req.lang)
      const created = Number(req.query.created)
      const updated = Number(req.query.updated)
      const held = Number(req.query.held)
      const heldNote = held > 0 ? ` ${t('adminCampaigns.notices.importHeld', { count: held })}` : ''
      const imported = 'imported' in req.query ? `${t('adminCampaigns.notices.imported', { created: Number.isFinite(created) ? created : 0, updated: Number.isFinite(updated) ? updated : 0 })}${heldNote}` : undefined
      const notices: Record<string, string> = {
        saved: t('adminCampaigns.notices.saved'),
        held: t('adminCampaigns.notices.held'),
        approved: t('adminCampaigns.notices.approved'),
        rejected: t('adminCampaigns.notices.rejected'),
        resumed: t('adminCampaigns.notices.resumed'),
      }
      const notice = imported ?? Object.entries(notices).find(([k]) => k in req.query)?.[1]
      const isAdmin = req.user!.role === 'admin'
      const all = targetsOf(app.db, campaign.id)
      const waiting = lettersWaiting(app.db, all.map((t) => t.id))
      const rows = all.map((x) => {
        const held = waiting.get(x.id) ?? 0
        return {
          ...x,
          countryName: countryName(x.country, req.lang),
          // A long address may break before its @ rather than widen the table.
          emailLocal: x.email.slice(0, x.email.lastIndexOf('@')),
          emailDomain: x.email.slice(x.email.lastIndexOf('@') + 1),
          deliverySummary: deliverySummary(x, t),
          forCountriesText: x.forCountries.join(', '),
          isHand: x.delivery === 'hand',
          bouncing: x.deliveryState === 'bouncing',
          waiting: held,
          bounceWarning: x.deliveryState === 'bouncing' ? bounceWarning(x, held, t) : undefined,
        }
      })
      return reply.view('campaigns/target-list', {
        title: t('adminCampaigns.titles.officials', { title: campaign.title }),
        campaign,
        targets: rows,
        bouncing: rows.filter((t) => t.bouncing),
        pendingCount: all.filter((t) => t.pendingEmail).length,
        notice,
        isAdmin,
        csrfToken: isAdmin ? reply.generateCsrf() : undefined,
      })
    })

    type TargetParams = { Params: { id: string; targetId: string } }
    const targetSpecs = (t: TFunction): TextSpec[] => [
      { field: 'name', label: t('adminCampaigns.target.name'), help: t('adminCampaigns.target.nameHelp'), max: 150, required: true },
      { field: 'title', label: t('adminCampaigns.target.title'), help: t('adminCampaigns.common.optional'), max: 200 },
      { field: 'salutation', label: t('adminCampaigns.target.salutation'), help: t('adminCampaigns.target.salutationHelp'), max: 200 },
    ]
    const targetKeys = (campaign: Campaign) => [...TARGET_FORM_KEYS, ...campaign.languages.slice(1).flatMap((l) => targetTexts.map((f) => inputName(f, l, false)))]
    function targetPage(
      reply: FastifyReply,
      campaign: Campaign,
      state: { targetId?: number; values: Record<string, string>; errors?: Record<string, string>; pending?: { email: string; at: Date | null }; current?: Target },
      status = 200,
    ) {
      const lang = reply.request.lang
      const t = translator(lang)
      const errors = state.errors ?? {}
      const country = (state.values.country ?? '').trim().toUpperCase()
      const isAdmin = reply.request.user?.role === 'admin'
      const delivery = state.values.delivery || DELIVERY_DEFAULTS.delivery
      const current = state.current
      const held = current ? (lettersWaiting(app.db, [current.id]).get(current.id) ?? 0) : 0
      return reply.code(status).view('campaigns/target-form', {
        title: state.targetId ? t('adminCampaigns.titles.editOfficial', { name: state.values.name ?? '' }) : t('adminCampaigns.titles.newOfficial'),
        campaign,
        isNew: !state.targetId,
        targetId: state.targetId,
        action: state.targetId ? `/admin/campaigns/${campaign.id}/targets/${state.targetId}` : `/admin/campaigns/${campaign.id}/targets`,
        values: state.values,
        translated: campaign.languages.length > 1,
        texts: textColumns(campaign.languages, lang, targetSpecs(t), state.values, errors),
        pending: state.pending,
        isAdmin,
        // Only an organizer's change of address waits; an admin's applies at once.
        emailHeld: Boolean(state.targetId) && !isAdmin,
        countries: countryOptions(lang).map((c) => ({ ...c, selected: c.code === country })),
        defaultLanguage: campaign.languages[0],
        defaultLanguageName: languageLabel(campaign.languages[0]!, lang),
        // By name: the campaign's languages first, then Outcry's others, and the official's own if neither.
        languageOptions: [...new Set([...campaign.languages, ...LANGUAGES, state.values.language ?? ''])]
          .filter((code) => LANGUAGE_PARAM.test(code))
          .map((code) => ({ code, label: languageLabel(code, lang), selected: code === (state.values.language ?? '').trim() })),
        modes: {
          each: delivery === 'each',
          digest: delivery === 'digest',
          hand: delivery === 'hand',
        },
        digestPeriods: digestPeriods.map((p) => ({ value: p, label: t('adminCampaigns.target.digestEvery', { every: p }), selected: p === (state.values.digestEvery || 'day') })),
        maxPerHourLimit: MAX_PER_HOUR,
        countryZone: country ? zoneUsed({ timeZone: null, country }) : undefined,
        timeZones: TIME_ZONES,
        bounce: current?.deliveryState === 'bouncing' ? bounceWarning(current, held, t) : undefined,
        handDelivery: current ? { waiting: held, href: `/admin/campaigns/${campaign.id}/targets/${current.id}/hand-delivery`, isHand: current.delivery === 'hand' } : undefined,
        errors,
        hasErrors: Object.keys(errors).length > 0,
        csrfToken: reply.generateCsrf(),
      })
    }

    const pendingOf = (t: { pendingEmail: string | null; pendingEmailAt: Date | null } | undefined) => (t?.pendingEmail ? { email: t.pendingEmail, at: t.pendingEmailAt } : undefined)
    const editor = (req: FastifyRequest) => ({ canApproveEmail: req.user!.role === 'admin' })

    scoped.get<IdParams>('/campaigns/:id/targets/new', async (req, reply) => targetPage(reply, req.campaign!, { values: { language: req.campaign!.languages[0] ?? '', ...NEW_DELIVERY_VALUES } }))

    scoped.post<IdParams & { Body: Body }>('/campaigns/:id/targets', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const values = strings(req.body, targetKeys(campaign))
      const form = parseForm(targetInput, targetFormInput(withTranslations(req.body, campaign.languages, targetTexts)))
      if (!form.ok) return targetPage(reply, campaign, { values, errors: formErrors(form.issues, req.lang) }, 422)
      try {
        addTarget(app.db, campaign, form.data, actorOf(req), app.clock())
      } catch (err) {
        if (err instanceof InputError) return targetPage(reply, campaign, { values, errors: formErrors(err.issues, req.lang) }, 422)
        throw err
      }
      return reply.redirect(`/admin/campaigns/${campaign.id}/targets?saved=1`, 303)
    })

    function importPage(reply: FastifyReply, campaign: Campaign, csv = '', errors: { line: number; message: string }[] = [], status = 200) {
      const t = translator(reply.request.lang)
      return reply.code(status).view('campaigns/target-import', {
        title: t('adminCampaigns.titles.import', { title: campaign.title }),
        campaign,
        csv,
        columns: CSV_COLUMNS.join(','),
        deliveryColumns: CSV_DELIVERY_COLUMNS.join(', '),
        salutationColumn: CSV_SALUTATION_COLUMN,
        errors: errors.map((e) => t('adminCampaigns.csv.line', { line: e.line, message: e.message })),
        defaultLanguage: campaign.languages[0],
        emailHeld: reply.request.user?.role !== 'admin',
        csrfToken: reply.generateCsrf(),
      })
    }

    scoped.get<IdParams>('/campaigns/:id/targets/import', async (req, reply) => importPage(reply, req.campaign!))

    scoped.post<IdParams & { Body: Body }>('/campaigns/:id/targets/import', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const csv = strings(req.body, ['csv']).csv ?? ''
      const result = importTargets(app.db, campaign, csv, editor(req), actorOf(req), app.clock(), req.lang)
      if (!result.ok) return importPage(reply, campaign, csv, result.errors, 422)
      return reply.redirect(`/admin/campaigns/${campaign.id}/targets?imported=1&created=${result.created}&updated=${result.updated}${result.held.length ? `&held=${result.held.length}` : ''}`, 303)
    })

    scoped.get<TargetParams>('/campaigns/:id/targets/:targetId', async (req, reply) => {
      const campaign = req.campaign!
      const target = targetById(app.db, campaign.id, parseId(req.params.targetId))
      if (!target) return reply.callNotFound()
      const values = { ...Object.fromEntries(TARGET_KEYS.map((k) => [k, String(target[k] ?? '')])), ...deliveryFormValues(target), ...translationValues(target.translations, campaign.languages, targetTexts) }
      return targetPage(reply, campaign, { targetId: target.id, values, pending: pendingOf(target), current: target })
    })

    scoped.post<TargetParams & { Body: Body }>('/campaigns/:id/targets/:targetId', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const targetId = parseId(req.params.targetId)
      const current = targetById(app.db, campaign.id, targetId)
      if (!current) return reply.callNotFound()
      const values = strings(req.body, targetKeys(campaign))
      const form = parseForm(targetInput, targetFormInput(withTranslations(req.body, campaign.languages, targetTexts)))
      if (!form.ok) return targetPage(reply, campaign, { targetId, values, errors: formErrors(form.issues, req.lang), pending: pendingOf(current), current }, 422)
      let held = false
      let resumed = false
      try {
        const result = updateTarget(app.db, campaign, targetId, form.data, editor(req), actorOf(req), app.clock())
        if (!result) return reply.callNotFound()
        held = result.held
        resumed = current.deliveryState === 'bouncing' && result.target.deliveryState === 'ok'
      } catch (err) {
        if (err instanceof InputError) return targetPage(reply, campaign, { targetId, values, errors: formErrors(err.issues, req.lang), pending: pendingOf(current), current }, 422)
        throw err
      }
      return reply.redirect(`/admin/campaigns/${campaign.id}/targets?${held ? 'held' : resumed ? 'resumed' : 'saved'}=1`, 303)
    })

    // ---------------------------------------------------------- letter templates

    scoped.get<IdParams>('/campaigns/:id/templates', async (req, reply) => {
      const campaign = req.campaign!
      const t = translator(req.lang)
      const saved = new Map(templatesOf(app.db, campaign.id).map((x) => [x.language, x]))
      const languages = campaign.languages.map((code, i) => ({ code, name: languageName(code, req.lang), isDefault: i === 0, template: saved.get(code) }))
      const unused = [...saved.values()].filter((x) => !campaign.languages.includes(x.language)).map((x) => ({ code: x.language, name: languageName(x.language, req.lang), template: x }))
      return reply.view('campaigns/template-list', { title: t('adminCampaigns.titles.templates', { title: campaign.title }), campaign, languages, unused, campaignHref: `/admin/campaigns/${campaign.id}` })
    })

    type LanguageParams = { Params: { id: string; language: string } }

    // Previews render organizer text: limited like the letter form, one budget for the button and the script.
    const previewLimit = app.config.rateLimits ? app.rateLimit({ max: app.config.letterRateLimit, timeWindow: '1 minute' }) : null
    const previewOnly = async function (this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) {
      const intent = req.body && typeof req.body === 'object' ? (req.body as Body).intent : undefined
      if (previewLimit && intent === 'preview') await previewLimit.call(this, req, reply)
    }

    /** The language in the address, if the campaign has it or once had a template in it. */
    function languageOf(req: FastifyRequest<LanguageParams>): string | null {
      const { language } = req.params
      if (!LANGUAGE_PARAM.test(language)) return null
      if (req.campaign!.languages.includes(language) || templateFor(app.db, req.campaign!.id, language)) return language
      return null
    }

    function templatePage(
      reply: FastifyReply,
      campaign: Campaign,
      language: string,
      state: { values: Record<string, string>; errors?: Record<string, string>; notice?: string; preview?: boolean },
      status = 200,
    ) {
      const targets = targetsOf(app.db, campaign.id)
      const chosen = targets.find((t) => String(t.id) === state.values.target) ?? targets[0]
      const errors = state.errors ?? {}
      const hasErrors = Object.keys(errors).length > 0
      let preview: { subject: string; body: string } | undefined
      if (!hasErrors) {
        const result = previewTemplate(previewContext(campaign, chosen, language, app.config.baseUrl, app.clock()), state.values.subject ?? '', state.values.body ?? '', reply.request.lang)
        if (result.ok) preview = result
      }
      const saved = templateFor(app.db, campaign.id, language)
      const t = translator(reply.request.lang)
      return reply.code(status).view('campaigns/template-edit', {
        title: t('adminCampaigns.titles.template', { lang: language, title: campaign.title }),
        campaign,
        language,
        languageName: languageName(language, reply.request.lang),
        notInCampaign: !campaign.languages.includes(language),
        languageList: campaign.languages.join(', '),
        saved,
        values: state.values,
        errors,
        hasErrors,
        notice: state.notice,
        preview,
        previewRequested: state.preview,
        targets: targets.map((t) => ({ id: t.id, name: t.name, title: t.title, selected: t.id === chosen?.id })),
        // The editor's buttons: each placeholder by its plain name, grouped, with its Handlebars (appeal.ts is the one list).
        placeholderGroups: APPEAL_PLACEHOLDER_GROUPS.map(({ group, placeholders }) => ({
          group,
          name: placeholderGroupName(group, t),
          placeholders: placeholders.map((p) => ({ code: `{{${p}}}`, name: placeholderName(p, t) })),
        })),
        ifNote: { code: '{{#if note}}\n{{note}}\n{{/if}}', example: '{{#if note}}…{{/if}}' },
        noteName: placeholderName('note', t),
        noteMax: LONGEST_NOTE,
        csrfToken: reply.generateCsrf(),
      })
    }

    scoped.get<LanguageParams & { Querystring: Record<string, string> }>('/campaigns/:id/templates/:language', async (req, reply) => {
      const campaign = req.campaign!
      const language = languageOf(req)
      if (!language) return reply.callNotFound()
      const saved = templateFor(app.db, campaign.id, language)
      const values = saved ? { subject: saved.subject, body: saved.body } : { subject: campaign.title, body: STARTER_BODY }
      const t = translator(req.lang)
      const notice = 'saved' in req.query ? t('adminCampaigns.notices.templateSaved') : saved ? undefined : t('adminCampaigns.notices.templateStarter')
      return templatePage(reply, campaign, language, { values, notice })
    })

    scoped.post<LanguageParams & { Body: Body }>('/campaigns/:id/templates/:language', { preHandler: [app.csrfProtection, previewOnly] }, async (req, reply) => {
      const campaign = req.campaign!
      const { language } = req.params
      const values = strings(req.body, ['subject', 'body', 'target', 'intent'])
      // The same language rule as the API: a language the campaign does not have is refused, not added.
      const t = translator(req.lang)
      const wrongLanguage = LANGUAGE_PARAM.test(language) ? languageIssue(campaign, language) : { path: ['language'], message: t('adminCampaigns.rules.notALanguage', { lang: language }) }
      if (wrongLanguage && !languageOf(req)) {
        return reply.code(422).view('errors/message', { title: t('adminCampaigns.titles.checkForm'), message: formErrors([wrongLanguage], req.lang).language, status: 422 })
      }
      const form = parseForm(templateInput, req.body)
      if (!form.ok) return templatePage(reply, campaign, language, { values, errors: formErrors(form.issues, req.lang) }, 422)
      if (values.intent === 'preview') {
        const result = previewTemplate(previewContext(campaign, undefined, language, app.config.baseUrl, app.clock()), form.data.subject, form.data.body, req.lang)
        if (!result.ok) return templatePage(reply, campaign, language, { values, errors: templateErrors(result.issues, req.lang), preview: true }, 422)
        return templatePage(reply, campaign, language, { values, preview: true, notice: t('adminCampaigns.notices.previewOnly') })
      }
      try {
        saveTemplate(app.db, campaign, language, form.data, actorOf(req), app.clock(), req.lang)
      } catch (err) {
        if (err instanceof InputError) {
          const errors = templateErrors(err.issues, req.lang)
          return templatePage(reply, campaign, language, { values, errors: { ...errors, ...(errors.language ? { _: errors.language } : {}) } }, 422)
        }
        throw err
      }
      return reply.redirect(`/admin/campaigns/${campaign.id}/templates/${language}?saved=1`, 303)
    })

    // The page's script asks here as the organizer types; it changes nothing, so it needs no CSRF token.
    scoped.post<LanguageParams & { Body: Body }>('/campaigns/:id/templates/:language/preview', { onRequest: previewLimit ? [previewLimit] : [] }, async (req, reply) => {
      const campaign = req.campaign!
      const language = languageOf(req)
      if (!language) return reply.callNotFound()
      const values = strings(req.body, ['subject', 'body', 'target'])
      const form = parseForm(templateInput, req.body)
      if (!form.ok) return reply.code(422).type('application/json').send({ error: translator(req.lang)('errors.invalidInput'), issues: form.issues.map((i) => ({ ...i, message: translateMessage(i.message, req.lang) })) })
      const target = values.target ? targetById(app.db, campaign.id, parseId(values.target)) : targetsOf(app.db, campaign.id)[0]
      const result = previewTemplate(previewContext(campaign, target, language, app.config.baseUrl, app.clock()), form.data.subject, form.data.body, req.lang)
      // A half-typed placeholder is normal while typing: an answer, not an HTTP error the browser logs.
      if (!result.ok) return reply.type('application/json').send({ ok: false, issues: result.issues })
      return reply.type('application/json').send({ ok: true, subject: result.subject, body: result.body })
    })
  })
}
