// The organizers' texts in the reader's language: what is translated shows in it, what is not falls
// back to the campaign's first language and says so with its own lang, on pages and in the API.
import t from 'tap'
import { localize, missingTranslations } from '../../src/i18n/content.js'
import { campaignTexts } from '../../src/db/schema/index.js'
import { build } from '../helper.js'

const page = '/campaigns/zhanaozen'

t.test('localize: the wanted language where given, else the first, marked', async (t) => {
  const row = { title: 'Free them', summary: 'Write', story: '', translations: { ru: { title: 'Свободу', summary: '  ' }, kk: {} } }
  t.same(localize(row, campaignTexts, 'en', 'en'), { title: 'Free them', summary: 'Write', story: '', langs: {} })
  t.same(localize(row, campaignTexts, 'ru', 'en'), { title: 'Свободу', summary: 'Write', story: '', langs: { summary: 'en' } }, 'a blank translation is no translation; an empty text needs no mark')
  t.same(localize(row, campaignTexts, 'de', 'en'), { title: 'Free them', summary: 'Write', story: '', langs: { title: 'en', summary: 'en' } })
  t.same(missingTranslations(row, campaignTexts, ['en', 'ru', 'kk']), { ru: ['summary'], kk: ['title', 'summary'] })
})

t.test('the campaign page in Russian, with Accept-Language or ?lang=', async (t) => {
  const app = await build(t)
  for (const res of [await app.inject({ url: page, headers: { 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.5' } }), await app.inject(`${page}?lang=ru`)]) {
    t.equal(res.statusCode, 200)
    t.match(res.body, '<html lang="ru"')
    t.match(res.body, '<h1>Свободу нефтяникам Жанаозена</h1>', 'the Russian title, in a Russian page: no lang of its own')
    t.match(res.body, '<title>Свободу нефтяникам Жанаозена · Outcry</title>')
    t.match(res.body, '<strong>Роза Тулетаева</strong> <mark>переведена в колонию-поселение</mark>')
    t.match(res.body, /Нурсултан Назарбаев<\/strong>, <span>Президент Республики Казахстан<\/span>/)
    t.match(res.body, 'Пикет у посольства Казахстана в Москве')
    t.match(res.body, 'Отправить письмо', 'Russian buttons')
    t.notMatch(res.body, /<(?!a )[a-z0-9]+ [^>]*\slang="en"/, 'everything but the language switch\'s "English" is in Russian')
  }
})

t.test('Kazakh: what the organizers translated in Kazakh, the rest in English marked lang="en"', async (t) => {
  const app = await build(t)
  const res = await app.inject(`${page}?lang=kk`)
  t.match(res.body, '<html lang="kk"')
  t.match(res.body, '<h1>Жаңаөзен мұнайшыларына бостандық</h1>')
  t.match(res.body, '<strong>Қанат Жүсіпбаев</strong> <mark>түрмеде</mark>')
  t.match(res.body, /<section class="story"[^>]*>\s*<h2[^>]*>[^<]+<\/h2>\s*<div lang="en">/, 'the untranslated story says it is English (its heading is Kazakh)')
  t.match(res.body, /<strong lang="en">Picket at the Kazakh embassy in Moscow<\/strong>/, 'so do the pickets\' titles')
})

t.test('a visitor who chose no language reads the campaign in its first language', async (t) => {
  const app = await build(t)
  const id = (app.db.$client.prepare("select id from campaigns where slug = 'zhanaozen'").get() as { id: number }).id
  app.db.$client.prepare(`update campaigns set languages = '["ru","en","kk"]', title = 'Свободу нефтяникам Жанаозена', translations = '{"en":{"title":"Free the Zhanaozen oil workers"}}', updated_at = 1 where id = ?`).run(id)
  const none = await app.inject(page)
  t.match(none.body, '<html lang="ru"', 'no Accept-Language: the campaign\'s first language')
  t.match(none.body, '<h1>Свободу нефтяникам Жанаозена</h1>')
  const english = await app.inject({ url: page, headers: { 'accept-language': 'en-GB' } })
  t.match(english.body, '<html lang="en"', 'a language the visitor asked for wins')
  t.match(english.body, '<h1>Free the Zhanaozen oil workers</h1>')
  const chosen = await app.inject({ url: page, headers: { cookie: 'lang=de' } })
  t.match(chosen.body, '<html lang="de"')
  t.match(chosen.body, '<h1 lang="ru">Свободу нефтяникам Жанаозена</h1>', 'no German title: the first language\'s, marked')
})

t.test('GET /api/campaigns/:slug?lang=ru: title and people in Russian; what fell back is listed', async (t) => {
  const app = await build(t)
  const ru = (await app.inject('/api/campaigns/zhanaozen?lang=ru')).json()
  t.match(ru, { language: 'ru', title: 'Свободу нефтяникам Жанаозена', fallback: [], fallbackLanguage: 'en' })
  t.same(ru.people.map((p: { name: string }) => p.name), ['Роза Тулетаева', 'Канат Жусипбаев', 'Шабдал Уткилов'])
  t.match(ru.targets[0], { name: 'Нурсултан Назарбаев', title: 'Президент Республики Казахстан', fallback: [] })
  t.notOk('salutation' in ru.targets[0], 'salutations are for letters, not the public API')
  const kk = (await app.inject({ url: '/api/campaigns/zhanaozen', headers: { 'accept-language': 'kk' } })).json()
  t.match(kk, { language: 'kk', title: 'Жаңаөзен мұнайшыларына бостандық', fallback: ['story'] })
  const plain = (await app.inject('/api/campaigns/zhanaozen')).json()
  t.match(plain, { language: 'en', title: 'Free the Zhanaozen oil workers' }, 'no language asked: the campaign\'s first')
  t.match(plain.people[0], { name: 'Roza Tuletaeva', fallback: [] })
})

t.test('a 422 re-rendered from the Russian page speaks Russian', async (t) => {
  const app = await build(t)
  const { formSession, postForm } = await import('../helper.js')
  const session = await formSession(app, `${page}?lang=ru`)
  const res = await postForm(app, `${page}/letters`, { name: '', email: 'nope', city: '', country: 'GB', target: '1', intent: 'send' }, session)
  t.equal(res.statusCode, 422)
  t.match(res.body, '<html lang="ru"')
  t.match(res.body, /id="email-error"[^>]*>[^<]*адрес/i, 'the email message in Russian')
  t.match(res.body, '<h1>Свободу нефтяникам Жанаозена</h1>')
})

t.test('pages opened from a mailbox speak the language the supporter wrote in, with no cookie of ours', async (t) => {
  const { formSession, postForm, supporter } = await import('../helper.js')
  const app = await build(t, { confirmLetters: true })
  const session = await formSession(app, `${page}?lang=ru`)
  const sent = await postForm(app, `${page}/letters`, { ...supporter, target: '1', intent: 'send' }, session)
  t.equal(sent.statusCode, 303)
  const row = app.db.$client.prepare(`select message from outbox where kind = 'confirm_letter' order by id desc limit 1`).get() as { message: string }
  const link = /http:\/\/outcry\.test(\/letters\/confirm\/[A-Za-z0-9_-]+)/.exec(JSON.parse(row.message).text)?.[1]
  if (!link) throw new Error('no link in the confirmation mail')
  const view = await app.inject(link)
  t.match(view.body, '<html lang="ru"')
  t.match(view.body, 'Нурсултан Назарбаев', 'the official as Russian names him')
  t.match(view.body, 'Свободу нефтяникам Жанаозена')
  const english = await app.inject({ url: link, headers: { cookie: 'lang=en' } })
  t.match(english.body, '<html lang="en"', 'a language the visitor chose still wins')
  const fresh = await formSession(app, link)
  const confirmed = await postForm(app, link, {}, fresh)
  // With the officials written to and the supporter's country, for the page to name them and the nearest picket.
  t.equal(confirmed.headers.location, '/campaigns/zhanaozen/thanks?confirmed&lang=ru&to=1&country=GB', 'on to the thank-you page in Russian')
})
