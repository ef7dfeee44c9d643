// An official's delivery settings on the screen and the API (issue 12): the mode, pacing, sending hours,
// time zone, digests and the countries they serve; errors by field, never a 500; a bouncing address is
// shown with the server's answer and the letters held, and ends (audited) when the address is fixed or
// the official switched to hand delivery, after which the held letters go out.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, tableCount } from '../helper.js'
import { addUser, signIn } from '../admin/helper.js'
import { createApiToken } from '../../src/admin/api.js'
import { auditPage } from '../../src/admin/audit.js'

const PRESIDENT = 1
const PROSECUTOR = 2
const BOUNCE = '550 5.1.1 <prosecutor-general@prokuror.example.org>: Recipient address rejected: User unknown'

const decode = (s: string) => s.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x3D;/g, '=')
const entries = (app: FastifyInstance, action: string) => auditPage(app.db, { limit: 1000 }).filter((a) => a.action === action)
const row = (app: FastifyInstance, id: number) => app.campaigns.target(1, id)!

async function bearer(app: FastifyInstance, email: string, role: 'admin' | 'organizer', campaignIds: number[] = []) {
  const user = await addUser(app, email, role, campaignIds)
  const { token } = createApiToken(app.db, user.id, 'test', app.clock())
  return (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, payload: payload === undefined ? undefined : JSON.stringify(payload) })
}

/** What the edit form sends back as it is, with some fields changed. */
function formFields(html: string, changes: Record<string, string> = {}): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const m of html.matchAll(/<input name="(\w+)"[^>]*?value="([^"]*)"/g)) fields[m[1]!] = decode(m[2]!)
  for (const m of html.matchAll(/<textarea name="(\w+)"[^>]*>([^<]*)<\/textarea>/g)) fields[m[1]!] = decode(m[2]!)
  for (const m of html.matchAll(/<select name="(\w+)"[^>]*>([\s\S]*?)<\/select>/g)) fields[m[1]!] = /<option value="([^"]*)" selected/.exec(m[2]!)?.[1] ?? ''
  const checked = /<input type="radio" name="delivery" value="(\w+)" checked/.exec(html)
  if (checked) fields.delivery = checked[1]!
  delete fields._csrf
  return { ...fields, ...changes }
}

/** Letters that counted and wait for the official (as a supporter's confirmed letter would). */
async function writeLetters(app: FastifyInstance, targetId: number, n: number) {
  for (let i = 0; i < n; i++) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/campaigns/zhanaozen/letters',
      headers: { 'content-type': 'application/json' },
      payload: { name: `Supporter ${i}`, email: `s${targetId}-${i}-${Math.random()}@example.com`, country: 'GB', city: 'Leeds', targetId },
    })
    if (res.statusCode !== 201) throw new Error(`letter refused: ${res.statusCode} ${res.body}`)
  }
}

/**
 * Officials as fast as the form allows (100,000 an hour, any hour): held letters go out in one pass of
 * the producer. (The helper's unpaced officials take 1,000,000, beyond what the form accepts.)
 */
async function fastOfficials(t: Parameters<typeof build>[0]) {
  const app = await build(t, { pacedOfficials: true })
  app.db.$client.prepare(`update targets set max_per_hour = 100000, send_hours_from = 0, send_hours_to = 24`).run()
  return app
}

/** The official's address refused our mail for good, as the dispatcher records it. */
function bounce(app: FastifyInstance, targetId: number) {
  app.db.$client.prepare(`update targets set delivery_state = 'bouncing', bounce_reason = ?, bounced_at = ? where id = ?`).run(BOUNCE, app.clock().getTime(), targetId)
}

