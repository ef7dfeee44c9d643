// Hand delivery (issue 12): for an official, the dossier of the letters still waiting in a period (the
// days in the official's own zone), as a PDF that parses with every one of them and their Cyrillic
// intact; marking those letters delivered by hand changes exactly them, once; the screen, the API, CSRF,
// and organizers of other campaigns getting 404.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { pagesOf } from '../pdf.js'
import { build, tableCount, TestClock } from '../helper.js'
import { addUser, signIn } from '../admin/helper.js'
import { createApiToken } from '../../src/admin/api.js'
import { auditPage } from '../../src/admin/audit.js'

const PRESIDENT = 1
const PROSECUTOR = 2
const base = `/admin/campaigns/1/targets/${PROSECUTOR}`

const decode = (s: string) => s.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&#x3D;/g, '=')
const squash = (s: string) => s.replace(/\s+/g, ' ').trim()


async function bearer(app: FastifyInstance, email: string, campaignIds: number[]) {
  const user = await addUser(app, email, 'organizer', campaignIds)
  const { token } = createApiToken(app.db, user.id, 'test', app.clock())
  return (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, payload: payload === undefined ? undefined : JSON.stringify(payload) })
}

interface Written {
  publicId: string
  name: string
}

async function write(app: FastifyInstance, targetId: number, supporter: { name: string; city: string; country: string; language: string; note?: string }): Promise<Written> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/campaigns/zhanaozen/letters',
    headers: { 'content-type': 'application/json' },
    payload: { email: `${Math.random().toString(36).slice(2)}@example.com`, ...supporter, targetId },
  })
  if (res.statusCode !== 201) throw new Error(`letter refused: ${res.statusCode} ${res.body}`)
  return { publicId: res.json().letter.id, name: supporter.name }
}

const statusOf = (app: FastifyInstance, w: Written) =>
  app.db.$client.prepare(`select status, delivered_via as via, sent_at as sentAt from letters where public_id = ?`).get(w.publicId) as { status: string; via: string | null; sentAt: number | null }

/**
 * The Prosecutor General (Asia/Almaty, UTC+5) takes letters by hand. Letters written (UTC):
 * A 1 Dec 10:00 (15:00 in Almaty), B 1 Dec 20:00 (2 Dec 01:00 there), C 3 Dec 09:00, D 4 Dec 19:30
 * (5 Dec 00:30 there); the President gets one on 2 Dec; one to the Prosecutor on 2 Dec is unconfirmed.
 */
async function setup(t: Parameters<typeof build>[0]) {
  const clock = new TestClock(new Date('2026-12-01T10:00:00Z'))
  const app = await build(t, { clock: clock.now, pacedOfficials: true })
  app.db.$client.prepare(`update targets set delivery = 'hand' where id = ?`).run(PROSECUTOR)
  const at = (iso: string) => (clock.current = new Date(iso))
  at('2026-12-01T10:00:00Z')
  const A = await write(app, PROSECUTOR, { name: 'Jo Smith', city: 'Leeds', country: 'GB', language: 'en', note: 'Solidarity from Unite in Leeds.' })
  at('2026-12-01T20:00:00Z')
  const B = await write(app, PROSECUTOR, { name: 'Анна Иванова', city: 'Москва', country: 'RU', language: 'ru', note: 'Свободу Розе Тулетаевой! Ёлка, щука, съезд.' })
  at('2026-12-02T08:00:00Z')
  const E = await write(app, PRESIDENT, { name: 'Not For The Prosecutor', city: 'Berlin', country: 'DE', language: 'en' })
  app.db.$client.prepare('update campaigns set confirm_letters = 1 where id = 1').run()
  const P = await write(app, PROSECUTOR, { name: 'Unconfirmed Writer', city: 'Paris', country: 'FR', language: 'en' })
  app.db.$client.prepare('update campaigns set confirm_letters = 0 where id = 1').run()
  at('2026-12-03T09:00:00Z')
  const C = await write(app, PROSECUTOR, { name: 'Әсел Құрманғазы', city: 'Алматы', country: 'KZ', language: 'ru', note: 'Әділ сот керек: ӘҒҚҢӨҰҮҺІ.' })
  at('2026-12-04T19:30:00Z')
  const D = await write(app, PROSECUTOR, { name: 'Marek Nowak', city: 'Warszawa', country: 'PL', language: 'en' })
  at('2026-12-05T12:00:00Z')
  return { app, clock, A, B, C, D, E, P }
}

