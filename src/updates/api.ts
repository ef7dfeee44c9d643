import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { PersonStatusChange, Update } from '../db/schema/index.js'
import { InputError, localized } from '../validation.js'
import { sendError } from '../errors.js'
import { parseBody } from '../admin/api.js'
import { actorOf, campaignScope, parseId } from '../admin/access.js'
import { updateMailStates, updateStatuses } from '../db/schema/index.js'
import { dateTime, idParam, responses, judgedByHandler } from '../openapi.js'
import { UPDATE_FIELDS, UpdateConflict, updateInputSchema } from './service.js'

const anyObject = z.looseObject({})
const UNKNOWN_FIELD = localized((t) => t('adminUpdates.errors.unknownField', { fields: UPDATE_FIELDS.join(', ') }))

/** A misspelt field would otherwise be dropped in silence. */
function knownFields(body: unknown): Record<string, unknown> {
  const b = body as Record<string, unknown>
  const unknown = Object.keys(b).filter((k) => !UPDATE_FIELDS.includes(k))
  if (unknown.length) throw new InputError(unknown.map((k) => ({ path: [k], message: UNKNOWN_FIELD })))
  return b
}


// ------------------------------------------------------------------ what the document states

const LANGUAGE_CODE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/
const fields = updateInputSchema.shape
const changeFields = fields.personChanges.unwrap().element.shape
const personChange = z.strictObject({
  ...changeFields,
  personId: changeFields.personId.describe('A person the campaign is for'),
  status: changeFields.status.describe('Their new status, in the update’s language'),
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .meta({ format: 'date' })
    .describe('The day it happened, YYYY-MM-DD, not in the future'),
  translations: changeFields.translations.describe('The status in the campaign’s other languages: {"ru": {"status": "…"}}'),
})
const updateFields = {
  ...fields,
  title: fields.title.describe('One line, in `language`; required on create'),
  body: fields.body.describe('Markdown, in `language`; raw HTML is shown as text; required on create'),
  language: z.string().regex(LANGUAGE_CODE).describe('One of the campaign’s languages: the language of `title` and `body`; required on create'),
  translations: fields.translations.describe('Title and body in the campaign’s other languages: {"ru": {"title": "…", "body": "…"}}; an empty text removes one'),
  personChanges: z.array(personChange).max(20).optional().describe('Status changes of the people the campaign is for; on a change they replace the ones recorded'),
  publish: fields.publish.describe('true publishes it (a published update cannot go back: false is then 422)'),
  notify: fields.notify.describe('true mails a published update to the supporters who consented, once'),
}
const createExample = {
  language: 'en',
  title: 'Hearing moved to January',
  body: 'The appeal hearing is now set for **14 January**. Keep writing: the letters are read.',
  translations: { ru: { title: 'Слушание перенесли на январь', body: 'Апелляцию рассмотрят **14 января**. Продолжайте писать.' } },
  personChanges: [{ personId: 1, status: 'awaiting appeal', date: '2026-11-30', translations: { ru: { status: 'ждёт апелляции' } } }],
  publish: false,
  notify: false,
}
const createBody = z
  .strictObject({ ...updateFields, title: fields.title.unwrap().min(1).describe('One line, in `language`'), body: fields.body.unwrap().meta({ description: 'Markdown, in `language`; raw HTML is shown as text', minLength: 1 }) })
  .meta({ examples: [createExample] })
const patchBody = z
  .strictObject(updateFields)
  .partial()
  .meta({ examples: [{ title: 'Roza Tuletaeva moved to a colony-settlement', translations: { kk: { title: 'Роза Төлетаева колония-қонысқа ауыстырылды' } } }] })

const campaignParams = z.object({ id: idParam })
const updateParams = z.object({ id: idParam, updateId: idParam.describe('The update’s id') })

const texts = <K extends string>(keys: readonly K[]) => z.record(z.string(), z.object(Object.fromEntries(keys.map((k) => [k, z.string().optional()])) as Record<K, z.ZodOptional<z.ZodString>>))
/** An update as the organizers' API answers (updateJson). */
const updateOut = z.object({
  id: z.int().positive(),
  campaignId: z.int().positive(),
  language: z.string(),
  title: z.string(),
  body: z.string().describe('Markdown, as written'),
  html: z.string().describe('The body as readers get it: Markdown rendered and sanitised'),
  translations: texts(['title', 'body']).describe('Title and body in other languages'),
  status: z.enum(updateStatuses),
  publishedAt: dateTime.nullable(),
  url: z.string().meta({ format: 'uri' }).nullable().describe('Its public page, once published'),
  mailState: z.enum(updateMailStates).describe('none: not mailed; sending: being mailed, paced; done: every mail queued'),
  recipients: z.int().nonnegative().describe('How many it was mailed to'),
  mailStartedAt: dateTime.nullable(),
  mailDoneAt: dateTime.nullable(),
  personChanges: z.array(
    z.object({ id: z.int().positive(), personId: z.int().positive(), status: z.string(), date: z.string().meta({ format: 'date' }), translations: texts(['status']) }),
  ),
  createdAt: dateTime,
  updatedAt: dateTime,
})
const recipients = z.int().nonnegative().describe('How many it is being mailed to now (0 without `notify`)')

type Params = { Params: { id: string; updateId?: string } }

