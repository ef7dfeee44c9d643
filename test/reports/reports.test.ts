import t from 'tap'
import crypto from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { parse } from 'csv-parse/sync'
import { build, TestClock, tableCount } from '../helper.js'
import { addUser, signIn } from '../admin/helper.js'
import { createApiToken } from '../../src/admin/api.js'
import type { LetterInput } from '../../src/letters/input.js'
import { letterStats } from '../../src/reports/queries.js'

type Test = Parameters<typeof build>[0]

const DAY = 86_400_000

/** The demo campaign (id 1), an organizer of it, an organizer of another campaign, and a clock at 25 Nov 2026. */
async function setup(t: Test) {
  const clock = new TestClock(new Date('2026-11-25T10:00:00Z'))
  const app = await build(t, { clock: clock.now })
  const sqlite = app.db.$client
  const other = Number(
    sqlite
      .prepare(`insert into campaigns (slug, title, goal, status, languages, created_at, updated_at) values ('other', 'Another campaign', 100, 'live', '["en"]', ?, ?)`)
      .run(clock.current.getTime(), clock.current.getTime()).lastInsertRowid,
  )
  const organizer = await addUser(app, 'org@example.org', 'organizer', [1])
  const stranger = await addUser(app, 'stranger@example.org', 'organizer', [other])
  const targets = app.campaigns.targets(1)
  return { app, clock, sqlite, other, organizer, stranger, targets }
}

type Setup = Awaited<ReturnType<typeof setup>>

function write(s: Setup, { targetId, ...input }: Partial<LetterInput> & { email: string; targetId?: number }) {
  const res = s.app.letters.write('zhanaozen', { name: 'Sam', country: 'GB', city: 'Leeds', targetIds: [targetId ?? s.targets[0]!.id], copy: false, replyDirect: false, consent: false, ...input })
  if (res.kind !== 'accepted' || res.duplicate) throw new Error(`letter not accepted: ${res.kind}`)
}

/** Paper letters as the offline screen records them: a row and the campaign's counter. */
function addOffline(s: Setup, count: number, date: string, country: string, group = 'Unite Leeds') {
  const now = s.clock.current.getTime()
  s.sqlite.prepare(`insert into offline_letters (campaign_id, count, date, group_name, country, note, created_at, updated_at) values (1, ?, ?, ?, ?, '', ?, ?)`).run(count, date, group, country, now, now)
  s.sqlite.prepare(`update campaigns set offline_count = offline_count + ? where id = 1`).run(count)
}

const csvOf = (body: string) => parse(body.replace(/^\uFEFF/, ''), { columns: true, skip_empty_lines: true }) as Record<string, string>[]
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

