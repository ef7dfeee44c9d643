// Issue 15: the exports as RFC 4180 says (CRLF after every line, quoting where needed), the variant for
// Excel in locales whose list separator is `;`, and the report's picket times at the venue.
import t from 'tap'
import { parse } from 'csv-parse/sync'
import { build, TestClock } from '../helper.js'
import { addUser, signIn } from '../admin/helper.js'
import { createApiToken } from '../../src/admin/api.js'

async function setup(t: Parameters<typeof build>[0]) {
  const clock = new TestClock(new Date('2026-11-25T10:00:00Z'))
  const app = await build(t, { clock: clock.now })
  const organizer = await addUser(app, 'org@example.org', 'organizer', [1])
  const sqlite = app.db.$client
  const target = app.campaigns.targets(1)[0]!
  const add = sqlite.prepare(
    `insert into letters (public_id, campaign_id, target_id, language, supporter_name, supporter_email, email_normalized, country, city, organisation, consent, subject, body, status, created_at)
     values (?, 1, ?, ?, ?, ?, ?, 'DE', ?, ?, 1, 's', 'b', 'queued', ?)`,
  )
  // What the form may refuse but old or imported rows can hold: every character CSV must quote, and formulas.
  add.run('a', target.id, 'de', 'Semi;colon "Quoted"', 'a@example.org', 'a@example.org', 'Line\nbreak', '=SUM(A1:A9)', Date.parse('2026-11-24T09:00:00Z'))
  add.run('b', target.id, 'ru', '+7 signs', 'b@example.org', 'b@example.org', 'Cr\rhere', '-minus', Date.parse('2026-11-24T09:00:01Z'))
  add.run('c', target.id, 'kk', '@handle', 'c@example.org', 'c@example.org', 'Comma, city', 'Plain', Date.parse('2026-11-24T09:00:02Z'))
  return { app, clock, sqlite, organizer, target, browser: await signIn(app, 'org@example.org') }
}

/** Every line break outside quoted cells is a CRLF, and the text ends with one (RFC 4180 2.1, 2.2). */
function crlfEverywhere(t: Pick<typeof import('tap').default, 'notMatch' | 'ok'>, body: string, label: string) {
  const outside = body.replace(/"(?:[^"]|"")*"/g, '""')
  t.notMatch(outside, /\r(?!\n)|(?<!\r)\n/, `${label}: no bare CR or LF between records`)
  t.ok(body.endsWith('\r\n'), `${label}: the last line ends with CRLF`)
}

const rows = (body: string, delimiter = ',') => parse(body, { bom: true, columns: true, delimiter, relax_column_count: false }) as Record<string, string>[]

t.test('letters.csv: CRLF after every line, cells with ; " and line breaks quoted, formulas neutralised, the language last', async (t) => {
  const { browser } = await setup(t)
  const res = await browser.get('/admin/campaigns/1/exports/letters.csv')
  t.equal(res.statusCode, 200)
  crlfEverywhere(t, res.body, 'comma')
  t.ok(res.body.startsWith('date,status,official,supporter name,country,city,organisation,email,language\r\n'), 'the header ends with CRLF too')
  t.match(res.body, '"Semi;colon ""Quoted"""', 'a quote doubled, the cell quoted')
  t.match(res.body, '"Line\nbreak"', 'a line break inside a quoted cell')
  t.match(res.body, '"Cr\rhere"', 'a lone CR quoted too')
  t.match(res.body, '"Comma, city"')
  const [a, b, c] = rows(res.body)
  t.match(a, { 'supporter name': 'Semi;colon "Quoted"', city: 'Line\nbreak', organisation: "'=SUM(A1:A9)", language: 'de' })
  t.match(b, { 'supporter name': "'+7 signs", city: 'Cr\rhere', organisation: "'-minus", language: 'ru' })
  t.match(c, { 'supporter name': "'@handle", city: 'Comma, city', organisation: 'Plain', language: 'kk' })
})

