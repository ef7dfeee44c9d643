import t from 'tap'
import { build, formSession, postForm, supporter, tableCount } from '../helper.js'

t.test('letters are rate limited per address with a friendly 429 and Retry-After', async (t) => {
  const app = await build(t, { env: { RATE_LIMITS: 'on', LETTER_RATE_LIMIT: '3' } })
  const send = (i: number) =>
    app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'application/json' }, payload: { ...supporter, email: `r${i}@example.com`, targetId: 1 } })
  for (let i = 0; i < 3; i++) t.equal((await send(i)).statusCode, 201)
  const limited = await send(3)
  t.equal(limited.statusCode, 429)
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After set')
  t.match(limited.json(), { error: /Too many requests/ })
  t.equal(tableCount(app, 'letters'), 3)

  const session = await formSession(app, '/campaigns/zhanaozen')
  const page = await postForm(app, '/campaigns/zhanaozen/letters', { ...supporter, target: '1' }, session)
  t.equal(page.statusCode, 429)
  t.match(page.headers['content-type'], 'text/html')
  t.match(page.body, 'Please wait a minute')
})

t.test('RATE_LIMITS=off lets a load test through', async (t) => {
  const app = await build(t, { env: { RATE_LIMITS: 'off', LETTER_RATE_LIMIT: '1' } })
  for (let i = 0; i < 5; i++) {
    const res = await app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'application/json' }, payload: { ...supporter, email: `o${i}@example.com`, targetId: 1 } })
    t.equal(res.statusCode, 201)
  }
})

t.test('RSVPs share one budget across the form and the API, with a friendly 429', async (t) => {
  const app = await build(t, { env: { RATE_LIMITS: 'on', LETTER_RATE_LIMIT: '2' } })
  const rsvp = (i: number) =>
    app.inject({ method: 'POST', url: '/api/pickets/1/rsvps', headers: { 'content-type': 'application/json' }, payload: { name: 'Ana', email: `rsvp${i}@example.com` } })
  t.equal((await rsvp(0)).statusCode, 201)
  const session = await formSession(app, '/pickets/1')
  t.equal((await postForm(app, '/pickets/1/rsvps', { name: 'Ben', email: 'ben@example.com' }, session)).statusCode, 303)
  const before = tableCount(app, 'rsvps')
  const limited = await rsvp(2)
  t.equal(limited.statusCode, 429)
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After set')
  t.match(limited.json(), { error: /Too many requests/ })
  const page = await postForm(app, '/pickets/1/rsvps', { name: 'Cy', email: 'cy@example.com' }, session)
  t.equal(page.statusCode, 429)
  t.match(page.body, 'Please wait a minute')
  t.equal(tableCount(app, 'rsvps'), before, 'nothing stored past the limit')
})

t.test('confirmation POSTs are limited: a guessed token costs a request each', async (t) => {
  const app = await build(t, { env: { RATE_LIMITS: 'on', LETTER_RATE_LIMIT: '3' } })
  const session = await formSession(app, '/campaigns/zhanaozen')
  const tries = []
  for (let i = 0; i < 4; i++) tries.push((await postForm(app, `/letters/confirm/guess${i}`, {}, session)).statusCode)
  t.not(tries[0], 429, 'the first tries are answered')
  t.equal(tries[3], 429, 'the fourth within the minute is refused')
})