t.test('the screen: the dossier of a period holds every waiting letter of it, Cyrillic intact; marking delivers exactly those, twice is harmless', async (t) => {
  const { app, clock, A, B, C, D, E, P } = await setup(t)
  await addUser(app, 'org@example.org', 'organizer', [1])
  const org = await signIn(app, 'org@example.org')
  t.equal(statusOf(app, P).status, 'pending_confirmation')

  // The producer leaves a hand official's letters alone.
  app.dispatcher.produce()
  t.equal(tableCount(app, 'outbox', `kind in ('letter', 'digest') and recipient like 'prosecutor%'`), 0, 'no mail for a hand official')

  const list = decode((await org.get('/admin/campaigns/1/targets')).body)
  t.match(list, `href="${base}/hand-delivery">Hand delivery (4)`, 'the officials list links to the screen, with the count')

  const all = decode((await org.get(`${base}/hand-delivery`)).body)
  t.match(all, '<strong id="waiting-total">4</strong> letters wait for Askhat Daulbayev')
  t.match(all, 'Every letter waiting: <span id="waiting-period">4</span> letters')

  const screen = await org.get(`${base}/hand-delivery?from=2026-12-02&to=2026-12-04`)
  t.equal(screen.statusCode, 200)
  const html = decode(screen.body)
  t.match(html, 'In this period: <span id="waiting-period">2</span> letters', 'B (2 Dec in Almaty) and C; not A (1 Dec), D (5 Dec there), nor the unconfirmed one')
  const dossierUrl = /href="([^"]*dossier\.pdf[^"]*)"/.exec(html)![1]!
  t.match(dossierUrl, `${base}/dossier.pdf?from=2026-12-02&to=2026-12-04&until=2026-12-05T12%3A00%3A00.000Z`)

  const pdf = await org.get(dossierUrl)
  t.equal(pdf.statusCode, 200)
  t.equal(pdf.headers['content-type'], 'application/pdf')
  t.match(pdf.headers['content-disposition'], /^attachment; filename="dossier-askhat-daulbayev-2026-12-0\d-2026-12-0\d\.pdf"$/)
  t.equal(pdf.headers['x-letter-count'], '2')
  const pages = await pagesOf(pdf.rawPayload)
  // The Prosecutor General reads Russian (the demo): the organizer prints it for him, in his language.
  t.match(pages[0], 'ПОДБОРКА ПИСЕМ')
  t.match(pages[0], 'Асхат Даулбаев', 'his name in Russian, from the content translations')
  t.match(pages[0], 'Генеральный прокурор Республики Казахстан', 'his title in Russian')
  t.match(pages[0], 'Свободу нефтяникам Жанаозена', 'the campaign in Russian')
  t.match(pages[0], /^2 письма$/m, 'the cover counts them')
  t.match(pages[0], 'написаны с 2 декабря 2026 г. по 4 декабря 2026 г.', 'the period, in the official’s days')
  t.match(pages[0], /^Казахстан \(KZ\) 1$/m)
  t.match(pages[0], /^Россия \(RU\) 1$/m)
  t.notMatch(pages.join('\n'), /DELIVERY DOSSIER|Letters to|Generated by|Written on|Kazakhstan/, 'no English words of ours')
  const text = squash(pages.slice(1).join('\n'))
  t.match(text, 'Анна Иванова', 'Russian name intact')
  t.match(text, 'Свободу Розе Тулетаевой! Ёлка, щука, съезд.', 'the supporter’s own words intact')
  t.match(text, 'Освободите нефтяников Жанаозена', 'the Russian appeal')
  t.match(text, 'Әсел Құрманғазы', 'Kazakh letters intact')
  t.match(text, 'Әділ сот керек: ӘҒҚҢӨҰҮҺІ.')
  t.match(text, 'Алматы')
  for (const other of ['Jo Smith', 'Marek Nowak', 'Not For The Prosecutor', 'Unconfirmed Writer']) t.notMatch(text, other, `${other}: not in this dossier`)
  t.equal(pages.filter((p) => /^Письмо \d+ из 2 /m.test(p)).length, 2, 'one letter a page')
  t.match(text, 'Москва, Россия', 'the supporter’s country named in Russian')

  // Mark them delivered, with the form of the screen.
  const form = {
    from: /name="from" value="([^"]*)"/.exec(html.split('hand-delivered')[1]!)![1]!,
    to: /name="to" value="([^"]*)"/.exec(html.split('hand-delivered')[1]!)![1]!,
    until: /name="until" value="([^"]*)"/.exec(html)![1]!,
  }
  t.same(form, { from: '2026-12-02', to: '2026-12-04', until: '2026-12-05T12:00:00.000Z' })
  clock.advance(3_600_000)
  const marked = await org.post(`${base}/hand-delivered`, form)
  t.equal(marked.statusCode, 303)
  t.equal(marked.headers.location, `${base}/hand-delivery?delivered=2&from=2026-12-02&to=2026-12-04`)
  for (const w of [B, C]) t.match(statusOf(app, w), { status: 'sent', via: 'hand', sentAt: clock.current.getTime() }, `${w.name}: delivered by hand, now`)
  for (const w of [A, D]) t.match(statusOf(app, w), { status: 'queued', via: null, sentAt: null }, `${w.name}: still waiting`)
  t.match(statusOf(app, E), { via: null, sentAt: null }, 'the President’s letter untouched (its paced mail may be queued)')
  t.equal(statusOf(app, P).status, 'pending_confirmation', 'the unconfirmed one untouched')
  const audit = auditPage(app.db, { limit: 100 }).filter((a) => a.action === 'letters.hand_delivered')
  t.match(audit, [{ userEmail: 'org@example.org', campaignId: 1, subject: 'Askhat Daulbayev', detail: { targetId: PROSECUTOR, from: '2026-12-02', to: '2026-12-04', letters: 2 } }], 'audited')
  t.ok(auditPage(app.db, { limit: 100 }).some((a) => a.action === 'letters.dossier' && (a.detail as { letters: number }).letters === 2), 'the download is audited')
  const after = decode((await org.get(marked.headers.location as string)).body)
  t.match(after, 'Marked 2 letters as delivered by hand.')
  t.match(after, '<strong id="waiting-total">2</strong> letters wait', 'A and D still wait')
  t.match(after, 'Nothing waits in this period')

  // The same form again: nothing more changes.
  const again = await org.post(`${base}/hand-delivered`, form)
  t.equal(again.headers.location, `${base}/hand-delivery?delivered=0&from=2026-12-02&to=2026-12-04`)
  t.match(decode((await org.get(again.headers.location as string)).body), 'Nothing to mark')
  t.equal(tableCount(app, 'letters', `target_id = ${PROSECUTOR} and delivered_via = 'hand'`), 2)
  t.equal(auditPage(app.db, { limit: 100 }).filter((a) => a.action === 'letters.hand_delivered').length, 1, 'a repeat that changes nothing leaves nothing to audit')

  // A letter written after the screen was shown is not marked with it: it was not in the dossier.
  const page = decode((await org.get(`${base}/hand-delivery`)).body)
  t.match(page, 'Every letter waiting: <span id="waiting-period">2</span>')
  const until = /name="until" value="([^"]*)"/.exec(page)![1]!
  clock.advance(60_000)
  const late = await write(app, PROSECUTOR, { name: 'Late Writer', city: 'Kyiv', country: 'UA', language: 'en' })
  const rest = await org.post(`${base}/hand-delivered`, { from: '', to: '', until })
  t.equal(rest.headers.location, `${base}/hand-delivery?delivered=2`)
  for (const w of [A, D]) t.equal(statusOf(app, w).status, 'sent')
  t.equal(statusOf(app, late).status, 'queued', 'the late letter waits for the next dossier')

  // Without a CSRF token nothing happens.
  const forged = await app.inject({ method: 'POST', url: `${base}/hand-delivered`, headers: { cookie: org.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })
  t.equal(forged.statusCode, 403)
  t.equal(statusOf(app, late).status, 'queued')
})