/** What the organizers' tools see of an update. */
export function updateJson(u: Update, changes: PersonStatusChange[], extra: { html: string; url: string | null }) {
  return {
    id: u.id,
    campaignId: u.campaignId,
    language: u.language,
    title: u.title,
    body: u.body,
    // The body as readers get it: Markdown rendered and sanitised.
    html: extra.html,
    // The texts in other languages: { "ru": { "title": "…", "body": "…" } }.
    translations: u.translations,
    status: u.status,
    publishedAt: u.publishedAt?.toISOString() ?? null,
    url: extra.url,
    mailState: u.mailState,
    recipients: u.recipients,
    mailStartedAt: u.mailStartedAt?.toISOString() ?? null,
    mailDoneAt: u.mailDoneAt?.toISOString() ?? null,
    personChanges: changes.map((c) => ({ id: c.id, personId: c.personId, status: c.status, date: c.happenedOn, translations: c.translations })),
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  }
}

/** /api/admin/campaigns/:id/updates: write, publish and mail updates; list and read them. */
export default async function updateApi(app: FastifyInstance) {
  const base = app.config.baseUrl.replace(/\/+$/, '')

  const json = (req: FastifyRequest, u: Update, changes = app.updates.changesOf(u.id)) => {
    const view = app.updates.view(u, req.campaign!, u.language)
    return updateJson(u, changes, { html: view.html, url: u.status === 'published' ? base + view.url : null })
  }

  const conflict = (req: FastifyRequest, reply: FastifyReply, err: UpdateConflict) =>
    sendError(req, reply, 409, err.reason === 'alreadyMailed' ? (t) => t('adminUpdates.errors.alreadyMailed') : (t) => t('adminUpdates.errors.noUnpublish'))

  await app.register(async (scoped) => {
    // Before validation: another's or an unknown campaign is 404 whatever the body.
    scoped.addHook('preValidation', campaignScope)

    scoped.post<Params>(
      '/campaigns/:id/updates',
      {
        schema: {
          tags: ['updates'],
          summary: 'Post an update',
          description:
            "`title` and `body` (Markdown; raw HTML is shown as text, the output is sanitised) are in `language`, one of the campaign's languages; `translations` holds them in its others, `{ \"ru\": { \"title\": \"…\", \"body\": \"…\" } }`. `personChanges` record status changes of the people the campaign is for (`date` YYYY-MM-DD, not in the future; `status` in `language`, `translations` `{ \"ru\": { \"status\": \"…\" } }`): each goes on the person's timeline, and their status follows the latest by date once the update is published. Without `publish: true` it stays a draft. `notify: true` (published updates only) mails it to the supporters who consented, once. Answers 201 `{\"update\":{\"id\":…,\"recipients\":N}}` (N: how many it is being mailed to, 0 without `notify`).",
          params: campaignParams,
          body: createBody,
          response: responses(
            { 201: z.object({ update: z.object({ id: z.int().positive(), recipients }) }).describe('The update, posted') },
            [400, 401, 404, 409, 413, 415, 422],
          ),
        },
        attachValidation: true,
      },
      async (req, reply) => {
        judgedByHandler(req, 'body')
        parseBody(req, anyObject)
        try {
          const { update, recipients } = app.updates.create(req.campaign!, knownFields(req.body), actorOf(req))
          return reply.code(201).send({ update: { id: update.id, recipients } })
        } catch (err) {
          if (err instanceof UpdateConflict) return conflict(req, reply, err)
          throw err
        }
      },
    )

    scoped.get<Params>(
      '/campaigns/:id/updates',
      {
        schema: {
          tags: ['updates'],
          summary: "A campaign's updates, drafts and published, newest first",
          params: campaignParams,
          response: responses({ 200: z.object({ updates: z.array(updateOut) }).describe('The updates') }, [401, 404, 422]),
        },
      },
      async (req) => {
      const all = app.updates.all(req.campaign!.id)
      const changes = app.updates.changesOfAll(all.map((u) => u.id))
        return { updates: all.map((u) => json(req, u, changes.filter((c) => c.updateId === u.id))) }
      },
    )

    scoped.get<Params>(
      '/campaigns/:id/updates/:updateId',
      { schema: { tags: ['updates'], summary: 'One update', params: updateParams, response: responses({ 200: z.object({ update: updateOut }).describe('The update') }, [401, 404, 422]) } },
      async (req, reply) => {
        const update = app.updates.get(req.campaign!.id, parseId(req.params.updateId))
        if (!update) return sendError(req, reply, 404, (t) => t('adminUpdates.errors.noUpdate'))
        return { update: json(req, update) }
      },
    )

    scoped.patch<Params>(
      '/campaigns/:id/updates/:updateId',
      {
        schema: {
          tags: ['updates'],
          summary: 'Edit, publish or mail an update',
          description:
            'Send only what changes. `translations` are merged by language and text (an empty string removes one); `personChanges`, when given, replace the ones the update records. `publish: true` publishes a draft (a published update cannot go back: 422). `notify: true` mails a published update once; a second time answers 409. Answers `{ "update": {…}, "recipients": N }`.',
          params: updateParams,
          body: patchBody,
          response: responses({ 200: z.object({ update: updateOut, recipients }).describe('The update as it is now') }, [400, 401, 404, 409, 413, 415, 422]),
        },
        attachValidation: true,
      },
      async (req, reply) => {
        judgedByHandler(req, 'body')
        const current = app.updates.get(req.campaign!.id, parseId(req.params.updateId))
        if (!current) return sendError(req, reply, 404, (t) => t('adminUpdates.errors.noUpdate'))
        parseBody(req, anyObject)
        const body = knownFields(req.body)
        // Mailed already: asking again is a conflict, whatever else the request holds.
        if (body.notify === true && current.mailState !== 'none') return conflict(req, reply, new UpdateConflict('alreadyMailed'))
        try {
          const { update, recipients } = app.updates.edit(req.campaign!, current, body, actorOf(req))
          return { update: json(req, update), recipients }
        } catch (err) {
          if (err instanceof UpdateConflict) return conflict(req, reply, err)
          throw err
        }
      },
    )
  })
}
