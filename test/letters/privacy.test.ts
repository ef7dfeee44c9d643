// Issue 11, section 1 and the relay rules, for letters: nobody learns from our answers whether an
// address wrote, and our mail cannot be aimed at a stranger.
import t from 'tap'
import { build, formSession, postForm, supporter, tableCount, TestClock } from '../helper.js'
import type { OutboxMessage } from '../../src/db/schema/index.js'
import { normalizeEmail } from '../../src/validation.js'

type App = Awaited<ReturnType<typeof build>>
const DAY = 86_400_000

const write = (app: App, extra: Record<string, unknown> = {}) =>
  app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'application/json' }, payload: { ...supporter, targetId: 1, ...extra } })

function mails(app: App, kind: string): OutboxMessage[] {
  return (app.db.$client.prepare(`select message from outbox where kind = ? order by id`).all(kind) as { message: string }[]).map((r) => JSON.parse(r.message) as OutboxMessage)
}

function linkIn(message: OutboxMessage): string {
  const link = /http:\/\/outcry\.test(\/letters\/confirm\/[A-Za-z0-9_-]+)/.exec(message.text)?.[1]
  if (!link) throw new Error('no link in the mail')
  return link
}

const tally = async (app: App) => (await app.inject('/api/campaigns/zhanaozen/tally')).json()

t.test('the demo campaign and new campaigns confirm letters and RSVPs by default', async (t) => {
  const app = await build(t, { confirmLetters: true })
  t.match(app.campaigns.bySlug('zhanaozen'), { confirmLetters: true, confirmRsvps: true })
})

t.test('one confirmation covers letters to several officials, written at once or one after another', async (t) => {
  const app = await build(t, { confirmLetters: true })
  const page = await formSession(app, '/campaigns/zhanaozen')
  t.match(page.html, /type="checkbox" name="target" value="1"/, 'officials are ticked, not picked one')
  const res = await postForm(app, '/campaigns/zhanaozen/letters', { ...supporter, target: ['1', '2'], language: 'en', intent: 'send' }, page)
  t.equal(res.statusCode, 303)
  t.equal(tableCount(app, 'letters', "status = 'pending_confirmation'"), 2)
  const [first] = mails(app, 'confirm_letter')
  t.equal(mails(app, 'confirm_letter').length, 1, 'one mail for both letters')
  t.match(first!.subject, 'Please confirm your 2 letters')
  t.match(first!.text, 'Nursultan Nazarbayev')
  t.match(first!.text, 'Askhat Daulbayev')

  // The same supporter comes back for a third official: a new link, and the first still works.
  app.db.$client.prepare(`insert into targets (campaign_id, name, country, email, language, max_per_hour, send_hours_from, send_hours_to, created_at, updated_at) values (1, 'Ambassador', 'GB', 'embassy@example.org', 'en', 100000, 0, 24, 0, 0)`).run()
  await write(app, { targetId: 3 })
  t.equal(mails(app, 'confirm_letter').length, 2)
  t.match(mails(app, 'confirm_letter')[1]!.text, 'Ambassador')
  const link = linkIn(first!)
  const view = await app.inject(link)
  t.match(view.body, 'Confirm your 3 letters')
  const confirm = await postForm(app, link, {}, await formSession(app, link))
  t.equal(confirm.statusCode, 303)
  t.equal(tableCount(app, 'letters', "status = 'queued'"), 3, 'every pending letter of that address is confirmed')
  t.equal((await tally(app)).letters, 3)
  app.dispatcher.produce()
  t.equal(tableCount(app, 'outbox', "kind = 'letter'"), 3)
})

t.test('the copy goes only after confirmation; unconfirmed mail carries no text the submitter typed but their name', async (t) => {
  const app = await build(t, { confirmLetters: true })
  const marker = { organisation: 'ORG-MARKER', city: 'CITY-MARKER', note: 'NOTE-MARKER visit example', name: 'Roza T.' }
  await write(app, { ...marker, copy: true })
  await write(app, { ...marker, copy: true, targetId: 1 }) // a repeat while pending: a fresh link
  t.equal(tableCount(app, 'outbox', "kind = 'letter_copy'"), 0, 'no copy before confirmation')
  const unconfirmed = mails(app, 'confirm_letter')
  t.equal(unconfirmed.length, 2)
  for (const m of unconfirmed) {
    const everything = `${m.subject}\n${m.text}\n${m.html}`
    for (const typed of ['ORG-MARKER', 'CITY-MARKER', 'NOTE-MARKER']) t.notMatch(everything, typed, `${typed} is not in mail to an unconfirmed address`)
    t.match(m.text, 'Roza T.')
  }
  const link = linkIn(unconfirmed[0]!)
  await postForm(app, link, {}, await formSession(app, link))
  t.equal(tableCount(app, 'outbox', "kind = 'letter_copy'"), 1, 'the copy follows the confirmation')
  // And once confirmed, a repeat is told "already written", still without their words.
  await write(app, { ...marker })
  const [already] = mails(app, 'already_written')
  t.ok(already)
  t.notMatch(`${already!.text}${already!.html}`, /ORG-MARKER|CITY-MARKER|NOTE-MARKER/)
})

