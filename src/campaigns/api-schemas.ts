import { z } from 'zod'
import { dateTime, idParam } from '../openapi.js'
import { language as languageCode } from '../validation.js'
import { SLUG_PATTERN } from './service.js'

// What the campaigns API (api.ts, email-changes.ts) and the public API take in their paths and answer, as zod schemas:
// the OpenAPI document is made from them (the handlers build the answers with campaignJson, targetJson…).

// ---------------------------------------------------------------------------- path parameters

/** A campaign's address in the public API (/api/campaigns/:slug…), as slugs are made. */
export const slugParams = z.object({
  slug: z.string().max(80).regex(SLUG_PATTERN, 'must be a campaign’s slug: lowercase letters, digits and single hyphens').describe('The campaign’s slug, as in its address').meta({ examples: ['zhanaozen'] }),
})

export const campaignParams = z.object({ id: idParam.describe('The campaign’s id') })
export const personParams = z.object({ id: idParam.describe('The campaign’s id'), personId: idParam.describe('The person’s id') })
export const targetParams = z.object({ id: idParam.describe('The campaign’s id'), targetId: idParam.describe('The official’s id') })
export const languageParams = z.object({ id: idParam.describe('The campaign’s id'), language: languageCode.describe('A language code such as en, ru, kk (one of the campaign’s `languages`)').meta({ examples: ['en'] }) })

// ---------------------------------------------------------------------------- answers

export const translationsOut = z.record(z.string(), z.record(z.string(), z.string())).describe('Texts in the campaign’s other languages, keyed by language: {"ru": {"title": "…"}}')

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

/** A person the campaign is for (personJson). */
export const personOut = z.object({
  id: z.int().positive(),
  name: z.string(),
  status: z.string().describe('Where they are now, in the campaign’s words: "in prison", "released"'),
  detail: z.string(),
  statusChangedOn: z.string().nullable().describe('The day the status last changed (YYYY-MM-DD), if known'),
  translations: translationsOut,
})

/** An official (targetJson). */
export const targetJsonOut = z.object({
  id: z.int().positive(),
  name: z.string(),
  title: z.string(),
  salutation: z.string().describe('How a letter greets them in the first language; "" for the usual greeting'),
  translations: translationsOut,
  organisation: z.string(),
  country: z.string().describe('ISO 3166-1 alpha-2'),
  email: z.string().describe('Where letters go now'),
  pendingEmail: z.string().nullable().describe('An address an organizer asked for, waiting for an admin'),
  pendingEmailAt: dateTime.nullable(),
  postalAddress: z.string(),
  language: z.string().describe('The language letters to them are written in'),
  lettersCount: z.int().nonnegative().describe('Letters to them that count'),
  delivery: z.enum(['each', 'digest', 'hand']),
  maxPerHour: z.int().positive(),
  sendHours: z.object({ from: z.int().min(0).max(23), to: z.int().min(1).max(24) }),
  timeZone: z.string().nullable().describe('null: the zone of their country'),
  timeZoneUsed: z.string().describe('The IANA zone their hours are kept in'),
  digestEvery: z.enum(['day', 'week']),
  digestHour: z.int().min(0).max(23),
  forCountries: z.array(z.string()),
  deliveryState: z.enum(['ok', 'bouncing']),
  bounceReason: z.string().nullable(),
  bouncedAt: dateTime.nullable(),
  createdAt: dateTime,
  updatedAt: dateTime,
})

/** An official with the letters still waiting for them, as most operations answer. */
export const targetOut = targetJsonOut.extend({ lettersWaiting: z.int().nonnegative().describe('Letters counted but not yet delivered to them') })

export const templateOut = z.object({ language: z.string(), subject: z.string(), body: z.string().describe('Handlebars: {{target.salutation}}, {{supporter.name}}, …'), updatedAt: dateTime })


/**
 * One complete valid request body, for the document (the contract test sends it). Zod leaves
 * `examples` out of the input schema of anything that transforms, so it goes as OpenAPI's media
 * examples (`x-examples`, which @fastify/swagger moves beside the schema).
 */
export const bodyExample = (value: unknown) => ({ 'x-examples': { valid: { summary: 'A valid request', value } } })
