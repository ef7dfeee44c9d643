// The campaigns, officials, templates, email changes, /me, offline letters, hand delivery and public
// campaign and letter operations (issue 15): each answers a valid request with the success code its
// document states, a wrong one with 422 naming the field, and lists every error code it can give.
import t, { type Test } from 'tap'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import type { FastifyInstance } from 'fastify'
import type { Response } from 'light-my-request'
import { eq } from 'drizzle-orm'
import { build } from '../helper.js'
import { addUser } from '../admin/helper.js'
import { createApiToken } from '../../src/admin/api.js'
import { targets } from '../../src/db/schema/index.js'

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
interface Operation {
  requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }>; example?: unknown }> }
  parameters?: { name: string; in: string; example?: unknown; schema?: { examples?: unknown[] } }[]
  responses: Record<string, { content?: Record<string, { schema: object }> }>
}
type Doc = { paths: Record<string, Record<string, Operation>> }

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020

/** Every operation of this area, with the codes it must document (the success first). */
const OPERATIONS: [Method, string, number[]][] = [
  ['GET', '/api/admin/me', [200, 401]],
  ['GET', '/api/admin/campaigns', [200, 401]],
  ['POST', '/api/admin/campaigns', [201, 400, 401, 403, 415, 422]],
  ['GET', '/api/admin/campaigns/{id}', [200, 401, 404]],
  ['PATCH', '/api/admin/campaigns/{id}', [200, 400, 401, 404, 415, 422]],
  ['POST', '/api/admin/campaigns/{id}/people', [201, 400, 401, 404, 415, 422]],
  ['PUT', '/api/admin/campaigns/{id}/people/{personId}', [200, 400, 401, 404, 415, 422]],
  ['GET', '/api/admin/campaigns/{id}/targets', [200, 401, 404]],
  ['POST', '/api/admin/campaigns/{id}/targets', [201, 400, 401, 404, 415, 422]],
  ['POST', '/api/admin/campaigns/{id}/targets/import', [200, 202, 400, 401, 404, 415, 422]],
  ['GET', '/api/admin/campaigns/{id}/targets/{targetId}', [200, 401, 404, 422]],
  ['PUT', '/api/admin/campaigns/{id}/targets/{targetId}', [200, 202, 400, 401, 404, 415, 422]],
  ['GET', '/api/admin/campaigns/{id}/templates', [200, 401, 404]],
  ['GET', '/api/admin/campaigns/{id}/templates/{language}', [200, 401, 404, 422]],
  ['PUT', '/api/admin/campaigns/{id}/templates/{language}', [200, 400, 401, 404, 415, 422]],
  ['GET', '/api/admin/email-changes', [200, 401, 403]],
  ['POST', '/api/admin/campaigns/{id}/targets/{targetId}/email/approve', [200, 401, 403, 404, 422]],
  ['POST', '/api/admin/campaigns/{id}/targets/{targetId}/email/reject', [200, 401, 403, 404, 422]],
  ['POST', '/api/admin/campaigns/{id}/offline-letters', [201, 400, 401, 404, 415, 422]],
  ['GET', '/api/admin/campaigns/{id}/offline-letters', [200, 401, 404]],
  ['DELETE', '/api/admin/campaigns/{id}/offline-letters/{reportId}', [200, 401, 404, 422]],
  ['GET', '/api/admin/campaigns/{id}/targets/{targetId}/dossier.pdf', [200, 401, 404, 422]],
  ['GET', '/api/admin/campaigns/{id}/targets/{targetId}/hand-delivery', [200, 401, 404, 422]],
  ['POST', '/api/admin/campaigns/{id}/targets/{targetId}/hand-delivered', [200, 400, 401, 404, 415, 422]],
  ['GET', '/api/campaigns/{slug}', [200, 404, 422]],
  ['GET', '/api/campaigns/{slug}/tally', [200, 404]],
  ['POST', '/api/campaigns/{slug}/letters', [201, 400, 404, 409, 413, 415, 422, 429]],
]

async function setup(t: Test) {
  const app = await build(t)
  const admin = await addUser(app, 'admin@example.org', 'admin')
  const organizer = await addUser(app, 'organizer@example.org', 'organizer', [1])
  const doc = (await app.inject('/api/docs/json')).json() as Doc
  const tokens = { admin: createApiToken(app.db, admin.id, 'schemas', app.clock()).token, organizer: createApiToken(app.db, organizer.id, 'schemas', app.clock()).token }
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }))
  return { app, doc, tokens, ajv }
}

