import t, { type Test } from 'tap'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { build } from '../helper.js'
import { addUser } from '../admin/helper.js'
import { createApiToken } from '../../src/admin/api.js'

// Pickets, RSVPs, check-in, tallies, the delivery report, exports and updates, as /api/docs/json states
// them: each operation's valid example answers its documented success, a wrong input 422 with the field's
// path, and every answer's code is one the document lists, its body valid against the schema listed.

type Doc = { paths: Record<string, Record<string, Operation>> }
type Operation = {
  tags?: string[]
  parameters?: { name: string; in: string; example?: unknown; schema?: Record<string, unknown> }[]
  requestBody?: { content: { 'application/json': { schema: Record<string, unknown>; example?: unknown } } }
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>
}

const OPERATIONS: [string, string][] = [
  ['get', '/api/campaigns/{slug}/pickets'],
  ['get', '/api/pickets/{id}'],
  ['post', '/api/pickets/{id}/rsvps'],
  ['post', '/api/admin/campaigns/{id}/pickets'],
  ['get', '/api/admin/campaigns/{id}/pickets'],
  ['get', '/api/admin/pickets/{id}'],
  ['patch', '/api/admin/pickets/{id}'],
  ['post', '/api/admin/pickets/{id}/cancel'],
  ['get', '/api/admin/pickets/{id}/rsvps'],
  ['post', '/api/admin/pickets/{id}/rsvps/{rsvpId}/check-in'],
  ['get', '/api/admin/campaigns/{id}/tally'],
  ['get', '/api/admin/campaigns/{id}/delivery'],
  ['get', '/api/admin/campaigns/{id}/exports/letters.csv'],
  ['get', '/api/admin/campaigns/{id}/exports/tally.csv'],
  ['get', '/api/admin/pickets/{id}/exports/rsvps.csv'],
  ['post', '/api/admin/campaigns/{id}/updates'],
  ['get', '/api/admin/campaigns/{id}/updates'],
  ['get', '/api/admin/campaigns/{id}/updates/{updateId}'],
  ['patch', '/api/admin/campaigns/{id}/updates/{updateId}'],
]

/** The error codes each operation states (its success apart). */
const ERRORS: Record<string, string[]> = {
  'get /api/campaigns/{slug}/pickets': ['404', '422'],
  'get /api/pickets/{id}': ['404', '422'],
  'post /api/pickets/{id}/rsvps': ['400', '404', '409', '413', '415', '422', '429'],
  'post /api/admin/campaigns/{id}/pickets': ['400', '401', '404', '413', '415', '422'],
  'patch /api/admin/pickets/{id}': ['400', '401', '404', '413', '415', '422'],
  'post /api/admin/pickets/{id}/rsvps/{rsvpId}/check-in': ['400', '401', '404', '409', '413', '415', '422'],
  'post /api/admin/campaigns/{id}/updates': ['400', '401', '404', '409', '413', '415', '422'],
  'patch /api/admin/campaigns/{id}/updates/{updateId}': ['400', '401', '404', '409', '413', '415', '422'],
}
const SUCCESS: Record<string, string> = { 'post /api/pickets/{id}/rsvps': '201', 'post /api/admin/campaigns/{id}/pickets': '201', 'post /api/admin/campaigns/{id}/updates': '201' }

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020