t.test('the screen: every setting shown with its default, saved, and kept by a form without them', async (t) => {
  const app = await build(t, { pacedOfficials: true })
  await addUser(app, 'org@example.org', 'organizer', [1])
  const org = await signIn(app, 'org@example.org')

  const page = await org.get(`/admin/campaigns/1/targets/${PROSECUTOR}`)
  t.equal(page.statusCode, 200)
  const before = formFields(page.body)
  t.match(before, { delivery: 'each', maxPerHour: '30', sendHoursFrom: '8', sendHoursTo: '18', timeZone: '', digestEvery: 'day', digestHour: '9', forCountries: '' }, 'the defaults are shown')
  const text = decode(page.body)
  t.match(text, 'One mail per letter, paced', 'each mode is explained')
  t.match(text, 'One mail a day or a week with the count of new letters')
  t.match(text, 'every letter attached')
  t.match(text, 'Nothing is mailed. Letters wait until you print their dossier')
  t.match(text, 'for example at a picket at that embassy')
  t.match(text, "empty means the zone of their country: Asia/Almaty", "the zone used when none is set is named")

  const saved = await org.post(
    `/admin/campaigns/1/targets/${PROSECUTOR}`,
    formFields(page.body, { delivery: 'digest', maxPerHour: '', sendHoursFrom: '9', sendHoursTo: '17', timeZone: 'asia/aqtobe', digestEvery: 'week', digestHour: '7', forCountries: 'gb, ie GB' }),
  )
  t.equal(saved.statusCode, 303, decode(saved.body))
  t.match(row(app, PROSECUTOR), { delivery: 'digest', maxPerHour: 30, sendHoursFrom: 9, sendHoursTo: 17, timeZone: 'Asia/Aqtobe', digestEvery: 'week', digestHour: 7, forCountries: ['GB', 'IE'] }, 'an emptied number means its default; codes upper-cased once each; the zone spelled as IANA does')
  const update = entries(app, 'target.update')[0]!
  t.match(update.detail, { id: PROSECUTOR, changes: { delivery: { from: 'each', to: 'digest' }, timeZone: { from: null, to: 'Asia/Aqtobe' }, forCountries: { from: [], to: ['GB', 'IE'] } } }, 'audited with what changed')

  const list = decode((await org.get('/admin/campaigns/1/targets')).body)
  t.match(list, 'One digest every Monday at 07:00 Asia/Aqtobe')
  t.match(list, 'Offered first in: GB, IE')
  t.match(list, 'Paced mail: up to 30 an hour, 08:00–18:00 Asia/Almaty', 'the President keeps the defaults')

  // A form without the delivery fields (an older page, a script) leaves them as they are.
  const plain = await org.post(`/admin/campaigns/1/targets/${PROSECUTOR}`, { name: 'Askhat Daulbayev', country: 'KZ', email: 'prosecutor-general@prokuror.example.org', language: 'ru' })
  t.equal(plain.statusCode, 303)
  t.match(row(app, PROSECUTOR), { delivery: 'digest', digestEvery: 'week', timeZone: 'Asia/Aqtobe', forCountries: ['GB', 'IE'] })

  // An emptied time zone goes back to the country's.
  await org.post(`/admin/campaigns/1/targets/${PROSECUTOR}`, formFields((await org.get(`/admin/campaigns/1/targets/${PROSECUTOR}`)).body, { timeZone: '', forCountries: '' }))
  t.match(row(app, PROSECUTOR), { timeZone: null, forCountries: [] })

  // A new official with the settings of an embassy.
  const added = await org.post('/admin/campaigns/1/targets', { name: 'Embassy in Dublin', country: 'IE', email: 'dublin@mfa.example.org', language: 'en', delivery: 'each', maxPerHour: '5', sendHoursFrom: '22', sendHoursTo: '6', timeZone: '', digestEvery: 'day', digestHour: '', forCountries: 'IE' })
  t.equal(added.statusCode, 303, decode(added.body))
  t.match(app.campaigns.targets(1).find((x) => x.email === 'dublin@mfa.example.org'), { maxPerHour: 5, sendHoursFrom: 22, sendHoursTo: 6, timeZone: null, digestHour: 9, forCountries: ['IE'] }, 'an overnight window is fine')
})

