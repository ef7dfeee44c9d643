import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { z } from 'zod'
import type { Campaign, Target } from '../db/schema/index.js'
import { campaignStatuses, digestPeriods } from '../db/schema/index.js'
import { countryName, countryOptions } from '../countries.js'
import { fieldErrors, InputError, issuesOf, type FieldIssue } from '../validation.js'
import { actorOf, campaignScope, parseId, requireAdmin } from '../admin/access.js'
import { renderCampaignPage } from './page.js'
import {
  addPerson,
  addTarget,
  APPEAL_PLACEHOLDERS,
  bounceWarning,
  campaignForm,
  campaignWarnings,
  confirmationWarnings,
  createCampaign,
  CSV_COLUMNS,
  CSV_DELIVERY_COLUMNS,
  DELIVERY_DEFAULTS,
  deletePerson,
  importTargets,
  languageIssue,
  lettersWaiting,
  MAX_PER_HOUR,
  peopleOf,
  personById,
  personForm,
  previewContext,
  previewTemplate,
  saveTemplate,
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

type Body = Record<string, unknown>
type IdParams = { Params: { id: string } }

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

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' })
function languageName(code: string): string {
  try {
    return languageNames.of(code) ?? code
  } catch {
    return code
  }
}

const LANGUAGE_PARAM = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/
const CAMPAIGN_KEYS = ['title', 'slug', 'summary', 'story', 'goal', 'status', 'confirmLetters', 'confirmRsvps', 'languages'] as const
const PERSON_KEYS = ['name', 'status', 'detail', 'statusChangedOn'] as const
const TARGET_KEYS = ['name', 'title', 'organisation', 'country', 'email', 'postalAddress', 'language'] as const
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
function deliverySummary(t: Target): string {
  const zone = zoneUsed(t)
  if (t.delivery === 'hand') return 'By hand: no mail, a printed dossier'
  if (t.delivery === 'digest') return `One digest ${t.digestEvery === 'week' ? 'every Monday' : 'a day'} at ${pad(t.digestHour)} ${zone}`
  return `Paced mail: up to ${t.maxPerHour.toLocaleString('en')} an hour, ${pad(t.sendHoursFrom)}–${pad(t.sendHoursTo)} ${zone}`
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

  function campaignPage(
    reply: FastifyReply,
    state: { campaign?: Campaign; values: Record<string, string | boolean>; errors?: Record<string, string>; notice?: string },
    status = 200,
  ) {
    const { campaign, values } = state
    const errors = state.errors ?? {}
    return reply.code(status).view('campaigns/campaign-form', {
      title: campaign ? `Edit: ${campaign.title}` : 'New campaign',
      campaign,
      isNew: !campaign,
      action: campaign ? `/admin/campaigns/${campaign.id}` : '/admin/campaigns/new',
      values,
      errors,
      hasErrors: Object.keys(errors).length > 0,
      statuses: campaignStatuses.map((s) => ({ value: s, selected: s === values.status })),
      notice: state.notice,
      warnings: campaign ? campaignWarnings(app.db, campaign) : [],
      confirmationWarnings: campaign ? confirmationWarnings(campaign) : [],
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
    status: c.status,
    confirmLetters: c.confirmLetters,
    confirmRsvps: c.confirmRsvps,
    languages: c.languages.join(', '),
  })

  const formValues = (body: unknown) => {
    const v: Record<string, string | boolean> = strings(body, CAMPAIGN_KEYS)
    v.confirmLetters = typeof v.confirmLetters === 'string' && v.confirmLetters !== ''
    v.confirmRsvps = typeof v.confirmRsvps === 'string' && v.confirmRsvps !== ''
    return v
  }

  app.get('/campaigns/new', { preHandler: requireAdmin }, async (_req, reply) =>
    campaignPage(reply, { values: { status: 'draft', languages: 'en', goal: '1000', confirmLetters: true, confirmRsvps: true } }),
  )

  app.post<{ Body: Body }>('/campaigns/new', { preHandler: [requireAdmin, app.csrfProtection] }, async (req, reply) => {
    const form = parseForm(campaignForm, req.body)
    if (!form.ok) return campaignPage(reply, { values: formValues(req.body), errors: fieldErrors(form.issues) }, 422)
    try {
      const campaign = createCampaign(app.db, form.data, actorOf(req), app.clock())
      return reply.redirect(`/admin/campaigns/${campaign.id}?created=1`, 303)
    } catch (err) {
      if (err instanceof InputError) return campaignPage(reply, { values: formValues(req.body), errors: fieldErrors(err.issues) }, 422)
      throw err
    }
  })

  // Changes of officials' email addresses waiting for an admin (admins only).
  await app.register(emailChangeScreens)

  // Everything under /admin/campaigns/:id/… belongs to one campaign: the scope hook loads it or answers 404.
  await app.register(async (scoped) => {
    scoped.addHook('preHandler', campaignScope)

    scoped.get<IdParams & { Querystring: Record<string, string> }>('/campaigns/:id', async (req, reply) => {
      const campaign = req.campaign!
      const notice = 'created' in req.query ? 'The campaign was created. Add officials and a letter template, then set it live.' : 'saved' in req.query ? 'Saved.' : undefined
      return campaignPage(reply, { campaign, values: campaignValues(campaign), notice })
    })

    // The public page as supporters will see it: drafts answer 404 to the public, so organizers look here.
    scoped.get<IdParams>('/campaigns/:id/preview', async (req, reply) => renderCampaignPage(reply, app, req.campaign!))

    scoped.post<IdParams & { Body: Body }>('/campaigns/:id', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const form = parseForm(campaignForm, req.body)
      if (!form.ok) return campaignPage(reply, { campaign, values: formValues(req.body), errors: fieldErrors(form.issues) }, 422)
      try {
        updateCampaign(app.db, campaign.id, form.data, actorOf(req), app.clock())
      } catch (err) {
        if (err instanceof InputError) return campaignPage(reply, { campaign, values: formValues(req.body), errors: fieldErrors(err.issues) }, 422)
        throw err
      }
      return reply.redirect(`/admin/campaigns/${campaign.id}?saved=1`, 303)
    })

    // ---------------------------------------------------------- the people the campaign is for

    function peoplePage(reply: FastifyReply, campaign: Campaign, state: { values?: Record<string, string>; errors?: Record<string, string> } = {}, status = 200) {
      const errors = state.errors ?? {}
      return reply.code(status).view('campaigns/campaign-people', {
        title: `People: ${campaign.title}`,
        campaign,
        people: peopleOf(app.db, campaign.id),
        values: state.values ?? {},
        errors,
        hasErrors: Object.keys(errors).length > 0,
        csrfToken: reply.generateCsrf(),
      })
    }

    scoped.get<IdParams>('/campaigns/:id/people', async (req, reply) => peoplePage(reply, req.campaign!))

    scoped.post<IdParams & { Body: Body }>('/campaigns/:id/people', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const form = parseForm(personForm, req.body)
      if (!form.ok) return peoplePage(reply, campaign, { values: strings(req.body, PERSON_KEYS), errors: fieldErrors(form.issues) }, 422)
      addPerson(app.db, campaign.id, form.data, actorOf(req), app.clock())
      return reply.redirect(`/admin/campaigns/${campaign.id}/people`, 303)
    })

    type PersonParams = { Params: { id: string; personId: string } }
    function personPage(reply: FastifyReply, campaign: Campaign, personId: number, values: Record<string, string>, errors: Record<string, string> = {}, status = 200) {
      return reply.code(status).view('campaigns/campaign-person', {
        title: `Edit: ${values.name || 'person'}`,
        campaign,
        personId,
        values,
        errors,
        hasErrors: Object.keys(errors).length > 0,
        csrfToken: reply.generateCsrf(),
      })
    }

    scoped.get<PersonParams>('/campaigns/:id/people/:personId', async (req, reply) => {
      const campaign = req.campaign!
      const person = personById(app.db, campaign.id, parseId(req.params.personId))
      if (!person) return reply.callNotFound()
      return personPage(reply, campaign, person.id, { name: person.name, status: person.status, detail: person.detail, statusChangedOn: person.statusChangedOn ?? '' })
    })

    scoped.post<PersonParams & { Body: Body }>('/campaigns/:id/people/:personId', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const personId = parseId(req.params.personId)
      if (!personById(app.db, campaign.id, personId)) return reply.callNotFound()
      const form = parseForm(personForm, req.body)
      if (!form.ok) return personPage(reply, campaign, personId, strings(req.body, PERSON_KEYS), fieldErrors(form.issues), 422)
      if (!updatePerson(app.db, campaign.id, personId, form.data, actorOf(req), app.clock())) return reply.callNotFound()
      return reply.redirect(`/admin/campaigns/${campaign.id}/people`, 303)
    })

    scoped.post<PersonParams>('/campaigns/:id/people/:personId/delete', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      if (!deletePerson(app.db, campaign.id, parseId(req.params.personId), actorOf(req), app.clock())) return reply.callNotFound()
      return reply.redirect(`/admin/campaigns/${campaign.id}/people`, 303)
    })

    // ---------------------------------------------------------- officials

    scoped.get<IdParams & { Querystring: Record<string, string> }>('/campaigns/:id/targets', async (req, reply) => {
      const campaign = req.campaign!
      const created = Number(req.query.created)
      const updated = Number(req.query.updated)
      const held = Number(req.query.held)
      const heldNote = held > 0 ? ` ${held === 1 ? 'One change of email address waits' : `${held} changes of email address wait`} for an admin's approval; letters keep going to the current addresses until then.` : ''
      const imported = 'imported' in req.query ? `Imported: ${Number.isFinite(created) ? created : 0} new, ${Number.isFinite(updated) ? updated : 0} updated.${heldNote}` : undefined
      const notices: Record<string, string> = {
        saved: 'Saved.',
        held: "Saved. The new email address waits for an admin's approval: letters keep going to the current address until then.",
        approved: 'The new email address is approved: letters go there from now on.',
        rejected: 'The change of email address was rejected: letters keep going to the current address.',
        resumed: 'Saved. The address no longer counts as bouncing: the letters held for it go out now (or wait for hand delivery).',
      }
      const notice = imported ?? Object.entries(notices).find(([k]) => k in req.query)?.[1]
      const isAdmin = req.user!.role === 'admin'
      const all = targetsOf(app.db, campaign.id)
      const waiting = lettersWaiting(app.db, all.map((t) => t.id))
      const rows = all.map((t) => {
        const held = waiting.get(t.id) ?? 0
        return {
          ...t,
          countryName: countryName(t.country),
          // A long address may break before its @ rather than widen the table.
          emailLocal: t.email.slice(0, t.email.lastIndexOf('@')),
          emailDomain: t.email.slice(t.email.lastIndexOf('@') + 1),
          deliverySummary: deliverySummary(t),
          isHand: t.delivery === 'hand',
          bouncing: t.deliveryState === 'bouncing',
          waiting: held,
          bounceWarning: t.deliveryState === 'bouncing' ? bounceWarning(t, held) : undefined,
        }
      })
      return reply.view('campaigns/target-list', {
        title: `Officials: ${campaign.title}`,
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
    function targetPage(
      reply: FastifyReply,
      campaign: Campaign,
      state: { targetId?: number; values: Record<string, string>; errors?: Record<string, string>; pending?: { email: string; at: Date | null }; current?: Target },
      status = 200,
    ) {
      const errors = state.errors ?? {}
      const country = (state.values.country ?? '').trim().toUpperCase()
      const isAdmin = reply.request.user?.role === 'admin'
      const delivery = state.values.delivery || DELIVERY_DEFAULTS.delivery
      const current = state.current
      const held = current ? (lettersWaiting(app.db, [current.id]).get(current.id) ?? 0) : 0
      return reply.code(status).view('campaigns/target-form', {
        title: state.targetId ? `Edit official: ${state.values.name ?? ''}` : 'New official',
        campaign,
        isNew: !state.targetId,
        targetId: state.targetId,
        action: state.targetId ? `/admin/campaigns/${campaign.id}/targets/${state.targetId}` : `/admin/campaigns/${campaign.id}/targets`,
        values: state.values,
        pending: state.pending,
        isAdmin,
        // Only an organizer's change of address waits; an admin's applies at once.
        emailHeld: Boolean(state.targetId) && !isAdmin,
        countries: countryOptions().map((c) => ({ ...c, selected: c.code === country })),
        defaultLanguage: campaign.languages[0],
        modes: {
          each: delivery === 'each',
          digest: delivery === 'digest',
          hand: delivery === 'hand',
        },
        digestPeriods: digestPeriods.map((p) => ({ value: p, label: p === 'day' ? 'Every day' : 'Every week (on Mondays)', selected: p === (state.values.digestEvery || 'day') })),
        maxPerHourLimit: MAX_PER_HOUR,
        countryZone: country ? zoneUsed({ timeZone: null, country }) : undefined,
        timeZones: TIME_ZONES,
        bounce: current?.deliveryState === 'bouncing' ? bounceWarning(current, held) : undefined,
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
      const values = strings(req.body, TARGET_FORM_KEYS)
      const form = parseForm(targetInput, targetFormInput(req.body))
      if (!form.ok) return targetPage(reply, campaign, { values, errors: fieldErrors(form.issues) }, 422)
      try {
        addTarget(app.db, campaign, form.data, actorOf(req), app.clock())
      } catch (err) {
        if (err instanceof InputError) return targetPage(reply, campaign, { values, errors: fieldErrors(err.issues) }, 422)
        throw err
      }
      return reply.redirect(`/admin/campaigns/${campaign.id}/targets?saved=1`, 303)
    })

    function importPage(reply: FastifyReply, campaign: Campaign, csv = '', errors: { line: number; message: string }[] = [], status = 200) {
      return reply.code(status).view('campaigns/target-import', {
        title: `Import officials: ${campaign.title}`,
        campaign,
        csv,
        columns: CSV_COLUMNS.join(','),
        deliveryColumns: CSV_DELIVERY_COLUMNS.join(', '),
        errors: errors.map((e) => `line ${e.line}: ${e.message}`),
        defaultLanguage: campaign.languages[0],
        emailHeld: reply.request.user?.role !== 'admin',
        csrfToken: reply.generateCsrf(),
      })
    }

    scoped.get<IdParams>('/campaigns/:id/targets/import', async (req, reply) => importPage(reply, req.campaign!))

    scoped.post<IdParams & { Body: Body }>('/campaigns/:id/targets/import', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const csv = strings(req.body, ['csv']).csv ?? ''
      const result = importTargets(app.db, campaign, csv, editor(req), actorOf(req), app.clock())
      if (!result.ok) return importPage(reply, campaign, csv, result.errors, 422)
      return reply.redirect(`/admin/campaigns/${campaign.id}/targets?imported=1&created=${result.created}&updated=${result.updated}${result.held.length ? `&held=${result.held.length}` : ''}`, 303)
    })

    scoped.get<TargetParams>('/campaigns/:id/targets/:targetId', async (req, reply) => {
      const campaign = req.campaign!
      const target = targetById(app.db, campaign.id, parseId(req.params.targetId))
      if (!target) return reply.callNotFound()
      const values = { ...Object.fromEntries(TARGET_KEYS.map((k) => [k, String(target[k] ?? '')])), ...deliveryFormValues(target) }
      return targetPage(reply, campaign, { targetId: target.id, values, pending: pendingOf(target), current: target })
    })

    scoped.post<TargetParams & { Body: Body }>('/campaigns/:id/targets/:targetId', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const targetId = parseId(req.params.targetId)
      const current = targetById(app.db, campaign.id, targetId)
      if (!current) return reply.callNotFound()
      const values = strings(req.body, TARGET_FORM_KEYS)
      const form = parseForm(targetInput, targetFormInput(req.body))
      if (!form.ok) return targetPage(reply, campaign, { targetId, values, errors: fieldErrors(form.issues), pending: pendingOf(current), current }, 422)
      let held = false
      let resumed = false
      try {
        const result = updateTarget(app.db, campaign, targetId, form.data, editor(req), actorOf(req), app.clock())
        if (!result) return reply.callNotFound()
        held = result.held
        resumed = current.deliveryState === 'bouncing' && result.target.deliveryState === 'ok'
      } catch (err) {
        if (err instanceof InputError) return targetPage(reply, campaign, { targetId, values, errors: fieldErrors(err.issues), pending: pendingOf(current), current }, 422)
        throw err
      }
      return reply.redirect(`/admin/campaigns/${campaign.id}/targets?${held ? 'held' : resumed ? 'resumed' : 'saved'}=1`, 303)
    })

    // ---------------------------------------------------------- letter templates

    scoped.get<IdParams>('/campaigns/:id/templates', async (req, reply) => {
      const campaign = req.campaign!
      const saved = new Map(templatesOf(app.db, campaign.id).map((t) => [t.language, t]))
      const languages = campaign.languages.map((code, i) => ({ code, name: languageName(code), isDefault: i === 0, template: saved.get(code) }))
      const unused = [...saved.values()].filter((t) => !campaign.languages.includes(t.language)).map((t) => ({ code: t.language, name: languageName(t.language), template: t }))
      return reply.view('campaigns/template-list', { title: `Letter templates: ${campaign.title}`, campaign, languages, unused })
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
        const result = previewTemplate(previewContext(campaign, chosen, language, app.config.baseUrl, app.clock()), state.values.subject ?? '', state.values.body ?? '')
        if (result.ok) preview = result
      }
      const saved = templateFor(app.db, campaign.id, language)
      return reply.code(status).view('campaigns/template-edit', {
        title: `Letter template (${language}): ${campaign.title}`,
        campaign,
        language,
        languageName: languageName(language),
        notInCampaign: !campaign.languages.includes(language),
        saved,
        values: state.values,
        errors,
        hasErrors,
        notice: state.notice,
        preview,
        previewRequested: state.preview,
        targets: targets.map((t) => ({ id: t.id, name: t.name, title: t.title, selected: t.id === chosen?.id })),
        placeholders: APPEAL_PLACEHOLDERS.map((p) => `{{${p}}}`),
        csrfToken: reply.generateCsrf(),
      })
    }

    scoped.get<LanguageParams & { Querystring: Record<string, string> }>('/campaigns/:id/templates/:language', async (req, reply) => {
      const campaign = req.campaign!
      const language = languageOf(req)
      if (!language) return reply.callNotFound()
      const saved = templateFor(app.db, campaign.id, language)
      const values = saved ? { subject: saved.subject, body: saved.body } : { subject: campaign.title, body: STARTER_BODY }
      const notice = 'saved' in req.query ? 'Saved. Letters written from now on use this text.' : saved ? undefined : 'There is no template in this language yet: here is a start. Nothing is saved until you press Save.'
      return templatePage(reply, campaign, language, { values, notice })
    })

    scoped.post<LanguageParams & { Body: Body }>('/campaigns/:id/templates/:language', { preHandler: [app.csrfProtection, previewOnly] }, async (req, reply) => {
      const campaign = req.campaign!
      const { language } = req.params
      const values = strings(req.body, ['subject', 'body', 'target', 'intent'])
      // The same language rule as the API: a language the campaign does not have is refused, not added.
      const wrongLanguage = LANGUAGE_PARAM.test(language) ? languageIssue(campaign, language) : { path: ['language'], message: `"${language}" is not a language code` }
      if (wrongLanguage && !languageOf(req)) {
        return reply.code(422).view('errors/message', { title: 'Please check the form', message: wrongLanguage.message, status: 422 })
      }
      const form = parseForm(templateInput, req.body)
      if (!form.ok) return templatePage(reply, campaign, language, { values, errors: fieldErrors(form.issues) }, 422)
      if (values.intent === 'preview') {
        const result = previewTemplate(previewContext(campaign, undefined, language, app.config.baseUrl, app.clock()), form.data.subject, form.data.body)
        if (!result.ok) return templatePage(reply, campaign, language, { values, errors: fieldErrors(result.issues), preview: true }, 422)
        return templatePage(reply, campaign, language, { values, preview: true, notice: 'This is a preview: nothing is saved until you press Save.' })
      }
      try {
        saveTemplate(app.db, campaign, language, form.data, actorOf(req), app.clock())
      } catch (err) {
        if (err instanceof InputError) {
          const errors = fieldErrors(err.issues)
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
      if (!form.ok) return reply.code(422).type('application/json').send({ error: 'Invalid input', issues: form.issues })
      const target = values.target ? targetById(app.db, campaign.id, parseId(values.target)) : targetsOf(app.db, campaign.id)[0]
      const result = previewTemplate(previewContext(campaign, target, language, app.config.baseUrl, app.clock()), form.data.subject, form.data.body)
      // A half-typed placeholder is normal while typing: an answer, not an HTTP error the browser logs.
      if (!result.ok) return reply.type('application/json').send({ ok: false, issues: result.issues })
      return reply.type('application/json').send({ ok: true, subject: result.subject, body: result.body })
    })
  })
}