t.test('names refuse web addresses, on the form and in the API', async (t) => {
  const app = await build(t)
  for (const name of ['Visit https://evil.example', 'www.evil.example', 'Win at evil.com now']) {
    const res = await write(app, { name })
    t.equal(res.statusCode, 422, name)
    t.match(res.json().issues, [{ path: ['name'] }])
  }
  for (const name of ['J. R. R. Tolkien', 'Роза Тулетаева', "Mary O'Neil-Smith"]) t.equal((await write(app, { name, email: `${name.length}@example.org` })).statusCode, 201, name)
  const page = await formSession(app, '/campaigns/zhanaozen')
  const form = await postForm(app, '/campaigns/zhanaozen/letters', { ...supporter, name: 'see evil.com', target: '1', language: 'en', intent: 'send' }, page)
  t.equal(form.statusCode, 422)
  t.match(form.body, 'without a web address')
})

t.test('one per supporter folds +tags everywhere and dots at gmail', async (t) => {
  t.equal(normalizeEmail(' Roza+News@Example.com '), 'roza@example.com')
  t.equal(normalizeEmail('r.o.z.a+x@googlemail.com'), 'roza@gmail.com')
  t.equal(normalizeEmail('r.o.z.a@example.com'), 'r.o.z.a@example.com', 'dots matter elsewhere')
  const app = await build(t)
  await write(app, { email: 'roza.t@gmail.com' })
  await write(app, { email: 'RozaT+again@googlemail.com' })
  await write(app, { email: 'roza.t+third@gmail.com' })
  t.equal(tableCount(app, 'letters'), 1)
  t.equal((await tally(app)).letters, 1)
})

t.test('at most 3 mails a day to one address from anonymous actions; the answers never change', async (t) => {
  const clock = new TestClock()
  const app = await build(t, { clock: clock.now, confirmLetters: true })
  const answers = []
  for (let i = 0; i < 6; i++) answers.push(await write(app, { email: 'victim@example.org' }))
  t.ok(answers.every((a) => a.statusCode === 201 && a.json().letter.status === 'pending_confirmation'))
  t.equal(tableCount(app, 'outbox', "recipient = 'victim@example.org'"), 3, 'three mails, then silence')
  t.equal(tableCount(app, 'outbox', "recipient = 'other@example.org'"), 0)
  await write(app, { email: 'other@example.org' })
  t.equal(tableCount(app, 'outbox', "recipient = 'other@example.org'"), 1, 'the cap is per address')
  clock.advance(DAY)
  await write(app, { email: 'victim@example.org' })
  t.equal(tableCount(app, 'outbox', "recipient = 'victim@example.org'"), 4, 'a new day, a new allowance')
  t.equal(tableCount(app, 'mail_quota', "address_key like '%victim%'"), 0, 'the quota keeps a keyed hash, not the address')
})

t.test('officials reply to the campaign unless the supporter shares their address', async (t) => {
  const app = await build(t, { env: { REPLY_TO: 'replies@outcry.test' } })
  await write(app, { email: 'private@example.org' })
  await write(app, { email: 'open@example.org', replyDirect: true })
  // Letters are composed when sent: read them as the (captured) mail server got them.
  await app.dispatcher.drain()
  const raw = (app.db.$client.prepare(`select raw from captured_mail where recipient = 'president@akorda.example.org' order by id`).all() as { raw: string }[]).map((r) => r.raw)
  t.equal(raw.length, 2)
  const [hidden, shared] = raw as [string, string]
  t.match(hidden, /^Reply-To: Outcry <replies@outcry\.test>$/m)
  t.notMatch(hidden, 'private@example.org', 'the address is nowhere in the mail to the official')
  t.match(shared, /^Reply-To: "?Roza T\."? <open@example\.org>$/m)
  const page = await app.inject('/campaigns/zhanaozen')
  t.match(page.body, /name="replyDirect"/)
  t.match(page.body, 'shares my email address with them')
})