t.test('the screen: each wrong field gets its own message, the form keeps what was typed, nothing is saved', async (t) => {
  const app = await build(t, { pacedOfficials: true })
  await addUser(app, 'org@example.org', 'organizer', [1])
  const org = await signIn(app, 'org@example.org')
  const before = row(app, PROSECUTOR)
  const page = await org.get(`/admin/campaigns/1/targets/${PROSECUTOR}`)
  const bad = await org.post(
    `/admin/campaigns/1/targets/${PROSECUTOR}`,
    formFields(page.body, { delivery: 'fax', maxPerHour: '0', sendHoursFrom: '9', sendHoursTo: '25', timeZone: 'Mars/Olympus_Mons', digestEvery: 'month', digestHour: '24', forCountries: 'GB, XX' }),
  )
  t.equal(bad.statusCode, 422)
  const html = decode(bad.body)
  const errorOf = (field: string) => new RegExp(`id="${field}-error" class="field-error">([^<]*)<`).exec(html)?.[1]
  t.match(errorOf('delivery'), 'Delivery must be each (paced mail), digest or hand')
  t.match(errorOf('maxPerHour'), 'Mails an hour must be a whole number from 1 to 100,000')
  t.match(errorOf('sendHours'), 'the end must be an hour from 1 to 24')
  t.match(errorOf('timeZone'), 'Time zone must be a zone name such as Europe/London')
  t.match(errorOf('digestEvery'), 'every day or every week')
  t.match(errorOf('digestHour'), 'The digest hour must be a whole hour from 0 to 23')
  t.match(errorOf('forCountries'), 'Not a two-letter country code: XX')
  t.match(html, 'aria-invalid="true" aria-describedby="maxPerHour-error"', 'the field is marked')
  t.match(html, 'value="Mars/Olympus_Mons"', 'what was typed is kept')
  t.match(html, 'value="GB, XX"')
  t.same(row(app, PROSECUTOR), before, 'nothing saved')

  const same = await org.post(`/admin/campaigns/1/targets/${PROSECUTOR}`, formFields(page.body, { sendHoursFrom: '8', sendHoursTo: '8' }))
  t.equal(same.statusCode, 422)
  t.match(decode(same.body), 'the end must differ from the start')
  const offset = await org.post(`/admin/campaigns/1/targets/${PROSECUTOR}`, formFields(page.body, { timeZone: '+05:00', maxPerHour: '1.5' }))
  t.equal(offset.statusCode, 422)
  t.match(decode(offset.body), /id="timeZone-error"/, 'an offset is no zone: it ignores summer time')
  t.match(decode(offset.body), /id="maxPerHour-error"/)
  t.same(row(app, PROSECUTOR), before)
})

