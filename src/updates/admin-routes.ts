import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TFunction } from 'i18next'
import type { Campaign, PersonStatusChange, Update } from '../db/schema/index.js'
import { InputError, translateMessage, type FieldIssue } from '../validation.js'
import { languageName, translator, type Language } from '../i18n/index.js'
import { sendError } from '../errors.js'
import { actorOf, campaignScope, parseId } from '../admin/access.js'
import { BODY_MAX, CHANGES_MAX, STATUS_MAX, TITLE_MAX, UpdateConflict } from './service.js'

type Params = { Params: { id: string; updateId?: string } }

/** Blank rows for new status changes under the ones an update records. */
const BLANK_CHANGE_ROWS = 2

/** What the form holds, as typed: texts by language, status-change rows with a status per language. */
interface FormValues {
  language: string
  texts: Record<string, { title: string; body: string }>
  changes: { person: string; date: string; status: Record<string, string> }[]
}

function formValues(body: unknown, campaign: Campaign): FormValues {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>
  const text = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : '')
  const texts: FormValues['texts'] = {}
  for (const code of campaign.languages) texts[code] = { title: text(`title_${code}`), body: text(`body_${code}`) }
  const changes: FormValues['changes'] = []
  for (let i = 0; i < CHANGES_MAX + BLANK_CHANGE_ROWS; i++) {
    if (!(`change_${i}_person` in b)) break
    const status: Record<string, string> = {}
    for (const code of campaign.languages) status[code] = text(`change_${i}_status_${code}`)
    const row = { person: text(`change_${i}_person`), date: text(`change_${i}_date`), status }
    // Rows left blank are dropped, so a preview or an error does not add blank rows to blank rows.
    if (row.person.trim() !== '' || row.date.trim() !== '' || Object.values(status).some((s) => s.trim() !== '')) changes.push(row)
  }
  return { language: text('language'), texts, changes }
}

function valuesOf(update: Update, changes: PersonStatusChange[], campaign: Campaign): FormValues {
  const texts: FormValues['texts'] = {}
  for (const code of campaign.languages) {
    texts[code] = code === update.language ? { title: update.title, body: update.body } : { title: update.translations[code]?.title ?? '', body: update.translations[code]?.body ?? '' }
  }
  return {
    language: update.language,
    texts,
    changes: changes.map((c) => ({
      person: String(c.personId),
      date: c.happenedOn,
      status: Object.fromEntries(campaign.languages.map((code) => [code, code === c.language ? c.status : (c.translations[code]?.status ?? '')])),
    })),
  }
}

/** The form as the service's input; `rows` maps each change back to its row on the form. */
function inputOf(v: FormValues, campaign: Campaign): { input: Record<string, unknown>; rows: number[] } {
  const language = v.language
  const own = v.texts[language] ?? { title: '', body: '' }
  const translations: Record<string, { title: string; body: string }> = {}
  for (const code of campaign.languages) if (code !== language && v.texts[code]) translations[code] = v.texts[code]
  const rows: number[] = []
  const personChanges = v.changes.flatMap((c, row) => {
    const typed = c.person.trim() !== '' || c.date.trim() !== '' || Object.values(c.status).some((s) => s.trim() !== '')
    if (!typed) return []
    rows.push(row)
    const others = Object.fromEntries(campaign.languages.filter((code) => code !== language).map((code) => [code, { status: c.status[code] ?? '' }]))
    return [{ personId: /^\d{1,10}$/.test(c.person) ? Number(c.person) : 0, date: c.date, status: c.status[language] ?? '', translations: others }]
  })
  return { input: { language, title: own.title, body: own.body, translations, personChanges }, rows }
}

/** Messages beside the fields they are about, in the page's language. */
function formErrors(issues: FieldIssue[], v: FormValues, rows: number[], lang: Language): Record<string, string> {
  const errors: Record<string, string> = {}
  const put = (key: string, message: string) => (errors[key] ??= translateMessage(message, lang, 'generic'))
  for (const issue of issues) {
    const [first, second, third, fourth] = issue.path
    if (first === 'title' || first === 'body') put(`${first}_${v.language}`, issue.message)
    else if (first === 'language') put('language', issue.message)
    else if (first === 'translations' && typeof second === 'string') put(third === 'title' || third === 'body' ? `${third}_${second}` : `body_${second}`, issue.message)
    else if (first === 'personChanges' && typeof second === 'number') {
      const row = rows[second] ?? 0
      if (third === 'personId') put(`change_${row}_person`, issue.message)
      else if (third === 'date') put(`change_${row}_date`, issue.message)
      else if (third === 'status') put(`change_${row}_status_${v.language}`, issue.message)
      else if (third === 'translations' && typeof fourth === 'string') put(`change_${row}_status_${fourth}`, issue.message)
      else put('_', issue.message)
    } else put('_', issue.message)
  }
  return errors
}