type Ctx = Awaited<ReturnType<typeof setup>>

function call(ctx: Ctx, method: Method, url: string, payload?: unknown, who: 'admin' | 'organizer' | 'nobody' = 'admin'): Promise<Response> {
  const headers: Record<string, string> = who === 'nobody' ? {} : { authorization: `Bearer ${ctx.tokens[who]}` }
  if (payload !== undefined) headers['content-type'] = 'application/json'
  return ctx.app.inject({ method, url, headers, payload: payload === undefined ? undefined : JSON.stringify(payload) })
}

/** The answer is the status expected, documented for this operation, and (for JSON) matches its schema. */
function answers(t: Test, ctx: Ctx, method: Method, path: string, res: Response, status: number, label: string) {
  t.equal(res.statusCode, status, `${method} ${path}: ${label} → ${status} (${res.body.slice(0, 300)})`)
  const documented = ctx.doc.paths[path]?.[method.toLowerCase()]?.responses[String(status)]
  t.ok(documented, `${method} ${path}: ${status} is documented`)
  const schema = documented?.content?.['application/json']?.schema
  if (schema && String(res.headers['content-type']).startsWith('application/json')) {
    const validate = ctx.ajv.compile(schema)
    t.ok(validate(res.json()), `${method} ${path} ${status}: the answer matches its schema ${ctx.ajv.errorsText(validate.errors)}`)
  }
}

/** A 422 naming the field ('' for the body itself). */
function refuses(t: Test, ctx: Ctx, method: Method, path: string, res: Response, field: string | number, label: string) {
  answers(t, ctx, method, path, res, 422, label)
  const issues = (res.json().issues ?? []) as { path: (string | number)[] }[]
  t.ok(issues.some((i) => (field === '' ? i.path.length === 0 : i.path[0] === field)), `${method} ${path}: ${label} names ${field} (${JSON.stringify(issues)})`)
}

/** The example the document gives for an operation's body. */
function bodyExample(ctx: Ctx, method: Method, path: string): Record<string, unknown> {
  const media = ctx.doc.paths[path]![method.toLowerCase()]!.requestBody!.content['application/json']!
  const value = media.example ?? Object.values(media.examples ?? {})[0]?.value
  if (!value || typeof value !== 'object') throw new Error(`no example for ${method} ${path}`)
  return value as Record<string, unknown>
}

t.test('every operation documents its success and the errors it can give, bodies their example', async (t) => {
  const ctx = await setup(t)
  for (const [method, path, codes] of OPERATIONS) {
    const op = ctx.doc.paths[path]?.[method.toLowerCase()]
    if (!t.ok(op, `${method} ${path} is documented`)) continue
    t.same(Object.keys(op!.responses).map(Number).sort((a, b) => a - b), [...codes].sort((a, b) => a - b), `${method} ${path}: responses ${codes.join(', ')}`)
    t.notOk('default' in op!.responses, `${method} ${path}: no "Default Response"`)
    const success = op!.responses[String(codes[0])]!
    t.ok(success.content && Object.keys(success.content).length > 0, `${method} ${path}: ${codes[0]} states what it answers`)
    for (const code of codes.filter((c) => c >= 400)) t.ok(op!.responses[String(code)]!.content?.['application/json'], `${method} ${path}: ${code} has the error schema`)
    if (op!.requestBody) t.doesNotThrow(() => bodyExample(ctx, method, path), `${method} ${path}: the body has an example`)
    for (const p of op!.parameters ?? []) if (p.in === 'path') t.ok(p.example !== undefined || p.schema?.examples?.length, `${method} ${path}: :${p.name} has an example`)
  }
  // The public operations are under their own tag and need no token.
  for (const [method, path] of OPERATIONS.filter(([, p]) => !p.startsWith('/api/admin'))) {
    const op = ctx.doc.paths[path]![method.toLowerCase()] as unknown as { tags: string[]; security: unknown[] }
    t.same(op.tags, ['public'], `${method} ${path}: tagged public`)
    t.same(op.security, [], `${method} ${path}: no token`)
  }
})