t.test('letters.csv: columns, quoting, Cyrillic, formulas neutralised, email only with consent, dated file name', async (t) => {
  const s = await setup(t)
  write(s, { name: 'Smith, "Jo"', email: 'jo@example.org', consent: true, organisation: 'Unite, Leeds branch' })
  s.clock.advance(60_000)
  write(s, { name: 'Роза Тулетаева', email: 'roza@example.org', consent: false, country: 'KZ', city: 'Жанаозен', organisation: 'Профсоюз', targetId: s.targets[1]!.id })
  s.clock.advance(60_000)
  write(s, { name: '=HYPERLINK("x")', email: 'formula@example.org', consent: true, city: '+Leeds', organisation: '@union' })
  s.clock.advance(60_000)
  // Old or imported data can hold what the form refuses: a line break, a leading minus, a tab.
  s.sqlite
    .prepare(
      `insert into letters (public_id, campaign_id, target_id, language, supporter_name, supporter_email, email_normalized, country, city, organisation, consent, subject, body, status, created_at)
       values ('p1', 1, ?, 'ru', ?, 'pending@example.org', 'pending@example.org', 'PL', ?, ?, 1, 's', 'b', 'pending_confirmation', ?)`,
    )
    .run(s.targets[0]!.id, '-1+1', '\tWarsaw', 'Line one\nLine two', s.clock.current.getTime())

  const browser = await signIn(s.app, 'org@example.org')
  const res = await browser.get('/admin/campaigns/1/exports/letters.csv')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'text/csv; charset=utf-8')
  t.equal(res.headers['content-disposition'], 'attachment; filename="zhanaozen-letters-2026-11-25.csv"')
  t.equal(res.headers['cache-control'], 'no-store')
  t.notOk(res.body.startsWith('\uFEFF'), 'no BOM unless asked')
  t.equal(res.body.split('\r\n')[0], 'date,status,official,supporter name,country,city,organisation,email,language', "the letter's language last")

  const rows = csvOf(res.body)
  t.equal(rows.length, 4, 'every letter, the pending one included')
  const [jo, roza, formula, pending] = rows
  t.same(jo, { date: '2026-11-25 10:00:00', status: 'queued', official: s.targets[0]!.name, 'supporter name': 'Smith, "Jo"', country: 'GB', city: 'Leeds', organisation: 'Unite, Leeds branch', email: 'jo@example.org', language: 'en' })
  t.same(roza, { date: '2026-11-25 10:01:00', status: 'queued', official: s.targets[1]!.name, 'supporter name': 'Роза Тулетаева', country: 'KZ', city: 'Жанаозен', organisation: 'Профсоюз', email: '', language: 'en' })
  t.equal(formula!['supporter name'], `'=HYPERLINK("x")`, 'a formula comes out as text')
  t.equal(formula!.city, "'+Leeds")
  t.equal(formula!.organisation, "'@union")
  t.equal(formula!.email, 'formula@example.org')
  t.match(pending, { status: 'pending_confirmation', 'supporter name': "'-1+1", city: "'\tWarsaw", organisation: 'Line one\nLine two', email: 'pending@example.org', language: 'ru' })

  // The raw text: quotes doubled inside quoted cells, UTF-8 bytes for Cyrillic.
  t.match(res.body, `"Smith, ""Jo"""`)
  t.match(res.body, `"'=HYPERLINK(""x"")"`)
  t.match(res.body, '"Line one\nLine two"')
  t.ok(res.rawPayload.includes(Buffer.from('Роза Тулетаева', 'utf8')), 'Cyrillic in UTF-8')
  t.notMatch(res.body, 'roza@example.org', 'no email of a supporter who did not consent')

  // With a BOM for Excel.
  const bom = await browser.get('/admin/campaigns/1/exports/letters.csv?bom=1')
  t.same([...bom.rawPayload.subarray(0, 3)], [0xef, 0xbb, 0xbf])
  t.equal(csvOf(bom.body).length, 4)

  const audits = s.sqlite.prepare(`select action, user_email as email, campaign_id as campaignId, detail from audit_log where action like 'export.%' order by id`).all() as { action: string; email: string; campaignId: number; detail: string }[]
  t.equal(audits.length, 2)
  t.match(audits[0], { action: 'export.letters', email: 'org@example.org', campaignId: 1 })
  t.same(JSON.parse(audits[0]!.detail), { rows: 4, bom: false, separator: 'comma', via: 'admin' })
  t.same(JSON.parse(audits[1]!.detail), { rows: 4, bom: true, separator: 'comma', via: 'admin' })
})

