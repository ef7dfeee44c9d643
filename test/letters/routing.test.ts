// The embassy in your country (issue 12): officials may serve supporters from given countries
// (`forCountries`); the letter form and the campaign API offer them first, to supporters from there.
import t from 'tap'
import path from 'node:path'
import { build, formSession, postForm, supporter, tableCount, tempDir } from '../helper.js'
import { openDatabase } from '../../src/db/client.js'
import { seedDemo } from '../../src/demo/seed.js'
import { targets } from '../../src/db/schema/index.js'
import { officialsForCountry } from '../../src/campaigns/queries.js'

const page = '/campaigns/zhanaozen'
const action = '/campaigns/zhanaozen/letters'
const LONDON = 'Ambassador in London'
const BERLIN = 'Ambassador in Berlin'

type App = Awaited<ReturnType<typeof build>>
const idOf = (app: App, name: string) => app.campaigns.targets(1).find((x) => x.name === name)!.id

/** The officials' checkboxes of a rendered form, in page order: id, ticked, marked as suggested. */
function officials(html: string): { id: number; checked: boolean; suggested: boolean }[] {
  const fieldset = /<fieldset class="officials"[\s\S]*?<\/fieldset>/.exec(html)?.[0] ?? ''
  return [...fieldset.matchAll(/<label data-official="(\d+)">([\s\S]*?)<\/label>/g)].map((m) => ({
    id: Number(m[1]),
    checked: /name="target" value="\d+" checked/.test(m[2]!),
    suggested: /<mark class="suggested" data-suggested-mark >/.test(m[2]!),
  }))
}

t.test('the suggestion rule: officials for the country first, in their order, the rest after', async (t) => {
  const list = [
    { id: 1, forCountries: [] as string[] },
    { id: 2, forCountries: ['DE', 'AT'] },
    { id: 3, forCountries: ['GB', 'IE'] },
    { id: 4, forCountries: ['ie'] },
  ]
  t.same(officialsForCountry(list, 'IE').map((x) => [x.id, x.suggested]), [[3, true], [4, true], [1, false], [2, false]])
  t.same(officialsForCountry(list, 'at').map((x) => [x.id, x.suggested]), [[2, true], [1, false], [3, false], [4, false]])
  t.same(officialsForCountry(list, 'FR').map((x) => x.id), [1, 2, 3, 4], 'no official for France: the order as it was')
  t.same(officialsForCountry(list, undefined).map((x) => [x.id, x.suggested]), [[1, false], [2, false], [3, false], [4, false]])
})

t.test('the demo has the embassies in London, Berlin, Warsaw and Kyiv beside the President and the Prosecutor General', async (t) => {
  const app = await build(t, { pacedOfficials: true })
  const all = app.campaigns.targets(1)
  t.same(
    all.map((x) => [x.country, x.forCountries]),
    [['KZ', []], ['KZ', []], ['GB', ['GB', 'IE']], ['DE', ['DE', 'AT', 'CH']], ['PL', ['PL']], ['UA', ['UA']]],
  )
  const london = all.find((x) => x.name === LONDON)!
  t.equal(london.title, 'Ambassador of the Republic of Kazakhstan to the United Kingdom')
  for (const x of all) {
    t.match(x.email, /@[\w.-]*example\.org$/, `${x.name}: no deliverable address`)
    t.ok(['en', 'ru'].includes(x.language), `${x.name} reads a language the campaign writes in`)
    t.equal(x.maxPerHour, 30, `${x.name} is paced as every official`)
  }
})

