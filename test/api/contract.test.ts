import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'
import os from 'node:os'
import { spawnSync } from 'node:child_process'
import { Validator as OpenApiValidator } from '@seriousme/openapi-schema-validator'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import { build } from '../helper.js'
import { addUser } from '../admin/helper.js'
import { createApiToken } from '../../src/admin/api.js'
import { addOfflineLetters } from '../../src/letters/offline-service.js'
import { rsvps, targets } from '../../src/db/schema/index.js'
import { DEMO_SLUG } from '../../src/demo/seed.js'
import {
  Findings,
  UNEXPECTED_METHODS,
  documentProblems,
  documentedResponse,
  firstExample,
  isJsonMedia,
  jsonBodyOf,
  makeAjv,
  mediaTypeOf,
  negativeParamValues,
  negativeVariants,
  operationsOf,
  positiveVariants,
  schemasOf,
  type Document,
  type Op,
  type Parameter,
  type Validator,
} from './contract-helpers.js'

/**
 * The API keeps its contract: every operation in /api/docs/json is called with a valid request built from
 * the document's own examples (and the boundary values its schemas allow), and with invalid ones that
 * break one stated rule each; every answer must be a documented status whose body fits the documented
 * schema (ajv, JSON Schema 2020-12 with formats). What Schemathesis's default checks would report is
 * reported here, grouped the same way (docs/api.md).
 */

interface Teardowns {
  fns: (() => unknown)[]
  teardown(fn: () => unknown): void
}
const teardowns = (): Teardowns => ({
  fns: [],
  teardown(fn) {
    this.fns.push(fn)
  },
})
async function runTeardowns(td: Teardowns) {
  for (const fn of td.fns.reverse()) await fn()
}

/** The demo with what the operations need: tokens, and one of each thing a path names. */
interface World {
  app: FastifyInstance
  td: Teardowns
  admin: string
  organizer: string
  /** An organizer of another campaign only: campaign 1 is not theirs. */
  stranger: string
  ids: { campaign: number; picket: number; target: number; person: number; update: number; report: number; rsvp: number }
}

const one = (app: FastifyInstance, sql: string, ...args: unknown[]) => (app.db.$client.prepare(sql).get(...args) as { id: number } | undefined)?.id

async function world(): Promise<World> {
  const td = teardowns()
  const app = await build(td)
  const now = app.clock()
  const campaign = one(app, 'select id from campaigns where slug = ?', DEMO_SLUG)!
  const admin = await addUser(app, 'admin@contract.test', 'admin')
  const organizer = await addUser(app, 'organizer@contract.test', 'organizer', [campaign])
  const stranger = await addUser(app, 'stranger@contract.test', 'organizer', [])
  const token = (id: number) => createApiToken(app.db, id, 'contract test', now).token
  const target = one(app, 'select id from targets where campaign_id = ? order by position, id', campaign)!
  const picket = one(app, 'select id from pickets where campaign_id = ? order by starts_at, id', campaign)!
  const person = one(app, 'select id from campaign_people where campaign_id = ? order by position, id', campaign)!
  const update = one(app, 'select id from updates where campaign_id = ? order by id', campaign)!
  // An offline report to read and delete, a confirmed RSVP to check in, an email change waiting for an admin.
  const yesterday = new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10)
  const { report } = addOfflineLetters(app.db, campaign, { count: 12, date: yesterday, group: 'Unite Leeds', country: 'GB', note: '' }, { id: admin.id, email: admin.email, ip: '127.0.0.1' }, now)
  const rsvp = app.db
    .insert(rsvps)
    .values({ picketId: picket, token: crypto.randomBytes(16).toString('hex'), name: 'Aigul Contract', email: 'aigul@example.org', emailNormalized: 'aigul@example.org', consent: true, status: 'going', createdAt: now, language: 'en' })
    .returning({ id: rsvps.id })
    .get().id
  app.db.$client.prepare('update pickets set going_count = going_count + 1 where id = ?').run(picket)
  app.db.update(targets).set({ pendingEmail: 'new-president@example.org', pendingEmailBy: organizer.id, pendingEmailAt: now }).where(eq(targets.id, target)).run()
  return { app, td, admin: token(admin.id), organizer: token(organizer.id), stranger: token(stranger.id), ids: { campaign, picket, target, person, update, report: report.id, rsvp } }
}