t.test('the account, campaigns and people', async (t) => {
  const ctx = await setup(t)
  answers(t, ctx, 'GET', '/api/admin/me', await call(ctx, 'GET', '/api/admin/me'), 200, 'the token’s user')
  answers(t, ctx, 'GET', '/api/admin/me', await call(ctx, 'GET', '/api/admin/me', undefined, 'nobody'), 401, 'no token')
  answers(t, ctx, 'GET', '/api/admin/campaigns', await call(ctx, 'GET', '/api/admin/campaigns'), 200, 'the list')

  const create = '/api/admin/campaigns'
  answers(t, ctx, 'POST', create, await call(ctx, 'POST', create, bodyExample(ctx, 'POST', create)), 201, 'the example')
  answers(t, ctx, 'POST', create, await call(ctx, 'POST', create, bodyExample(ctx, 'POST', create), 'organizer'), 403, 'an organizer')
  refuses(t, ctx, 'POST', create, await call(ctx, 'POST', create, { ...bodyExample(ctx, 'POST', create), slug: 'other-one', goal: 'many' }), 'goal', 'a goal that is no number')
  answers(t, ctx, 'POST', create, await ctx.app.inject({ method: 'POST', url: create, headers: { authorization: `Bearer ${ctx.tokens.admin}`, 'content-type': 'text/plain' }, payload: 'x' }), 415, 'not JSON')
  answers(t, ctx, 'POST', create, await ctx.app.inject({ method: 'POST', url: create, headers: { authorization: `Bearer ${ctx.tokens.admin}`, 'content-type': 'application/json' }, payload: '{"slug":' }), 400, 'broken JSON')

  const one = '/api/admin/campaigns/{id}'
  answers(t, ctx, 'GET', one, await call(ctx, 'GET', '/api/admin/campaigns/1'), 200, 'the campaign')
  answers(t, ctx, 'GET', one, await call(ctx, 'GET', '/api/admin/campaigns/999'), 404, 'no such campaign')
  answers(t, ctx, 'PATCH', one, await call(ctx, 'PATCH', '/api/admin/campaigns/1', bodyExample(ctx, 'PATCH', one)), 200, 'the example')
  refuses(t, ctx, 'PATCH', one, await call(ctx, 'PATCH', '/api/admin/campaigns/1', { status: 'archived' }), 'status', 'an unknown status')
  // The campaign is judged before the body: not theirs is a 404 whatever they send.
  answers(t, ctx, 'PATCH', one, await call(ctx, 'PATCH', '/api/admin/campaigns/999', { status: 'archived' }), 404, 'a wrong body for no such campaign')

  const people = '/api/admin/campaigns/{id}/people'
  answers(t, ctx, 'POST', people, await call(ctx, 'POST', '/api/admin/campaigns/1/people', bodyExample(ctx, 'POST', people)), 201, 'the example')
  refuses(t, ctx, 'POST', people, await call(ctx, 'POST', '/api/admin/campaigns/1/people', { name: '', status: 'jailed' }), 'name', 'no name')
  const person = '/api/admin/campaigns/{id}/people/{personId}'
  answers(t, ctx, 'PUT', person, await call(ctx, 'PUT', '/api/admin/campaigns/1/people/1', bodyExample(ctx, 'PUT', person)), 200, 'the example')
  refuses(t, ctx, 'PUT', person, await call(ctx, 'PUT', '/api/admin/campaigns/1/people/abc', bodyExample(ctx, 'PUT', person)), 'personId', 'a person id that is no number')
  refuses(t, ctx, 'PUT', person, await call(ctx, 'PUT', '/api/admin/campaigns/1/people/1', { name: 'Roza', status: 'free', statusChangedOn: '2026-02-30' }), 'statusChangedOn', 'a day that does not exist')
  answers(t, ctx, 'PUT', person, await call(ctx, 'PUT', '/api/admin/campaigns/1/people/999', bodyExample(ctx, 'PUT', person)), 404, 'no such person')
})