async function setup(t: Test) {
  const app = await build(t)
  // RSVPs count at once here, so one can be checked in.
  app.db.$client.prepare('update campaigns set confirm_rsvps = 0').run()
  const doc = (await app.inject('/api/docs/json')).json() as Doc
  const admin = await addUser(app, 'admin@example.org', 'admin')
  const token = createApiToken(app.db, admin.id, 'test', app.clock()).token
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats(ajv)
  /** Calls an operation; the answer's code must be documented, and a JSON answer valid against its schema. */
  const call = async (method: string, path: string, opts: { params?: Record<string, string>; query?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
    const op = doc.paths[path]![method]!
    const params = Object.fromEntries((op.parameters ?? []).filter((p) => p.in === 'path').map((p) => [p.name, String(p.example)]))
    const url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(opts.params?.[name] ?? params[name]!)) + (opts.query ? `?${opts.query}` : '')
    const body = 'body' in opts ? opts.body : op.requestBody?.content['application/json'].example
    const res = await app.inject({
      method: method.toUpperCase() as 'GET',
      url,
      headers: { ...(path.startsWith('/api/admin') ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...opts.headers },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    })
    const documented = op.responses[String(res.statusCode)]
    t.ok(documented, `${method.toUpperCase()} ${url}: ${res.statusCode} is documented (${res.body.slice(0, 200)})`)
    const schema = documented?.content?.['application/json']?.schema
    if (schema && String(res.headers['content-type']).startsWith('application/json')) {
      const validate = ajv.compile(schema)
      t.ok(validate(res.json()), `${method.toUpperCase()} ${url}: the ${res.statusCode} answer matches its schema ${JSON.stringify(validate.errors ?? [])}`)
    }
    return res
  }
  const issuesOf = (res: { statusCode: number; json(): unknown }, path: (string | number)[]) => {
    t.equal(res.statusCode, 422)
    const issues = (res.json() as { issues?: { path: (string | number)[] }[] }).issues ?? []
    t.ok(
      issues.some((i) => JSON.stringify(i.path) === JSON.stringify(path)),
      `an issue at ${JSON.stringify(path)}: ${JSON.stringify(issues)}`,
    )
  }
  return { app, doc, call, issuesOf }
}

t.test('every operation states its success and its errors, and the public ones need no token', async (t) => {
  const { doc } = await setup(t)
  for (const [method, path] of OPERATIONS) {
    const op = doc.paths[path]?.[method]
    t.ok(op, `${method} ${path} is documented`)
    if (!op) continue
    const key = `${method} ${path}`
    const success = SUCCESS[key] ?? '200'
    const errors = ERRORS[key] ?? (path.startsWith('/api/admin') ? ['401', '404', '422'] : ['404', '422'])
    t.same(Object.keys(op.responses).sort(), [success, ...errors].sort(), `${key}: ${success} and ${errors.join(', ')}`)
    t.ok(op.responses[success]!.content, `${key}: the success has content`)
    if (op.requestBody) t.ok(op.requestBody.content['application/json'].example, `${key}: the body has an example`)
    for (const p of (op.parameters ?? []).filter((p) => p.in === 'path')) t.ok(p.example !== undefined, `${key}: ${p.name} has an example`)
    if (!path.startsWith('/api/admin')) t.same((op as { security?: unknown }).security, [], `${key}: no token`)
    if (!path.startsWith('/api/admin')) t.same(op.tags, ['public'])
  }
  // The files are CSV, the Excel form stated.
  for (const path of ['/api/admin/campaigns/{id}/exports/letters.csv', '/api/admin/campaigns/{id}/exports/tally.csv', '/api/admin/pickets/{id}/exports/rsvps.csv']) {
    const op = doc.paths[path]!.get!
    t.ok(op.responses['200']!.content?.['text/csv'], `${path}: text/csv`)
    t.match((op as { description?: string }).description, /sep=semicolon/)
    t.match((op as { description?: string }).description, /byte order mark/)
    const query = Object.fromEntries((op.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p.schema]))
    t.same(query.sep?.enum, ['comma', 'semicolon'])
    t.ok(Array.isArray(query.bom?.enum) && (query.bom!.enum as string[]).includes('1'), `${path}: bom is an enum`)
  }
  const tallyQuery = doc.paths['/api/admin/campaigns/{id}/exports/tally.csv']!.get!.parameters!.find((p) => p.name === 'by')!
  t.same(tallyQuery.schema?.enum, ['official', 'country', 'day'])
  t.same(doc.paths['/api/admin/pickets/{id}/rsvps']!.get!.parameters!.find((p) => p.name === 'status')!.schema?.enum, ['pending_confirmation', 'going', 'waitlisted', 'cancelled'])
  // Unknown fields are refused in the organizers' bodies, and the document says so.
  const picketBody = doc.paths['/api/admin/campaigns/{id}/pickets']!.post!.requestBody!.content['application/json'].schema
  t.equal(picketBody.additionalProperties, false)
  t.match(picketBody, { properties: { startsLocal: { pattern: String }, capacity: {}, title: { minLength: 1 } } })
  t.equal(doc.paths['/api/admin/campaigns/{id}/updates']!.post!.requestBody!.content['application/json'].schema.additionalProperties, false)
  t.same(doc.paths['/api/admin/campaigns/{id}/updates']!.post!.requestBody!.content['application/json'].schema.required, ['title', 'body', 'language'])
})

