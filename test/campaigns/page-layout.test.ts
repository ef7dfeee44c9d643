// The campaign page leads to the letter (issue 14): the call to action and the form before the
// story; the pickets near the supporter below the form; a bar that shows small progress and says how
// many letters are to go; a thank-you page naming the officials and the nearest picket; who runs the
// campaign, and the privacy page.
import t from 'tap'
import { build, formSession, postForm, supporter } from '../helper.js'

const PAGE = '/campaigns/zhanaozen'

/** Where each marker first appears in the page, to compare the order of sections. */
function positions(html: string, markers: Record<string, string | RegExp>) {
  const at: Record<string, number> = {}
  for (const [name, marker] of Object.entries(markers)) {
    at[name] = typeof marker === 'string' ? html.indexOf(marker) : (marker.exec(html)?.index ?? -1)
  }
  return at
}

t.test('the call to action and the form come before the pickets, the story, the people and the updates', async (t) => {
  const app = await build(t)
  const html = (await app.inject(PAGE)).body
  const at = positions(html, {
    title: '<h1',
    tally: 'data-tally',
    cta: 'id="cta"',
    form: 'id="letter-form"',
    pickets: 'id="pickets"',
    story: 'class="story"',
    people: 'id="people"',
    runs: 'class="runs"',
  })
  for (const [name, i] of Object.entries(at)) t.ok(i > 0, `${name} is on the page`)
  const order = Object.entries(at).sort((a, b) => a[1] - b[1]).map(([name]) => name)
  t.same(order, ['title', 'tally', 'cta', 'form', 'pickets', 'story', 'people', 'runs'])
  t.match(html, /<a href="#write" role="button" id="cta">Write a letter<\/a>/)
  // The full list stays one click away.
  t.match(html, 'href="/campaigns/zhanaozen/pickets"')
})

t.test('the pickets in the supporter\'s country come first: from the form, else from Accept-Language', async (t) => {
  const app = await build(t)
  const countries = (html: string) => [...html.matchAll(/data-picket-country="([A-Z]{2})"/g)].map((m) => m[1])
  const plain = countries((await app.inject(PAGE)).body)
  t.ok(plain.length >= 4, 'pickets in several countries')
  t.not(plain[0], 'RU', 'no country: the usual order')

  // A visitor whose browser says en-RU (the page in English, the region Russia): the Moscow picket first.
  // The first request teaches the cache which countries have pickets; both answers are right.
  for (let i = 0; i < 2; i++) {
    const page = (await app.inject({ url: PAGE, headers: { 'accept-language': 'en-RU,en;q=0.9' } })).body
    if (i === 1) {
      t.equal(countries(page)[0], 'RU', 'the region\'s pickets first')
      t.match(page, /data-picket-country="RU">\s*<h3>Russia <mark data-near>your country<\/mark>/)
    }
  }
  // Someone else (no region) still gets the usual order: the cached page holds nothing of one visitor.
  t.same(countries((await app.inject(PAGE)).body), plain)

  // The no-JavaScript preview re-renders with the form's country: Poland first.
  const session = await formSession(app, PAGE)
  const preview = await postForm(app, `${PAGE}/letters`, { ...supporter, country: 'PL', target: '1', intent: 'preview' }, session)
  t.equal(preview.statusCode, 200)
  t.equal(countries(preview.body)[0], 'PL')
})

t.test('the bar shows a sliver for a few letters and says how many are to go', async (t) => {
  const app = await build(t)
  let html = (await app.inject(PAGE)).body
  t.match(html, /<rect class="bar-fill"[^>]*width="0"/, 'nothing yet: no bar')
  t.match(html, '11,000 letters to go')

  app.db.$client.prepare('update campaigns set letters_count = 12').run()
  html = (await app.inject({ url: PAGE, query: { lang: 'en' } })).body
  const width = Number(/<rect class="bar-fill"[^>]*width="([\d.]+)"/.exec(html)?.[1])
  t.ok(width >= 1.5 && width < 3, `12 of 11,000 shows a visible sliver (${width}%)`)
  t.match(html, '10,988 letters to go')
  t.match(html, 'aria-valuenow="12"')
  t.match(html, 'aria-valuetext="12 of 11,000 letters"')

  // In Russian, by its plural rules and its grouping.
  const ru = (await app.inject({ url: PAGE, query: { lang: 'ru' } })).body
  t.match(ru, /осталось 10\s988 писем/)
  app.db.$client.prepare('update campaigns set letters_count = 10999').run()
  t.match((await app.inject({ url: PAGE, query: { lang: 'ru' } })).body, /остался 1 письмо|осталось 1 письмо/)

  app.db.$client.prepare('update campaigns set letters_count = 11500').run()
  html = (await app.inject({ url: '/', query: { lang: 'en' } })).body
  t.match(html, 'Goal reached', 'the home page uses the same bar')
  t.match(html, /<rect class="bar-fill"[^>]*width="100"/)
})

