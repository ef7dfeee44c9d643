import t from 'tap'
import { build, formSession, postForm, supporter, tableCount, TestClock } from '../helper.js'
import type { OutboxMessage } from '../../src/db/schema/index.js'

const DAY = 86_400_000

async function confirmingApp(t: Parameters<typeof build>[0]) {
  const clock = new TestClock()
  const app = await build(t, { clock: clock.now, confirmLetters: true })
  return { app, clock }
}

function lastConfirmLink(app: Awaited<ReturnType<typeof build>>): string {
  const row = app.db.$client.prepare(`select message from outbox where kind = 'confirm_letter' order by id desc limit 1`).get() as { message: string }
  const message = JSON.parse(row.message) as OutboxMessage
  const link = /http:\/\/outcry\.test(\/letters\/confirm\/[A-Za-z0-9_-]+)/.exec(message.text)?.[1]
  if (!link) throw new Error('no link in confirmation mail')
  return link
}

const write = (app: Awaited<ReturnType<typeof build>>, extra: Record<string, unknown> = {}) =>
  app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'application/json' }, payload: { ...supporter, targetId: 1, ...extra } })

const tally = async (app: Awaited<ReturnType<typeof build>>) => (await app.inject('/api/campaigns/zhanaozen/tally')).json().letters

t.test('a letter waits for confirmation and does not count until then', async (t) => {
  const { app } = await confirmingApp(t)
  const res = await write(app)
  t.equal(res.statusCode, 201)
  t.equal(res.json().letter.status, 'pending_confirmation')
  t.equal(await tally(app), 0)
  t.equal(tableCount(app, 'outbox', "kind = 'letter'"), 0, 'nothing to the official yet')
  t.equal(tableCount(app, 'outbox', "kind = 'confirm_letter'"), 1)

  const link = lastConfirmLink(app)
  // Mail scanners open links: a GET shows a button and must not confirm.
  for (let i = 0; i < 3; i++) {
    const view = await app.inject(link)
    t.equal(view.statusCode, 200)
    t.match(view.body, 'Confirm and send my letter')
    t.match(view.body, /<form method="post" action="\/letters\/confirm\//)
  }
  t.equal(await tally(app), 0, 'GET never confirms')

  const session = await formSession(app, link)
  const confirm = await postForm(app, link, {}, session)
  t.equal(confirm.statusCode, 303)
  t.equal(confirm.headers.location, '/campaigns/zhanaozen/thanks?confirmed&lang=en&to=1&country=GB', 'the thank-you page in the language they wrote in, naming the official and the country')
  t.equal(await tally(app), 1)
  t.equal(tableCount(app, 'letters', "status = 'queued'"), 1, 'it waits for its official\'s delivery')
  app.dispatcher.produce()
  t.equal(tableCount(app, 'outbox', "kind = 'letter'"), 1)

  const twice = await postForm(app, link, {}, session)
  t.equal(twice.statusCode, 303, 'confirming again is harmless')
  t.equal(await tally(app), 1)
  app.dispatcher.produce()
  t.equal(tableCount(app, 'outbox', "kind = 'letter'"), 1)
  t.match((await app.inject(link)).body, 'Your letter is confirmed')
})

t.test('the confirm POST needs the CSRF token', async (t) => {
  const { app } = await confirmingApp(t)
  await write(app)
  const link = lastConfirmLink(app)
  const session = await formSession(app, link)
  const res = await postForm(app, link, {}, { cookie: session.cookie, token: 'forged' })
  t.equal(res.statusCode, 403)
  t.equal(await tally(app), 0)
})

t.test('links expire after 7 days; writing again sends a fresh one', async (t) => {
  const { app, clock } = await confirmingApp(t)
  await write(app)
  const old = lastConfirmLink(app)
  const session = await formSession(app, old)
  clock.advance(7 * DAY + 1000)
  const view = await app.inject(old)
  t.equal(view.statusCode, 410)
  t.match(view.body, 'This link has expired')
  t.notMatch(view.body, 'Confirm and send my letter')
  const late = await postForm(app, old, {}, session)
  t.equal(late.statusCode, 410)
  t.equal(await tally(app), 0)

  const again = await write(app)
  t.equal(again.json().letter.status, 'pending_confirmation')
  t.equal(tableCount(app, 'letters'), 1, 'still one letter')
  const fresh = lastConfirmLink(app)
  t.not(fresh, old)
  t.equal((await app.inject(old)).statusCode, 410, 'the old link stays expired')
  const s2 = await formSession(app, fresh)
  t.equal((await postForm(app, fresh, {}, s2)).statusCode, 303)
  t.equal(await tally(app), 1)
})

t.test('an unknown link is a clear 404', async (t) => {
  const { app } = await confirmingApp(t)
  const res = await app.inject('/letters/confirm/not-a-real-token')
  t.equal(res.statusCode, 404)
  t.match(res.body, 'not valid')
})

t.test('a confirmed letter repeated gets the same answer as a new one', async (t) => {
  const { app } = await confirmingApp(t)
  await write(app)
  const link = lastConfirmLink(app)
  await postForm(app, link, {}, await formSession(app, link))
  const again = await write(app)
  t.equal(again.statusCode, 201)
  t.equal(again.json().letter.status, 'pending_confirmation')
  t.equal(tableCount(app, 'outbox', "kind = 'already_written'"), 1)
  t.equal(await tally(app), 1)
})

t.test('the thank-you page of a confirming campaign asks to check the inbox', async (t) => {
  const { app } = await confirmingApp(t)
  const res = await app.inject('/campaigns/zhanaozen/thanks')
  t.match(res.body, 'check your inbox')
})

t.test('a campaign closed before confirmation takes no more letters', async (t) => {
  const { app } = await confirmingApp(t)
  await write(app)
  const link = lastConfirmLink(app)
  const session = await formSession(app, link)
  app.db.$client.prepare(`update campaigns set status = 'closed'`).run()
  const res = await postForm(app, link, {}, session)
  t.equal(res.statusCode, 409)
  t.equal(await tally(app), 0)
})