t.test('officials, the CSV import and templates', async (t) => {
  const ctx = await setup(t)
  const list = '/api/admin/campaigns/{id}/targets'
  answers(t, ctx, 'GET', list, await call(ctx, 'GET', '/api/admin/campaigns/1/targets'), 200, 'the officials')
  answers(t, ctx, 'POST', list, await call(ctx, 'POST', '/api/admin/campaigns/1/targets', bodyExample(ctx, 'POST', list)), 201, 'the example')
  refuses(t, ctx, 'POST', list, await call(ctx, 'POST', '/api/admin/campaigns/1/targets', { ...bodyExample(ctx, 'POST', list), email: 'not an address' }), 'email', 'a wrong email')
  refuses(t, ctx, 'POST', list, await call(ctx, 'POST', '/api/admin/campaigns/1/targets', { ...bodyExample(ctx, 'POST', list), email: 'x@example.org', delivery: 'pigeon' }), 'delivery', 'an unknown delivery')

  const csv = '/api/admin/campaigns/{id}/targets/import'
  answers(t, ctx, 'POST', csv, await call(ctx, 'POST', '/api/admin/campaigns/1/targets/import', bodyExample(ctx, 'POST', csv)), 200, 'the example')
  refuses(t, ctx, 'POST', csv, await call(ctx, 'POST', '/api/admin/campaigns/1/targets/import', { csv: 5 }), 'csv', 'no text')
  // An organizer's new address for a known official waits for an admin: 202.
  const held = await call(ctx, 'POST', '/api/admin/campaigns/1/targets/import', { csv: 'id,name,country,email\n2,Askhat Daulbayev,KZ,new-prosecutor@example.org\n' }, 'organizer')
  answers(t, ctx, 'POST', csv, held, 202, 'a new address from an organizer')

  const target = '/api/admin/campaigns/{id}/targets/{targetId}'
  answers(t, ctx, 'GET', target, await call(ctx, 'GET', '/api/admin/campaigns/1/targets/1'), 200, 'one official')
  refuses(t, ctx, 'GET', target, await call(ctx, 'GET', '/api/admin/campaigns/1/targets/abc'), 'targetId', 'an id that is no number')
  answers(t, ctx, 'GET', target, await call(ctx, 'GET', '/api/admin/campaigns/1/targets/999'), 404, 'no such official')
  answers(t, ctx, 'PUT', target, await call(ctx, 'PUT', '/api/admin/campaigns/1/targets/1', bodyExample(ctx, 'PUT', target)), 200, 'the example')
  answers(t, ctx, 'PUT', target, await call(ctx, 'PUT', '/api/admin/campaigns/1/targets/1', { ...bodyExample(ctx, 'PUT', target), email: 'akorda@example.org' }, 'organizer'), 202, 'a new address from an organizer')
  refuses(t, ctx, 'PUT', target, await call(ctx, 'PUT', '/api/admin/campaigns/1/targets/1', { ...bodyExample(ctx, 'PUT', target), sendHours: { from: 8, to: 25 } }), 'sendHours', 'an hour past midnight')

  const templates = '/api/admin/campaigns/{id}/templates'
  answers(t, ctx, 'GET', templates, await call(ctx, 'GET', '/api/admin/campaigns/1/templates'), 200, 'the templates')
  const template = '/api/admin/campaigns/{id}/templates/{language}'
  answers(t, ctx, 'GET', template, await call(ctx, 'GET', '/api/admin/campaigns/1/templates/en'), 200, 'one template')
  answers(t, ctx, 'GET', template, await call(ctx, 'GET', '/api/admin/campaigns/1/templates/fr'), 404, 'a language without one')
  refuses(t, ctx, 'GET', template, await call(ctx, 'GET', '/api/admin/campaigns/1/templates/EN!'), 'language', 'no language code')
  answers(t, ctx, 'PUT', template, await call(ctx, 'PUT', '/api/admin/campaigns/1/templates/en', bodyExample(ctx, 'PUT', template)), 200, 'the example')
  refuses(t, ctx, 'PUT', template, await call(ctx, 'PUT', '/api/admin/campaigns/1/templates/en', { subject: '', body: 'Hello' }), 'subject', 'no subject')
  refuses(t, ctx, 'PUT', template, await call(ctx, 'PUT', '/api/admin/campaigns/1/templates/fr', bodyExample(ctx, 'PUT', template)), 'language', 'a language the campaign does not have')
})