t.test('without confirmation, the public counts move only every PUBLIC_COUNT_DELAY seconds', async (t) => {
  const clock = new TestClock()
  const app = await build(t, { clock: clock.now, env: { PUBLIC_COUNT_DELAY: '300' } })
  t.equal((await tally(app)).letters, 0)
  await write(app)
  const held = await tally(app)
  t.equal(held.letters, 0, 'the tally does not move with the letter')
  t.equal(held.byTarget[0].letters, 0, 'nor the official it went to')
  t.match((await app.inject('/campaigns/zhanaozen')).body, /<strong data-tally>0<\/strong>/)
  clock.advance(299_000)
  t.equal((await tally(app)).letters, 0)
  clock.advance(2_000)
  t.equal((await tally(app)).letters, 1, 'after the delay everyone sees it')
  t.match((await app.inject('/campaigns/zhanaozen')).body, /<strong data-tally>1<\/strong>/)

  // With confirmation on, only a confirmed letter moves the tally, so it may move at once.
  app.db.$client.prepare(`update campaigns set confirm_letters = 1, updated_at = updated_at + 1`).run()
  await write(app, { email: 'second@example.org' })
  t.equal((await tally(app)).letters, 1)
})

t.test('the campaign screen says what turning confirmation off gives away', async (t) => {
  const { signIn, addUser } = await import('../admin/helper.js')
  const app = await build(t, { confirmLetters: true })
  await addUser(app, 'admin@example.org', 'admin')
  const admin = await signIn(app, 'admin@example.org')
  t.notMatch((await admin.get('/admin/campaigns/1')).body, 'Confirmation is off')
  app.db.$client.prepare(`update campaigns set confirm_rsvps = 0`).run()
  const page = (await admin.get('/admin/campaigns/1')).body
  t.match(page, 'Confirmation is off for RSVPs')
  t.match(page, 'whether that person already took part')
  const preview = await admin.get('/admin/campaigns/1/preview')
  t.equal(preview.statusCode, 200)
  t.match(preview.body, 'Free the Zhanaozen oil workers')
})

t.test('a repeat takes as long as a new letter (within 2 ms)', async (t) => {
  const app = await build(t, { confirmLetters: true })
  const repeatFrom = 'repeat@example.org'
  await write(app, { email: repeatFrom })
  const link = linkIn(mails(app, 'confirm_letter')[0]!)
  await postForm(app, link, {}, await formSession(app, link))
  // Warm up both paths, then interleave them so drift hits both alike.
  for (let i = 0; i < 10; i++) {
    await write(app, { email: `warm${i}@example.org` })
    await write(app, { email: repeatFrom })
  }
  const times = { fresh: [] as number[], repeat: [] as number[] }
  for (let i = 0; i < 60; i++) {
    for (const kind of (i % 2 ? ['fresh', 'repeat'] : ['repeat', 'fresh']) as ('fresh' | 'repeat')[]) {
      const started = process.hrtime.bigint()
      const res = await write(app, { email: kind === 'fresh' ? `new${i}@example.org` : repeatFrom })
      times[kind].push(Number(process.hrtime.bigint() - started) / 1e6)
      t.equal(res.statusCode, 201)
    }
  }
  const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * q)]!
  t.comment(`median new ${quantile(times.fresh, 0.5).toFixed(2)} ms, repeat ${quantile(times.repeat, 0.5).toFixed(2)} ms`)
  // The fastest tenth is each path's own cost: on a machine busy with other tests (CI runs two files at
  // once, one of them a browser) the median measures the neighbours' load too. Within 2 ms on a quiet
  // machine; on a loaded one every cost stretches alike, so the gap may grow as far as a repeat's own cost.
  // (A new letter still does more work than a repeat, about 1 ms here: issue 16's letter path is to even it.)
  const fresh = quantile(times.fresh, 0.1)
  const repeat = quantile(times.repeat, 0.1)
  const allowed = Math.max(2, repeat)
  t.ok(Math.abs(fresh - repeat) < allowed, `fastest tenths within ${allowed.toFixed(2)} ms (new ${fresh.toFixed(2)}, repeat ${repeat.toFixed(2)})`)
})
