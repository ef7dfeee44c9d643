import t from 'tap'
import { build, formSession, postForm, supporter, tableCount } from './helper.js'

const stored = (app: Awaited<ReturnType<typeof build>>) => ({
  letters: tableCount(app, 'letters'),
  rsvps: tableCount(app, 'rsvps'),
  outbox: tableCount(app, 'outbox'),
})

t.test('the public forms carry a hidden honeypot field', async (t) => {
  const app = await build(t)
  for (const url of ['/campaigns/zhanaozen', '/pickets/1']) {
    const page = await app.inject(url)
    t.match(page.body, /<div class="hp" aria-hidden="true"><label>Leave this field empty <input name="website" value="" tabindex="-1" autocomplete="off">/, url)
  }
})

t.test('a filled honeypot looks accepted and stores nothing', async (t) => {
  const app = await build(t)
  const before = stored(app)
  const letterForm = await formSession(app, '/campaigns/zhanaozen')
  const letter = await postForm(app, '/campaigns/zhanaozen/letters', { ...supporter, target: '1', website: 'http://spam.example' }, letterForm)
  t.equal(letter.statusCode, 303)
  t.equal(letter.headers.location, '/campaigns/zhanaozen/thanks?to=1&country=GB#thanks', 'the same page as a real letter')

  const api = await app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'application/json' }, payload: { ...supporter, targetId: 1, website: 'x' } })
  t.equal(api.statusCode, 201)
  t.match(api.json(), { letter: { id: String, status: 'queued' } })

  const rsvpForm = await formSession(app, '/pickets/1')
  const rsvp = await postForm(app, '/pickets/1/rsvps', { name: 'Bot', email: 'bot@example.com', website: 'x' }, rsvpForm)
  t.equal(rsvp.statusCode, 303)
  t.equal(rsvp.headers.location, '/pickets/1/check-your-mailbox', 'the same page as a real RSVP')
  t.equal((await app.inject(rsvp.headers.location as string)).statusCode, 200)

  const rsvpApi = await app.inject({ method: 'POST', url: '/api/pickets/1/rsvps', headers: { 'content-type': 'application/json' }, payload: { name: 'Bot', email: 'bot@example.com', website: 'x' } })
  t.equal(rsvpApi.statusCode, 201)
  t.same(Object.keys(rsvpApi.json()), ['rsvp'])
  t.match(rsvpApi.json(), { rsvp: { id: /^[\w-]{16}$/, status: 'pending_confirmation' } }, 'the answer a real RSVP gets')

  t.same(stored(app), before, 'no letter, RSVP or mail stored')
  t.equal((await app.inject('/api/campaigns/zhanaozen/tally')).json().letters, 0)
})

t.test('an empty honeypot is a normal submission', async (t) => {
  const app = await build(t)
  const form = await formSession(app, '/campaigns/zhanaozen')
  t.equal((await postForm(app, '/campaigns/zhanaozen/letters', { ...supporter, target: '1', website: '' }, form)).statusCode, 303)
  t.equal(tableCount(app, 'letters'), 1)
})
