// Check-in for one hand at the picket: a search by name that ignores case and accents (and finds an
// address only in full and only if its owner shared it), rows that tell two people of the same name apart
// by when they RSVPed, and never an address on the page.
import t from 'tap'
import { picketFields } from './helpers.js'
import { eq } from 'drizzle-orm'
import { build, TestClock } from '../helper.js'
import { addUser, signIn } from '../admin/helper.js'
import { campaigns, rsvps } from '../../src/db/schema/index.js'
import { foldName } from '../../src/pickets/admin-routes.js'

type App = Awaited<ReturnType<typeof build>>

const picketInput = { ...picketFields, startsLocal: '2026-12-16T12:00', endsLocal: '2026-12-16T14:00', capacity: 3 }

async function setup(t: { teardown(fn: () => unknown): void }) {
  const clock = new TestClock(new Date('2026-12-01T10:00:00Z'))
  const app = await build(t, { clock: clock.now })
  app.db.update(campaigns).set({ confirmRsvps: false }).run()
  const picket = app.pickets.schedule(1, picketInput)
  await addUser(app, 'org@example.org', 'organizer', [1])
  return { app, clock, picket, browser: () => signIn(app, 'org@example.org') }
}

function rsvp(app: App, picketId: number, name: string, email: string, consent = false) {
  const result = app.pickets.rsvp(picketId, { name, email, consent })
  if (result.kind !== 'accepted') throw new Error(`RSVP refused: ${result.kind}`)
  return result.rsvpId
}