/** The value of a path parameter, by its name (and for `id`, what the path is about). */
function pathValue(w: World, name: string, route: string): string | undefined {
  switch (name) {
    case 'id':
      return String(/\/pickets\/\{id\}/.test(route) ? w.ids.picket : w.ids.campaign)
    case 'slug':
      return DEMO_SLUG
    case 'targetId':
      return String(w.ids.target)
    case 'personId':
      return String(w.ids.person)
    case 'updateId':
      return String(w.ids.update)
    case 'reportId':
      return String(w.ids.report)
    case 'rsvpId':
      return String(w.ids.rsvp)
    case 'language':
      return 'en'
    default:
      return undefined
  }
}
/** A value of the right shape that names nothing. */
const missingValue = (name: string) => (name === 'slug' ? 'no-such-campaign' : /id$/i.test(name) ? '999999' : undefined)

interface Request {
  label: string
  pathValues: Record<string, string>
  query: Record<string, string>
  headers: Record<string, string>
  payload?: string
}

type Expect = 'valid' | 'variant' | 'invalid' | number

function urlOf(route: string, values: Record<string, string>, query: Record<string, string>) {
  const p = route.replace(/\{([^}]+)\}/g, (_, n: string) => encodeURIComponent(values[n] ?? `{${n}}`))
  const qs = new URLSearchParams(query).toString()
  return qs ? `${p}?${qs}` : p
}

const snippet = (body: string) => (body.length > 240 ? `${body.slice(0, 240)}…` : body)

/**
 * Rules JSON Schema cannot state, which a variant the schema allows may still break, each said in the
 * operation's description: going live needs the campaign ready (an issue with a `code`), and an import's
 * `csv` must be a CSV file with its header (each line at most 20,000 bytes).
 */
function beyondSchema(o: Op, res: { statusCode: number; body: string }): boolean {
  if (res.statusCode !== 422) return false
  const issues = (JSON.parse(res.body) as { issues?: { path: (string | number)[]; code?: string }[] }).issues ?? []
  return issues.length > 0 && issues.every((i) => (i.path[0] === 'status' && typeof i.code === 'string') || (o.path.endsWith('/targets/import') && i.path[0] === 'csv'))
}

async function check(w: World, v: Validator, f: Findings, o: Op, req: Request, expect: Expect) {
  f.requests++
  const url = urlOf(o.path, req.pathValues, req.query)
  // Inside an operation's transaction each request is undone after it too, so a variant never meets
  // what the example before it wrote (a slug or an email already taken).
  const sqlite = w.app.db.$client
  const own = o.method !== 'get' && sqlite.inTransaction
  if (own) sqlite.exec('SAVEPOINT contract_request')
  const res = await w.app.inject({ method: o.method.toUpperCase() as 'GET', url, headers: req.headers, payload: req.payload })
  if (own && sqlite.inTransaction) sqlite.exec('ROLLBACK TO contract_request; RELEASE contract_request')
  const where = `${req.label}: ${o.method.toUpperCase()} ${url.length > 140 ? `${url.slice(0, 140)}…` : url}`
  const status = res.statusCode
  if (status >= 500) f.add('serverError', o.name, where, `${status} ${snippet(res.body)}`)
  const documented = documentedResponse(o.op, status)
  if (!documented) f.add('undocumentedStatus', o.name, where, `${status} not among ${Object.keys(o.op.responses ?? {}).join(', ') || 'none'}: ${snippet(res.body)}`)
  else if (documented.content && Object.keys(documented.content).length && res.body.length) {
    const type = mediaTypeOf(res.headers['content-type'])
    const media = documented.content[type] ?? Object.entries(documented.content).find(([k]) => k.endsWith('/*') && type.startsWith(k.slice(0, -1)))?.[1]
    if (!media) f.add('schemaMismatch', o.name, where, `${status}: content-type "${type}", documented ${Object.keys(documented.content).join(', ')}`)
    else if (isJsonMedia(type) && media.schema) {
      let body: unknown
      try {
        body = JSON.parse(res.body)
      } catch {
        f.add('schemaMismatch', o.name, where, `${status}: not JSON: ${snippet(res.body)}`)
      }
      if (body !== undefined) {
        try {
          const validate = v.compile(media.schema)
          if (!validate(body)) f.add('schemaMismatch', o.name, where, `${status}: ${snippet(v.errorsText(validate))}`)
        } catch {
          // A schema that does not compile is reported once, with the document.
        }
      }
    }
    for (const [name, h] of Object.entries(documented.headers ?? {})) if (h.required && res.headers[name.toLowerCase()] === undefined) f.add('schemaMismatch', o.name, where, `${status}: required header ${name} missing`)
  }
  if (status >= 500) return res
  const ok = status >= 200 && status < 300
  if (expect === 'valid' && !ok) f.add('validRejected', o.name, where, `${status} ${snippet(res.body)}`)
  else if (expect === 'variant' && !ok && status !== 409 && !beyondSchema(o, res)) f.add('validRejected', o.name, where, `${status} ${snippet(res.body)}`)
  else if (expect === 'invalid' && status < 400) f.add('invalidAccepted', o.name, where, `${status} ${snippet(res.body)}`)
  else if (typeof expect === 'number' && status !== expect) f.add(status < 400 ? 'invalidAccepted' : 'wrongError', o.name, where, `${status}, expected ${expect}: ${snippet(res.body)}`)
  return res
}

