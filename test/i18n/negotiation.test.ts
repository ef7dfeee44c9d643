// Issue 13, the ground it stands on: each page's language is negotiated, named on <html>, offered in
// a switch with hreflang alternates, and every catalog has exactly the messages English has.
import path from 'node:path'
import t from 'tap'
import { build } from '../helper.js'
import { fromAcceptLanguage, loadCatalogs, translator } from '../../src/i18n/index.js'
import { coverage, usedKeys } from '../../src/i18n/coverage.js'

const root = path.resolve(import.meta.dirname, '../..')
const htmlLang = (body: string) => /<html lang="([^"]+)" dir="([^"]+)"/.exec(body)?.slice(1)

t.test('Accept-Language picks the best language we speak, by q-value', async (t) => {
  t.equal(fromAcceptLanguage('ru-RU,ru;q=0.9,en;q=0.8'), 'ru')
  t.equal(fromAcceptLanguage('pt-BR, kk;q=0.5, en;q=0.4'), 'kk', 'a language we lack is passed over')
  t.equal(fromAcceptLanguage('en;q=0.2, de;q=0.9'), 'de')
  t.equal(fromAcceptLanguage('ja, zh'), null)
  t.equal(fromAcceptLanguage('*;q=0, ru;q=0'), null, 'q=0 means not wanted')
  t.equal(fromAcceptLanguage(undefined), null)
})

t.test('?lang=, then the cookie, then Accept-Language, then English', async (t) => {
  const app = await build(t)
  const plain = await app.inject('/campaigns/zhanaozen')
  t.same(htmlLang(plain.body), ['en', 'ltr'])

  const russian = await app.inject({ url: '/campaigns/zhanaozen', headers: { 'accept-language': 'ru-RU,ru;q=0.9' } })
  t.same(htmlLang(russian.body), ['ru', 'ltr'])
  t.match(russian.body, '>Кампании<', 'the header speaks Russian')

  const german = await app.inject('/campaigns/zhanaozen?lang=de')
  t.same(htmlLang(german.body), ['de', 'ltr'])
  const cookie = ([] as string[]).concat(german.headers['set-cookie'] ?? []).find((c) => c.startsWith('lang='))
  t.match(cookie, /^lang=de;.*Max-Age=31536000/, 'the choice is remembered')
  const next = await app.inject({ url: '/', headers: { cookie: 'lang=de', 'accept-language': 'ru' } })
  t.same(htmlLang(next.body), ['de', 'ltr'], 'the cookie beats Accept-Language')
  const override = await app.inject({ url: '/?lang=kk', headers: { cookie: 'lang=de' } })
  t.same(htmlLang(override.body), ['kk', 'ltr'], '?lang= beats the cookie')
  const bogus = await app.inject({ url: '/?lang=xx', headers: { cookie: 'lang=zz' } })
  t.same(htmlLang(bogus.body), ['en', 'ltr'], 'unknown languages are ignored')
  t.notOk(([] as string[]).concat(bogus.headers['set-cookie'] ?? []).some((c) => c.startsWith('lang=')))
})

t.test('every page offers the languages in a switch and as hreflang alternates; the cached campaign page per language', async (t) => {
  const app = await build(t)
  // (Handlebars writes "=" in attributes as &#x3D;, which browsers read as "=".)
  const page = (await app.inject({ url: '/campaigns/zhanaozen', headers: { 'accept-language': 'ru' } })).body.replace(/&#x3D;/g, '=')
  for (const [code, name] of [['en', 'English'], ['ru', 'Русский'], ['kk', 'Қазақша'], ['de', 'Deutsch'], ['fr', 'Français'], ['es', 'Español']]) {
    t.match(page, `<link rel="alternate" hreflang="${code}" href="http://outcry.test/campaigns/zhanaozen?lang=${code}">`)
    t.match(page, new RegExp(`<a href="/campaigns/zhanaozen\\?lang=${code}" hreflang="${code}" lang="${code}"[^>]*>${name}</a>`))
  }
  t.match(page, /lang="ru" aria-current="true">Русский/)
  // The campaign page is cached: English and Russian visitors each get their own.
  const english = (await app.inject('/campaigns/zhanaozen')).body
  t.same(htmlLang(english), ['en', 'ltr'])
  t.match(english, '>Campaigns<')
  t.same(htmlLang((await app.inject({ url: '/campaigns/zhanaozen', headers: { 'accept-language': 'ru' } })).body), ['ru', 'ltr'])
})

t.test('plurals and numbers follow each language\'s rules', async (t) => {
  // Through i18next-icu with a message of the kind the catalogs will hold.
  const { default: i18next } = await import('i18next')
  const { default: ICU } = await import('i18next-icu')
  const i = i18next.createInstance()
  await i.use(ICU).init({ lng: 'ru', showSupportNotice: false, resources: { ru: { translation: { n: '{count, plural, one {# письмо} few {# письма} many {# писем} other {# письма}}' } }, en: { translation: { n: '{count, plural, one {# letter} other {# letters}}' } } } })
  t.match(i.t('n', { count: 11000 }), /^11\s000 писем$/u)
  t.equal(i.t('n', { count: 2 }), '2 письма')
  t.equal(i.t('n', { count: 21 }), '21 письмо')
  t.equal(i.getFixedT('en')('n', { count: 1 }), '1 letter')
  t.equal(translator('ru')('layout.campaigns'), 'Кампании')
  t.equal(translator('kk')('no.such.key'), 'no.such.key', 'a missing key shows itself rather than nothing')
})

t.test('every catalog has exactly the messages English has, and English only what is used', async (t) => {
  const report = coverage(loadCatalogs(), usedKeys(root))
  for (const c of report.languages) {
    t.same(c.missing, [], `${c.lang}: nothing missing`)
    t.same(c.extra, [], `${c.lang}: nothing English lacks`)
  }
  t.same(report.unused, [], 'no message nobody uses')
  t.same(report.undefinedKeys, [], 'no key used that English lacks')
})