t.test('the public picket API: valid examples, wrong inputs 422 with their paths, 404 and 409', async (t) => {
  const { app, call, issuesOf } = await setup(t)
  const list = await call('get', '/api/campaigns/{slug}/pickets')
  t.equal(list.statusCode, 200)
  t.ok(list.json().length >= 1, 'the demo pickets')
  issuesOf(await call('get', '/api/campaigns/{slug}/pickets', { params: { slug: 'Not a slug' } }), ['slug'])
  t.equal((await call('get', '/api/campaigns/{slug}/pickets', { params: { slug: 'no-such-campaign' } })).statusCode, 404)

  t.equal((await call('get', '/api/pickets/{id}')).statusCode, 200)
  issuesOf(await call('get', '/api/pickets/{id}', { params: { id: 'abc' } }), ['id'])
  t.equal((await call('get', '/api/pickets/{id}', { params: { id: '999999' } })).statusCode, 404)

  const rsvp = await call('post', '/api/pickets/{id}/rsvps')
  t.equal(rsvp.statusCode, 201, rsvp.body)
  issuesOf(await call('post', '/api/pickets/{id}/rsvps', { body: { name: 'Ann', email: 'not an address' } }), ['email'])
  issuesOf(await call('post', '/api/pickets/{id}/rsvps', { body: { name: 'Ann', email: 'ann@example.org', consent: 'yes' } }), ['consent'])
  const ru = await call('post', '/api/pickets/{id}/rsvps', { body: { name: '', email: 'ann@example.org' }, headers: { 'accept-language': 'ru' } })
  issuesOf(ru, ['name'])
  t.match(ru.json().issues[0].message, /[а-яё]/i, 'in the language asked for')
  issuesOf(await call('post', '/api/pickets/{id}/rsvps', { params: { id: 'x1' } }), ['id'])
  t.equal((await call('post', '/api/pickets/{id}/rsvps', { params: { id: '999999' }, body: { name: '' } })).statusCode, 404, 'an unknown picket before the body')
  t.equal((await call('post', '/api/pickets/{id}/rsvps', { body: 'name=Ann', headers: { 'content-type': 'text/plain' } })).statusCode, 415)
  t.equal((await call('post', '/api/pickets/{id}/rsvps', { body: [1] })).statusCode, 422, 'an array is no RSVP')
  app.pickets.cancel(1)
  t.equal((await call('post', '/api/pickets/{id}/rsvps', { body: { name: '', email: 'x' } })).statusCode, 409, 'a cancelled picket, whatever the body')
})

