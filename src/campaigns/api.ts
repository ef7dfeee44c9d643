import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Target } from '../db/schema/index.js'
import { InputError } from '../validation.js'
import { actorOf, campaignScope, parseId, requireAdminApi } from '../admin/access.js'
import { parseBody } from '../admin/api.js'
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
import { responses } from '../openapi.js'
import { bodyExample, campaignOut, campaignParams, languageParams, personOut, personParams, targetOut, targetParams, templateOut } from './api-schemas.js'

export { campaignOut }

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

// ---------------------------------------------------------------------------- request bodies (with one complete valid example each)

const createBody = campaignCreateJson.meta(
  bodyExample({
    slug: 'free-the-oil-workers',
    title: 'Free the oil workers',
    summary: 'Oil workers jailed after the strike of 2011 are still in prison.',
    story: 'On 16 December 2011 police opened fire on striking oil workers in Zhanaozen.',
    goal: 5000,
    status: 'draft',
    languages: ['en', 'ru'],
    confirmLetters: true,
    confirmRsvps: true,
    translations: { ru: { title: 'Свободу нефтяникам' } },
  }),
)

const patchBody = campaignPatchJson.meta(bodyExample({ summary: 'Oil workers jailed after the Zhanaozen strike of 2011 are still in prison.', translations: { ru: { summary: 'Нефтяники, осуждённые после забастовки 2011 года, всё ещё в тюрьме.' } } }))

const personBody = personForm.meta(
  bodyExample({
    name: 'Kanat Zhusipbaev',
    status: 'released',
    detail: 'Oil worker and strike leader, released in 2016.',
    statusChangedOn: '2016-06-01',
    translations: { ru: { name: 'Канат Жусипбаев', status: 'освобождён' } },
  }),
)

const targetBody = targetInput.meta(
  bodyExample({
    name: 'Nursultan Nazarbayev',
    title: 'President of the Republic of Kazakhstan',
    salutation: 'Dear Mr President,',
    organisation: 'Presidential Administration (Akorda)',
    country: 'KZ',
    email: 'president@akorda.example.org',
    postalAddress: 'Akorda, Astana 010000, Kazakhstan',
    language: 'ru',
    delivery: 'each',
    maxPerHour: 30,
    sendHours: { from: 8, to: 18 },
    timeZone: 'Asia/Almaty',
    digestEvery: 'day',
    digestHour: 9,
    forCountries: ['KZ'],
    translations: { ru: { name: 'Нурсултан Назарбаев', title: 'Президент Республики Казахстан' } },
  }),
)

const newTargetBody = targetInput.meta(
  bodyExample({
    name: 'Ambassador of Kazakhstan in France',
    title: 'Ambassador of the Republic of Kazakhstan to France',
    salutation: 'Dear Ambassador,',
    organisation: 'Embassy of the Republic of Kazakhstan in Paris',
    country: 'FR',
    email: 'embassy-paris@kazembassy.example.org',
    postalAddress: '59 rue Pierre Charron, 75008 Paris, France',
    language: 'en',
    delivery: 'digest',
    digestEvery: 'week',
    digestHour: 10,
    forCountries: ['FR', 'BE'],
    translations: { ru: { name: 'Посол Казахстана во Франции' } },
  }),
)

const csvImport = z
  .object({ csv: z.string({ error: 'csv must be the text of a CSV file' }).max(250_000, 'csv must be at most 250,000 characters').describe('The CSV text, a header line first') })
  .meta(
    bodyExample({
      csv: 'name,title,organisation,country,email,postal_address,language\nAskhat Daulbayev,Prosecutor General of the Republic of Kazakhstan,Prosecutor General\'s Office,KZ,prosecutor-general@prokuror.example.org,"Astana, Kazakhstan",ru\n',
    }),
  )

const templateBody = templateInput.meta(bodyExample({ subject: 'Free the Zhanaozen oil workers', body: '{{target.salutation}}\n\nI am writing from {{supporter.city}} about the oil workers of Zhanaozen.\n\nYours sincerely,\n{{supporter.name}}' }))