t.test('tally.csv by official, country and day, with offline letters apart; a bad grouping is a 422', async (t) => {
  const s = await setup(t)
  const [first, second] = s.targets
  write(s, { email: 'a@example.org', country: 'GB', targetId: first!.id })
  write(s, { email: 'b@example.org', country: 'GB', targetId: second!.id })
  s.clock.advance(DAY)
  write(s, { email: 'c@example.org', country: 'KZ', targetId: first!.id })
  // Waiting for confirmation: in the letters export, not in the tally.
  s.sqlite
    .prepare(`insert into letters (public_id, campaign_id, target_id, language, supporter_name, supporter_email, email_normalized, country, city, subject, body, status, created_at) values ('p', 1, ?, 'en', 'P', 'p@example.org', 'p@example.org', 'FR', 'Paris', 's', 'b', 'pending_confirmation', ?)`)
    .run(first!.id, s.clock.current.getTime())
  addOffline(s, 40, '2026-11-20', 'GB')
  addOffline(s, 7, '2026-11-26', 'DE', 'IG Metall')

  const browser = await signIn(s.app, 'org@example.org')
  const byOfficial = await browser.get('/admin/campaigns/1/exports/tally.csv?by=official')
  t.equal(byOfficial.statusCode, 200)
  t.equal(byOfficial.headers['content-disposition'], 'attachment; filename="zhanaozen-tally-by-official-2026-11-26.csv"')
  t.same(csvOf(byOfficial.body), [
    { official: first!.name, online: '2', offline: '', total: '2' },
    { official: second!.name, online: '1', offline: '', total: '1' },
    // The demo's embassies, written to by nobody yet, are listed with none.
    ...s.targets.slice(2).map((x) => ({ official: x.name, online: '0', offline: '', total: '0' })),
    { official: 'Posted on paper (all officials)', online: '', offline: '47', total: '47' },
  ])

  const byCountry = await browser.get('/admin/campaigns/1/exports/tally.csv?by=country')
  t.same(csvOf(byCountry.body), [
    { country: 'GB', 'country name': 'United Kingdom', online: '2', offline: '40', total: '42' },
    { country: 'DE', 'country name': 'Germany', online: '0', offline: '7', total: '7' },
    { country: 'KZ', 'country name': 'Kazakhstan', online: '1', offline: '0', total: '1' },
  ])

  const byDay = await browser.get('/admin/campaigns/1/exports/tally.csv?by=day&bom=1')
  t.ok(byDay.body.startsWith('\uFEFF'))
  t.same(csvOf(byDay.body), [
    { date: '2026-11-20', online: '0', offline: '40', total: '40' },
    { date: '2026-11-25', online: '2', offline: '0', total: '2' },
    { date: '2026-11-26', online: '1', offline: '7', total: '8' },
  ])

  const bad = await browser.get('/admin/campaigns/1/exports/tally.csv?by=target')
  t.equal(bad.statusCode, 422)
  t.match(bad.headers['content-type'], 'text/html')
  t.match(bad.body, 'Group the tally by official, country or day')
  const token = createApiToken(s.app.db, s.organizer.id, 'test', s.app.clock()).token
  const badApi = await s.app.inject({ url: '/api/admin/campaigns/1/exports/tally.csv?by=', headers: bearer(token) })
  t.equal(badApi.statusCode, 422)
  t.match(badApi.json(), { error: /official, country or day/, issues: [{ path: ['by'] }] })

  t.same(
    (s.sqlite.prepare(`select detail from audit_log where action = 'export.tally' order by id`).all() as { detail: string }[]).map((r) => JSON.parse(r.detail)),
    [
      { by: 'official', rows: s.targets.length + 1, bom: false, separator: 'comma', via: 'admin' },
      { by: 'country', rows: 3, bom: false, separator: 'comma', via: 'admin' },
      { by: 'day', rows: 3, bom: true, separator: 'comma', via: 'admin' },
    ],
    'each export audited, refused ones not',
  )
})

t.test('GET /api/admin/campaigns/:id/tally and the exports through the API', async (t) => {
  const s = await setup(t)
  const [first, second] = s.targets
  write(s, { email: 'a@example.org', country: 'GB', targetId: first!.id, consent: true })
  s.clock.advance(DAY)
  write(s, { email: 'b@example.org', country: 'UA', targetId: second!.id })
  addOffline(s, 12, '2026-11-24', 'UA')
  const token = createApiToken(s.app.db, s.organizer.id, 'test', s.app.clock()).token

  const res = await s.app.inject({ url: '/api/admin/campaigns/1/tally', headers: bearer(token) })
  t.equal(res.statusCode, 200)
  t.same(res.json(), {
    goal: 11000,
    online: 2,
    offline: 12,
    total: 14,
    byTarget: [
      { targetId: first!.id, name: first!.name, letters: 1 },
      { targetId: second!.id, name: second!.name, letters: 1 },
      ...s.targets.slice(2).map((x) => ({ targetId: x.id, name: x.name, letters: 0 })),
    ],
    byCountry: [
      { country: 'UA', online: 1, offline: 12 },
      { country: 'GB', online: 1, offline: 0 },
    ],
    byDay: [
      { date: '2026-11-24', online: 0, offline: 12 },
      { date: '2026-11-25', online: 1, offline: 0 },
      { date: '2026-11-26', online: 1, offline: 0 },
    ],
  })

  const letters = await s.app.inject({ url: '/api/admin/campaigns/1/exports/letters.csv?bom=1', headers: bearer(token) })
  t.equal(letters.statusCode, 200)
  t.equal(letters.headers['content-disposition'], 'attachment; filename="zhanaozen-letters-2026-11-26.csv"')
  t.ok(letters.body.startsWith('\uFEFF'))
  t.same(
    csvOf(letters.body).map((r) => r.email),
    ['a@example.org', ''],
  )
  const tally = await s.app.inject({ url: '/api/admin/campaigns/1/exports/tally.csv?by=country', headers: bearer(token) })
  t.equal(tally.statusCode, 200)
  t.equal(csvOf(tally.body).length, 2)
  const audit = s.sqlite.prepare(`select detail from audit_log where action = 'export.letters'`).get() as { detail: string }
  t.match(JSON.parse(audit.detail), { via: 'api', rows: 2 })

  // Documented for the organizers' tools.
  const doc = (await s.app.inject('/api/docs/json')).json()
  t.ok(doc.paths['/api/admin/campaigns/{id}/tally'], 'tally in the OpenAPI document')
  t.ok(doc.paths['/api/admin/campaigns/{id}/exports/letters.csv'])
  t.ok(doc.paths['/api/admin/pickets/{id}/exports/rsvps.csv'])
})