t.test('the screen: wrong dates are named by field, never a 500', async (t) => {
  const { app } = await setup(t)
  await addUser(app, 'org@example.org', 'organizer', [1])
  const org = await signIn(app, 'org@example.org')
  const cases: [string, string, string][] = [
    ['from=2026-13-01', 'from', 'From must be a date such as 2026-03-01'],
    ['to=yesterday', 'to', 'To must be a date such as 2026-03-01'],
    ['from=2026-12-05&to=2026-12-01', 'to', 'To must be on or after From'],
    ['from=2026-02-30', 'from', 'From must be a date'],
    ['from=2026-12-01&from=2026-12-02', 'from', 'From must be a date'],
  ]
  for (const [query, field, message] of cases) {
    for (const url of [`${base}/hand-delivery?${query}`, `${base}/dossier.pdf?${query}`]) {
      const res = await org.get(url)
      t.equal(res.statusCode, 422, `${url} → 422`)
      t.match(decode(res.body), new RegExp(`id="${field}-error" class="field-error">${message}`), `${url}: ${field} named`)
    }
  }
  const post = await org.post(`${base}/hand-delivered`, { from: '2026-12-05', to: '2026-12-01' })
  t.equal(post.statusCode, 422)
  t.match(decode(post.body), 'To must be on or after From')
  const badUntil = await org.post(`${base}/hand-delivered`, { until: 'soon' })
  t.equal(badUntil.statusCode, 422)
  t.equal(tableCount(app, 'letters', `delivered_via = 'hand'`), 0, 'nothing marked')
})