t.test('the semicolon variant for Excel: a BOM, `;` between cells, CRLF, the same cells; audited; sep refused unless comma or semicolon', async (t) => {
  const { app, sqlite, organizer, browser } = await setup(t)
  const res = await browser.get('/admin/campaigns/1/exports/letters.csv?bom=1&sep=semicolon')
  t.equal(res.statusCode, 200)
  t.same([...res.rawPayload.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the BOM first: no `sep=;` line before it')
  t.ok(res.body.startsWith('\uFEFFdate;status;official;supporter name;country;city;organisation;email;language\r\n'))
  t.notMatch(res.body, /^\uFEFF?sep=/, 'no sep= line')
  crlfEverywhere(t, res.body, 'semicolon')
  t.match(res.body, '"Semi;colon ""Quoted"""', 'a cell with ; is quoted')
  t.match(res.body, ";Comma, city;", 'a comma needs no quotes here')
  t.match(res.body, ";'=SUM(A1:A9);", 'a formula stays neutralised')
  const parsed = rows(res.body, ';')
  t.same(
    parsed.map((r) => [r['supporter name'], r.city, r.organisation, r.language]),
    [
      ['Semi;colon "Quoted"', 'Line\nbreak', "'=SUM(A1:A9)", 'de'],
      ["'+7 signs", 'Cr\rhere', "'-minus", 'ru'],
      ["'@handle", 'Comma, city', 'Plain', 'kk'],
    ],
  )

  for (const url of ['/admin/campaigns/1/exports/tally.csv?by=country&sep=semicolon', '/admin/pickets/1/exports/rsvps.csv?sep=semicolon&bom=1']) {
    const other = await browser.get(url)
    t.equal(other.statusCode, 200, url)
    t.match(other.body.split('\r\n')[0], /^\uFEFF?[a-z ]+(;[a-z ]+)+$/, `${url}: the header separated by ;`)
    crlfEverywhere(t, other.body, url)
  }
  const details = (sqlite.prepare(`select detail from audit_log where action like 'export.%' order by id`).all() as { detail: string }[]).map((r) => JSON.parse(r.detail))
  t.match(details, [{ bom: true, separator: 'semicolon' }, { bom: false, separator: 'semicolon' }, { bom: true, separator: 'semicolon' }])

  // An unknown separator: 422 in the page's language, nothing exported.
  const bad = await browser.get('/admin/campaigns/1/exports/letters.csv?sep=tab')
  t.equal(bad.statusCode, 422)
  t.match(bad.body, 'Separate the cells with a comma or a semicolon')
  const badRu = await browser.get('/admin/campaigns/1/exports/tally.csv?by=day&sep=%3B&lang=ru')
  t.equal(badRu.statusCode, 422)
  t.match(badRu.body, 'Ячейки разделяются запятой или точкой с запятой')
  const token = createApiToken(app.db, organizer.id, 'test', app.clock()).token
  for (const query of ['sep=;', 'sep=', 'sep=comma&sep=semicolon', 'sep=SEMICOLON']) {
    const api = await app.inject({ url: `/api/admin/campaigns/1/exports/letters.csv?${query}`, headers: { authorization: `Bearer ${token}` } })
    t.equal(api.statusCode, 422, query)
    t.match(api.json(), { error: /comma or a semicolon/, issues: [{ path: ['sep'] }] }, query)
  }
  const badTally = await app.inject({ url: '/api/admin/campaigns/1/exports/tally.csv?by=target', headers: { authorization: `Bearer ${token}`, 'accept-language': 'de' } })
  t.equal(badTally.statusCode, 422)
  t.match(badTally.json(), { error: /nach Amtsträger, Land oder Tag/, issues: [{ path: ['by'] }] }, 'the grouping message in the request language too')
  t.equal((sqlite.prepare(`select count(*) as n from audit_log where action like 'export.%'`).get() as { n: number }).n, 3, 'refused exports are not audited')

  // Documented, with the separator's values.
  const doc = (await app.inject('/api/docs/json')).json()
  const params = doc.paths['/api/admin/campaigns/{id}/exports/letters.csv'].get.parameters as { name: string; schema?: { enum?: string[] } }[]
  t.same(params.find((p) => p.name === 'sep')?.schema?.enum, ['comma', 'semicolon'])
  t.match(doc.paths['/api/admin/campaigns/{id}/exports/letters.csv'].get.description, 'language')
  t.match(doc.paths['/api/admin/campaigns/{id}/exports/letters.csv'].get.description, 'CRLF')
})

t.test('the report offers the semicolon variant in the page language, and shows picket times at the venue with its zone', async (t) => {
  const { app, browser } = await setup(t)
  const picket = app.pickets.schedule(1, {
    title: 'Picket at the embassy',
    venue: 'Embassy',
    address: '50-M Shantipath',
    city: 'New Delhi',
    country: 'IN',
    timeZone: 'Asia/Kolkata',
    startsLocal: '2026-12-10T12:00',
    endsLocal: '2026-12-10T14:00',
  })
  const en = (await browser.get('/admin/campaigns/1/report')).body
  t.match(en, 'href="/admin/campaigns/1/exports/letters.csv?bom=1&amp;sep=semicolon" download>for Excel (;)</a>')
  for (const by of ['official', 'country', 'day']) t.match(en, `href="/admin/campaigns/1/exports/tally.csv?by=${by}&amp;bom=1&amp;sep=semicolon"`)
  t.match(en, 'separated by semicolons')
  const row = new RegExp(`<tr>\\s*<td>New Delhi[\\s\\S]*?</tr>`).exec(en)?.[0] ?? ''
  t.match(row, 'Thursday 10 December 2026, 12:00–14:00', 'the local time at the venue, not UTC (06:30)')
  t.match(row, 'Asia/Kolkata, GMT+5:30', 'with its zone')
  t.notMatch(row, '06:30')

  const ru = (await browser.get('/admin/campaigns/1/report?lang=ru')).body
  t.match(ru, 'download>для Excel (;)</a>')
  t.match(ru, 'разделены точкой с запятой')
  t.match(ru, 'Четверг, 10 декабря 2026 г., 12:00–14:00', 'the date in Russian')
  for (const lang of ['kk', 'de', 'fr', 'es']) {
    const html = (await browser.get(`/admin/campaigns/1/report?lang=${lang}`)).body
    t.match(html, `sep=semicolon" download>${{ kk: 'Excel үшін (;)', de: 'für Excel (;)', fr: 'pour Excel (;)', es: 'para Excel (;)' }[lang]}</a>`, lang)
  }
  t.ok(picket.id)
})
