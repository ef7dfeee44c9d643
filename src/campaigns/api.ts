import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Target } from '../db/schema/index.js'
import { InputError } from '../validation.js'
import { actorOf, campaignScope, parseId, requireAdmin } from '../admin/access.js'
import { jsonSchema, parseBody } from '../admin/api.js'
import {
  addTarget,
  campaignById,
  campaignCreateJson,
  campaignJson,
  campaignPatchJson,
  campaignsFor,
  createCampaign,
  addPerson,
  importTargets,
  lettersWaiting,
  peopleOf,
  personById,
  personForm,
  personJson,
  saveTemplate,
  targetById,
  targetInput,
  targetJson,
  targetsOf,
  templateFor,
  templateInput,
  templateJson,
  templatesOf,
  updateCampaign,
  updatePerson,
  updateTarget,
} from './service.js'
import { emailChangeApi } from './email-changes.js'
import { dateTime, idParam, responses } from '../openapi.js'

const idParams = { type: 'object', properties: { id: { type: 'string', pattern: '^[1-9][0-9]*$' } }, required: ['id'] }
const targetParams = { type: 'object', properties: { id: { type: 'string' }, targetId: { type: 'string' } }, required: ['id', 'targetId'] }
const languageParams = { type: 'object', properties: { id: { type: 'string' }, language: { type: 'string', examples: ['en'] } }, required: ['id', 'language'] }
/** Only an admin's change of an official's email applies at once; an organizer's waits for one. */
const editor = (req: FastifyRequest) => ({ canApproveEmail: req.user!.role === 'admin' })
/** An official as the API answers: targetJson, and the letters still waiting for them. */
function targetsWithWaiting(app: FastifyInstance, list: Target[]) {
  const waiting = lettersWaiting(app.db, list.map((t) => t.id))
  return list.map((t) => ({ ...targetJson(t), lettersWaiting: waiting.get(t.id) ?? 0 }))
}

const DELIVERY_DOC =
  'Delivery (all optional; absent, a new official gets the default and an existing one keeps its own): `delivery` each (default: one mail per letter, paced) | digest (one mail a day or week with every letter attached) | hand (no mail: organizers print the dossier and mark letters hand-delivered); `maxPerHour` 1–100000 (30); `sendHours` {"from": 0–23, "to": 1–24} (8 to 18; 24 is midnight, from > to runs overnight), in `timeZone`; `timeZone` an IANA name such as "Europe/London", or null/"" for the zone of the official\'s country (the answer\'s `timeZoneUsed`); `digestEvery` day | week (Mondays); `digestHour` 0–23 (9); `forCountries` ISO codes such as ["GB", "IE"]: supporters from there are offered this official first. ' +
  'Answers carry `deliveryState` (ok | bouncing), `bounceReason` (the mail server\'s answer) and `bouncedAt`: a bouncing address gets no mail and its letters wait (`lettersWaiting`) until the email is changed and applied or `delivery` is set to hand, which sets it back to ok. 422 names each wrong field by its path (e.g. ["sendHours","to"]).'

const TRANSLATIONS_DOC =
  'Texts in the campaign\'s other languages: `translations` is keyed by language, each an object of the texts (campaign: title, summary, story; person: name, status, detail; official: name, title, salutation), e.g. {"ru": {"title": "Свободу нефтяникам Жанаозена"}}. The fields themselves are the campaign\'s first language (`languages[0]`). On input a text replaces, an empty string removes it, an absent one stays; a language must be one of the campaign\'s and not its first (else 422 with path ["translations","xx"]); unknown fields are refused; lengths as the fields themselves.'
const personParams = { type: 'object', properties: { id: { type: 'string' }, personId: { type: 'string' } }, required: ['id', 'personId'] }

const csvImport = z.object({ csv: z.string({ error: 'csv must be the text of a CSV file' }).max(250_000, 'csv must be at most 250,000 characters') })

const translationsOut = z.record(z.string(), z.record(z.string(), z.string())).describe('Texts in the campaign’s other languages, keyed by language: {"ru": {"title": "…"}}')

/** A campaign as the API answers (campaignJson). */
export const campaignOut = z.object({
  id: z.int().positive(),
  slug: z.string(),
  title: z.string(),
  summary: z.string(),
  story: z.string(),
  goal: z.int().positive(),
  status: z.enum(['draft', 'live', 'closed']),
  confirmLetters: z.boolean(),
  confirmRsvps: z.boolean(),
  languages: z.array(z.string()).min(1).describe('The first is the language of the fields themselves'),
  translations: translationsOut,
  lettersCount: z.int().nonnegative().describe('Letters written online that count'),
  offlineCount: z.int().nonnegative().describe('Letters posted on paper, reported by groups'),
  createdAt: dateTime,
  updatedAt: dateTime,
})

