// The picket's time zone suggested from its country and city, the zone list a volunteer reads
// ("London — GMT+0"), and the start read back as the venue's clocks show it ("Saturday 16 December,
// 12:00 in London") — in the unit, on the form without scripts, and from the endpoint the form's script asks.
import t from 'tap'
import { eq } from 'drizzle-orm'
import { build, TestClock } from '../helper.js'
import { addUser, signIn } from '../admin/helper.js'
import { campaigns, pickets } from '../../src/db/schema/index.js'
import { foldPlace, gmtOffset, suggestTimeZone, zoneLabel } from '../../src/pickets/time-zones.js'
import { localPreview } from '../../src/pickets/admin-routes.js'
import { newYorkPicketForm } from './helpers.js'

t.test('suggestTimeZone: one zone, the city among many, the main zone, nothing for the unknown', async (t) => {
  const cases: [string, string, string | null, string][] = [
    ['GB', 'London', 'Europe/London', 'a country with one zone'],
    ['GB', '', 'Europe/London', 'a country with one zone, no city yet'],
    ['fr', 'Lyon', 'Europe/Paris', 'the code in lower case'],
    ['US', 'New York', 'America/New_York', 'the city names the zone'],
    ['US', 'new york', 'America/New_York', 'whatever the case'],
    ['US', 'Los Angeles, CA', 'America/Los_Angeles', 'what follows a comma is not the city'],
    ['US', 'Washington, D.C.', 'America/New_York', 'an embassy city no zone is named after'],
    ['US', 'Springfield', 'America/New_York', 'a city not known: the country’s main zone, not the first (America/Adak)'],
    ['KZ', 'Almaty', 'Asia/Almaty', 'Almaty'],
    ['KZ', 'Aktobe', 'Asia/Aqtobe', 'the Russian spelling of a zone spelt the Kazakh way'],
    ['KZ', 'Уральск', 'Asia/Oral', 'in Cyrillic'],
    ['KZ', 'Нұр-Сұлтан', 'Asia/Almaty', 'Kazakh letters'],
    ['RU', 'Новосибирск', 'Asia/Novosibirsk', 'a Russian city in Russian'],
    ['RU', 'Москва', 'Europe/Moscow', 'Moscow in Russian'],
    ['RU', 'Somewhere', 'Europe/Moscow', 'many zones, no match: the main one'],
    ['CA', 'Ottawa', 'America/Toronto', 'a capital in its neighbour’s zone'],
    ['CA', 'Vancouver', 'America/Vancouver', 'Canada’s west'],
    ['AU', 'Perth', 'Australia/Perth', 'Australia’s west'],
    ['AU', 'Canberra', 'Australia/Sydney', 'Canberra keeps Sydney’s time'],
    ['BR', 'São Paulo', 'America/Sao_Paulo', 'accents ignored'],
    ['BR', 'Manaus', 'America/Manaus', 'Brazil’s north'],
    ['MX', 'Tijuana', 'America/Tijuana', 'Mexico’s border'],
    ['MX', '', 'America/Mexico_City', 'no city: the capital’s zone'],
    ['AR', 'Córdoba', 'America/Argentina/Cordoba', 'a zone three parts deep'],
    ['UA', 'Kiev', 'Europe/Kyiv', 'an old spelling finds the current zone'],
    ['DE', 'München', 'Europe/Berlin', 'two zones, no match: the first'],
    ['DE', 'Büsingen', 'Europe/Zurich', 'the German village on Swiss time (its old zone name)'],
    ['XX', 'London', null, 'an unknown country'],
    ['', 'London', null, 'no country'],
    ['GBR', 'London', null, 'not a two-letter code'],
  ]
  for (const [country, city, zone, why] of cases) t.equal(suggestTimeZone(country, city), zone, `${country} ${city}: ${why}`)
})

t.test('places fold whatever their case, accents and script', async (t) => {
  t.equal(foldPlace('São Paulo'), foldPlace('Sao_Paulo'))
  t.equal(foldPlace('ZÜRICH'), 'zurich')
  t.equal(foldPlace('Алматы'), 'almaty')
  t.equal(foldPlace('Нұр-Сұлтан'), 'nur-sultan')
})

t.test('zone labels: the city, then the distance from GMT at the picket’s date', async (t) => {
  t.equal(zoneLabel('Europe/London', new Date('2026-12-16T12:00:00Z')), 'London — GMT+0')
  t.equal(zoneLabel('Europe/London', new Date('2026-07-16T12:00:00Z')), 'London — GMT+1', 'summer time')
  t.equal(zoneLabel('Asia/Kolkata', new Date('2026-12-16T12:00:00Z')), 'Kolkata — GMT+5:30')
  t.equal(zoneLabel('America/New_York', new Date('2026-12-16T12:00:00Z')), 'New York — GMT-5')
  t.equal(zoneLabel('America/Argentina/Buenos_Aires', new Date('2026-12-16T12:00:00Z')), 'Buenos Aires, Argentina — GMT-3')
  t.equal(gmtOffset('America/St_Johns', new Date('2026-12-16T12:00:00Z')), '-3:30')
})

