import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'

/**
 * The contract test's tools: the OpenAPI document read as data, a kept JSON Schema 2020-12 validator
 * (ajv + ajv-formats) for its schemas, and requests derived from them — valid ones from each schema's
 * first example (and boundary variants the schema allows), invalid ones that break one stated rule at a
 * time, as Schemathesis's positive and negative phases do.
 */

// ---------------------------------------------------------------------------- the document

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type Schema = Record<string, unknown>

export interface Parameter {
  name: string
  in: 'path' | 'query' | 'header' | 'cookie'
  required?: boolean
  schema?: Schema
  example?: unknown
  examples?: Record<string, { value?: unknown }>
}

export interface MediaType {
  schema?: Schema
  example?: unknown
  examples?: Record<string, { value?: unknown }>
}

export interface Response {
  description?: string
  content?: Record<string, MediaType>
  headers?: Record<string, { required?: boolean; schema?: Schema }>
}

export interface Operation {
  summary?: string
  description?: string
  tags?: string[]
  operationId?: string
  parameters?: Parameter[]
  requestBody?: { required?: boolean; content?: Record<string, MediaType> }
  responses?: Record<string, Response>
  security?: Record<string, string[]>[]
}

export interface Document {
  openapi: string
  info?: { title?: string; version?: string }
  paths: Record<string, Record<string, Operation>>
  components?: { schemas?: Record<string, Schema>; securitySchemes?: Record<string, unknown> }
  security?: Record<string, string[]>[]
  tags?: { name: string }[]
}

export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const
/** The methods Schemathesis's coverage phase tries where a path does not document them (its default). */
export const UNEXPECTED_METHODS = ['get', 'put', 'post', 'delete', 'options', 'patch', 'trace'] as const

export interface Op {
  method: string
  path: string
  op: Operation
  /** "GET /api/admin/campaigns/{id}" */
  name: string
}

/** Every operation in the document, paths × methods. */
export function operationsOf(doc: Document): Op[] {
  const ops: Op[] = []
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method]
      if (op) ops.push({ method, path, op, name: `${method.toUpperCase()} ${path}` })
    }
  }
  return ops
}

export const isJsonMedia = (type: string) => /^application\/(?:[\w.+-]+\+)?json$/i.test(type.trim())
export const mediaTypeOf = (header: unknown) => String(header ?? '').split(';')[0]!.trim().toLowerCase()

export function jsonBodyOf(op: Operation): MediaType | undefined {
  const content = op.requestBody?.content ?? {}
  const key = Object.keys(content).find(isJsonMedia)
  return key ? content[key] : undefined
}

/** The response documented for a status: exact, then 4XX-style ranges, then default. */
export function documentedResponse(op: Operation, status: number): Response | undefined {
  const r = op.responses ?? {}
  return r[String(status)] ?? r[`${String(status)[0]}XX`] ?? r[`${String(status)[0]}xx`] ?? r.default
}

/** The first example a schema, parameter or media type gives (OpenAPI's example/examples, JSON Schema's examples). */
export function firstExample(...holders: (Record<string, unknown> | undefined)[]): { found: boolean; value?: unknown } {
  for (const h of holders) {
    if (!h) continue
    if ('example' in h) return { found: true, value: h.example }
    const ex = h.examples
    if (Array.isArray(ex) && ex.length) return { found: true, value: ex[0] }
    if (ex && typeof ex === 'object' && !Array.isArray(ex)) {
      const first = Object.values(ex as Record<string, { value?: unknown }>)[0]
      if (first && 'value' in first) return { found: true, value: first.value }
    }
  }
  return { found: false }
}

// ---------------------------------------------------------------------------- validating

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020

/**
 * A JSON Schema 2020-12 validator for the document's schemas: every format checked (ajv-formats), the
 * keywords OpenAPI 3.1 adds to JSON Schema known, schemas checked against the 2020-12 meta-schema.
 */
