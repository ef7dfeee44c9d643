import t from 'tap'
import { build, supporter, tableCount } from '../helper.js'
import { recountLetters } from '../../src/letters/queries.js'

const url = '/api/campaigns/zhanaozen/letters'
const post = (app: Awaited<ReturnType<typeof build>>, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(payload) })

t.test('a letter is written, counted and queued for the official', async (t) => {
  const app = await build(t)
  const res = await post(app, { ...supporter, targetId: 1, copy: true })
  t.equal(res.statusCode, 201)
  const body = res.json()
  t.match(body, { letter: { id: String, status: 'queued' } })
  t.notMatch(body.letter.id, /^\d+$/, 'the public id is not the row id')

  const tally = (await app.inject(`/api/campaigns/zhanaozen/tally`)).json()
  t.match(tally, { goal: 11000, letters: 1, byTarget: [{ targetId: 1, letters: 1 }, { targetId: 2, letters: 0 }] })
  t.ok(Date.parse(tally.updatedAt))
  // The letter waits for its official's delivery; the dispatcher's producer turns it into mail.
  t.equal(tableCount(app, 'letters', "status = 'queued'"), 1)
  app.dispatcher.produce()
  t.equal(tableCount(app, 'outbox', "kind = 'letter' and message is null"), 1, 'queued for the official, composed when sent')
  // Without confirmation nobody proved the address is theirs: no copy of text they typed goes to it.
  t.equal(tableCount(app, 'outbox', "kind = 'letter_copy'"), 0, 'no copy without confirmation')
  t.equal(tableCount(app, 'outbox', "recipient = 'roza@example.com'"), 0, 'nothing at all to an unconfirmed address for a first letter')
  const letter = app.db.query.letters.findFirst()
  t.match(await letter, { status: 'outgoing', language: 'en', supporterEmail: 'roza@example.com', country: 'GB', wantsCopy: false, consent: false })
})

t.test('the campaign and its officials', async (t) => {
  const app = await build(t)
  const res = await app.inject('/api/campaigns/zhanaozen')
  t.equal(res.statusCode, 200)
  t.same(Object.keys(res.json()).sort(), ['fallback', 'fallbackLanguage', 'goal', 'language', 'languages', 'people', 'slug', 'status', 'story', 'summary', 'targets', 'title'])
  t.match(res.json(), { slug: 'zhanaozen', goal: 11000, status: 'live', languages: ['en', 'ru'], targets: [{ id: 1, name: 'Nursultan Nazarbayev', title: String, country: 'KZ' }, { id: 2 }] })
  t.equal((await app.inject('/api/campaigns/nope')).statusCode, 404)
  t.equal((await app.inject('/api/campaigns/nope/tally')).statusCode, 404)
  t.match((await app.inject('/api/campaigns/nope')).json(), { error: String })
})

t.test('every invalid field is reported with its path', async (t) => {
  const app = await build(t)
  const cases: [Record<string, unknown>, string][] = [
    [{ name: '' }, 'name'],
    [{ name: 'a'.repeat(101) }, 'name'],
    [{ name: 'Eve\r\nBcc: victim@example.com' }, 'name'],
    [{ email: 'not-an-email' }, 'email'],
    [{ email: 'roza@example.com\r\nBcc: x@example.com' }, 'email'],
    [{ email: `${'a'.repeat(250)}@example.com` }, 'email'],
    [{ country: 'ZZ' }, 'country'],
    [{ country: 'GBR' }, 'country'],
    [{ country: 44 }, 'country'],
    [{ city: '' }, 'city'],
    [{ organisation: 'o'.repeat(151) }, 'organisation'],
    [{ targetId: 999 }, 'targetId'],
    [{ targetId: '1' }, 'targetId'],
    [{ targetId: 1.5 }, 'targetId'],
    [{ language: 'fr' }, 'language'],
    [{ language: ['en'] }, 'language'],
    [{ note: 'n'.repeat(2001) }, 'note'],
    [{ note: 'bad \u0000 byte' }, 'note'],
    [{ copy: 'yes' }, 'copy'],
    [{ consent: 1 }, 'consent'],
  ]
  for (const [override, field] of cases) {
    const res = await post(app, { ...supporter, targetId: 1, ...override })
    t.equal(res.statusCode, 422, `${field}: ${JSON.stringify(override).slice(0, 60)}`)
    const body = res.json()
    t.equal(body.error, 'Invalid input')
    t.ok(body.issues.some((i: { path: string[]; message: string }) => i.path[0] === field && i.message.length > 0), `issue names ${field}`)
  }
  const missing = await post(app, {})
  t.same(missing.json().issues.map((i: { path: string[] }) => i.path[0]).sort(), ['city', 'country', 'email', 'name', 'targetId'])
  t.equal(tableCount(app, 'letters'), 0, 'nothing was written')
  t.equal(tableCount(app, 'outbox'), 0)
})