t.test('the API: settings in and out, errors by path, never a 500', async (t) => {
  const app = await build(t, { pacedOfficials: true })
  const org = await bearer(app, 'org@example.org', 'organizer', [1])
  const stranger = await bearer(app, 'stranger@example.org', 'organizer', [])
  const embassy = { name: 'Embassy of Kazakhstan in London', country: 'GB', email: 'london@mfa.example.org', language: 'en' }

  const created = await org('POST', '/api/admin/campaigns/1/targets', { ...embassy, delivery: 'hand', sendHours: { from: 10, to: 16 }, forCountries: ['gb', 'IE'] })
  t.equal(created.statusCode, 201, created.body)
  const target = created.json().target
  t.match(target, {
    delivery: 'hand',
    maxPerHour: 30,
    sendHours: { from: 10, to: 16 },
    timeZone: null,
    timeZoneUsed: 'Europe/London',
    digestEvery: 'day',
    digestHour: 9,
    forCountries: ['GB', 'IE'],
    deliveryState: 'ok',
    bounceReason: null,
    bouncedAt: null,
  })

  const put = await org('PUT', `/api/admin/campaigns/1/targets/${target.id}`, { ...embassy, delivery: 'digest', digestEvery: 'week', digestHour: 8, timeZone: 'Europe/Dublin', maxPerHour: 100000 })
  t.equal(put.statusCode, 200, put.body)
  t.match(put.json().target, { delivery: 'digest', digestEvery: 'week', digestHour: 8, timeZone: 'Europe/Dublin', timeZoneUsed: 'Europe/Dublin', maxPerHour: 100000, sendHours: { from: 10, to: 16 }, forCountries: ['GB', 'IE'] }, 'fields left out are kept')
  const nulled = await org('PUT', `/api/admin/campaigns/1/targets/${target.id}`, { ...embassy, timeZone: null, forCountries: [] })
  t.match(nulled.json().target, { timeZone: null, timeZoneUsed: 'Europe/London', forCountries: [] })

  const list = await org('GET', '/api/admin/campaigns/1/targets')
  t.equal(list.statusCode, 200)
  t.match(list.json().targets.find((x: { id: number }) => x.id === target.id), { delivery: 'digest', lettersWaiting: 0, deliveryState: 'ok' })
  t.match((await org('GET', `/api/admin/campaigns/1/targets/${PRESIDENT}`)).json().target, { delivery: 'each', maxPerHour: 30, sendHours: { from: 8, to: 18 }, timeZoneUsed: 'Asia/Almaty', lettersWaiting: 0 })

  const before = row(app, target.id)
  const bad = await org('PUT', `/api/admin/campaigns/1/targets/${target.id}`, {
    ...embassy,
    delivery: 'carrier pigeon',
    maxPerHour: 100001,
    sendHours: { from: 8, to: 25 },
    timeZone: 'Europe/Atlantis',
    digestEvery: 'month',
    digestHour: -1,
    forCountries: ['GB', 'ZZ'],
  })
  t.equal(bad.statusCode, 422)
  const paths = bad.json().issues.map((i: { path: (string | number)[] }) => i.path.join('.')).sort()
  t.same(paths, ['delivery', 'digestEvery', 'digestHour', 'forCountries', 'maxPerHour', 'sendHours.to', 'timeZone'], 'one issue per wrong field, by its path')
  t.same(row(app, target.id), before, 'nothing saved')

  // Wrong types anywhere are a 422 naming the field, never a 500.
  const strange: [Record<string, unknown>, string][] = [
    [{ sendHours: 'x' }, 'sendHours'],
    [{ sendHours: { from: 8 } }, 'sendHours.to'],
    [{ sendHours: [8, 18] }, 'sendHours'],
    [{ sendHours: { from: 18, to: 18 } }, 'sendHours.to'],
    [{ maxPerHour: '30 an hour' }, 'maxPerHour'],
    [{ maxPerHour: 2.5 }, 'maxPerHour'],
    [{ maxPerHour: null }, 'maxPerHour'],
    [{ timeZone: 7 }, 'timeZone'],
    [{ timeZone: '../../etc/passwd' }, 'timeZone'],
    [{ timeZone: 'x'.repeat(65) }, 'timeZone'],
    [{ forCountries: 'GB IE'.repeat(1000) }, 'forCountries'],
    [{ forCountries: [1, 2] }, 'forCountries.0'],
    [{ forCountries: { GB: true } }, 'forCountries'],
    [{ delivery: ['hand'] }, 'delivery'],
    [{ digestHour: '9am' }, 'digestHour'],
  ]
  for (const [fields, path] of strange) {
    const res = await org('PUT', `/api/admin/campaigns/1/targets/${target.id}`, { ...embassy, ...fields })
    t.equal(res.statusCode, 422, `${JSON.stringify(fields).slice(0, 60)} → 422`)
    t.ok(res.json().issues.some((i: { path: (string | number)[] }) => i.path.join('.') === path), `names ${path}`)
  }
  t.same(row(app, target.id), before)
  t.equal((await stranger('PUT', `/api/admin/campaigns/1/targets/${target.id}`, { ...embassy, delivery: 'each' })).statusCode, 404, 'an organizer of another campaign: 404')

  const doc = (await app.inject('/api/docs/json')).json()
  const post = JSON.stringify(doc.paths['/api/admin/campaigns/{id}/targets'].post)
  for (const field of ['delivery', 'maxPerHour', 'sendHours', 'timeZone', 'digestEvery', 'digestHour', 'forCountries', 'deliveryState', 'bounceReason']) t.match(post, field, `the API description has ${field}`)
})