const NOTICES: Record<string, (t: TFunction) => string> = {
  created: (t) => t('adminUpdates.notice.created'),
  saved: (t) => t('adminUpdates.notice.saved'),
  published: (t) => t('adminUpdates.notice.published'),
  mailed: (t) => t('adminUpdates.notice.mailed'),
  tested: (t) => t('adminUpdates.notice.tested'),
}

function statusLabel(u: Update, t: TFunction): string {
  return u.status === 'published' ? t('adminUpdates.status.published') : t('adminUpdates.status.draft')
}

function mailLabel(u: Update, t: TFunction): string {
  if (u.mailState === 'sending') return t('adminUpdates.mail.sending', { count: u.recipients })
  if (u.mailState === 'done') return t('adminUpdates.mail.done', { count: u.recipients })
  return t('adminUpdates.mail.none')
}

/** Back office: writing, previewing, publishing and mailing updates; the people's status changes with them. */
export default async function updateAdminRoutes(app: FastifyInstance) {
  function renderForm(
    req: FastifyRequest,
    reply: FastifyReply,
    campaign: Campaign,
    state: { update?: Update; values: FormValues; errors?: Record<string, string>; notice?: string; preview?: { title: string; html: string; lang: string } },
    status = 200,
  ) {
    const lang = req.lang
    const t = translator(lang)
    const { update, values } = state
    const errors = state.errors ?? {}
    const people = app.campaigns.people(campaign.id)
    const rows = [...values.changes]
    while (rows.length < values.changes.length + BLANK_CHANGE_ROWS && rows.length < CHANGES_MAX) rows.push({ person: '', date: '', status: {} })
    const multilingual = campaign.languages.length > 1
    const languages = campaign.languages.map((code) => ({ code, name: languageName(code, lang), selected: code === values.language }))
    const columns = campaign.languages.map((code) => ({
      code,
      name: languageName(code, lang),
      original: code === values.language,
      titleName: `title_${code}`,
      bodyName: `body_${code}`,
      title: values.texts[code]?.title ?? '',
      body: values.texts[code]?.body ?? '',
      titleError: errors[`title_${code}`],
      bodyError: errors[`body_${code}`],
    }))
    const changeRows = rows.map((row, i) => ({
      index: i,
      number: i + 1,
      personName: `change_${i}_person`,
      dateName: `change_${i}_date`,
      date: row.date,
      personError: errors[`change_${i}_person`],
      dateError: errors[`change_${i}_date`],
      people: people.map((p) => ({ id: p.id, name: p.name, selected: String(p.id) === row.person })),
      statuses: campaign.languages.map((code) => ({ code, name: languageName(code, lang), fieldName: `change_${i}_status_${code}`, value: row.status[code] ?? '', error: errors[`change_${i}_status_${code}`] })),
    }))
    const saved = update ? app.updates.view(update, campaign, update.language) : undefined
    const recipientCount = update && update.mailState === 'none' ? app.updates.recipientCount(campaign.id) : 0
    return reply.code(status).view('updates/admin-form', {
      title: update ? t('adminUpdates.form.editTitle', { title: update.title }) : t('adminUpdates.form.newTitle', { campaign: campaign.title }),
      campaign,
      update: update && {
        ...update,
        statusLabel: statusLabel(update, t),
        mailLabel: mailLabel(update, t),
        published: update.status === 'published',
        mailable: update.mailState === 'none',
        publicUrl: saved?.url,
        publishedOn: saved?.publishedOn,
      },
      saved,
      preview: state.preview,
      languages,
      multilingual,
      columns,
      changeRows,
      hasPeople: people.length > 0,
      errors,
      formError: errors._,
      hasErrors: Object.keys(errors).length > 0,
      notice: state.notice,
      recipientCount,
      me: req.user!.email,
      limits: { title: TITLE_MAX, body: BODY_MAX, status: STATUS_MAX },
      action: update ? `/admin/campaigns/${campaign.id}/updates/${update.id}` : `/admin/campaigns/${campaign.id}/updates/new`,
      csrfToken: reply.generateCsrf(),
    })
  }

  /** Saves the form (or previews it); the service checks everything at once. */
  function submit(req: FastifyRequest, reply: FastifyReply, campaign: Campaign, update: Update | undefined) {
    const values = formValues(req.body, campaign)
    const { input, rows } = inputOf(values, campaign)
    const body = (req.body ?? {}) as Record<string, unknown>
    if (body.action === 'preview') {
      const own = values.texts[values.language] ?? { title: '', body: '' }
      return renderForm(req, reply, campaign, { update, values, preview: { title: own.title, html: app.updates.preview(own.body), lang: values.language } })
    }
    try {
      const saved = update ? app.updates.edit(campaign, update, input, actorOf(req)) : app.updates.create(campaign, input, actorOf(req))
      return reply.redirect(`/admin/campaigns/${campaign.id}/updates/${saved.update.id}?saved=${update ? 'saved' : 'created'}`, 303)
    } catch (err) {
      if (!(err instanceof InputError)) throw err
      return renderForm(req, reply, campaign, { update, values, errors: formErrors(err.issues, values, rows, req.lang) }, 422)
    }
  }

  const conflict = (req: FastifyRequest, reply: FastifyReply, err: UpdateConflict) =>
    sendError(req, reply, 409, err.reason === 'alreadyMailed' ? (t) => t('adminUpdates.errors.alreadyMailed') : (t) => t('adminUpdates.errors.noUnpublish'))

  await app.register(async (scoped) => {
    scoped.addHook('preHandler', campaignScope)
    /** The update named in the address, if it is this campaign's. */
    const updateOf = (req: FastifyRequest<Params>) => app.updates.get(req.campaign!.id, parseId(req.params.updateId))

    scoped.get<Params>('/campaigns/:id/updates', async (req, reply) => {
      const campaign = req.campaign!
      const t = translator(req.lang)
      const rows = app.updates.all(campaign.id).map((u) => ({
        id: u.id,
        title: u.title,
        language: languageName(u.language, req.lang),
        languageCode: u.language,
        published: u.status === 'published',
        publishedOn: u.publishedAt?.toISOString().slice(0, 10),
        statusLabel: statusLabel(u, t),
        mailLabel: mailLabel(u, t),
        recipients: u.recipients,
      }))
      return reply.view('updates/admin-list', { title: t('adminUpdates.list.pageTitle', { campaign: campaign.title }), campaign, updates: rows })
    })

    scoped.get<Params>('/campaigns/:id/updates/new', async (req, reply) => {
      const campaign = req.campaign!
      const language = campaign.languages.includes(req.lang) ? req.lang : (campaign.languages[0] ?? 'en')
      return renderForm(req, reply, campaign, { values: { language, texts: {}, changes: [] } })
    })

    scoped.post<Params>('/campaigns/:id/updates/new', { preHandler: app.csrfProtection }, async (req, reply) => submit(req, reply, req.campaign!, undefined))

    scoped.get<Params & { Querystring: { saved?: string } }>('/campaigns/:id/updates/:updateId', async (req, reply) => {
      const update = updateOf(req)
      if (!update) return reply.callNotFound()
      const t = translator(req.lang)
      return renderForm(req, reply, req.campaign!, { update, values: valuesOf(update, app.updates.changesOf(update.id), req.campaign!), notice: NOTICES[req.query.saved ?? '']?.(t) })
    })

    scoped.post<Params>('/campaigns/:id/updates/:updateId', { preHandler: app.csrfProtection }, async (req, reply) => {
      const update = updateOf(req)
      if (!update) return reply.callNotFound()
      return submit(req, reply, req.campaign!, update)
    })

    scoped.post<Params>('/campaigns/:id/updates/:updateId/publish', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const update = updateOf(req)
      if (!update) return reply.callNotFound()
      const notify = ((req.body ?? {}) as Record<string, unknown>).notify
      try {
        app.updates.edit(campaign, update, { publish: true, ...(notify === '1' || notify === 'on' ? { notify: true } : {}) }, actorOf(req))
      } catch (err) {
        if (err instanceof UpdateConflict) return conflict(req, reply, err)
        if (err instanceof InputError) return sendError(req, reply, 422, translateMessage(err.issues[0]?.message ?? '', req.lang, 'generic'))
        throw err
      }
      return reply.redirect(`/admin/campaigns/${campaign.id}/updates/${update.id}?saved=${notify ? 'mailed' : 'published'}`, 303)
    })

    scoped.post<Params>('/campaigns/:id/updates/:updateId/mail', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const update = updateOf(req)
      if (!update) return reply.callNotFound()
      try {
        app.updates.mail(campaign, update, actorOf(req))
      } catch (err) {
        if (err instanceof UpdateConflict) return conflict(req, reply, err)
        if (err instanceof InputError) return sendError(req, reply, 409, (t) => t('adminUpdates.errors.notifyDraft'))
        throw err
      }
      return reply.redirect(`/admin/campaigns/${campaign.id}/updates/${update.id}?saved=mailed`, 303)
    })

    scoped.post<Params>('/campaigns/:id/updates/:updateId/test', { preHandler: app.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const update = updateOf(req)
      if (!update) return reply.callNotFound()
      app.updates.sendTest(update, { name: req.user!.name, address: req.user!.email }, req.lang, actorOf(req))
      return reply.redirect(`/admin/campaigns/${campaign.id}/updates/${update.id}?saved=tested`, 303)
    })
  })
}