export function makeAjv(doc: Document) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictTuples: false, strictRequired: false, allowUnionTypes: true, validateFormats: true })
  addFormats(ajv)
  // OpenAPI 3.1's own keywords in a Schema Object, and our components for $ref.
  ajv.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs', 'components'])
  const cache = new Map<Schema, ValidateFunction>()
  return {
    /** Compiles a schema of the document ($ref to #/components/… resolve); throws on an invalid schema. */
    compile(schema: Schema): ValidateFunction {
      let v = cache.get(schema)
      if (!v) {
        v = ajv.compile(doc.components && !('$id' in schema) ? { ...schema, components: doc.components } : schema)
        cache.set(schema, v)
      }
      return v
    },
    errorsText(v: ValidateFunction) {
      return ajv.errorsText(v.errors, { separator: '; ', dataVar: 'body' })
    },
  }
}

export type Validator = ReturnType<typeof makeAjv>

/** Walks a document collecting every schema in it, with where it is. */
export function schemasOf(doc: Document): { where: string; schema: Schema }[] {
  const out: { where: string; schema: Schema }[] = []
  for (const { name, op } of operationsOf(doc)) {
    for (const p of op.parameters ?? []) if (p.schema) out.push({ where: `${name} parameter ${p.in} ${p.name}`, schema: p.schema })
    for (const [type, m] of Object.entries(op.requestBody?.content ?? {})) if (m.schema) out.push({ where: `${name} request body ${type}`, schema: m.schema })
    for (const [code, r] of Object.entries(op.responses ?? {})) {
      for (const [type, m] of Object.entries(r.content ?? {})) if (m.schema) out.push({ where: `${name} response ${code} ${type}`, schema: m.schema })
      for (const [h, def] of Object.entries(r.headers ?? {})) if (def.schema) out.push({ where: `${name} response ${code} header ${h}`, schema: def.schema })
    }
  }
  for (const [key, s] of Object.entries(doc.components?.schemas ?? {})) out.push({ where: `components.schemas.${key}`, schema: s })
  return out
}

/**
 * What OpenAPI 3.1 asks of the document's structure (there is no kept OpenAPI 3.1 validator among our
 * packages; @seriousme/openapi-schema-validator would be one), and what our API promises of each operation.
 */
