import Database from 'better-sqlite3'
import t from 'tap'
import { build, supporter, tableCount } from '../helper.js'

// The letter path keeps the campaign, its officials and templates in memory while content_generation
// stays put (see cachedDefinitions). Any change to them, from this process or another, must show at once.
const url = '/api/campaigns/zhanaozen/letters'
const post = (app: Awaited<ReturnType<typeof build>>, email: string, targetId = 1) =>
  app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ ...supporter, email, targetId }) })

t.test('an edit made by another process reaches the next letter; a letter itself does not move the generation', async (t) => {
  const app = await build(t)
  const generation = () => app.db.$client.prepare('select n from content_generation').pluck().get() as number
  t.equal((await post(app, 'a@example.org')).statusCode, 201)
  const before = generation()
  t.equal((await post(app, 'b@example.org')).statusCode, 201)
  t.equal(generation(), before, 'counting a letter (the tally columns) leaves the cache alone')

  // Another connection, as `npm run` scripts or a second process would be.
  const other = new Database(app.config.databasePath)
  t.teardown(() => other.close())
  other.prepare(`update letter_templates set body = 'Dear {{target.name}}, a changed letter. {{supporter.name}}' where campaign_id = 1 and language = 'en'`).run()
  t.ok(generation() > before, 'the trigger raised the generation')
  t.equal((await post(app, 'c@example.org')).statusCode, 201)
  const body = app.db.$client.prepare(`select body from letters where email_normalized = 'c@example.org'`).pluck().get() as string
  t.match(body, 'a changed letter', 'the new template wrote the next letter')

  other.prepare(`update targets set name = 'Renamed Official' where id = 2`).run()
  t.equal((await post(app, 'd@example.org', 2)).statusCode, 201)
  t.match(app.db.$client.prepare(`select body from letters where email_normalized = 'd@example.org'`).pluck().get(), 'Renamed Official')

  other.prepare(`delete from targets where id = 2`).run()
  const gone = await post(app, 'e@example.org', 2)
  t.equal(gone.statusCode, 422, 'a removed official is refused at once')
  t.match(gone.json(), { issues: [{ path: ['targetId'] }] })

  other.prepare(`update campaigns set status = 'closed' where id = 1`).run()
  t.equal((await post(app, 'f@example.org')).statusCode, 409, 'a campaign closed elsewhere takes no more letters')
  t.equal(tableCount(app, 'letters', "email_normalized = 'f@example.org'"), 0)
})

t.test('the public tally is counted afresh, not from the cached campaign', async (t) => {
  const app = await build(t)
  t.equal((await post(app, 'a@example.org')).statusCode, 201)
  t.equal((await post(app, 'b@example.org')).statusCode, 201)
  t.match((await app.inject('/api/campaigns/zhanaozen/tally')).json(), { letters: 2, byTarget: [{ targetId: 1, letters: 2 }] })
  t.equal((await post(app, 'c@example.org')).statusCode, 201)
  t.match((await app.inject('/api/campaigns/zhanaozen/tally')).json(), { letters: 3 })
  const page = await app.inject('/campaigns/zhanaozen')
  t.match(page.body, /<strong data-tally>3<\/strong>/)
})