t.test('the organizers’ picket API: examples valid against the demo, 422 with paths, 404 before the body, 409', async (t) => {
  const { app, call, issuesOf } = await setup(t)
  const created = await call('post', '/api/admin/campaigns/{id}/pickets')
  t.equal(created.statusCode, 201, created.body)
  t.same(created.json().picket.translations, { ru: { title: 'Пикет у посольства Казахстана', bring: 'Плакаты и тёплая одежда' } })
  issuesOf(await call('post', '/api/admin/campaigns/{id}/pickets', { body: { title: 'Only a title', colour: 'red' } }), ['colour'])
  const example = { venue: 'x', address: 'x', city: 'x', country: 'GB', startsLocal: '2030-12-16T12:00', endsLocal: '2030-12-16T14:00', timeZone: 'Europe/London' }
  const several = await call('post', '/api/admin/campaigns/{id}/pickets', { body: { ...example, title: '', capacity: 0, translations: { de: { title: 'x' } } } })
  for (const path of [['title'], ['capacity'], ['translations', 'de']]) issuesOf(several, path)
  issuesOf(await call('post', '/api/admin/campaigns/{id}/pickets', { body: { ...example, title: 'x', startsLocal: 'soon' } }), ['startsLocal'])
  t.equal((await call('post', '/api/admin/campaigns/{id}/pickets', { params: { id: '999' }, body: { nonsense: true } })).statusCode, 404, 'an unknown campaign before the body')

  t.equal((await call('get', '/api/admin/campaigns/{id}/pickets')).statusCode, 200)
  t.equal((await call('get', '/api/admin/campaigns/{id}/pickets', { params: { id: 'abc' } })).statusCode, 404, 'a malformed id finds no campaign')
  t.equal((await call('get', '/api/admin/pickets/{id}')).statusCode, 200)
  t.equal((await call('get', '/api/admin/pickets/{id}', { params: { id: '0' } })).statusCode, 404)

  const patched = await call('patch', '/api/admin/pickets/{id}')
  t.equal(patched.statusCode, 200, patched.body)
  t.equal(patched.json().picket.capacity, 60)
  issuesOf(await call('patch', '/api/admin/pickets/{id}', { body: { capacity: 0 } }), ['capacity'])
  issuesOf(await call('patch', '/api/admin/pickets/{id}', { body: { reminders: [1] } }), ['reminders', 0])

  t.equal((await call('get', '/api/admin/pickets/{id}/rsvps')).statusCode, 200)
  t.equal((await call('get', '/api/admin/pickets/{id}/rsvps', { query: 'status=going' })).statusCode, 200)
  issuesOf(await call('get', '/api/admin/pickets/{id}/rsvps', { query: 'status=maybe' }), ['status'])

  // Check-in: the demo has no RSVP, so one is made first.
  const going = app.pickets.rsvp(1, { name: 'Ann Supporter', email: 'ann@example.org', consent: true })
  t.equal(going.kind, 'accepted')
  const rsvpId = String((going as { rsvpId: number }).rsvpId)
  const checked = await call('post', '/api/admin/pickets/{id}/rsvps/{rsvpId}/check-in', { params: { rsvpId } })
  t.equal(checked.statusCode, 200, checked.body)
  t.match(checked.json().rsvp, { checkedInAt: String, emailShared: true })
  issuesOf(await call('post', '/api/admin/pickets/{id}/rsvps/{rsvpId}/check-in', { params: { rsvpId }, body: { checkedIn: 'yes' } }), ['checkedIn'])
  issuesOf(await call('post', '/api/admin/pickets/{id}/rsvps/{rsvpId}/check-in', { params: { rsvpId: 'abc' } }), ['rsvpId'])
  t.equal((await call('post', '/api/admin/pickets/{id}/rsvps/{rsvpId}/check-in', { params: { rsvpId: '999999' } })).statusCode, 404)

  t.equal((await call('post', '/api/admin/pickets/{id}/cancel')).statusCode, 200)
  t.equal((await call('post', '/api/admin/pickets/{id}/rsvps/{rsvpId}/check-in', { params: { rsvpId } })).statusCode, 409, 'a cancelled picket')
  issuesOf(await call('patch', '/api/admin/pickets/{id}', { body: { capacity: 70 } }), [])

  // Without a token: 401, documented.
  const anonymous = await app.inject({ url: '/api/admin/pickets/1' })
  t.equal(anonymous.statusCode, 401)
})

t.test('tallies, the delivery report and the exports: unknown by, sep and bom are 422 with their names', async (t) => {
  const { app, call, issuesOf } = await setup(t)
  t.equal((await call('get', '/api/admin/campaigns/{id}/tally')).statusCode, 200)
  t.equal((await call('get', '/api/admin/campaigns/{id}/delivery')).statusCode, 200)
  t.equal((await call('get', '/api/admin/campaigns/{id}/tally', { params: { id: '999' } })).statusCode, 404)

  const letters = await call('get', '/api/admin/campaigns/{id}/exports/letters.csv', { query: 'bom=1&sep=semicolon' })
  t.equal(letters.statusCode, 200)
  t.match(letters.headers['content-type'], 'text/csv')
  t.ok(letters.body.startsWith('\uFEFFdate;status;'), 'BOM and ;')
  t.ok((await call('get', '/api/admin/campaigns/{id}/exports/letters.csv', { query: 'bom=0' })).body.startsWith('date,status,'), 'no BOM, commas')
  issuesOf(await call('get', '/api/admin/campaigns/{id}/exports/letters.csv', { query: 'bom=AAA' }), ['bom'])
  issuesOf(await call('get', '/api/admin/campaigns/{id}/exports/letters.csv', { query: 'sep=tab' }), ['sep'])

  t.equal((await call('get', '/api/admin/campaigns/{id}/exports/tally.csv', { query: 'by=country' })).statusCode, 200)
  const wrong = await call('get', '/api/admin/campaigns/{id}/exports/tally.csv', { query: 'by=foo&bom=AAA', headers: { 'accept-language': 'fr' } })
  issuesOf(wrong, ['by'])
  issuesOf(wrong, ['bom'])
  t.match(wrong.json().error, /responsable, pays ou jour/, 'the first issue, in the language asked for')
  t.match(wrong.json().issues[1].message, /bom=1/)

  t.equal((await call('get', '/api/admin/pickets/{id}/exports/rsvps.csv')).statusCode, 200)
  issuesOf(await call('get', '/api/admin/pickets/{id}/exports/rsvps.csv', { query: 'sep=semicolon&bom=maybe' }), ['bom'])
  t.equal((await call('get', '/api/admin/pickets/{id}/exports/rsvps.csv', { params: { id: '999' }, query: 'bom=AAA' })).statusCode, 404, 'an unknown picket before the query')
  const audited = app.db.$client.prepare(`select count(*) as n from audit_log where action like 'export.%'`).get() as { n: number }
  t.equal(audited.n, 4, 'only the exports made are audited')
})