export function documentProblems(doc: Document): string[] {
  const problems: string[] = []
  if (!/^3\.1\.\d+$/.test(doc.openapi ?? '')) problems.push(`openapi is "${doc.openapi}", not 3.1.x`)
  if (!doc.info?.title || !doc.info?.version) problems.push('info.title and info.version are required')
  if (!doc.paths || typeof doc.paths !== 'object') problems.push('paths is missing')
  const schemes = Object.keys(doc.components?.securitySchemes ?? {})
  const tags = new Set((doc.tags ?? []).map((t) => t.name))
  const opIds = new Set<string>()
  for (const path of Object.keys(doc.paths ?? {})) if (!path.startsWith('/')) problems.push(`path "${path}" does not start with /`)
  for (const { name, path, op } of operationsOf(doc)) {
    const responses = Object.entries(op.responses ?? {})
    if (!responses.length) problems.push(`${name}: no responses`)
    for (const [code, r] of responses) {
      if (!/^(?:[1-5](?:\d\d|XX)|default)$/.test(code)) problems.push(`${name}: response key "${code}" is not a status code`)
      if (typeof r.description !== 'string') problems.push(`${name}: response ${code} has no description`)
    }
    const success = responses.filter(([c]) => /^2/.test(c))
    if (!success.length) problems.push(`${name}: no documented success (2xx) response`)
    for (const [code, r] of success) if (!r.content || !Object.values(r.content).some((m) => m.schema)) problems.push(`${name}: success response ${code} has no content schema`)
    const errors = responses.filter(([c]) => /^4/.test(c))
    if (!errors.some(([, r]) => Object.entries(r.content ?? {}).some(([t, m]) => isJsonMedia(t) && m.schema))) problems.push(`${name}: no error response with the error schema`)
    for (const [code, r] of errors) if (!Object.entries(r.content ?? {}).some(([t, m]) => isJsonMedia(t) && m.schema)) problems.push(`${name}: error response ${code} has no JSON schema`)
    const codes = new Set(responses.map(([c]) => c))
    const need = (code: string, why: string) => {
      if (!codes.has(code)) problems.push(`${name}: ${code} not documented (${why})`)
    }
    if (path.startsWith('/api/admin')) need('401', 'every /api/admin operation needs a token')
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!)
    const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path')
    for (const n of templated) if (!pathParams.some((p) => p.name === n)) problems.push(`${name}: path parameter {${n}} is not declared`)
    for (const p of pathParams) {
      if (!templated.includes(p.name)) problems.push(`${name}: path parameter ${p.name} is not in the path`)
      if (p.required !== true) problems.push(`${name}: path parameter ${p.name} must be required: true`)
    }
    for (const p of op.parameters ?? []) {
      if (!p.name || !['path', 'query', 'header', 'cookie'].includes(p.in)) problems.push(`${name}: a parameter without a name or a valid "in"`)
      if (!p.schema) problems.push(`${name}: parameter ${p.name} has no schema`)
    }
    if (templated.length) {
      need('404', 'it names a thing by id or slug')
      // A malformed id is refused: 422 by the schema, or 404 where the scope looks it up first.
      if (!codes.has('422') && !codes.has('404')) need('422', 'its path parameters are validated')
    }
    if ((op.parameters ?? []).some((p) => p.in === 'query')) need('422', 'its query parameters are validated')
    if (op.requestBody) {
      if (!jsonBodyOf(op)?.schema) problems.push(`${name}: request body without an application/json schema`)
      need('400', 'a JSON body can be malformed')
      need('415', 'a JSON body can come in another content type')
      need('422', 'its body is validated')
    }
    if (!op.summary) problems.push(`${name}: no summary`)
    else if (/\b[1-5]\d\d\s*[{"]/.test(op.summary)) problems.push(`${name}: the summary still spells out an answer ("${op.summary.slice(0, 60)}…"); the responses say it`)
    for (const tag of op.tags ?? []) if (!tags.has(tag)) problems.push(`${name}: tag "${tag}" is not among the document's tags`)
    if (op.operationId) {
      if (opIds.has(op.operationId)) problems.push(`${name}: operationId ${op.operationId} is not unique`)
      opIds.add(op.operationId)
    }
    for (const req of op.security ?? doc.security ?? []) for (const s of Object.keys(req)) if (!schemes.includes(s)) problems.push(`${name}: security scheme "${s}" is not declared`)
  }
  return problems
}

// ---------------------------------------------------------------------------- deriving requests

/** A schema as one branch: the non-null branch of anyOf/oneOf that fits the value, else itself. */
export function branchFor(schema: Schema, value: unknown): Schema {
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = schema[key] as Schema[] | undefined
    if (!Array.isArray(branches)) continue
    const fits = branches.find((b) => b.type !== 'null' && typeFits(b, value))
    if (fits) return branchFor(fits, value)
  }
  return schema
}

const jsType = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v)

function typesOf(schema: Schema): string[] {
  const t = schema.type
  if (Array.isArray(t)) return t as string[]
  if (typeof t === 'string') return [t]
  if (schema.properties) return ['object']
  if (schema.items) return ['array']
  return []
}

function typeFits(schema: Schema, value: unknown) {
  const types = typesOf(schema)
  if (!types.length) return true
  const t = jsType(value)
  return types.includes(t) || (t === 'integer' && types.includes('number'))
}

/** A string no pattern candidate below matches, or undefined. */
function notMatching(pattern: string): string | undefined {
  const re = new RegExp(pattern, 'u')
  return ['!!', '', ' ', 'not valid', 'AAA', '0', '-1', 'a'.repeat(300), '<x>'].find((c) => !re.test(c))
}

export interface Variant {
  label: string
  value: unknown
}

const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v))

function setAt(root: unknown, path: (string | number)[], value: unknown, remove = false): unknown {
  if (!path.length) return value
  const copy = clone(root) as Record<string | number, unknown>
  let cur = copy
  for (const key of path.slice(0, -1)) cur = cur[key] as Record<string | number, unknown>
  const last = path[path.length - 1]!
  if (remove) delete cur[last]
  else cur[last] = value
  return copy
}

const show = (path: (string | number)[]) => (path.length ? path.join('.') : 'body')

/**
 * Values that break one rule the schema states, each at one place of the example: a required property
 * missing, the wrong type, past a length or a bound, outside an enum, against a pattern or a format, an
 * unknown property where none may be. The caller keeps only those the schema itself refuses.
 */