/** Calls one operation: the valid example, the variants the schema allows, then the invalid requests. */
async function exercise(w: World, v: Validator, f: Findings, o: Op) {
  const params = o.op.parameters ?? []
  const admin = o.path.startsWith('/api/admin')
  const auth = (token: string | undefined): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {})
  const headers = auth(admin ? w.admin : undefined)

  // The valid request, from the fixture table and the document's examples.
  const pathValues: Record<string, string> = {}
  for (const p of params.filter((p) => p.in === 'path')) {
    const value = pathValue(w, p.name, o.path) ?? firstExample(p as unknown as Record<string, unknown>, p.schema).value
    if (value === undefined) f.add('document', o.name, `path parameter ${p.name}`, 'no fixture and no example for it')
    else pathValues[p.name] = String(value)
  }
  const query: Record<string, string> = {}
  const queryParams = params.filter((p) => p.in === 'query')
  for (const p of queryParams) {
    const ex = firstExample(p as unknown as Record<string, unknown>, p.schema)
    if (ex.found && ex.value !== undefined) query[p.name] = String(ex.value)
    else if (p.required) f.add('document', o.name, `query parameter ${p.name}`, 'required, without an example')
  }
  const media = jsonBodyOf(o.op)
  let example: unknown
  let bodySchema = media?.schema
  if (o.op.requestBody) {
    const ex = firstExample(media as Record<string, unknown> | undefined, media?.schema)
    if (!ex.found) f.add('document', o.name, 'request body', 'the body schema has no example (`.meta({ examples: [...] })` on the body object)')
    else {
      example = ex.value
      if (bodySchema) {
        try {
          const validate = v.compile(bodySchema)
          if (!validate(example)) f.add('document', o.name, 'request body example', `does not fit its own schema: ${v.errorsText(validate)}`)
        } catch {
          bodySchema = undefined
        }
      }
    }
  }
  const json = (body: unknown) => (body === undefined ? {} : { headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(body) })
  const base = (label: string, extra: Partial<Request> = {}): Request => ({ label, pathValues, query, headers, ...json(example), ...extra })

  // A body without an example leaves only what needs no body: the token checks.
  const bodyless = o.op.requestBody !== undefined && example === undefined
  if (!bodyless) await check(w, v, f, o, base('the example'), 'valid')

  // Valid variants: what the schema allows beside the example.
  if (bodySchema && example !== undefined) {
    const validate = v.compile(bodySchema)
    for (const variant of positiveVariants(bodySchema, example)) {
      if (validate(variant.value)) await check(w, v, f, o, base(`valid body, ${variant.label}`, json(variant.value)), 'variant')
    }
  }
  for (const p of queryParams) {
    const values = (p.schema?.enum as unknown[] | undefined) ?? []
    for (const value of values.slice(0, 6)) if (String(value) !== query[p.name]) await check(w, v, f, o, base(`valid query ${p.name}=${String(value)}`, { query: { ...query, [p.name]: String(value) } }), 'variant')
  }

  // Invalid bodies, each breaking one rule the schema states (and only those the schema refuses).
  if (bodySchema && example !== undefined) {
    const validate = v.compile(bodySchema)
    const seen = new Set<string>()
    for (const variant of negativeVariants(bodySchema, example)) {
      const payload = JSON.stringify(variant.value ?? null)
      if (seen.has(payload) || validate(variant.value)) continue
      seen.add(payload)
      await check(w, v, f, o, base(`invalid body, ${variant.label}`, variant.value === undefined ? { headers } : json(variant.value)), 'invalid')
    }
  }
  if (o.op.requestBody) {
    const text = JSON.stringify(example ?? {})
    await check(w, v, f, o, base('a JSON body sent as text/plain', { headers: { ...headers, 'content-type': 'text/plain' }, payload: text }), 415)
    await check(w, v, f, o, base('malformed JSON', { headers: { ...headers, 'content-type': 'application/json' }, payload: '{"' }), 400)
    if (o.op.requestBody.required) await check(w, v, f, o, base('no body', { headers, payload: undefined }), 'invalid')
  }
  // Invalid query and path parameters.
  for (const p of queryParams) {
    for (const bad of negativeParamValues(p.schema ?? {})) await check(w, v, f, o, base(`query ${p.name}: ${bad.label}`, { query: { ...query, [p.name]: String(bad.value) } }), 'invalid')
  }
  for (const p of params.filter((p) => p.in === 'path')) {
    const bads = negativeParamValues(p.schema ?? {})
    if (/id$/i.test(p.name)) for (const c of ['0', 'abc']) if (!bads.some((b) => b.value === c)) bads.push({ label: `"${c}"`, value: c })
    for (const bad of bads) await check(w, v, f, o, base(`path ${p.name}: ${bad.label}`, { pathValues: { ...pathValues, [p.name]: String(bad.value) } }), 'invalid')
    const missing = missingValue(p.name)
    if (missing && !bodyless) await check(w, v, f, o, base(`path ${p.name}: ${missing} names nothing`, { pathValues: { ...pathValues, [p.name]: missing } }), 404)
  }
  // Tokens: none, a made-up one, an organizer's on admin-only operations, a stranger's on a campaign not theirs.
  if (admin) {
    const without = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'authorization'))
    const req = base('')
    await check(w, v, f, o, { ...req, label: 'no token', headers: without(req.headers) }, 401)
    await check(w, v, f, o, { ...req, label: 'an unknown token', headers: { ...req.headers, authorization: `Bearer oc_${'x'.repeat(43)}` } }, 401)
    if (bodyless) return
    if (o.op.responses?.['403']) await check(w, v, f, o, { ...req, label: 'an organizer’s token on an admin-only operation', headers: { ...req.headers, authorization: `Bearer ${w.organizer}` } }, 403)
    if (pathValues.id && !o.op.responses?.['403']) await check(w, v, f, o, { ...req, label: 'the token of an organizer of another campaign', headers: { ...req.headers, authorization: `Bearer ${w.stranger}` } }, 404)
  }
}