t.test('rsvps.csv: the picket RSVP list, emails only with consent, check-ins', async (t) => {
  const s = await setup(t)
  const picket = s.sqlite.prepare(`select id, city from pickets where campaign_id = 1 order by id limit 1`).get() as { id: number; city: string }
  const add = s.sqlite.prepare(`insert into rsvps (picket_id, token, name, email, email_normalized, consent, status, created_at, checked_in_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const at = s.clock.current.getTime()
  add.run(picket.id, 't1', 'Олена Коваль', 'olena@example.org', 'olena@example.org', 1, 'going', at, at + 3_600_000)
  add.run(picket.id, 't2', '@mention, "quoted"', 'quiet@example.org', 'quiet@example.org', 0, 'waitlisted', at + 1000, null)
  add.run(picket.id, 't3', 'Sam', 'sam@example.org', 'sam@example.org', 1, 'cancelled', at + 2000, null)
  add.run(picket.id, 't4', 'Pat', 'pat@example.org', 'pat@example.org', 0, 'pending_confirmation', at + 3000, null)

  const browser = await signIn(s.app, 'org@example.org')
  const res = await browser.get(`/admin/pickets/${picket.id}/exports/rsvps.csv`)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-disposition'], `attachment; filename="zhanaozen-picket-${picket.id}-london-rsvps-2026-11-25.csv"`)
  t.equal(res.body.split('\r\n')[0], 'name,email,status,created,checked in')
  t.same(csvOf(res.body), [
    { name: 'Олена Коваль', email: 'olena@example.org', status: 'going', created: '2026-11-25 10:00:00', 'checked in': '2026-11-25 11:00:00' },
    { name: `'@mention, "quoted"`, email: '', status: 'waitlisted', created: '2026-11-25 10:00:01', 'checked in': '' },
    { name: 'Sam', email: 'sam@example.org', status: 'cancelled', created: '2026-11-25 10:00:02', 'checked in': '' },
    { name: 'Pat', email: '', status: 'pending_confirmation', created: '2026-11-25 10:00:03', 'checked in': '' },
  ])
  t.notMatch(res.body, 'quiet@example.org')
  t.notMatch(res.body, 'pat@example.org', 'nor of someone unconfirmed who did not consent')
  const audit = s.sqlite.prepare(`select subject, detail from audit_log where action = 'export.rsvps'`).get() as { subject: string; detail: string }
  t.equal(audit.subject, `picket:${picket.id}`)
  t.match(JSON.parse(audit.detail), { rows: 4 })
})