/** /api/admin/campaigns…: campaigns, officials and letter templates for organizers' own tools. */
export default async function campaignApi(app: FastifyInstance) {
  app.get(
    '/campaigns',
    { schema: { tags: ['campaigns'], summary: 'The campaigns the token’s user runs (every campaign for admins)', response: responses({ 200: z.object({ campaigns: z.array(campaignOut) }).describe('The campaigns') }, [401]) } },
    async (req) => ({
      campaigns: campaignsFor(app.db, req.user!).map(campaignJson),
    }),
  )

  app.post(
    '/campaigns',
    {
      preValidation: requireAdmin,
      schema: {
        tags: ['campaigns'],
        summary: 'Create a campaign (admins only)',
        description: TRANSLATIONS_DOC,
        body: campaignCreateJson,
        response: responses({ 201: z.object({ campaign: campaignOut }).describe('The campaign, created') }, [400, 401, 403, 415, 422]),
      },
    },
    async (req, reply) => {
      const input = parseBody(req, campaignCreateJson)
      const campaign = createCampaign(app.db, input, actorOf(req), app.clock())
      return reply.code(201).send({ campaign: campaignJson(campaign) })
    },
  )

  // Changes of officials' email addresses waiting for an admin (admins only).
  await app.register(emailChangeApi)

  await app.register(async (scoped) => {
    scoped.addHook('preHandler', campaignScope)

    scoped.get('/campaigns/:id', { schema: { tags: ['campaigns'], summary: 'One campaign, with the people it is for', description: TRANSLATIONS_DOC, params: idParams } }, async (req) => {
      const campaign = req.campaign!
      return {
        campaign: {
          ...campaignJson(campaign),
          people: peopleOf(app.db, campaign.id).map(personJson),
        },
      }
    })

    scoped.patch(
      '/campaigns/:id',
      { schema: { tags: ['campaigns'], summary: 'Change some of a campaign’s fields. 200 {"campaign":{…}}', description: TRANSLATIONS_DOC, params: idParams, body: jsonSchema(campaignPatchJson) } },
      async (req) => {
        const patch = parseBody(req, campaignPatchJson)
        updateCampaign(app.db, req.campaign!.id, patch, actorOf(req), app.clock())
        return { campaign: campaignJson(campaignById(app.db, req.campaign!.id)!) }
      },
    )

    scoped.post(
      '/campaigns/:id/people',
      { schema: { tags: ['campaigns'], summary: 'Add a person the campaign is for. 201 {"person":{…}}', description: TRANSLATIONS_DOC, params: idParams, body: jsonSchema(personForm) } },
      async (req, reply) => {
        const input = parseBody(req, personForm)
        const person = addPerson(app.db, req.campaign!.id, input, actorOf(req), app.clock())
        return reply.code(201).send({ person: personJson(person) })
      },
    )

    scoped.put(
      '/campaigns/:id/people/:personId',
      { schema: { tags: ['campaigns'], summary: 'Replace a person’s details (translations absent stay as they are). 200 {"person":{…}}', description: TRANSLATIONS_DOC, params: personParams, body: jsonSchema(personForm) } },
      async (req, reply) => {
        const personId = parseId((req.params as { personId: string }).personId)
        if (!personById(app.db, req.campaign!.id, personId)) return reply.callNotFound()
        const input = parseBody(req, personForm)
        const person = updatePerson(app.db, req.campaign!.id, personId, input, actorOf(req), app.clock())
        if (!person) return reply.callNotFound()
        return { person: personJson(person) }
      },
    )

    scoped.get(
      '/campaigns/:id/targets',
      { schema: { tags: ['targets'], summary: 'The campaign’s officials, with the letters each received, how they take them and how many wait', description: DELIVERY_DOC, params: idParams } },
      async (req) => ({ targets: targetsWithWaiting(app, targetsOf(app.db, req.campaign!.id)) }),
    )

    scoped.post(
      '/campaigns/:id/targets',
      { schema: { tags: ['targets'], summary: 'Add an official. 201 {"target":{"id":…}}', description: `${DELIVERY_DOC} \`salutation\` is how a letter greets them in the first language ("Dear Mr President,"). ${TRANSLATIONS_DOC}`, params: idParams, body: jsonSchema(targetInput) } },
      async (req, reply) => {
        const input = parseBody(req, targetInput)
        const target = addTarget(app.db, req.campaign!, input, actorOf(req), app.clock())
        return reply.code(201).send({ target: targetsWithWaiting(app, [target])[0] })
      },
    )

    scoped.post(
      '/campaigns/:id/targets/import',
      {
        schema: {
          tags: ['targets'],
          summary:
            'Import officials from CSV text (header name,title,organisation,country,email,postal_address,language; optional id, salutation, delivery, max_per_hour, send_hours_from, send_hours_to, time_zone, digest_every, digest_hour, for_countries): all lines or none; a known email or id is updated',
          description:
            'Answers 200 {"created":…,"updated":…,"pendingEmails":[]}. A line with an `id` updates that official; a new email on it is applied for an admin, but held for an admin\'s approval for an organizer: the answer is then 202 and `pendingEmails` lists them ({"id","name","email" (still used),"pendingEmail"}).',
          params: idParams,
          body: jsonSchema(csvImport),
        },
      },
      async (req, reply) => {
        const { csv } = parseBody(req, csvImport)
        const result = importTargets(app.db, req.campaign!, csv, editor(req), actorOf(req), app.clock())
        if (!result.ok) throw new InputError(result.errors.map((e) => ({ path: ['csv', e.line], message: `line ${e.line}: ${e.message}` })))
        // Changes of address an organizer asked for wait for an admin: 202, with what waits.
        return reply.code(result.held.length ? 202 : 200).send({ created: result.created, updated: result.updated, pendingEmails: result.held })
      },
    )

    scoped.get('/campaigns/:id/targets/:targetId', { schema: { tags: ['targets'], summary: 'One official', params: targetParams } }, async (req, reply) => {
      const target = targetById(app.db, req.campaign!.id, parseId((req.params as { targetId: string }).targetId))
      if (!target) return reply.callNotFound()
      return { target: targetsWithWaiting(app, [target])[0] }
    })

    scoped.put(
      '/campaigns/:id/targets/:targetId',
      {
        schema: {
          tags: ['targets'],
          summary: 'Replace an official’s details. 200 {"target":{…}}; 202 {"target":{…},"pendingEmail":"…"} when an organizer changes the email',
          description:
            'A new email from an organizer is held until an admin approves it (POST …/email/approve): the answer is 202, `target.email` is still where letters go and `pendingEmail` is the address waiting. An admin’s change applies at once. `salutation` and `translations` absent stay as they are. ' +
            DELIVERY_DOC +
            ' ' +
            TRANSLATIONS_DOC,
          params: targetParams,
          body: jsonSchema(targetInput),
        },
      },
      async (req, reply) => {
        const targetId = parseId((req.params as { targetId: string }).targetId)
        if (!targetById(app.db, req.campaign!.id, targetId)) return reply.callNotFound()
        const input = parseBody(req, targetInput)
        const result = updateTarget(app.db, req.campaign!, targetId, input, editor(req), actorOf(req), app.clock())
        if (!result) return reply.callNotFound()
        const target = targetsWithWaiting(app, [result.target])[0]
        if (result.held) return reply.code(202).send({ target, pendingEmail: result.target.pendingEmail })
        return { target }
      },
    )

    scoped.get('/campaigns/:id/templates', { schema: { tags: ['templates'], summary: 'The letter templates, one per language', params: idParams } }, async (req) => {
      const campaign = req.campaign!
      const saved = new Map(templatesOf(app.db, campaign.id).map((t) => [t.language, t]))
      return {
        languages: campaign.languages,
        templates: [...saved.values()].map((t) => ({ ...templateJson(t), inUse: campaign.languages.includes(t.language) })),
        missing: campaign.languages.filter((l) => !saved.has(l)),
      }
    })

    scoped.get('/campaigns/:id/templates/:language', { schema: { tags: ['templates'], summary: 'The letter template in one language', params: languageParams } }, async (req, reply) => {
      const template = templateFor(app.db, req.campaign!.id, (req.params as { language: string }).language)
      if (!template) return reply.callNotFound()
      return { template: templateJson(template) }
    })

    scoped.put(
      '/campaigns/:id/templates/:language',
      {
        schema: {
          tags: ['templates'],
          summary: 'Save the letter template in one of the campaign’s languages. 422 names an unknown placeholder or a template that does not compile',
          params: languageParams,
          body: jsonSchema(templateInput),
        },
      },
      async (req) => {
        const input = parseBody(req, templateInput)
        // JSON errors are English unless the client chose a language (?lang=, Accept-Language).
        const template = saveTemplate(app.db, req.campaign!, (req.params as { language: string }).language, input, actorOf(req), app.clock(), req.langChosen ? req.lang : 'en')
        return { template: templateJson(template) }
      },
    )
  })
}