/** Methods a path does not document answer 405 with an Allow header (what Schemathesis's coverage phase tries). */
async function unsupportedMethods(w: World, f: Findings, doc: Document) {
  for (const [route, item] of Object.entries(doc.paths)) {
    const documented = Object.keys(item).map((m) => m.toLowerCase())
    const values: Record<string, string> = {}
    for (const n of [...route.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!)) values[n] = pathValue(w, n, route) ?? '1'
    for (const method of UNEXPECTED_METHODS) {
      if (documented.includes(method) || (method === 'options' && documented.length === 0)) continue
      f.requests++
      const url = urlOf(route, values, {})
      const res = await w.app.inject({ method: method.toUpperCase() as 'GET', url, headers: route.startsWith('/api/admin') ? { authorization: `Bearer ${w.admin}` } : {} })
      const name = `${method.toUpperCase()} ${route}`
      if (res.statusCode >= 500) f.add('serverError', name, `undocumented method: ${method.toUpperCase()} ${url}`, `${res.statusCode} ${snippet(res.body)}`)
      else if (res.statusCode !== 405 || !res.headers.allow) f.add('unsupportedMethod', name, `${method.toUpperCase()} ${url}`, `${res.statusCode}${res.headers.allow ? '' : ', no Allow header'}, expected 405 with Allow: ${documented.map((m) => m.toUpperCase()).join(', ')}`)
    }
  }
}