t.test('changes of address waiting for an admin', async (t) => {
  const ctx = await setup(t)
  const list = '/api/admin/email-changes'
  answers(t, ctx, 'GET', list, await call(ctx, 'GET', list, undefined, 'organizer'), 403, 'an organizer')
  const approve = '/api/admin/campaigns/{id}/targets/{targetId}/email/approve'
  const reject = '/api/admin/campaigns/{id}/targets/{targetId}/email/reject'
  refuses(t, ctx, 'POST', approve, await call(ctx, 'POST', '/api/admin/campaigns/1/targets/1/email/approve'), 'pendingEmail', 'nothing waits')
  refuses(t, ctx, 'POST', approve, await call(ctx, 'POST', '/api/admin/campaigns/1/targets/abc/email/approve'), 'targetId', 'an id that is no number')
  answers(t, ctx, 'POST', approve, await call(ctx, 'POST', '/api/admin/campaigns/1/targets/999/email/approve'), 404, 'no such official')
  answers(t, ctx, 'POST', approve, await call(ctx, 'POST', '/api/admin/campaigns/1/targets/1/email/approve', undefined, 'organizer'), 403, 'an organizer')
  const ask = (id: number, email: string) => ctx.app.db.update(targets).set({ pendingEmail: email, pendingEmailBy: 1, pendingEmailAt: ctx.app.clock() }).where(eq(targets.id, id)).run()
  ask(1, 'akorda@example.org')
  ask(2, 'prokuror@example.org')
  answers(t, ctx, 'GET', list, await call(ctx, 'GET', list), 200, 'two waiting')
  answers(t, ctx, 'POST', approve, await call(ctx, 'POST', '/api/admin/campaigns/1/targets/1/email/approve'), 200, 'approved')
  answers(t, ctx, 'POST', reject, await call(ctx, 'POST', '/api/admin/campaigns/1/targets/2/email/reject'), 200, 'rejected')
  refuses(t, ctx, 'POST', reject, await call(ctx, 'POST', '/api/admin/campaigns/1/targets/2/email/reject'), 'pendingEmail', 'nothing waits any more')
})

t.test('offline letters and hand delivery', async (t) => {
  const ctx = await setup(t)
  const reports = '/api/admin/campaigns/{id}/offline-letters'
  const added = await call(ctx, 'POST', '/api/admin/campaigns/1/offline-letters', bodyExample(ctx, 'POST', reports))
  answers(t, ctx, 'POST', reports, added, 201, 'the example')
  // "Not in the future" follows the clock at each request, not the day the app started.
  refuses(t, ctx, 'POST', reports, await call(ctx, 'POST', '/api/admin/campaigns/1/offline-letters', { ...bodyExample(ctx, 'POST', reports), date: '2099-01-01' }), 'date', 'a day to come')
  refuses(t, ctx, 'POST', reports, await call(ctx, 'POST', '/api/admin/campaigns/1/offline-letters', { ...bodyExample(ctx, 'POST', reports), count: 0 }), 'count', 'no letters')
  answers(t, ctx, 'GET', reports, await call(ctx, 'GET', '/api/admin/campaigns/1/offline-letters'), 200, 'the reports')
  const report = '/api/admin/campaigns/{id}/offline-letters/{reportId}'
  refuses(t, ctx, 'DELETE', report, await call(ctx, 'DELETE', '/api/admin/campaigns/1/offline-letters/x'), 'reportId', 'an id that is no number')
  answers(t, ctx, 'DELETE', report, await call(ctx, 'DELETE', `/api/admin/campaigns/1/offline-letters/${added.json().offlineLetter.id}`), 200, 'deleted')
  answers(t, ctx, 'DELETE', report, await call(ctx, 'DELETE', `/api/admin/campaigns/1/offline-letters/${added.json().offlineLetter.id}`), 404, 'gone already')

  const waiting = '/api/admin/campaigns/{id}/targets/{targetId}/hand-delivery'
  answers(t, ctx, 'GET', waiting, await call(ctx, 'GET', '/api/admin/campaigns/1/targets/1/hand-delivery?from=2026-11-01&to=2026-11-30'), 200, 'a period')
  refuses(t, ctx, 'GET', waiting, await call(ctx, 'GET', '/api/admin/campaigns/1/targets/1/hand-delivery?from=yesterday'), 'from', 'no day')
  const dossier = '/api/admin/campaigns/{id}/targets/{targetId}/dossier.pdf'
  const pdf = await call(ctx, 'GET', '/api/admin/campaigns/1/targets/1/dossier.pdf')
  answers(t, ctx, 'GET', dossier, pdf, 200, 'the dossier')
  t.equal(pdf.headers['content-type'], 'application/pdf')
  t.ok(ctx.doc.paths[dossier]!.get!.responses['200']!.content!['application/pdf'], 'documented as a PDF')
  refuses(t, ctx, 'GET', dossier, await call(ctx, 'GET', '/api/admin/campaigns/1/targets/1/dossier.pdf?from=2026-11-30&to=2026-11-01'), 'to', 'a period backwards')
  const mark = '/api/admin/campaigns/{id}/targets/{targetId}/hand-delivered'
  answers(t, ctx, 'POST', mark, await call(ctx, 'POST', '/api/admin/campaigns/1/targets/1/hand-delivered', bodyExample(ctx, 'POST', mark)), 200, 'the example')
  answers(t, ctx, 'POST', mark, await call(ctx, 'POST', '/api/admin/campaigns/1/targets/1/hand-delivered'), 200, 'no body: every letter waiting')
  refuses(t, ctx, 'POST', mark, await call(ctx, 'POST', '/api/admin/campaigns/1/targets/1/hand-delivered', { until: 'soon' }), 'until', 'no moment')
  refuses(t, ctx, 'POST', mark, await call(ctx, 'POST', '/api/admin/campaigns/1/targets/1/hand-delivered', ['2026-11-01']), '', 'a list')
})