t.test('a note of exactly 2,000 characters is accepted', async (t) => {
  const app = await build(t)
  const res = await post(app, { ...supporter, targetId: 1, note: 'n'.repeat(2000) })
  t.equal(res.statusCode, 201)
})

t.test('only JSON objects are accepted', async (t) => {
  const app = await build(t)
  const form = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'name=x' })
  t.equal(form.statusCode, 415)
  t.match(form.json(), { error: /application\/json/ })
  const text = await app.inject({ method: 'POST', url, headers: { 'content-type': 'text/plain' }, payload: '{}' })
  t.equal(text.statusCode, 415)
  const malformed = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: '{"name": ' })
  t.equal(malformed.statusCode, 400)
  t.match(malformed.json(), { error: 'The request body is not valid JSON' })
  t.notMatch(malformed.body, /at \w+ \(/, 'no stack trace')
  const array = await post(app, [supporter])
  t.equal(array.statusCode, 422)
  t.match(array.json().issues, [{ path: [], message: /JSON object/ }])
  t.equal(tableCount(app, 'letters'), 0)
})

t.test('unknown campaign is 404, closed is 409, a draft is as unknown as a missing one', async (t) => {
  const app = await build(t)
  const unknown = await app.inject({ method: 'POST', url: '/api/campaigns/nope/letters', headers: { 'content-type': 'application/json' }, payload: '{}' })
  t.equal(unknown.statusCode, 404)
  app.db.$client.prepare(`update campaigns set status = 'closed' where slug = 'zhanaozen'`).run()
  const closed = await post(app, { ...supporter, targetId: 1 })
  t.equal(closed.statusCode, 409)
  t.match(closed.json(), { error: String })
  // A draft stays private: every public address of it answers exactly like one that does not exist.
  app.db.$client.prepare(`update campaigns set status = 'draft' where slug = 'zhanaozen'`).run()
  const draft = await post(app, { ...supporter, targetId: 1 })
  t.equal(draft.statusCode, 404)
  t.same(draft.json(), unknown.json())
  for (const url of ['/campaigns/zhanaozen', '/campaigns/zhanaozen/thanks', '/api/campaigns/zhanaozen', '/api/campaigns/zhanaozen/tally']) {
    t.equal((await app.inject(url)).statusCode, 404, `${url} of a draft`)
  }
  t.equal((await app.inject({ method: 'POST', url: '/campaigns/zhanaozen/preview', payload: { name: 'x' } })).statusCode, 404, 'the preview of a draft')
  t.notMatch((await app.inject('/')).body, 'zhanaozen', 'a draft is not listed')
  t.equal(tableCount(app, 'letters'), 0)
})

t.test('one letter per supporter per official; a repeat looks like success and counts nothing', async (t) => {
  const app = await build(t)
  const first = await post(app, { ...supporter, targetId: 1 })
  const again = await post(app, { ...supporter, email: '  ROZA@Example.COM ', targetId: 1, note: 'again' })
  t.equal(again.statusCode, first.statusCode)
  t.same(Object.keys(again.json().letter).sort(), ['id', 'status'])
  t.same(Object.keys(again.json()).sort(), Object.keys(first.json()).sort())
  t.not(again.json().letter.id, first.json().letter.id, 'a repeat never hands back the earlier letter\'s id')
  t.match(again.json().letter.id, /^[A-Za-z0-9_-]{16}$/, 'drawn like a new id')
  t.equal(again.json().letter.status, 'queued')
  t.equal(tableCount(app, 'letters'), 1)
  t.equal((await app.inject('/api/campaigns/zhanaozen/tally')).json().letters, 1)
  app.dispatcher.produce()
  t.equal(tableCount(app, 'outbox', "kind = 'letter'"), 1, 'the official gets one letter')
  t.equal(tableCount(app, 'outbox', "kind = 'already_written'"), 1, 'the address is told instead')

  const other = await post(app, { ...supporter, targetId: 2 })
  t.equal(other.statusCode, 201, 'writing to the other official is a new letter')
  t.equal((await app.inject('/api/campaigns/zhanaozen/tally')).json().letters, 2)
})

t.test('the tally counter always equals the letters that count', async (t) => {
  const app = await build(t)
  const results = await Promise.all(
    Array.from({ length: 60 }, (_, i) => post(app, { ...supporter, email: `s${i % 40}@example.com`, targetId: (i % 2) + 1 })),
  )
  t.ok(results.every((r) => r.statusCode === 201))
  const tally = (await app.inject('/api/campaigns/zhanaozen/tally')).json()
  const campaignId = (await app.db.query.campaigns.findFirst())!.id
  t.equal(tally.letters, recountLetters(app.db, campaignId))
  t.equal(tally.letters, tableCount(app, 'letters'))
  t.equal(tally.byTarget[0].letters + tally.byTarget[1].letters, tally.letters)
})

t.test('health answers when the database does', async (t) => {
  const app = await build(t)
  const res = await app.inject('/health')
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ok' })
})