t.test('re-seeding an existing demo adds the embassies once; unpaced seeds make them unpaced', async (t) => {
  const database = openDatabase(path.join(tempDir(t), 'outcry.db'))
  t.teardown(() => database.close())
  const { db } = database
  const count = (where = '1=1') => (db.$client.prepare(`select count(*) as n from targets where ${where}`).get() as { n: number }).n
  seedDemo(db, new Date(), { paced: false })
  t.equal(count(), 6)
  t.same(
    db.select({ maxPerHour: targets.maxPerHour, from: targets.sendHoursFrom, to: targets.sendHoursTo }).from(targets).all(),
    Array(6).fill({ maxPerHour: 100_000, from: 0, to: 24 }),
    'every official, embassies too, takes mail at once',
  )
  // A demo seeded before the embassies: they arrive with the next seed, and only once.
  db.$client.prepare(`delete from targets where for_countries <> '[]'`).run()
  t.equal(count(), 2)
  t.equal(seedDemo(db, new Date(), { paced: false }).created, true, 'the seed says it changed something')
  t.equal(count(), 6, 'the four embassies were added')
  t.equal(count("for_countries <> '[]' and max_per_hour = 100000 and send_hours_from = 0 and send_hours_to = 24"), 4, 'unpaced as asked')
  t.same(db.select({ position: targets.position }).from(targets).all().map((x) => x.position), [1, 2, 3, 4, 5, 6], 'after the President and the Prosecutor General')
  t.equal(seedDemo(db, new Date()).created, false, 'a second run changes nothing')
  t.equal(count(), 6, 'not twice')
})

t.test('the form suggests the embassy for GB, first and ticked, after Preview without JavaScript', async (t) => {
  const app = await build(t)
  const london = idOf(app, LONDON)
  const session = await formSession(app, page)
  // No country yet: the campaign's own order, nothing suggested or ticked.
  const plain = officials(session.html)
  t.same(plain.map((x) => x.id), [1, 2, 3, 4, 5, 6])
  t.notOk(plain.some((x) => x.checked || x.suggested), 'nothing suggested without a country')

  const { country, ...rest } = supporter
  const res = await postForm(app, action, { ...rest, country: 'GB', language: 'en', intent: 'preview' }, session)
  t.equal(res.statusCode, 200)
  const form = officials(res.body)
  t.same(form[0], { id: london, checked: true, suggested: true }, 'the embassy in London first, ticked and marked')
  t.same(form.filter((x) => x.suggested).map((x) => x.id), [london], 'only the London embassy is suggested')
  t.same(form.filter((x) => x.checked).map((x) => x.id), [london], 'and only it is ticked')
  t.same(form.slice(1).map((x) => x.id), [1, 2, 4, 5, 6], 'the others follow in their order')
  t.match(res.body, 'Suggested: the embassy in your country')
  t.match(res.body, /data-preview-to>To Ambassador in London, Ambassador of the Republic of Kazakhstan to the United Kingdom/, 'the preview is to the embassy')
  t.match(res.body, /name="target" value="\d+" checked data-auto-ticked/, 'the script learns which tick was a suggestion')

  // Ireland is served from London too; Austria from Berlin; lower-case codes count.
  const ie = officials((await postForm(app, action, { ...rest, country: 'ie', intent: 'preview' }, session)).body)
  t.same(ie[0], { id: london, checked: true, suggested: true })
  const at = officials((await postForm(app, action, { ...rest, country: 'AT', intent: 'preview' }, session)).body)
  t.same(at[0], { id: idOf(app, BERLIN), checked: true, suggested: true })
  // A country without an embassy of its own: the order as it was, nothing ticked for them.
  const fr = officials((await postForm(app, action, { ...rest, country: 'FR', intent: 'preview' }, session)).body)
  t.same(fr.map((x) => x.id), [1, 2, 3, 4, 5, 6])
  t.notOk(fr.some((x) => x.checked || x.suggested))
  t.equal(tableCount(app, 'letters'), 0, 'previews write nothing')
})