/** The check-in rows in order: each one's name, state and what tells it apart, as text. */
function rows(html: string): string[] {
  return [...html.matchAll(/<button type="submit" class="check-in-row[^"]*"[^>]*>([\s\S]*?)<\/button>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim())
}

t.test('folding names for the search', async (t) => {
  t.equal(foldName('Aigül  Serikovna'), 'aigul serikovna')
  t.equal(foldName('ÉLODIE'), 'elodie')
  t.equal(foldName('Ёлка'), 'елка')
  t.equal(foldName('Әйгерім'), 'әигерім', 'Kazakh letters stay (letters of their own); й is и as ё is е')
})

t.test('two Aigul: told apart by when they RSVPed; no address on the page; the search ignores case and accents', async (t) => {
  const { app, clock, picket, browser: signedIn } = await setup(t)
  rsvp(app, picket.id, 'Aigul Bekova', 'aigul.one@example.com', true)
  clock.advance(26 * 3_600_000)
  rsvp(app, picket.id, 'Aigül Bekova', 'aigul.two@example.com')
  clock.advance(3_600_000)
  rsvp(app, picket.id, 'Marat Ospanov', 'marat@example.com', true)
  clock.advance(3_600_000)
  const waiting = rsvp(app, picket.id, 'AIGUL Nurlanovna', 'waiting@example.com')
  clock.current = new Date('2026-12-16T11:50:00Z') // on the day
  const browser = await signedIn()

  const page = await browser.get(`/admin/pickets/${picket.id}/check-in`)
  t.equal(page.statusCode, 200)
  t.same(rows(page.body), [
    'Aigul Bekova — tap when here RSVP 1 Dec, 10:00',
    'Aigül Bekova — tap when here RSVP 2 Dec, 12:00',
    'Marat Ospanov — tap when here RSVP 2 Dec, 13:00',
    'AIGUL Nurlanovna — tap when here RSVP 2 Dec, 14:00 · on the waiting list',
  ], 'name, then when they RSVPed (local time at the venue), the waiting list marked')
  for (const email of ['aigul.one@example.com', 'aigul.two@example.com', 'marat@example.com', 'waiting@example.com']) t.notMatch(page.body, email, `${email} is not on the page, shared or not`)
  t.notMatch(page.body, 'mailto:')
  t.match(page.body, '<strong>0</strong> of <strong>3</strong> here')
  t.match(page.body, /<div class="check-in-bar">[\s\S]*role="search"/, 'the count and the search together at the top')
  t.match(page.body, /<script src="\/assets\/check-in\.[0-9a-f]{10}\.js" defer><\/script>/)
  t.match(page.body, 'data-name="aigul bekova"', 'each row carries its folded name for the live filter')
  t.notMatch(page.body, /<details class="check-in-waitlist" open/, 'the waiting list folded')

  // The search, without scripts: case and accents do not matter.
  for (const q of ['aigul', 'AIGÜL', 'Aigul']) {
    const found = rows((await browser.get(`/admin/pickets/${picket.id}/check-in?q=${encodeURIComponent(q)}`)).body)
    t.same(found.map((r) => r.split(' — ')[0]), ['Aigul Bekova', 'Aigül Bekova', 'AIGUL Nurlanovna'], `“${q}” finds all three`)
  }
  const bekova = await browser.get(`/admin/pickets/${picket.id}/check-in?q=bekova`)
  t.same(rows(bekova.body).length, 2)
  t.notMatch(bekova.body, 'Marat')
  const nurlanovna = await browser.get(`/admin/pickets/${picket.id}/check-in?q=nurlan`)
  t.match(nurlanovna.body, /<details class="check-in-waitlist" open/, 'found only on the waiting list: opened')
  t.match(nurlanovna.body, 'Nobody going matches “nurlan”.')

  // An address: only in full, only one its owner shared, and still not shown.
  const shared = await browser.get(`/admin/pickets/${picket.id}/check-in?q=aigul.one%40example.com`)
  t.same(rows(shared.body).map((r) => r.split(' — ')[0]), ['Aigul Bekova'])
  t.notMatch(shared.body.replace(/value="aigul\.one@example\.com"/g, ''), 'aigul.one@example.com', 'shown only as the search typed')
  t.same(rows((await browser.get(`/admin/pickets/${picket.id}/check-in?q=aigul.two%40example.com`)).body), [], 'an address not shared finds nobody')
  t.same(rows((await browser.get(`/admin/pickets/${picket.id}/check-in?q=example.com`)).body), [], 'part of an address finds nobody')

  // Ticking: green, a tick and words; the count follows.
  const one = app.db.select().from(rsvps).where(eq(rsvps.email, 'aigul.one@example.com')).get()!
  t.equal((await browser.post(`/admin/pickets/${picket.id}/check-in/${one.id}`, { checkedIn: '1', q: 'aigul' })).statusCode, 303)
  t.equal((await browser.post(`/admin/pickets/${picket.id}/check-in/${waiting}`, { checkedIn: '1' })).statusCode, 303)
  const after = await browser.get(`/admin/pickets/${picket.id}/check-in`)
  t.match(after.body, '<strong>2</strong> of <strong>3</strong> here', 'one who was waiting came too')
  t.match(after.body, /class="check-in-row is-here" aria-pressed="true">\s*<span class="check-in-name">✓ Aigul Bekova<\/span>\s*<span class="check-in-state">— here since 11:50 · tap to undo<\/span>/, 'here: a class for the colour, the tick and the words')
  t.match(after.body, /class="check-in-row" aria-pressed="false">\s*<span class="check-in-name">Aigül Bekova<\/span>/, 'the other Aigul is not')
})

t.test('the check-in page in Russian', async (t) => {
  const { app, picket, browser: signedIn } = await setup(t)
  rsvp(app, picket.id, 'Айгуль', 'aigul@example.com')
  const browser = await signedIn()
  const page = await browser.get(`/admin/pickets/${picket.id}/check-in?lang=ru&q=%D0%B0%D0%B9%D0%B3%D1%83%D0%BB%D1%8C`)
  t.equal(page.statusCode, 200)
  t.same(rows(page.body), ['Айгуль — нажмите, когда придёт Запись: 1 дек., 10:00'])
  t.match(page.body, 'Отмечено <strong>0</strong> из <strong>1</strong> записавшихся.')
})
