import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { PersonStatusChange, Update } from '../db/schema/index.js'
import { InputError, localized } from '../validation.js'
import { sendError } from '../errors.js'
import { parseBody, jsonSchema } from '../admin/api.js'
import { actorOf, campaignScope, parseId } from '../admin/access.js'
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

const idParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] }
const updateParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 }, updateId: { type: 'integer', minimum: 1 } }, required: ['id', 'updateId'] }

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
    scoped.addHook('preHandler', campaignScope)

    scoped.post<Params>(
      '/campaigns/:id/updates',
      {
        schema: {
          tags: ['updates'],
          summary: 'Post an update',
          description:
            "`title` and `body` (Markdown; raw HTML is shown as text, the output is sanitised) are in `language`, one of the campaign's languages; `translations` holds them in its others, `{ \"ru\": { \"title\": \"…\", \"body\": \"…\" } }`. `personChanges` record status changes of the people the campaign is for (`date` YYYY-MM-DD, not in the future; `status` in `language`, `translations` `{ \"ru\": { \"status\": \"…\" } }`): each goes on the person's timeline, and their status follows the latest by date once the update is published. Without `publish: true` it stays a draft. `notify: true` (published updates only) mails it to the supporters who consented, once. Answers 201 `{\"update\":{\"id\":…,\"recipients\":N}}` (N: how many it is being mailed to, 0 without `notify`).",
          params: idParams,
          body: jsonSchema(updateInputSchema),
        },
      },
      async (req, reply) => {
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

    scoped.get<Params>('/campaigns/:id/updates', { schema: { tags: ['updates'], summary: "A campaign's updates, drafts and published, newest first", params: idParams } }, async (req) => {
      const all = app.updates.all(req.campaign!.id)
      const changes = app.updates.changesOfAll(all.map((u) => u.id))
      return { updates: all.map((u) => json(req, u, changes.filter((c) => c.updateId === u.id))) }
    })

    scoped.get<Params>('/campaigns/:id/updates/:updateId', { schema: { tags: ['updates'], summary: 'One update', params: updateParams } }, async (req, reply) => {
      const update = app.updates.get(req.campaign!.id, parseId(req.params.updateId))
      if (!update) return sendError(req, reply, 404, (t) => t('adminUpdates.errors.noUpdate'))
      return { update: json(req, update) }
    })

    scoped.patch<Params>(
      '/campaigns/:id/updates/:updateId',
      {
        schema: {
          tags: ['updates'],
          summary: 'Edit, publish or mail an update',
          description:
            'Send only what changes. `translations` are merged by language and text (an empty string removes one); `personChanges`, when given, replace the ones the update records. `publish: true` publishes a draft (a published update cannot go back: 422). `notify: true` mails a published update once; a second time answers 409. Answers `{ "update": {…}, "recipients": N }`.',
          params: updateParams,
          body: jsonSchema(updateInputSchema.partial()),
        },
      },
      async (req, reply) => {
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