t.test('what the supporter ticked stays theirs; a letter goes where they ticked', async (t) => {
  const app = await build(t)
  const london = idOf(app, LONDON)
  const session = await formSession(app, page)
  const preview = await postForm(app, action, { ...supporter, target: '2', language: 'en', intent: 'preview' }, session)
  const form = officials(preview.body)
  t.same(form[0], { id: london, checked: false, suggested: true }, 'the embassy is first and suggested, but not ticked for them')
  t.same(form.filter((x) => x.checked).map((x) => x.id), [2], 'the Prosecutor General stays ticked')
  t.match(preview.body, 'Dear Prosecutor General,', 'the preview stays with their choice')
  t.notMatch(preview.body, 'data-auto-ticked')

  // Sent without an official: the error asks them to choose; the embassy is offered, not ticked behind their back.
  const { target, ...none } = { ...supporter, target: '', language: 'en' }
  const missing = await postForm(app, action, none, session)
  t.equal(missing.statusCode, 422)
  t.match(missing.body, /id="target-error"/)
  t.same(officials(missing.body)[0], { id: london, checked: false, suggested: true })

  const sent = await postForm(app, action, { ...supporter, target: [String(london), '1'], language: 'en' }, session)
  t.equal(sent.statusCode, 303)
  t.same(
    app.db.$client.prepare(`select target_id as id from letters order by target_id`).all().map((r) => (r as { id: number }).id),
    [1, london],
    'one letter to the embassy, one to the President',
  )
})

t.test('the live preview answers with the order and the suggestion for the country', async (t) => {
  const app = await build(t)
  const london = idOf(app, LONDON)
  const ask = (fields: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url: '/campaigns/zhanaozen/preview',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      payload: new URLSearchParams(fields).toString(),
    })
  const gb = (await ask({ name: 'Roza', country: 'GB', language: 'en' })).json()
  t.same(gb.suggested, [london])
  t.same(gb.officials, [london, 1, 2, 4, 5, 6])
  t.equal(gb.target, LONDON, 'nothing ticked: the preview is to the suggested embassy')
  t.match(gb.body, "Dear Ambassador,")
  const ticked = (await ask({ name: 'Roza', country: 'GB', language: 'en', target: '2' })).json()
  t.equal(ticked.target, 'Askhat Daulbayev', 'a ticked official keeps the preview')
  t.same(ticked.suggested, [london])
  const none = (await ask({ name: 'Roza', language: 'en' })).json()
  t.same(none.suggested, [])
  t.same(none.officials, [1, 2, 3, 4, 5, 6])
  t.equal(none.target, 'Nursultan Nazarbayev')
})

t.test('GET /api/campaigns/:slug?country=GB lists the London embassy first with suggested: true', async (t) => {
  const app = await build(t)
  const london = idOf(app, LONDON)
  const gb = await app.inject('/api/campaigns/zhanaozen?country=GB')
  t.equal(gb.statusCode, 200)
  const listed = gb.json().targets as { id: number; name: string; title: string; country: string; suggested: boolean }[]
  t.same(listed[0], { id: london, name: LONDON, title: 'Ambassador of the Republic of Kazakhstan to the United Kingdom', country: 'GB', suggested: true, fallback: [] })
  t.same(listed.map((x) => [x.id, x.suggested]), [[london, true], [1, false], [2, false], [4, false], [5, false], [6, false]])
  t.match((await app.inject('/api/campaigns/zhanaozen?country=ch')).json().targets[0], { id: idOf(app, BERLIN), name: BERLIN, title: String, country: 'DE', suggested: true })

  // Without a country: the order as before, nothing suggested.
  for (const url of ['/api/campaigns/zhanaozen', '/api/campaigns/zhanaozen?country=']) {
    const plain = (await app.inject(url)).json().targets as { id: number; suggested: boolean }[]
    t.same(plain.map((x) => [x.id, x.suggested]), [[1, false], [2, false], [3, false], [4, false], [5, false], [6, false]], url)
  }
})

t.test('a malformed country is a 422 naming the field', async (t) => {
  const app = await build(t)
  for (const q of ['country=XX', 'country=GBR', 'country=G', 'country=g%C3%9F', 'country=12', 'country=GB&country=IE']) {
    const res = await app.inject(`/api/campaigns/zhanaozen?${q}`)
    t.equal(res.statusCode, 422, q)
    t.equal(res.json().error, 'Invalid input', q)
    t.same(res.json().issues.map((i: { path: string[] }) => i.path), [['country']], q)
    t.ok(res.json().issues[0].message.length > 0, q)
  }
  t.equal((await app.inject('/api/campaigns/nope?country=XX')).statusCode, 404, 'an unknown campaign is still a 404')
})