export function negativeVariants(schema: Schema, example: unknown, path: (string | number)[] = [], root: unknown = example, depth = 0): Variant[] {
  const out: Variant[] = []
  const s = branchFor(schema, example)
  const at = (label: string, value: unknown) => out.push({ label: `${show(path)}: ${label}`, value: setAt(root, path, value) })
  const types = typesOf(s)
  const value = example
  if (Array.isArray(s.enum)) at('a value outside the enum', 'nope-not-in-enum')
  if (types.includes('object') && value && typeof value === 'object' && !Array.isArray(value)) {
    at('not an object', depth === 0 ? [] : 'x')
    const props = (s.properties ?? {}) as Record<string, Schema>
    for (const key of (s.required as string[] | undefined) ?? []) {
      if (key in value) out.push({ label: `${show([...path, key])}: required, missing`, value: setAt(root, [...path, key], undefined, true) })
    }
    if (s.additionalProperties === false) at('an unknown property', { ...(value as object), zzUnknownProperty: 1 })
    if (depth < 4) for (const [key, child] of Object.entries(props)) if (key in value) out.push(...negativeVariants(child, (value as Record<string, unknown>)[key], [...path, key], root, depth + 1))
  } else if (types.includes('array') && Array.isArray(value)) {
    at('not an array', 'x')
    if (typeof s.minItems === 'number' && s.minItems > 0) at(`fewer than ${s.minItems} items`, value.slice(0, s.minItems - 1))
    if (typeof s.maxItems === 'number' && value.length) at(`more than ${s.maxItems} items`, Array.from({ length: s.maxItems + 1 }, () => clone(value[0])))
    if (s.items && typeof s.items === 'object' && value.length && depth < 4) out.push(...negativeVariants(s.items as Schema, value[0], [...path, 0], root, depth + 1))
  } else if (typeof value === 'string') {
    at('a number for a string', 12345)
    if (typeof s.maxLength === 'number') at(`longer than ${s.maxLength}`, 'x'.repeat(s.maxLength + 1))
    if (typeof s.minLength === 'number' && s.minLength > 0) at(`shorter than ${s.minLength}`, 'x'.repeat(s.minLength - 1))
    if (typeof s.pattern === 'string') {
      const bad = notMatching(s.pattern)
      if (bad !== undefined) at(`not matching ${s.pattern}`, bad)
    }
    if (typeof s.format === 'string') at(`not a ${s.format}`, `not-a-${s.format}`)
  } else if (typeof value === 'number') {
    at('a string for a number', 'abc')
    if (types.includes('integer') && !types.includes('number')) at('not a whole number', value + 0.5)
    if (typeof s.minimum === 'number') at(`below ${s.minimum}`, s.minimum - 1)
    if (typeof s.exclusiveMinimum === 'number') at(`not above ${s.exclusiveMinimum}`, s.exclusiveMinimum)
    if (typeof s.maximum === 'number' && s.maximum < Number.MAX_SAFE_INTEGER) at(`above ${s.maximum}`, s.maximum + 1)
    if (typeof s.exclusiveMaximum === 'number') at(`not below ${s.exclusiveMaximum}`, s.exclusiveMaximum)
  } else if (typeof value === 'boolean') {
    at('a string for a boolean', 'yes')
  }
  return out
}

/**
 * Requests the schema allows beside the example, as Schemathesis's coverage phase makes them: each
 * optional property left out, strings at their longest (where no pattern, format or enum narrows them),
 * numbers at their bounds. The caller keeps only those the schema itself accepts.
 */