t.test('every documented operation keeps its contract', async (t) => {
  const started = performance.now()
  const shared = await world()
  t.teardown(() => runTeardowns(shared.td))
  const res = await shared.app.inject({ url: '/api/docs/json' })
  t.equal(res.statusCode, 200, '/api/docs/json answers')
  const doc = JSON.parse(res.body) as Document
  const v = makeAjv(doc)
  const f = new Findings()

  // The document itself: OpenAPI 3.1's structure, what each operation must state, and every schema compiles.
  for (const problem of documentProblems(doc)) f.add('document', problem.split(':')[0]!, 'the document', problem)
  for (const { where, schema } of schemasOf(doc)) {
    try {
      v.compile(schema)
    } catch (err) {
      f.add('document', where.split(' ').slice(0, 2).join(' '), where, `does not compile as JSON Schema 2020-12: ${(err as Error).message}`)
    }
  }

  // A kept OpenAPI 3.1 validator (the official JSON Schema of the specification), always; and Python's
  // openapi-spec-validator as a second opinion where the machine has it.
  const official = new OpenApiValidator()
  const checked = await official.validate(structuredClone(doc) as unknown as Record<string, unknown>)
  if (checked.valid) t.comment(`@seriousme/openapi-schema-validator: the document is valid OpenAPI ${official.version}`)
  else f.add('document', 'the document', '@seriousme/openapi-schema-validator', JSON.stringify(checked.errors).slice(0, 1500))
  const specFile = path.join(os.tmpdir(), `outcry-openapi-${process.pid}.json`)
  fs.writeFileSync(specFile, res.body)
  const spec = spawnSync('python3', ['-m', 'openapi_spec_validator', '--schema', '3.1', '--validation-errors', 'all', specFile], { encoding: 'utf8', timeout: 60_000 })
  fs.rmSync(specFile, { force: true })
  if (spec.status === 0) t.comment('openapi-spec-validator: the document is valid OpenAPI 3.1')
  else if (/No module named/.test(spec.stderr ?? '') || spec.error) t.comment('openapi-spec-validator is not installed here (checked by @seriousme/openapi-schema-validator and ajv)')
  else f.add('document', 'the document', 'openapi-spec-validator --schema 3.1', `${spec.stdout}${spec.stderr}`.trim().split('\n').slice(-12).join(' ⏎ ').slice(0, 1500))

  const ops = operationsOf(doc)
  t.ok(ops.length > 0, 'the document has operations')
  // Reads share the demo. Each change starts from it too, so none spoils another: by default its requests
  // run in a transaction rolled back after it (the app's own transactions nest as savepoints);
  // CONTRACT_ISOLATION=rebuild gives each its own app instead (slower, the same findings).
  const rebuild = process.env.CONTRACT_ISOLATION === 'rebuild'
  const order = (o: Op) => (o.method === 'get' ? 0 : o.method === 'delete' ? 2 : 1)
  for (const o of [...ops].sort((a, b) => order(a) - order(b))) {
    if (o.method === 'get') await exercise(shared, v, f, o)
    else if (rebuild) {
      const own = await world()
      try {
        await exercise(own, v, f, o)
      } finally {
        await runTeardowns(own.td)
      }
    } else {
      const sqlite = shared.app.db.$client
      sqlite.exec('BEGIN')
      try {
        await exercise(shared, v, f, o)
      } finally {
        if (sqlite.inTransaction) sqlite.exec('ROLLBACK')
        else f.add('document', o.name, 'isolation', 'its transaction ended before the rollback: run with CONTRACT_ISOLATION=rebuild')
      }
    }
  }
  await unsupportedMethods(shared, f, doc)

  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  for (const line of f.summary(ops.length)) t.comment(line)
  t.comment(`contract test took ${seconds} s`)
  const out = path.join('test-output', 'contract')
  fs.mkdirSync(out, { recursive: true })
  fs.writeFileSync(path.join(out, 'failures.json'), JSON.stringify({ operations: ops.length, requests: f.requests, seconds: Number(seconds), failures: f.list }, null, 2))
  t.same(
    f.list.map((x) => `${x.category}: ${x.operation} | ${x.request} | ${x.detail}`),
    [],
    'no contract failures (grouped above; all in test-output/contract/failures.json)',
  )
})