const importOut = z.object({
  created: z.int().nonnegative(),
  updated: z.int().nonnegative(),
  pendingEmails: z.array(z.object({ id: z.int().positive(), name: z.string(), email: z.string().describe('Still where letters go'), pendingEmail: z.string().describe('Waiting for an admin') })),
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
      preValidation: requireAdminApi,
      schema: {
        tags: ['campaigns'],
        summary: 'Create a campaign (admins only)',
        description: `A campaign starts as a draft; \`status\`: "live" is refused with 422 listing each reason under \`status\` until the campaign is ready (an official letters can reach, a template per language). ${TRANSLATIONS_DOC}`,
        body: createBody,
        response: responses({ 201: z.object({ campaign: campaignOut }).describe('The campaign, created') }, [400, 401, 403, 415, 422]),
      },
    },
    async (req, reply) => {
      const input = parseBody(req, createBody)
      const campaign = createCampaign(app.db, input, actorOf(req), app.clock())
      return reply.code(201).send({ campaign: campaignJson(campaign) })
    },
  )

  // Changes of officials' email addresses waiting for an admin (admins only).
  await app.register(emailChangeApi)

  await app.register(async (scoped) => {
    // Before the body is judged: a campaign that is not theirs is a 404 whatever they send.
    scoped.addHook('preValidation', campaignScope)

    scoped.get(
      '/campaigns/:id',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'One campaign, with the people it is for',
          description: TRANSLATIONS_DOC,
          params: campaignParams,
          response: responses({ 200: z.object({ campaign: campaignOut.extend({ people: z.array(personOut) }) }).describe('The campaign and its people') }, [401, 404]),
        },
      },
      async (req) => {
        const campaign = req.campaign!
        return {
          campaign: {
            ...campaignJson(campaign),
            people: peopleOf(app.db, campaign.id).map(personJson),
          },
        }
      },
    )

    scoped.patch(
      '/campaigns/:id',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'Change some of a campaign’s fields',
          description: `Fields absent stay as they are. Going live (\`status\`: "live") is refused with 422 listing each reason under \`status\` (no goal, no official letters can reach, a language without a template, a gap left from the starter letter). ${TRANSLATIONS_DOC}`,
          params: campaignParams,
          body: patchBody,
          response: responses({ 200: z.object({ campaign: campaignOut }).describe('The campaign, changed') }, [400, 401, 404, 415, 422]),
        },
      },
      async (req) => {
        const patch = parseBody(req, patchBody)
        updateCampaign(app.db, req.campaign!.id, patch, actorOf(req), app.clock())
        return { campaign: campaignJson(campaignById(app.db, req.campaign!.id)!) }
      },
    )

    scoped.post(
      '/campaigns/:id/people',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'Add a person the campaign is for',
          description: `\`statusChangedOn\` is a day (YYYY-MM-DD) or "" for none. ${TRANSLATIONS_DOC}`,
          params: campaignParams,
          body: personBody,
          response: responses({ 201: z.object({ person: personOut }).describe('The person, added') }, [400, 401, 404, 415, 422]),
        },
      },
      async (req, reply) => {
        const input = parseBody(req, personBody)
        const person = addPerson(app.db, req.campaign!.id, input, actorOf(req), app.clock())
        return reply.code(201).send({ person: personJson(person) })
      },
    )

    scoped.put(
      '/campaigns/:id/people/:personId',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'Replace a person’s details',
          description: `Translations absent stay as they are. ${TRANSLATIONS_DOC}`,
          params: personParams,
          body: personBody,
          response: responses({ 200: z.object({ person: personOut }).describe('The person, changed') }, [400, 401, 404, 415, 422]),
        },
      },
      async (req, reply) => {
        const personId = parseId((req.params as { personId: string }).personId)
        if (!personById(app.db, req.campaign!.id, personId)) return reply.callNotFound()
        const input = parseBody(req, personBody)
        const person = updatePerson(app.db, req.campaign!.id, personId, input, actorOf(req), app.clock())
        if (!person) return reply.callNotFound()
        return { person: personJson(person) }
      },
    )

    scoped.get(
      '/campaigns/:id/targets',
      {
        schema: {
          tags: ['targets'],
          summary: 'The campaign’s officials',
          description: `With the letters each received, how they take them and how many wait. ${DELIVERY_DOC}`,
          params: campaignParams,
          response: responses({ 200: z.object({ targets: z.array(targetOut) }).describe('The officials, in their order on the page') }, [401, 404]),
        },
      },
      async (req) => ({ targets: targetsWithWaiting(app, targetsOf(app.db, req.campaign!.id)) }),
    )

    scoped.post(
      '/campaigns/:id/targets',
      {
        schema: {
          tags: ['targets'],
          summary: 'Add an official',
          description: `An email another official of the campaign has is refused (422, path ["email"]). ${DELIVERY_DOC} \`salutation\` is how a letter greets them in the first language ("Dear Mr President,"). ${TRANSLATIONS_DOC}`,
          params: campaignParams,
          body: newTargetBody,
          response: responses({ 201: z.object({ target: targetOut }).describe('The official, added') }, [400, 401, 404, 415, 422]),
        },
      },
      async (req, reply) => {
        const input = parseBody(req, newTargetBody)
        const target = addTarget(app.db, req.campaign!, input, actorOf(req), app.clock())
        return reply.code(201).send({ target: targetsWithWaiting(app, [target])[0] })
      },
    )

    scoped.post(
      '/campaigns/:id/targets/import',
      {
        schema: {
          tags: ['targets'],
          summary: 'Import officials from CSV text: all lines or none',
          description:
            'Header name,title,organisation,country,email,postal_address,language; optional id, salutation, delivery, max_per_hour, send_hours_from, send_hours_to, time_zone, digest_every, digest_hour, for_countries. A known email or id is updated. ' +
            'A line with an `id` updates that official; a new email on it is applied for an admin, but held for an admin\'s approval for an organizer: the answer is then 202 and `pendingEmails` lists them ({"id","name","email" (still used),"pendingEmail"}). ' +
            'A wrong line is a 422 naming it: path ["csv", line]. Each line may be at most 20,000 bytes.',
          params: campaignParams,
          body: csvImport,
          response: responses(
            {
              200: importOut.describe('Imported: how many officials were created and updated'),
              202: importOut.describe('Imported, but new addresses an organizer gave wait for an admin (`pendingEmails`)'),
            },
            [400, 401, 404, 415, 422],
          ),
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

    scoped.get(
      '/campaigns/:id/targets/:targetId',
      {
        schema: {
          tags: ['targets'],
          summary: 'One official',
          description: DELIVERY_DOC,
          params: targetParams,
          response: responses({ 200: z.object({ target: targetOut }).describe('The official') }, [401, 404, 422]),
        },
      },
      async (req, reply) => {
        const target = targetById(app.db, req.campaign!.id, parseId((req.params as { targetId: string }).targetId))
        if (!target) return reply.callNotFound()
        return { target: targetsWithWaiting(app, [target])[0] }
      },
    )

    scoped.put(
      '/campaigns/:id/targets/:targetId',
      {
        schema: {
          tags: ['targets'],
          summary: 'Replace an official’s details',
          description:
            'A new email from an organizer is held until an admin approves it (POST …/email/approve): the answer is 202, `target.email` is still where letters go and `pendingEmail` is the address waiting. An admin’s change applies at once. `salutation` and `translations` absent stay as they are. ' +
            DELIVERY_DOC +
            ' ' +
            TRANSLATIONS_DOC,
          params: targetParams,
          body: targetBody,
          response: responses(
            {
              200: z.object({ target: targetOut }).describe('The official, changed'),
              202: z.object({ target: targetOut, pendingEmail: z.string().describe('The address waiting for an admin') }).describe('Changed, but the new email an organizer gave waits for an admin'),
            },
            [400, 401, 404, 415, 422],
          ),
        },
      },
      async (req, reply) => {
        const targetId = parseId((req.params as { targetId: string }).targetId)
        if (!targetById(app.db, req.campaign!.id, targetId)) return reply.callNotFound()
        const input = parseBody(req, targetBody)
        const result = updateTarget(app.db, req.campaign!, targetId, input, editor(req), actorOf(req), app.clock())
        if (!result) return reply.callNotFound()
        const target = targetsWithWaiting(app, [result.target])[0]
        if (result.held) return reply.code(202).send({ target, pendingEmail: result.target.pendingEmail })
        return { target }
      },
    )

    scoped.get(
      '/campaigns/:id/templates',
      {
        schema: {
          tags: ['templates'],
          summary: 'The letter templates, one per language',
          params: campaignParams,
          response: responses(
            {
              200: z
                .object({
                  languages: z.array(z.string()).describe('The campaign’s languages'),
                  templates: z.array(templateOut.extend({ inUse: z.boolean().describe('false: kept for a language the campaign no longer has') })),
                  missing: z.array(z.string()).describe('Languages of the campaign without a template'),
                })
                .describe('The templates'),
            },
            [401, 404],
          ),
        },
      },
      async (req) => {
        const campaign = req.campaign!
        const saved = new Map(templatesOf(app.db, campaign.id).map((t) => [t.language, t]))
        return {
          languages: campaign.languages,
          templates: [...saved.values()].map((t) => ({ ...templateJson(t), inUse: campaign.languages.includes(t.language) })),
          missing: campaign.languages.filter((l) => !saved.has(l)),
        }
      },
    )

    scoped.get(
      '/campaigns/:id/templates/:language',
      {
        schema: {
          tags: ['templates'],
          summary: 'The letter template in one language',
          params: languageParams,
          response: responses({ 200: z.object({ template: templateOut }).describe('The template') }, [401, 404, 422]),
        },
      },
      async (req, reply) => {
        const template = templateFor(app.db, req.campaign!.id, (req.params as { language: string }).language)
        if (!template) return reply.callNotFound()
        return { template: templateJson(template) }
      },
    )

    scoped.put(
      '/campaigns/:id/templates/:language',
      {
        schema: {
          tags: ['templates'],
          summary: 'Save the letter template in one of the campaign’s languages',
          description: '422 names a language the campaign does not have (path ["language"]), an unknown placeholder or a template that does not compile (path ["subject"] or ["body"]).',
          params: languageParams,
          body: templateBody,
          response: responses({ 200: z.object({ template: templateOut }).describe('The template, saved') }, [400, 401, 404, 415, 422]),
        },
      },
      async (req) => {
        const input = parseBody(req, templateBody)
        // JSON errors are English unless the client chose a language (?lang=, Accept-Language).
        const template = saveTemplate(app.db, req.campaign!, (req.params as { language: string }).language, input, actorOf(req), app.clock(), req.langChosen ? req.lang : 'en')
        return { template: templateJson(template) }
      },
    )
  })
}