t.test('the API: the dossier, the count, marking; errors by path; other campaigns get 404', async (t) => {
  const { app, clock, A, B, C, D, E } = await setup(t)
  const org = await bearer(app, 'tool@example.org', [1])
  const other = Number(app.db.$client.prepare(`insert into campaigns (slug, title, goal, status, languages, created_at, updated_at) values ('other', 'Other', 10, 'live', '["en"]', 0, 0)`).run().lastInsertRowid)
  const stranger = await bearer(app, 'stranger@example.org', [other])
  const api = `/api/admin/campaigns/1/targets/${PROSECUTOR}`

  t.same((await org('GET', `${api}/hand-delivery`)).json(), { targetId: PROSECUTOR, delivery: 'hand', waiting: 4, inPeriod: 4 })
  t.same((await org('GET', `${api}/hand-delivery?from=2026-12-02&to=2026-12-04`)).json(), { targetId: PROSECUTOR, delivery: 'hand', waiting: 4, inPeriod: 2 })

  const pdf = await org('GET', `${api}/dossier.pdf`)
  t.equal(pdf.statusCode, 200)
  t.equal(pdf.headers['content-type'], 'application/pdf')
  const pages = await pagesOf(pdf.rawPayload)
  t.match(pages[0], /^4 письма$/m, 'every letter still waiting by default')
  const text = squash(pages.join('\n'))
  for (const w of [A, B, C, D]) t.match(text, w.name, `${w.name} is in it`)
  t.notMatch(text, E.name)

  // Strangers and wrong addresses: 404, nothing changed.
  for (const [method, url] of [['GET', `${api}/dossier.pdf`], ['GET', `${api}/hand-delivery`], ['POST', `${api}/hand-delivered`]] as const) {
    t.equal((await stranger(method, url, method === 'POST' ? {} : undefined)).statusCode, 404, `${method} ${url} as an organizer of another campaign`)
  }
  t.equal((await org('POST', `/api/admin/campaigns/${other}/targets/${PROSECUTOR}/hand-delivered`, {})).statusCode, 404, 'an official under a campaign not theirs')
  t.equal((await org('GET', `/api/admin/campaigns/1/targets/999/dossier.pdf`)).statusCode, 404)
  t.equal(tableCount(app, 'letters', `delivered_via = 'hand'`), 0)

  const bad = await org('POST', `${api}/hand-delivered`, { from: '1 December', to: '2026-12-40' })
  t.equal(bad.statusCode, 422)
  t.same(bad.json().issues.map((i: { path: string[] }) => i.path.join('.')).sort(), ['from', 'to'])
  t.equal((await org('POST', `${api}/hand-delivered`, { from: 20261201 })).statusCode, 422)
  t.equal((await org('POST', `${api}/hand-delivered`, [])).statusCode, 422)
  t.equal((await org('GET', `${api}/dossier.pdf?from=2026-12-05&to=2026-12-01`)).statusCode, 422)
  t.match((await org('GET', `${api}/dossier.pdf?from=2026-12-05&to=2026-12-01`)).json(), { issues: [{ path: ['to'], message: 'To must be on or after From' }] })

  const some = await org('POST', `${api}/hand-delivered`, { from: '2026-12-02', to: '2026-12-04' })
  t.equal(some.statusCode, 200)
  t.same(some.json(), { delivered: 2 })
  t.same((await org('POST', `${api}/hand-delivered`, { from: '2026-12-02', to: '2026-12-04' })).json(), { delivered: 0 }, 'twice is harmless')
  for (const w of [B, C]) t.match(statusOf(app, w), { status: 'sent', via: 'hand', sentAt: clock.current.getTime() })
  const rest = await app.inject({ method: 'POST', url: `${api}/hand-delivered`, headers: { authorization: (await bearerHeader(app)) } })
  t.same(rest.json(), { delivered: 2 }, 'no body: every letter still waiting')
  for (const w of [A, D]) t.equal(statusOf(app, w).status, 'sent')
  t.equal(statusOf(app, E).via, null)
  t.same((await org('GET', `${api}/hand-delivery`)).json(), { targetId: PROSECUTOR, delivery: 'hand', waiting: 0, inPeriod: 0 })
})