export function positiveVariants(schema: Schema, example: unknown): Variant[] {
  const out: Variant[] = []
  const s = branchFor(schema, example)
  if (!example || typeof example !== 'object' || Array.isArray(example)) return out
  const required = new Set((s.required as string[] | undefined) ?? [])
  const props = (s.properties ?? {}) as Record<string, Schema>
  for (const key of Object.keys(example)) {
    if (!required.has(key)) out.push({ label: `${key}: optional, left out`, value: setAt(example, [key], undefined, true) })
    const child = props[key] ? branchFor(props[key]!, (example as Record<string, unknown>)[key]) : undefined
    if (!child) continue
    const v = (example as Record<string, unknown>)[key]
    if (typeof v === 'string' && typeof child.maxLength === 'number' && child.maxLength <= 300_000 && !child.pattern && !child.format && !child.enum) {
      out.push({ label: `${key}: at its longest (${child.maxLength})`, value: setAt(example, [key], 'x'.repeat(child.maxLength)) })
    }
    if (typeof v === 'number') {
      if (typeof child.minimum === 'number') out.push({ label: `${key}: at its minimum (${child.minimum})`, value: setAt(example, [key], child.minimum) })
      if (typeof child.maximum === 'number' && child.maximum < Number.MAX_SAFE_INTEGER) out.push({ label: `${key}: at its maximum (${child.maximum})`, value: setAt(example, [key], child.maximum) })
    }
    if (Array.isArray(child.enum)) for (const e of child.enum.slice(0, 6)) if (e !== v) out.push({ label: `${key}: ${JSON.stringify(e)}`, value: setAt(example, [key], e) })
  }
  return out
}

/** Invalid values for one query or path parameter, from its schema. */
export function negativeParamValues(schema: Schema): Variant[] {
  const s = branchFor(schema, 'x')
  const types = typesOf(s)
  const out: Variant[] = []
  if (Array.isArray(s.enum)) out.push({ label: 'a value outside the enum', value: 'AAA' })
  if (types.includes('integer') || types.includes('number')) out.push({ label: 'not a number', value: 'abc' })
  if (types.includes('boolean')) out.push({ label: 'not a boolean', value: 'maybe' })
  if (typeof s.pattern === 'string') {
    const re = new RegExp(s.pattern, 'u')
    for (const c of ['0', 'abc', '-1', '1.5']) if (!re.test(c)) out.push({ label: `"${c}" not matching ${s.pattern}`, value: c })
  }
  if (typeof s.format === 'string' && !s.enum) out.push({ label: `not a ${s.format}`, value: `not-a-${s.format}` })
  if (typeof s.maxLength === 'number') out.push({ label: `longer than ${s.maxLength}`, value: 'x'.repeat(s.maxLength + 1) })
  if (typeof s.minimum === 'number') out.push({ label: `below ${s.minimum}`, value: String(s.minimum - 1) })
  if (typeof s.maximum === 'number' && s.maximum < Number.MAX_SAFE_INTEGER) out.push({ label: `above ${s.maximum}`, value: String(s.maximum + 1) })
  return out
}

// ---------------------------------------------------------------------------- findings

/** The failure groups, named as Schemathesis names its checks where one fits. */
export const CATEGORIES = {
  document: 'the document (structure, schemas, examples, what each operation must state)',
  undocumentedStatus: 'undocumented status (status_code_conformance)',
  schemaMismatch: 'response not matching its schema or content type (response_schema_conformance, content_type_conformance, response_headers_conformance)',
  validRejected: 'valid request rejected (positive_data_acceptance)',
  invalidAccepted: 'invalid request accepted (negative_data_rejection, ignored_auth)',
  wrongError: 'invalid request refused with another code than the one it calls for (401, 403, 404, 415)',
  serverError: 'server error (not_a_server_error)',
  unsupportedMethod: 'undocumented method not answered 405 with Allow (unsupported_method)',
} as const

export type Category = keyof typeof CATEGORIES

export interface Finding {
  category: Category
  operation: string
  request: string
  detail: string
}

export class Findings {
  list: Finding[] = []
  requests = 0
  add(category: Category, operation: string, request: string, detail: string) {
    this.list.push({ category, operation, request, detail })
  }
  /** Summary lines: totals, then per group the count, the operations, and the first few findings. */
  summary(operations: number, detailsPerGroup = 8): string[] {
    const lines = [`${operations} operations, ${this.requests} requests, ${this.list.length} failures`]
    for (const [key, label] of Object.entries(CATEGORIES) as [Category, string][]) {
      const items = this.list.filter((f) => f.category === key)
      if (!items.length) continue
      const ops = new Set(items.map((f) => f.operation))
      lines.push(`${items.length} × ${label} — ${ops.size} operation(s)`)
      for (const f of items.slice(0, detailsPerGroup)) lines.push(`    ${f.operation} | ${f.request} | ${f.detail}`)
      if (items.length > detailsPerGroup) lines.push(`    … and ${items.length - detailsPerGroup} more (test-output/contract/failures.json)`)
    }
    return lines
  }
}