t.test('the preview in English and Russian', async (t) => {
  t.equal(localPreview('2026-12-19T12:00', 'London', 'Europe/London', 'en'), 'Saturday 19 December, 12:00 in London')
  t.equal(localPreview('2026-12-19T12:00', 'Лондон', 'Europe/London', 'ru'), 'Суббота, 19 декабря, 12:00 по местному времени (Лондон)')
  t.equal(localPreview('2026-12-19T12:00', '', 'Asia/Almaty', 'en'), 'Saturday 19 December, 12:00 in Almaty', 'no city yet: the zone’s')
  t.equal(localPreview('2026-12-19T12:00', '', '', 'en'), 'Saturday 19 December, 12:00 at the venue')
  t.equal(localPreview('', 'London', 'Europe/London', 'en'), '', 'no start yet, no preview')
  t.equal(localPreview('tomorrow', 'London', 'Europe/London', 'en'), '')
})

// ---------------------------------------------------------------------------------------------
// The form and the endpoint

// The zone left empty (the form suggests it), on the Saturday.
const form = { ...newYorkPicketForm, startsLocal: '2026-12-19T12:00', endsLocal: '2026-12-19T14:00', timeZone: '', notes: '', contact: '' }

async function setup(t: { teardown(fn: () => unknown): void }) {
  const clock = new TestClock(new Date('2026-12-01T10:00:00Z'))
  const app = await build(t, { clock: clock.now })
  await addUser(app, 'org@example.org', 'organizer', [1])
  return { app, browser: await signIn(app, 'org@example.org') }
}

/** The options of the zone list, in order, with the group each is in. */
function zoneOptions(html: string): { group: string; value: string; label: string; selected: boolean }[] {
  const select = html.slice(html.indexOf('<select name="timeZone"'), html.indexOf('</select>', html.indexOf('<select name="timeZone"')))
  const out: { group: string; value: string; label: string; selected: boolean }[] = []
  let group = ''
  for (const m of select.matchAll(/<optgroup label="([^"]*)"|<option value="([^"]*)"( selected)?>([^<]*)<\/option>/g)) {
    if (m[1] !== undefined) group = m[1]
    else out.push({ group, value: m[2]!, label: m[4]!, selected: Boolean(m[3]) })
  }
  return out
}

t.test('the form: zones by name grouped by country, an empty zone suggested on submit, a plain error when none can be', async (t) => {
  const { app, browser } = await setup(t)

  const blank = await browser.get('/admin/campaigns/1/pickets/new')
  t.equal(blank.statusCode, 200)
  const blankOptions = zoneOptions(blank.body)
  t.match(blankOptions[0], { value: '', label: 'Suggest from the country and city', selected: false }, 'first: leave it to the country and city')
  t.ok(blankOptions.some((o) => o.value === 'Europe/London' && o.group === 'All time zones' && /^London — GMT\+(0|1)$/.test(o.label)), 'zones by city and offset')
  t.notOk(blankOptions.some((o) => o.selected), 'nothing chosen yet')
  t.match(blank.body, /<script src="\/assets\/picket-form\.[0-9a-f]{10}\.js" defer><\/script>/)
  t.match(blank.body, 'Everyone going gets an email this long before the start', 'what the reminders do')
  t.match(blank.body, 'new people join a waiting list', 'what the places mean')
  t.match(blank.body, 'The clocks at the venue', 'what the zone is for')

  // Without scripts the zone stays empty: the server takes the suggestion.
  const saved = await browser.post('/admin/campaigns/1/pickets/new', form)
  t.equal(saved.statusCode, 303, saved.body.slice(0, 500))
  const picket = app.db.select().from(pickets).where(eq(pickets.title, form.title)).get()!
  t.equal(picket.timeZone, 'America/New_York', 'New York’s zone')
  t.equal(picket.startsAt.toISOString(), '2026-12-19T17:00:00.000Z', 'noon in New York')

  // The picket's page: its zone chosen, the US zones first, and the start read back.
  const page = await browser.get(`/admin/pickets/${picket.id}`)
  const options = zoneOptions(page.body)
  const chosen = options.filter((o) => o.selected)
  t.same(chosen, [{ group: 'In United States', value: 'America/New_York', label: 'New York — GMT-5', selected: true }], 'chosen once, among the country’s')
  t.equal(options[1]!.group, 'In United States', 'the country’s zones come first')
  t.ok(options.filter((o) => o.group === 'In United States').length > 20)
  t.match(page.body, '<span data-preview-venue>Saturday 19 December, 12:00 in New York</span>')
  t.match(page.body, 'data-suggested="America/New_York"')

  // Another error keeps the suggested zone on the re-rendered form, with the preview.
  const other = await browser.post('/admin/campaigns/1/pickets/new', { ...form, title: '', city: 'Almaty', country: 'KZ', startsLocal: '2026-12-20T11:30', endsLocal: '2026-12-20T13:00' })
  t.equal(other.statusCode, 422)
  t.match(zoneOptions(other.body).filter((o) => o.selected), [{ value: 'Asia/Almaty', group: 'In Kazakhstan' }])
  t.match(other.body, 'Sunday 20 December, 11:30 in Almaty')

  // A country the data has no zone for: told in plain words, not "an IANA zone".
  const none = await browser.post('/admin/campaigns/1/pickets/new', { ...form, country: 'BV', city: 'Nowhere' })
  t.equal(none.statusCode, 422)
  t.match(none.body, 'We could not tell the time zone from the country and city. Please choose it from the list.')
  t.notMatch(none.body, 'IANA')

  // A zone chosen by hand is kept.
  const byHand = await browser.post('/admin/campaigns/1/pickets/new', { ...form, title: 'Chicago by hand', timeZone: 'America/Chicago' })
  t.equal(byHand.statusCode, 303)
  t.equal(app.db.select().from(pickets).where(eq(pickets.title, 'Chicago by hand')).get()!.timeZone, 'America/Chicago')
})

