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