/** A token of a third organizer of campaign 1, as a header. */
async function bearerHeader(app: FastifyInstance): Promise<string> {
  const user = await addUser(app, `o${Math.random()}@example.org`, 'organizer', [1])
  return `Bearer ${createApiToken(app.db, user.id, 'test', app.clock()).token}`
}

t.test('switching to hand from any mode: letters waiting, and mail already queued, follow it', async (t) => {
  const clock = new TestClock(new Date('2026-12-01T10:00:00Z'))
  const app = await build(t, { clock: clock.now, pacedOfficials: true })
  app.db.$client.prepare(`update targets set max_per_hour = 100000, send_hours_from = 0, send_hours_to = 24`).run()
  await addUser(app, 'org@example.org', 'organizer', [1])
  const org = await signIn(app, 'org@example.org')
  const written = [
    await write(app, PROSECUTOR, { name: 'First', city: 'Leeds', country: 'GB', language: 'en' }),
    await write(app, PROSECUTOR, { name: 'Second', city: 'Leeds', country: 'GB', language: 'en' }),
  ]
  app.dispatcher.produce()
  t.equal(tableCount(app, 'letters', `target_id = ${PROSECUTOR} and status = 'outgoing'`), 2, 'their mail is queued')
  const third = await write(app, PROSECUTOR, { name: 'Third', city: 'Leeds', country: 'GB', language: 'en' })

  const page = await org.get(`/admin/campaigns/1/targets/${PROSECUTOR}`)
  const fields: Record<string, string> = {}
  for (const m of page.body.matchAll(/<input name="(\w+)"[^>]*?value="([^"]*)"/g)) fields[m[1]!] = decode(m[2]!)
  delete fields._csrf
  const saved = await org.post(`/admin/campaigns/1/targets/${PROSECUTOR}`, { ...fields, country: 'KZ', delivery: 'hand', digestEvery: 'day' })
  t.equal(saved.statusCode, 303)
  // The dispatcher composes queued mail when it sends it: for a hand official it withdraws it instead.
  await app.dispatcher.runOnce()
  t.equal(tableCount(app, 'letters', `target_id = ${PROSECUTOR} and status = 'queued'`), 3, 'all three wait for the dossier')
  t.equal(tableCount(app, 'outbox', `kind = 'letter' and status = 'sent'`), 0, 'none was mailed')
  const res = await org.post(`/admin/campaigns/1/targets/${PROSECUTOR}/hand-delivered`, {})
  t.equal(res.headers.location, `/admin/campaigns/1/targets/${PROSECUTOR}/hand-delivery?delivered=3`)
  for (const w of [...written, third]) t.equal(statusOf(app, w).via, 'hand')
  await app.dispatcher.runOnce()
  t.equal(tableCount(app, 'outbox', `kind = 'letter' and status = 'sent'`), 0, 'and none is mailed after')
})