t.test('the form in Russian: the preview and the zone list in Russian', async (t) => {
  const { app, browser } = await setup(t)
  app.db.update(campaigns).set({ languages: ['ru'] }).where(eq(campaigns.id, 1)).run()
  const bad = await browser.post('/admin/campaigns/1/pickets/new?lang=ru', { ...form, title: '', city: 'Лондон', country: 'GB' })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, '<html lang="ru"')
  t.match(bad.body, 'Суббота, 19 декабря, 12:00 по местному времени (Лондон)')
  t.match(bad.body, 'Подобрать по стране и городу')
  t.match(zoneOptions(bad.body).filter((o) => o.selected), [{ value: 'Europe/London', label: 'London — GMT+0' }])
  t.match(bad.body, 'data-locale="ru"')
  t.match(bad.body, 'data-pattern="{date}, {time} по местному времени ({city})"', 'the pattern the script fills in')
})

t.test('the suggestion endpoint: signed in only, JSON, 422 for a wrong country', async (t) => {
  const { app, browser } = await setup(t)
  const url = '/admin/pickets/time-zone-suggestion'

  const anonymous = await app.inject(`${url}?country=GB&city=London`)
  t.equal(anonymous.statusCode, 303, 'signed out: to the sign-in page')
  t.match(anonymous.headers.location, /^\/admin\/login/)

  const london = await browser.get(`${url}?country=GB&city=London`)
  t.equal(london.statusCode, 200)
  t.match(london.headers['content-type'], /^application\/json/)
  t.match(london.json(), { timeZone: 'Europe/London', label: /^London — GMT\+[01]$/, zones: [{ value: 'Europe/London' }], zonesLabel: 'In United Kingdom' })

  const winter = (await browser.get(`${url}?country=US&city=New%20York&startsLocal=2026-12-19T12:00`)).json()
  t.match(winter, { timeZone: 'America/New_York', label: 'New York — GMT-5' }, 'the offset at the picket’s date')
  t.equal((await browser.get(`${url}?country=US&city=New%20York&startsLocal=2026-07-19T12:00`)).json().label, 'New York — GMT-4', 'summer time')
  t.equal(winter.zones.length, 29, 'every US zone, for the list')
  t.match((await browser.get(`${url}?country=kz&city=%D0%90%D0%BB%D0%BC%D0%B0%D1%82%D1%8B`)).json(), { timeZone: 'Asia/Almaty' }, 'Алматы')
  t.same((await browser.get(`${url}?country=&city=London`)).json(), { timeZone: null, label: null, zones: [], zonesLabel: null }, 'no country yet')
  t.same((await browser.get(`${url}?country=BV`)).json(), { timeZone: null, label: null, zones: [], zonesLabel: null }, 'a country without a zone')

  for (const [query, path] of [
    ['country=Britain', 'country'],
    ['country=XX', 'country'],
    ['country=GB&country=FR', 'country'],
    [`country=GB&city=${'x'.repeat(101)}`, 'city'],
    ['country=GB&startsLocal=tomorrow', 'startsLocal'],
  ] as const) {
    const res = await browser.get(`${url}?${query}`)
    t.equal(res.statusCode, 422, query)
    t.match(res.json(), { issues: [{ path: [path], message: /\w/ }] }, query)
  }
  t.match((await browser.get(`${url}?country=XX&lang=ru`)).json(), { issues: [{ path: ['country'], message: /[а-я]/ }] }, 'in the screen’s language')
})