t.test('the report page: totals, online and offline apart, SVG chart without inline styles, officials, countries, pickets', async (t) => {
  const s = await setup(t)
  const [first] = s.targets
  write(s, { email: 'a@example.org', country: 'GB', targetId: first!.id })
  s.clock.advance(DAY)
  write(s, { email: 'b@example.org', country: 'KZ', targetId: first!.id })
  addOffline(s, 25, '2026-11-20', 'DE')
  // An old letter, outside the chart's 60 days.
  s.sqlite
    .prepare(`insert into letters (public_id, campaign_id, target_id, language, supporter_name, country, subject, body, status, created_at) values ('old', 1, ?, 'en', 'Old', 'GB', 's', 'b', 'sent', ?)`)
    .run(first!.id, Date.parse('2026-06-01T12:00:00Z'))
  s.sqlite.prepare(`update campaigns set letters_count = letters_count + 1 where id = 1`).run()
  s.sqlite.prepare(`update targets set letters_count = letters_count + 1 where id = ?`).run(first!.id)
  const picket = s.sqlite.prepare(`select id from pickets where campaign_id = 1 order by id limit 1`).get() as { id: number }
  const add = s.sqlite.prepare(`insert into rsvps (picket_id, token, name, email, email_normalized, status, created_at, checked_in_at) values (?, ?, 'X', ?, ?, 'going', 1, ?)`)
  for (let i = 0; i < 5; i++) add.run(picket.id, `tok${i}`, `r${i}@example.org`, `r${i}@example.org`, i < 3 ? 1000 : null)
  s.sqlite.prepare(`update pickets set going_count = 5 where id = ?`).run(picket.id)

  const browser = await signIn(s.app, 'org@example.org')
  const res = await browser.get('/admin/campaigns/1/report')
  t.equal(res.statusCode, 200)
  const html = res.body
  t.match(html, /<strong data-total>28<\/strong> of 11,000 letters/)
  t.match(html, /<td data-online>3<\/td>/)
  t.match(html, /<td data-offline>25<\/td>/)
  t.notMatch(html, /\sstyle=/, 'no inline style attribute')
  t.notMatch(html, /<script/i, 'no script')
  const svg = /<svg[\s\S]*?<\/svg>/.exec(html)?.[0] ?? ''
  t.ok(svg, 'an inline SVG chart')
  t.match(svg, 'role="img"')
  t.match(svg, '2026-11-26: 1 letter (1 online, 0 on paper)')
  t.match(svg, '2026-11-20: 25 letters (0 online, 25 on paper)')
  t.match(svg, '2026-09-28', 'the chart starts 60 days back')
  t.notMatch(svg, '2026-09-27')
  t.equal((svg.match(/<g class="chart-day">/g) ?? []).length, 60, 'one bar slot per day')
  t.notMatch(svg, '2026-06-01', 'older letters are outside the chart')
  t.match(html, 'Kazakhstan')
  t.match(html, 'Germany')
  t.match(html, new RegExp(`${first!.name}</td><td>3</td>`))
  // Picket row: going 5, attended 3.
  t.match(html, /<td>5<\/td>\s*<td>3<\/td>/)
  for (const link of ['/admin/campaigns/1/exports/letters.csv', '/admin/campaigns/1/exports/tally.csv?by=official', '/admin/campaigns/1/exports/tally.csv?by=country', '/admin/campaigns/1/exports/tally.csv?by=day', `/admin/pickets/${picket.id}/exports/rsvps.csv`]) {
    t.match(html, `href="${link}`, `links to ${link}`)
  }
})

t.test('an organizer of another campaign gets 404 for the report, the exports and the API; anonymous must sign in', async (t) => {
  const s = await setup(t)
  const picket = (s.sqlite.prepare(`select id from pickets where campaign_id = 1 limit 1`).get() as { id: number }).id
  const pages = ['/admin/campaigns/1/report', '/admin/campaigns/1/exports/letters.csv', '/admin/campaigns/1/exports/tally.csv?by=day', `/admin/pickets/${picket}/exports/rsvps.csv`]
  const api = ['/api/admin/campaigns/1/tally', '/api/admin/campaigns/1/exports/letters.csv', '/api/admin/campaigns/1/exports/tally.csv?by=day', `/api/admin/pickets/${picket}/exports/rsvps.csv`]
  const stranger = await signIn(s.app, 'stranger@example.org')
  const organizer = await signIn(s.app, 'org@example.org')
  for (const url of pages) {
    t.equal((await stranger.get(url)).statusCode, 404, `stranger: ${url}`)
    t.equal((await organizer.get(url)).statusCode, 200, `organizer: ${url}`)
    t.equal((await s.app.inject(url)).statusCode, 303, `anonymous: ${url}`)
  }
  t.equal((await stranger.get('/admin/campaigns/999/report')).statusCode, 404)
  const strangerToken = createApiToken(s.app.db, s.stranger.id, 'test', s.app.clock()).token
  const organizerToken = createApiToken(s.app.db, s.organizer.id, 'test', s.app.clock()).token
  for (const url of api) {
    const res = await s.app.inject({ url, headers: bearer(strangerToken) })
    t.equal(res.statusCode, 404, `stranger API: ${url}`)
    t.match(res.headers['content-type'], 'application/json')
    t.equal((await s.app.inject({ url, headers: bearer(organizerToken) })).statusCode, 200, `organizer API: ${url}`)
    t.equal((await s.app.inject(url)).statusCode, 401, `anonymous API: ${url}`)
  }
  t.equal(tableCount(s.app, 'audit_log', `action like 'export.%' and user_email = 'stranger@example.org'`), 0, 'nothing exported for the stranger')

  // Their own campaign has no letters yet: the header alone, BOM included when asked.
  const empty = await stranger.get(`/admin/campaigns/${s.other}/exports/letters.csv?bom=1`)
  t.equal(empty.statusCode, 200)
  t.equal(empty.body, '\uFEFFdate,status,official,supporter name,country,city,organisation,email,language\r\n')
  t.equal(empty.headers['content-disposition'], 'attachment; filename="other-letters-2026-11-25.csv"')
})

