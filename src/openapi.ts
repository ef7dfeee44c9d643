import type { FastifyRequest, FastifySchema, FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify'
import { z } from 'zod'
import { createJsonSchemaTransform } from 'fastify-type-provider-zod'
import { InputError, issuesOf } from './validation.js'

/**
 * The JSON APIs state themselves from the zod schemas that validate them: route schemas are zod
 * objects (params, querystring, body, response), fastify validates requests with them (our 422 with
 * field paths), and /api/docs/json is generated from the same objects (fastify-type-provider-zod).
 */

const isZod = (value: unknown): value is z.ZodType => value instanceof z.ZodType

/**
 * Validates a route's zod schemas; a failure is our InputError (422 with paths). A part still given
 * as a JSON schema is documentation only, as before (no route of ours relies on ajv).
 */
export const zodValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema }) => {
  if (!isZod(schema)) return () => true
  return (data: unknown) => {
    const parsed = schema.safeParse(data)
    return parsed.success ? { value: parsed.data } : { error: new InputError(issuesOf(parsed.error)) }
  }
}

/**
 * For routes with `attachValidation`: a failure of another part (params, query) answers 422 at once,
 * while `part` goes on as it came, to be judged by the service, which names every issue at once,
 * the rules that depend on the campaign among them.
 */
export function judgedByHandler(req: FastifyRequest, part: 'body' | 'querystring') {
  const err = req.validationError
  if (err && err.validationContext !== part) throw err
}

/** Responses are serialised as they are: the response schemas document, tests check them (test/api/contract.test.ts). */
export const jsonSerializerCompiler: FastifySerializerCompiler<unknown> = () => (data) => JSON.stringify(data)

const zodToJson = createJsonSchemaTransform({ skipList: [] })

type Transform = Parameters<typeof zodToJson>[0]

/**
 * The OpenAPI transform: only /api/… is documented (the pages are not an API); the organizers' API
 * needs a bearer token, the public one none. Zod parts become JSON Schema; a part already in JSON
 * Schema (a file's response, say) stays as written.
 */
export function openApiTransform(input: Transform) {
  const { schema, url } = input
  if (!url.startsWith('/api/') || url.startsWith('/api/docs')) return { schema: { ...(schema ?? {}), hide: true } as FastifySchema, url }
  const zodParts: Record<string, unknown> = {}
  const kept: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(schema ?? {})) {
    if (key === 'response' && value && typeof value === 'object') {
      const zodResponses: Record<string, unknown> = {}
      const jsonResponses: Record<string, unknown> = {}
      for (const [code, r] of Object.entries(value)) (isZod(r) ? zodResponses : jsonResponses)[code] = r
      zodParts.response = zodResponses
      kept.response = jsonResponses
    } else if (['params', 'querystring', 'body', 'headers'].includes(key) && isZod(value)) zodParts[key] = value
    else kept[key] = value
  }
  const converted = zodToJson({ ...input, schema: zodParts as FastifySchema }).schema as Record<string, unknown>
  // zod drops an object's `examples` from the input side when a field transforms ("examples apply to
  // the output of a pipe"); ours are written as requests, so they are put back.
  for (const part of ['body', 'querystring', 'params'] as const) {
    const meta = isZod(zodParts[part]) ? (z.globalRegistry.get(zodParts[part] as z.ZodType) as { examples?: unknown[] } | undefined) : undefined
    const json = converted[part] as Record<string, unknown> | undefined
    if (meta?.examples && json && !json.examples) json.examples = meta.examples
  }
  const response = { ...((converted.response as object) ?? {}), ...((kept.response as object) ?? {}) }
  const out: Record<string, unknown> = { ...kept, ...converted, response }
  // Every operation has responses; the public API needs no token.
  if (!url.startsWith('/api/admin')) out.security = []
  return { schema: out as FastifySchema, url }
}

/** Marks a route whose JSON body may be left out (@fastify/swagger states every body required). */
export const OPTIONAL_BODY = 'x-optional-body'

/** Spread into a route's schema whose body may be left out. */
export const optionalBody: object = { [OPTIONAL_BODY]: true }

/** The finished document: bodies marked optional say so. */
export function openApiDocument({ openapiObject }: { openapiObject: Partial<Record<string, unknown>> }) {
  const paths = (openapiObject.paths ?? {}) as Record<string, Record<string, Record<string, unknown>>>
  for (const operations of Object.values(paths)) {
    for (const op of Object.values(operations)) {
      if (!op || typeof op !== 'object' || !(OPTIONAL_BODY in op)) continue
      delete op[OPTIONAL_BODY]
      if (op.requestBody) (op.requestBody as { required?: boolean }).required = false
    }
  }
  return openapiObject
}

// ---------------------------------------------------------------------------- shared pieces

/** One error, as every JSON error answers: the message, and for 422 each field's issue by its path. */
export const errorSchema = z
  .object({
    error: z.string().describe('What went wrong, in the request’s language (`?lang=` or Accept-Language; English by default)'),
    issues: z
      .array(
        z.object({
          path: z.array(z.union([z.string(), z.number()])).describe('Where: the field’s path in the body, or the query or path parameter’s name'),
          message: z.string(),
          code: z.string().optional().describe('Which rule, where a field has several that depend on the state of things (going live: goal, official, templates, placeholders)'),
        }),
      )
      .optional()
      .describe('422 only: each wrong field'),
  })
  .loose()

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'The body is not valid JSON, or the request is malformed',
  401: 'No token, or an unknown, expired or revoked one (`Authorization: Bearer oc_…`)',
  403: 'The token’s user may not do this (admins only)',
  404: 'No such thing, or not one of the campaigns the token’s user runs',
  409: 'Not now: the state of the thing does not allow it (see `error`)',
  413: 'The body is too large',
  415: 'The body must be JSON (`Content-Type: application/json`)',
  422: 'A field breaks a rule: `issues` names each by its path',
  429: 'Too many requests: wait for `Retry-After` seconds',
}

export type ErrorCode = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429

/** The error responses an operation can give, each with the error schema and what it means. */
export function errorResponses(codes: readonly ErrorCode[]): Record<number, z.ZodType> {
  return Object.fromEntries(codes.map((code) => [code, errorSchema.describe(ERROR_DESCRIPTIONS[code])]))
}

/**
 * An operation's responses: its successes (zod schemas, described) and its errors. The organizers'
 * API adds 401 to every operation, and 400/415 to those with a JSON body.
 */
export function responses(success: Record<number, z.ZodType>, errors: readonly ErrorCode[]): Record<number, z.ZodType> {
  return { ...success, ...errorResponses(errors) }
}

/** A positive id in a path, as a string (handlers read it with parseId). */
export const idParam = z.string().regex(/^[1-9][0-9]{0,9}$/, 'must be a positive whole number').describe('A positive whole number').meta({ examples: ['1'] })

/** A moment as the API writes it (a Date serialised): ISO 8601 in UTC. */
export const dateTime = z.string().meta({ format: 'date-time', examples: ['2026-12-16T12:00:00.000Z'] })