// The checks above can fail: each kind of breach, made on purpose, is caught.
t.test('the contract checks catch what they look for', async (t) => {
  const doc: Document = {
    openapi: '3.1.0',
    info: { title: 'x', version: '1' },
    paths: {
      '/api/admin/things/{id}': {
        get: { summary: 'One thing. 200 {"thing":{}}', responses: { 200: { description: 'ok' } } },
        post: { summary: 'Add', requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } }, responses: { 201: { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } } } },
      },
    },
  }
  const problems = documentProblems(doc).join('\n')
  t.match(problems, /GET \/api\/admin\/things\/\{id\}: no error response with the error schema/)
  t.match(problems, /path parameter \{id\} is not declared/)
  t.match(problems, /401 not documented/)
  t.match(problems, /success response 200 has no content schema/)
  t.match(problems, /the summary still spells out an answer/)
  t.match(problems, /POST \/api\/admin\/things\/\{id\}: 415 not documented/)
  t.match(documentProblems({ ...doc, openapi: '3.0.3' }).join('\n'), /not 3\.1\.x/)

  const schema = {
    type: 'object',
    required: ['count', 'name'],
    additionalProperties: false,
    properties: { count: { type: 'integer', minimum: 1, maximum: 10 }, name: { type: 'string', maxLength: 5 }, kind: { type: 'string', enum: ['a', 'b'] }, day: { type: 'string', format: 'date' } },
  }
  const example = { count: 2, name: 'ab', kind: 'a', day: '2026-12-16' }
  const v = makeAjv(doc)
  const validate = v.compile(schema)
  t.ok(validate(example), 'the example fits')
  const negatives = negativeVariants(schema, example)
  for (const n of negatives) t.notOk(validate(n.value), `refused: ${n.label}`)
  const labels = negatives.map((n) => n.label).join('\n')
  for (const want of ['count: required, missing', 'name: longer than 5', 'count: above 10', 'count: below 1', 'kind: a value outside the enum', 'day: not a date', 'body: an unknown property', 'count: a string for a number', 'name: a number for a string']) {
    t.ok(labels.includes(want), `a negative: ${want}`)
  }
  const positives = positiveVariants(schema, example)
  for (const p of positives) t.ok(validate(p.value), `allowed: ${p.label}`)
  t.ok(positives.some((p) => p.label === 'name: at its longest (5)'))
  t.ok(positives.some((p) => p.label === 'kind: optional, left out'))
  t.same(negativeParamValues({ type: 'string', enum: ['comma', 'semicolon'] }).map((x) => x.value), ['AAA'])
  t.ok(negativeParamValues({ type: 'string', pattern: '^[1-9][0-9]{0,9}$' }).some((x) => x.value === '0'))
  t.throws(() => v.compile({ type: 'strnig' }), 'a wrong schema does not compile')

  const f = new Findings()
  f.add('undocumentedStatus', 'GET /x', 'the example', '500')
  t.match(f.summary(1).join('\n'), /1 × undocumented status/)
})