t.test('letters.csv streams a large campaign completely, in order, across pages with equal timestamps', async (t) => {
  const s = await setup(t)
  const N = 20_000
  const [first, second] = s.targets
  const insert = s.sqlite.prepare(
    `insert into letters (public_id, campaign_id, target_id, language, supporter_name, supporter_email, email_normalized, country, city, consent, subject, body, status, created_at)
     values (?, 1, ?, 'en', ?, ?, ?, 'GB', 'Leeds', ?, 's', 'b', 'queued', ?)`,
  )
  const base = Date.parse('2026-11-01T00:00:00Z')
  s.sqlite.transaction(() => {
    for (let i = 0; i < N; i++) {
      const email = `s${i}@example.org`
      // Many letters share a timestamp, so pages must break ties on the id.
      insert.run(crypto.randomBytes(9).toString('base64url'), i % 2 ? first!.id : second!.id, `Supporter ${i}`, email, email, i % 2, base + Math.floor(i / 333) * 1000)
    }
  })()
  // Another campaign's letters stay out.
  s.sqlite.prepare(`insert into targets (campaign_id, name, country, email, language, created_at, updated_at) values (?, 'T', 'GB', 't@example.org', 'en', 0, 0)`).run(s.other)
  s.sqlite
    .prepare(`insert into letters (public_id, campaign_id, target_id, language, supporter_name, country, subject, body, status, created_at) values ('x', ?, last_insert_rowid(), 'en', 'Elsewhere', 'GB', 's', 'b', 'queued', ?)`)
    .run(s.other, base)

  const browser = await signIn(s.app, 'org@example.org')
  const res = await browser.get('/admin/campaigns/1/exports/letters.csv')
  t.equal(res.statusCode, 200)
  t.notOk(res.headers['content-length'], 'streamed, not sent as one buffer')
  t.equal(res.body.trimEnd().split('\r\n').length, N + 1, 'header and every row')
  const rows = csvOf(res.body)
  t.equal(rows.length, N)
  const names = rows.map((r) => r['supporter name'])
  t.equal(new Set(names).size, N, 'no row twice')
  t.same(names.slice(0, 3), ['Supporter 0', 'Supporter 1', 'Supporter 2'])
  t.equal(names[N - 1], `Supporter ${N - 1}`)
  t.notOk(names.includes('Elsewhere'))
  t.equal(rows.filter((r) => r.email).length, N / 2, 'emails of the consenting half only')
  t.equal(rows[1]!.email, 's1@example.org')
  t.equal(rows[0]!.email, '')
  const audit = s.sqlite.prepare(`select detail from audit_log where action = 'export.letters'`).get() as { detail: string }
  t.match(JSON.parse(audit.detail), { rows: N })

  // The per-country and per-day pass walks the same letters in slices, ties on the timestamp included.
  s.sqlite.prepare(`update letters set status = 'pending_confirmation' where campaign_id = 1 and id % 10 = 0`).run()
  for (const slice of [1000, 333, 7]) {
    const stats = await letterStats(s.app.db, 1, slice)
    t.same(stats.countries, new Map([['GB', N - N / 10]]), `countries, slices of ${slice}`)
    t.equal(stats.pending, N / 10)
    t.equal([...stats.days.values()].reduce((a, b) => a + b, 0), N - N / 10)
  }
  const tally = await s.app.inject({ url: '/api/admin/campaigns/1/tally', headers: bearer(createApiToken(s.app.db, s.organizer.id, 'test', s.app.clock()).token) })
  t.same(tally.json().byCountry, [{ country: 'GB', online: N - N / 10, offline: 0 }])
})