t.test('CSV import: the optional delivery columns', async (t) => {
  const app = await build(t, { pacedOfficials: true })
  await addUser(app, 'org@example.org', 'organizer', [1])
  const org = await signIn(app, 'org@example.org')
  const csv = [
    'name,country,email,language,delivery,max_per_hour,send_hours_from,send_hours_to,time_zone,digest_every,digest_hour,for_countries',
    'Embassy in Berlin,DE,berlin@mfa.example.org,de,hand,,,,,,,DE AT CH',
    'Embassy in Warsaw,PL,warsaw@mfa.example.org,pl,digest,,,,Europe/Warsaw,week,10,PL',
    `Askhat Daulbayev,KZ,prosecutor-general@prokuror.example.org,ru,,12,9,17,,,,`,
  ].join('\n')
  const res = await org.post('/admin/campaigns/1/targets/import', { csv })
  t.equal(res.statusCode, 303, decode(res.body))
  const all = app.campaigns.targets(1)
  t.match(all.find((x) => x.email === 'berlin@mfa.example.org'), { delivery: 'hand', maxPerHour: 30, forCountries: ['DE', 'AT', 'CH'] })
  t.match(all.find((x) => x.email === 'warsaw@mfa.example.org'), { delivery: 'digest', timeZone: 'Europe/Warsaw', digestEvery: 'week', digestHour: 10 })
  t.match(row(app, PROSECUTOR), { delivery: 'each', maxPerHour: 12, sendHoursFrom: 9, sendHoursTo: 17 }, 'empty cells keep the settings')

  const bad = await org.post('/admin/campaigns/1/targets/import', { csv: 'name,country,email,delivery,time_zone\nA,KZ,a@example.org,fax,Mars/Base' })
  t.equal(bad.statusCode, 422)
  t.match(decode(bad.body), 'line 2: delivery must be each (paced mail), digest or hand')
  t.match(decode(bad.body), 'line 2: time zone must be a zone name')
})

t.test('a bouncing address: warned on the campaign screen, the officials list and the API; an organizer’s new address waits, an admin’s approval resumes delivery', async (t) => {
  const app = await fastOfficials(t)
  await addUser(app, 'org@example.org', 'organizer', [1])
  await addUser(app, 'admin@example.org', 'admin')
  const org = await signIn(app, 'org@example.org')
  const admin = await signIn(app, 'admin@example.org')
  const api = await bearer(app, 'tool@example.org', 'organizer', [1])

  t.notMatch(decode((await org.get('/admin/campaigns/1')).body), 'bounce', 'no warning while every address takes mail')
  bounce(app, PROSECUTOR)
  await writeLetters(app, PROSECUTOR, 3)
  app.dispatcher.produce()
  t.equal(tableCount(app, 'outbox', `kind = 'letter'`), 0, 'nothing is sent to a bouncing address')
  t.equal(tableCount(app, 'letters', `target_id = ${PROSECUTOR} and status = 'queued'`), 3, 'its letters wait')

  const screen = decode((await org.get('/admin/campaigns/1')).body)
  t.match(screen, 'Letters to Askhat Daulbayev bounce: prosecutor-general@prokuror.example.org refused our mail')
  t.match(screen, BOUNCE, "the server's answer")
  t.match(screen, '3 letters are held')
  t.match(screen, `href="/admin/campaigns/1/targets/${PROSECUTOR}">Fix Askhat Daulbayev's delivery`)
  const list = decode((await org.get('/admin/campaigns/1/targets')).body)
  t.match(list, BOUNCE)
  t.match(list, 'Bouncing:</strong> 3 held')
  t.match(decode((await org.get(`/admin/campaigns/1/targets/${PROSECUTOR}`)).body), '3 letters are held', 'and on the official’s own form')
  const json = (await api('GET', `/api/admin/campaigns/1/targets/${PROSECUTOR}`)).json().target
  t.match(json, { deliveryState: 'bouncing', bounceReason: BOUNCE, bouncedAt: String, lettersWaiting: 3 })

  // Another setting changed, same address: still bouncing.
  const page = await org.get(`/admin/campaigns/1/targets/${PROSECUTOR}`)
  await org.post(`/admin/campaigns/1/targets/${PROSECUTOR}`, formFields(page.body, { maxPerHour: '10' }))
  t.match(row(app, PROSECUTOR), { deliveryState: 'bouncing', maxPerHour: 10 })

  // The organizer's new address waits for an admin: still bouncing, nothing sent.
  const held = await org.post(`/admin/campaigns/1/targets/${PROSECUTOR}`, formFields(page.body, { email: 'daulbayev@prokuror.example.org' }))
  t.equal(held.headers.location, '/admin/campaigns/1/targets?held=1')
  t.match(row(app, PROSECUTOR), { deliveryState: 'bouncing', bounceReason: BOUNCE, pendingEmail: 'daulbayev@prokuror.example.org' })
  app.dispatcher.produce()
  t.equal(tableCount(app, 'outbox', `kind = 'letter'`), 0)

  // The admin approves it: the address is fixed, the state cleared and audited, the held letters go out.
  const approved = await admin.post(`/admin/campaigns/1/targets/${PROSECUTOR}/email/approve`, { back: 'targets' })
  t.equal(approved.statusCode, 303)
  t.match(row(app, PROSECUTOR), { email: 'daulbayev@prokuror.example.org', deliveryState: 'ok', bounceReason: null, bouncedAt: null })
  t.match(entries(app, 'target.delivery_resume'), [{ userEmail: 'admin@example.org', campaignId: 1, detail: { id: PROSECUTOR, because: 'new address', bouncedAddress: 'prosecutor-general@prokuror.example.org', email: 'daulbayev@prokuror.example.org', bounceReason: BOUNCE, heldLetters: 3 } }])
  t.notMatch(decode((await org.get('/admin/campaigns/1')).body), 'bounce', 'the warning is gone')
  app.dispatcher.produce()
  t.equal(tableCount(app, 'outbox', `kind = 'letter' and recipient = 'daulbayev@prokuror.example.org'`), 3, 'the held letters go to the new address')
  t.match((await api('GET', `/api/admin/campaigns/1/targets/${PROSECUTOR}`)).json().target, { deliveryState: 'ok', bounceReason: null, bouncedAt: null, lettersWaiting: 0 })
})