t.test('the dossier is in the official’s language: the President’s Russian, an embassy’s English, a German reader’s German', async (t) => {
  const clock = new TestClock(new Date('2026-12-01T10:00:00Z'))
  const app = await build(t, { clock: clock.now, pacedOfficials: true })
  const london = (app.db.$client.prepare(`select id from targets where email like 'embassy-london@%'`).get() as { id: number }).id
  const berlin = (app.db.$client.prepare(`select id from targets where email like 'embassy-berlin@%'`).get() as { id: number }).id
  app.db.$client.prepare(`update targets set delivery = 'hand' where id in (?, ?, ?)`).run(PRESIDENT, london, berlin)
  // A reader of German: Outcry speaks it, the campaign has no German texts (they fall back to English).
  app.db.$client.prepare(`update targets set language = 'de' where id = ?`).run(berlin)
  for (const id of [PRESIDENT, london, berlin]) await write(app, id, { name: 'Анна Иванова', city: 'Москва', country: 'RU', language: 'ru', note: 'Ёлка, щука, съезд.' })
  clock.advance(3_600_000)
  await addUser(app, 'org@example.org', 'organizer', [1])
  const org = await signIn(app, 'org@example.org')
  const dossier = async (id: number) => {
    const res = await org.get(`/admin/campaigns/1/targets/${id}/dossier.pdf`)
    t.equal(res.statusCode, 200)
    return pagesOf(res.rawPayload)
  }

  const president = await dossier(PRESIDENT)
  t.match(president[0], 'ПОДБОРКА ПИСЕМ')
  t.match(president[0], 'Адресат\nНурсултан Назарбаев\nПрезидент Республики Казахстан\nPresidential Administration (Akorda)\nКазахстан\n', 'his name and title in Russian, his country too')
  t.match(president[0], 'Свободу нефтяникам Жанаозена')
  t.match(president[0], /^1 письмо$/m)
  t.match(president[0], 'написаны с 1 декабря 2026 г. по 1 декабря 2026 г.')
  t.match(president[0], 'Языки: русский (1)')
  t.match(president[0], 'Письма по странам (1)')
  t.match(president[0], /^Россия \(RU\) 1$/m)
  t.match(squash(president[0]!), 'Подготовлено сервисом Outcry 1 декабря 2026 г. в 16:00 Asia/Almaty. Каждое письмо начинается с новой страницы')
  t.match(president[0], /стр\. 1\n/, 'the footer')
  t.match(president[1], /^Письмо 1 из 1 /m)
  t.match(president[1], 'Москва, Россия')
  t.match(president[1], 'Написано 1 декабря 2026 г. в 15:00 Asia/Almaty')
  t.match(squash(president[1]!), 'Уважаемый Нурсултан Абишевич!', 'the letter as it was written, not rendered again')

  const embassy = await dossier(london)
  t.match(embassy[0], 'DELIVERY DOSSIER')
  t.match(embassy[0], 'Letters to\nAmbassador in London\n')
  t.match(embassy[0], 'Free the Zhanaozen oil workers')
  t.match(embassy[0], /^1 letter$/m)
  t.match(embassy[0], 'written from 1 December 2026 to 1 December 2026')
  t.match(embassy[0], 'in Russian (1)')
  t.match(embassy[0], /^Russia \(RU\) 1$/m)
  t.match(squash(embassy[0]!), 'Generated by Outcry on 1 December 2026 at 11:00 Europe/London. Each letter starts on a new page')
  t.match(embassy[1], 'Москва, Russia')

  const german = await dossier(berlin)
  t.match(german[0], 'BRIEFSAMMLUNG')
  t.match(german[0], 'Briefe an\nAmbassador in Berlin\n', 'no German name: the campaign’s first language')
  t.match(german[0], /^1 Brief$/m)
  t.match(german[0], 'geschrieben vom 1. Dezember 2026 bis zum 1. Dezember 2026')
  t.match(german[0], 'Sprachen: Russisch (1)')
  t.match(german[0], /^Russland \(RU\) 1$/m)
  t.match(squash(german[0]!), 'Erstellt von Outcry am 1. Dezember 2026 um 12:00 Europe/Berlin. Jeder Brief beginnt auf einer neuen Seite')
  t.match(german[1], /^Brief 1 von 1 /m)
  t.match(german[1], 'Москва, Russland')
  t.match(german[1], 'Geschrieben am 1. Dezember 2026 um 11:00 Europe/Berlin')
})