t.test('the public campaign, its tally and a letter', async (t) => {
  const ctx = await setup(t)
  const campaign = '/api/campaigns/{slug}'
  answers(t, ctx, 'GET', campaign, await call(ctx, 'GET', '/api/campaigns/zhanaozen?country=gb', undefined, 'nobody'), 200, 'the campaign')
  refuses(t, ctx, 'GET', campaign, await call(ctx, 'GET', '/api/campaigns/zhanaozen?country=XX', undefined, 'nobody'), 'country', 'no country')
  answers(t, ctx, 'GET', campaign, await call(ctx, 'GET', '/api/campaigns/nope?country=XX', undefined, 'nobody'), 404, 'no such campaign, whatever the query')
  const tally = '/api/campaigns/{slug}/tally'
  answers(t, ctx, 'GET', tally, await call(ctx, 'GET', '/api/campaigns/zhanaozen/tally', undefined, 'nobody'), 200, 'the tally')
  answers(t, ctx, 'GET', tally, await call(ctx, 'GET', '/api/campaigns/nope/tally', undefined, 'nobody'), 404, 'no such campaign')

  const letters = '/api/campaigns/{slug}/letters'
  const example = bodyExample(ctx, 'POST', letters)
  answers(t, ctx, 'POST', letters, await call(ctx, 'POST', '/api/campaigns/zhanaozen/letters', example, 'nobody'), 201, 'the example')
  refuses(t, ctx, 'POST', letters, await call(ctx, 'POST', '/api/campaigns/zhanaozen/letters', { ...example, targetIds: undefined }, 'nobody'), 'targetId', 'no official')
  refuses(t, ctx, 'POST', letters, await call(ctx, 'POST', '/api/campaigns/zhanaozen/letters', { ...example, email: 'nobody' }, 'nobody'), 'email', 'no address')
  answers(t, ctx, 'POST', letters, await call(ctx, 'POST', '/api/campaigns/nope/letters', { name: 1 }, 'nobody'), 404, 'no such campaign, whatever the body')
  answers(t, ctx, 'POST', letters, await ctx.app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'text/plain' }, payload: '{}' }), 415, 'not JSON')
  // A bot filling the honeypot hears "accepted" whatever else it sent.
  answers(t, ctx, 'POST', letters, await call(ctx, 'POST', '/api/campaigns/zhanaozen/letters', { website: 'http://spam.example', name: 5 }, 'nobody'), 201, 'the honeypot')
  ctx.app.db.$client.prepare(`update campaigns set status = 'closed' where id = 1`).run()
  answers(t, ctx, 'POST', letters, await call(ctx, 'POST', '/api/campaigns/zhanaozen/letters', { name: 1 }, 'nobody'), 409, 'closed, whatever the body')
})