t.test("an admin's own new address, or hand delivery, ends the bouncing too; a digest/each switch does not", async (t) => {
  const app = await fastOfficials(t)
  await addUser(app, 'admin@example.org', 'admin')
  const admin = await signIn(app, 'admin@example.org')
  const api = await bearer(app, 'org@example.org', 'organizer', [1])
  const president = { name: 'Nursultan Nazarbayev', country: 'KZ', email: 'president@akorda.example.org', language: 'ru' }

  bounce(app, PRESIDENT)
  await writeLetters(app, PRESIDENT, 2)
  const digest = await api('PUT', `/api/admin/campaigns/1/targets/${PRESIDENT}`, { ...president, delivery: 'digest' })
  t.match(digest.json().target, { delivery: 'digest', deliveryState: 'bouncing' }, 'another mail mode keeps the state: the address still refuses mail')

  const hand = await api('PUT', `/api/admin/campaigns/1/targets/${PRESIDENT}`, { ...president, delivery: 'hand' })
  t.equal(hand.statusCode, 200)
  t.match(hand.json().target, { delivery: 'hand', deliveryState: 'ok', bounceReason: null, bouncedAt: null, lettersWaiting: 2 }, 'switched to hand: no longer bouncing, the letters wait for the dossier')
  t.match(entries(app, 'target.delivery_resume'), [{ userEmail: 'org@example.org', detail: { id: PRESIDENT, because: 'hand delivery', heldLetters: 2 } }])
  app.dispatcher.produce()
  t.equal(tableCount(app, 'outbox', `kind = 'letter'`), 0, 'and no mail goes out for a hand official')

  // Back to mail, bouncing again; an admin fixes the address on the form.
  await api('PUT', `/api/admin/campaigns/1/targets/${PRESIDENT}`, { ...president, delivery: 'each' })
  bounce(app, PRESIDENT)
  const page = await admin.get(`/admin/campaigns/1/targets/${PRESIDENT}`)
  const fixed = await admin.post(`/admin/campaigns/1/targets/${PRESIDENT}`, formFields(page.body, { email: 'office@akorda.example.org' }))
  t.equal(fixed.statusCode, 303)
  t.equal(fixed.headers.location, '/admin/campaigns/1/targets?resumed=1')
  t.match(decode((await admin.get(fixed.headers.location as string)).body), 'no longer counts as bouncing')
  t.match(row(app, PRESIDENT), { email: 'office@akorda.example.org', deliveryState: 'ok', bounceReason: null })
  t.equal(entries(app, 'target.delivery_resume').length, 2)
  app.dispatcher.produce()
  t.equal(tableCount(app, 'outbox', `kind = 'letter' and recipient = 'office@akorda.example.org'`), 2, 'the held letters go out')
})