t.test('the back office’s exports read the same query: a wrong bom is a 422 page in its language', async (t) => {
  const app = await build(t)
  const { signIn } = await import('../admin/helper.js')
  await addUser(app, 'org@example.org', 'organizer', [1])
  const browser = await signIn(app, 'org@example.org')
  const ok = await browser.get('/admin/campaigns/1/exports/tally.csv?by=day&bom=1&sep=semicolon')
  t.equal(ok.statusCode, 200)
  t.ok(ok.body.startsWith('\uFEFFdate;online;'))
  const bad = await browser.get('/admin/campaigns/1/exports/letters.csv?bom=AAA&lang=de')
  t.equal(bad.statusCode, 422)
  t.match(bad.headers['content-type'], 'text/html')
  t.match(bad.body, 'Byte-Order-Markierung')
})

t.test('updates: examples valid against the demo, every issue at once, 404, 409', async (t) => {
  const { call, issuesOf } = await setup(t)
  const created = await call('post', '/api/admin/campaigns/{id}/updates')
  t.equal(created.statusCode, 201, created.body)
  t.match(created.json(), { update: { id: Number, recipients: 0 } })
  const bad = await call('post', '/api/admin/campaigns/{id}/updates', { body: { title: '', body: 'x', language: 'xx', personChanges: [{ personId: 99999, status: 'free', date: '2013-13-01' }] } })
  for (const path of [['title'], ['language'], ['personChanges', 0, 'personId'], ['personChanges', 0, 'date']]) issuesOf(bad, path)
  issuesOf(await call('post', '/api/admin/campaigns/{id}/updates', { body: { title: 'x', body: 'x', language: 'en', extra: 1 } }), ['extra'])
  // A misspelt field of a status change is refused too, as the document's additionalProperties says.
  const misspelt = await call('post', '/api/admin/campaigns/{id}/updates', { body: { title: 'x', body: 'x', language: 'en', personChanges: [{ personId: 1, status: 'free', date: '2013-06-01', dated: 'x' }] } })
  issuesOf(misspelt, ['personChanges', 0])
  t.match(misspelt.json().issues[0].message, /Unknown field/)

  const list = await call('get', '/api/admin/campaigns/{id}/updates')
  t.equal(list.statusCode, 200)
  t.equal(list.json().updates.length, 2)
  t.equal((await call('get', '/api/admin/campaigns/{id}/updates/{updateId}')).statusCode, 200)
  issuesOf(await call('get', '/api/admin/campaigns/{id}/updates/{updateId}', { params: { updateId: 'abc' } }), ['updateId'])
  t.equal((await call('get', '/api/admin/campaigns/{id}/updates/{updateId}', { params: { updateId: '999' } })).statusCode, 404)

  const patched = await call('patch', '/api/admin/campaigns/{id}/updates/{updateId}')
  t.equal(patched.statusCode, 200, patched.body)
  t.match(patched.json().update.translations, { kk: { title: String }, ru: { title: String } })
  issuesOf(await call('patch', '/api/admin/campaigns/{id}/updates/{updateId}', { body: { publish: 'yes' } }), ['publish'])
  issuesOf(await call('patch', '/api/admin/campaigns/{id}/updates/{updateId}', { body: { publish: false } }), ['publish'])
  t.equal((await call('patch', '/api/admin/campaigns/{id}/updates/{updateId}', { params: { updateId: '999' }, body: { title: 'x' } })).statusCode, 404)
  t.equal((await call('patch', '/api/admin/campaigns/{id}/updates/{updateId}', { body: { notify: true } })).statusCode, 200, 'mailed once')
  t.equal((await call('patch', '/api/admin/campaigns/{id}/updates/{updateId}', { body: { notify: true } })).statusCode, 409, 'not twice')
})