t.test('the thank-you page names the officials written to and the next picket in the supporter\'s country', async (t) => {
  const app = await build(t)
  const session = await formSession(app, PAGE)
  const sent = await postForm(app, `${PAGE}/letters`, { ...supporter, target: ['1', '2'], language: 'en' }, session)
  t.equal(sent.statusCode, 303)
  const location = String(sent.headers.location)
  t.equal(location, '/campaigns/zhanaozen/thanks?to=1,2&country=GB#thanks', 'only public ids and the country')
  t.notMatch(location, /roza|Roza|London|example/, 'nothing the supporter typed about themselves')

  const thanks = (await app.inject(location.replace('#thanks', ''))).body
  t.match(thanks, 'You wrote to:')
  t.match(thanks, /<ul class="wrote-to"[^>]*>\s*<li><strong>Nursultan Nazarbayev<\/strong>/)
  t.match(thanks, 'Askhat Daulbayev')
  t.match(thanks, 'The next picket in United Kingdom:')
  t.match(thanks, /href="\/pickets\/\d+"><strong>Picket at the Kazakh embassy in London<\/strong>/)

  // In Russian, the officials and the picket are named in Russian.
  const ru = (await app.inject(`/campaigns/zhanaozen/thanks?to=1&country=GB&lang=ru`)).body
  t.match(ru, 'Вы написали:')
  t.match(ru, 'Пикет у посольства Казахстана в Лондоне')
  t.match(ru, 'Ближайший пикет в вашей стране (Великобритания):')

  // A country with no picket points to the list; ids of another campaign's officials or junk name nobody.
  const none = (await app.inject('/campaigns/zhanaozen/thanks?to=999,abc,-1&country=FR')).body
  t.notMatch(none, 'You wrote to')
  t.match(none, 'No picket is planned in France yet.')
  t.match(none, 'href="/campaigns/zhanaozen/pickets"')
  t.equal((await app.inject('/campaigns/zhanaozen/thanks?country=%3Cscript%3E&to=%3Cb%3E')).statusCode, 200)
})

t.test('the campaign page names who runs it; the privacy page says what is kept, for how long, and how to have it erased', async (t) => {
  const app = await build(t, {
    env: { ORGANISATION_NAME: 'Oil Workers Solidarity <UK>', ORGANISATION_URL: 'https://solidarity.example.org', PRIVACY_CONTACT: 'privacy@solidarity.example.org' },
  })
  const page = (await app.inject(PAGE)).body
  t.match(page, 'This campaign is run by <a href="https://solidarity.example.org">Oil Workers Solidarity &lt;UK&gt;</a>.')
  t.match(page, '<a href="mailto:privacy@solidarity.example.org">privacy@solidarity.example.org</a>')
  // Beside the consent box, and in the footer.
  t.match(page, /name="consent"[^]*?<a href="\/privacy">How we handle your data<\/a>/)
  t.match(page, /<footer[^]*href="\/privacy"/)

  const privacy = await app.inject('/privacy')
  t.equal(privacy.statusCode, 200)
  for (const text of [
    '<a href="https://solidarity.example.org">Oil Workers Solidarity &lt;UK&gt;</a> runs this site',
    'your name, email address, city and country',
    'When you sign up for a picket: your name and email address.',
    'only if you tick “Let the official reply to me directly',
    'only if you tick “You may contact me about this campaign”',
    'until you ask us to erase them',
    'A letter already sent stays with the official',
    'href="mailto:privacy@solidarity.example.org"',
    '/admin/supporters',
  ]) t.match(privacy.body, text)

  // In the visitor's language.
  const ru = await app.inject({ url: '/privacy', headers: { 'accept-language': 'ru' } })
  t.match(ru.body, '<html lang="ru"')
  t.match(ru.body, 'Как мы обращаемся с вашими данными')
  const kk = await app.inject({ url: '/privacy', query: { lang: 'kk' } })
  t.match(kk.body, 'деректер')

  // A contact that is neither an address nor a web address is shown as text.
  const other = await build(t, { env: { PRIVACY_CONTACT: 'Data officer, 1 Union Road, Leeds' } })
  const shown = (await other.inject('/privacy')).body
  t.match(shown, '<strong data-privacy-contact>Data officer, 1 Union Road, Leeds</strong>')
  t.match(shown, 'The Outcry campaign team</strong> runs this site')
})
