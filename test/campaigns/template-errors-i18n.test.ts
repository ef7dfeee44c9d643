import fs from 'node:fs'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build } from '../helper.js'
import { addUser, signIn } from '../admin/helper.js'
import { createApiToken } from '../../src/admin/api.js'
import { APPEAL_PLACEHOLDERS, validateAppeal } from '../../src/campaigns/appeal.js'
import { LANGUAGES, translator } from '../../src/i18n/index.js'

// The letter-template editor's messages: in the back-office user's language, Handlebars' {{…}} kept literal.

const decode = (s: string | undefined) => (s ?? '').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, '&').replace(/&#x3D;/g, '=').replace(/&lt;/g, '<').replace(/&gt;/g, '>')
const fieldError = (html: string, field: string) => decode(new RegExp(`id="${field}-error" class="field-error">([^<]*)<`).exec(html)?.[1])

/** Every kind of problem an organizer can make, the field it lands on, and what each language says about it. */
const KINDS: { name: string; subject?: string; body: string; field?: 'subject' | 'body'; en: string; ru: string; de: string }[] = [
  { name: 'unknown placeholder', body: 'Dear {{target.name}},\n{{supporter.phone}}', en: 'Unknown placeholder {{supporter.phone}} (line 2)', ru: 'Неизвестная подстановка {{supporter.phone}} (строка 2)', de: 'Unbekannter Platzhalter {{supporter.phone}} (Zeile 2)' },
  { name: 'relative to #with', body: '{{#with supporter}}{{phone}}{{/with}}', en: 'Unknown placeholder {{phone}} (supporter.phone) (line 1)', ru: 'Неизвестная подстановка {{phone}} (supporter.phone) (строка 1)', de: 'Unbekannter Platzhalter {{phone}} (supporter.phone) (Zeile 1)' },
  { name: 'a block’s parameter', body: '{{#if supporter.phone}}yes{{/if}}', en: 'Unknown placeholder supporter.phone in {{#if}}', ru: 'Неизвестная подстановка supporter.phone в {{#if}}', de: 'Unbekannter Platzhalter supporter.phone in {{#if}}' },
  { name: 'a block’s parameter inside #with', body: '{{#with supporter}}{{#unless phone}}x{{/unless}}{{/with}}', en: 'Unknown placeholder phone (supporter.phone) in {{#unless}}', ru: 'Неизвестная подстановка phone (supporter.phone) в {{#unless}}', de: 'Unbekannter Platzhalter phone (supporter.phone) in {{#unless}}' },
  { name: 'a helper', body: '{{lookup target "name"}}', en: 'Helper {{lookup}} is not allowed: only the blocks {{#if}}, {{#unless}}, {{#each}} and {{#with}} can be used', ru: 'Помощник {{lookup}} не разрешён: можно использовать только блоки {{#if}}, {{#unless}}, {{#each}} и {{#with}}', de: 'Der Helfer {{lookup}} ist nicht erlaubt: nur die Blöcke {{#if}}, {{#unless}}, {{#each}} und {{#with}} können verwendet werden' },
  { name: 'a helper call', body: '{{#if (lookup target "name")}}x{{/if}}', en: 'Helper (lookup …) is not allowed', ru: 'Помощник (lookup …) не разрешён', de: 'Der Helfer (lookup …) ist nicht erlaubt' },
  { name: 'a block helper', body: '{{#custom note}}x{{/custom}}', en: 'Helper {{#custom}} is not allowed', ru: 'Помощник {{#custom}} не разрешён', de: 'Der Helfer {{#custom}} ist nicht erlaubt' },
  { name: 'a block without its placeholder', body: '{{#each}}x{{/each}}', en: '{{#each}} needs exactly one placeholder, as in {{#each supporter}}', ru: 'Блоку {{#each}} нужна ровно одна подстановка, например {{#each supporter}}', de: '{{#each}} braucht genau einen Platzhalter, etwa {{#each supporter}}' },
  { name: 'a block with options', body: '{{#if note a=1}}x{{/if}}', en: '{{#if}} takes no options (key=value)', ru: 'Блок {{#if}} не принимает параметров (ключ=значение)', de: '{{#if}} nimmt keine Optionen (Schlüssel=Wert)' },
  { name: '#each in #each', body: '{{#each supporter}}{{#each ../target}}{{this}}{{/each}}{{/each}}', en: '{{#each}} cannot be used inside another {{#each}}', ru: '{{#each}} нельзя использовать внутри другого {{#each}}', de: '{{#each}} kann nicht innerhalb eines anderen {{#each}} verwendet werden' },
  { name: '#each over the whole letter', body: '{{#each @root}}{{@key}}{{/each}}', en: '{{#each}} cannot go over the whole letter (@root or this): go over one group, as in {{#each supporter}}', ru: '{{#each}} не может перебирать всё письмо (@root или this): перебирайте одну группу, например {{#each supporter}}', de: '{{#each}} kann nicht den ganzen Brief durchgehen (@root oder this): gehen Sie eine Gruppe durch, etwa {{#each supporter}}' },
  { name: 'a partial', body: '{{> header}}', en: 'Partials ({{> …}}) are not allowed', ru: 'Частичные шаблоны ({{> …}}) не разрешены', de: 'Partials ({{> …}}) sind nicht erlaubt' },
  { name: 'a decorator', body: '{{* decor}}', en: 'Decorators ({{* …}}) are not allowed', ru: 'Декораторы ({{* …}}) не разрешены', de: 'Dekoratoren ({{* …}}) sind nicht erlaubt' },
  { name: 'a tag not closed', body: 'Dear {{target.name}\nxx', en: 'The body does not compile: a {{…}} tag is not closed properly on line 1, near "Dear {{target.name}xx"', ru: 'Текст не компилируется: тег {{…}} неправильно закрыт в строке 1, рядом с «Dear {{target.name}xx»', de: 'Der Text lässt sich nicht kompilieren: ein {{…}}-Tag ist in Zeile 1 nicht richtig geschlossen, bei „Dear {{target.name}xx“' },
  { name: 'a block never closed', body: '{{#if note}}never closed', en: 'The body does not compile: the text ends inside an open {{…}} or block (is a }} or {{/…}} missing?) on line 1', ru: 'Текст не компилируется: текст заканчивается внутри открытого {{…}} или блока (не хватает }} или {{/…}}?) в строке 1', de: 'Der Text lässt sich nicht kompilieren: der Text endet in einem offenen {{…}} oder Block (fehlt ein }} oder {{/…}}?) in Zeile 1' },
  { name: 'a block closed by another', body: 'a\n{{#if note}}x{{/with}}', en: 'The body does not compile: {{#if}} is closed by {{/with}} on line 2', ru: 'Текст не компилируется: {{#if}} закрыт тегом {{/with}} в строке 2', de: 'Der Text lässt sich nicht kompilieren: {{#if}} wird in Zeile 2 durch {{/with}} geschlossen' },
  { name: 'an unexpected token', body: '{{foo bar=}}', en: 'The body does not compile: unexpected CLOSE on line 1, near "{{foo bar=}}"', ru: 'Текст не компилируется: неожиданный элемент CLOSE в строке 1, рядом с «{{foo bar=}}»', de: 'Der Text lässt sich nicht kompilieren: unerwartetes CLOSE in Zeile 1, bei „{{foo bar=}}“' },
  { name: 'a subject that does not compile', subject: 'Free {{#if x}}them', body: 'Dear {{target.name}}', field: 'subject', en: 'The subject does not compile: the text ends inside an open {{…}} or block', ru: 'Тема не компилируется: текст заканчивается внутри открытого {{…}} или блока', de: 'Der Betreff lässt sich nicht kompilieren: der Text endet in einem offenen {{…}} oder Block' },
  { name: 'many problems', body: '{{a}}\n{{b}}\n{{c}}\n{{d}}\n{{e}}\n{{f}}\n{{g}}', en: 'Unknown placeholder {{e}} (line 5); and 2 more', ru: 'Неизвестная подстановка {{e}} (строка 5); и ещё 2', de: 'Unbekannter Platzhalter {{e}} (Zeile 5); und 2 weitere' },
  { name: 'too long with the sample', subject: 'x', body: '{{#each target}}{{../campaign.url}}{{/each}}'.repeat(300), en: 'The letter is too long: with the sample data it comes to 64,801 characters, and a letter can have at most 50,000', ru: 'Письмо слишком длинное: с данными примера в нём 64 801 символ, а в письме может быть не больше 50 000', de: 'Der Brief ist zu lang: mit den Beispieldaten kommt er auf 64.801 Zeichen, und ein Brief darf höchstens 50.000 Zeichen haben' },
  { name: 'can grow too long', subject: 'x', body: '{{note}}'.repeat(30), en: 'The letter can grow too long: with the longest answers a supporter may give (a note of 2,000 characters) it comes to 60,001 characters, and a letter can have at most 50,000; use the placeholders fewer times', ru: 'Письмо может оказаться слишком длинным: с самыми длинными ответами, которые может дать сторонник (приписка в 2 000 символов), в нём 60 001 символ, а в письме может быть не больше 50 000; используйте подстановки реже', de: 'Der Brief kann zu lang werden: mit den längsten Angaben, die ein Unterstützer machen kann (eine Notiz von 2.000 Zeichen), kommt er auf 60.001 Zeichen, und ein Brief darf höchstens 50.000 Zeichen haben; verwenden Sie die Platzhalter seltener' },
]

const ALLOWED: Record<'en' | 'ru' | 'de', string> = {
  en: 'Allowed placeholders: {{supporter.name}}, {{supporter.city}}',
  ru: 'Доступные подстановки: {{supporter.name}}, {{supporter.city}}',
  de: 'Erlaubte Platzhalter: {{supporter.name}}, {{supporter.city}}',
}
const BLOCKS: Record<'en' | 'ru' | 'de', string> = {
  en: 'blocks: {{#if …}}, {{#unless …}}, {{#each …}}, {{#with …}}.',
  ru: 'блоки: {{#if …}}, {{#unless …}}, {{#each …}}, {{#with …}}.',
  de: 'Blöcke: {{#if …}}, {{#unless …}}, {{#each …}}, {{#with …}}.',
}
const hasList = (kind: (typeof KINDS)[number]) => !kind.name.includes('long')
// Normalise the narrow no-break spaces Intl puts in Russian figures.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ')

async function bearer(app: FastifyInstance, email: string) {
  const user = await addUser(app, email, 'organizer', [1])
  const { token } = createApiToken(app.db, user.id, 'test', app.clock())
  return (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'PUT', url, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, payload: JSON.stringify(payload) })
}

t.test('every catalog message renders in every language with its {{…}} literal and no ICU left over', async (t) => {
  const flatten = (o: Record<string, unknown>, prefix = ''): [string, string][] =>
    Object.entries(o).flatMap(([k, v]) => (typeof v === 'string' ? [[`${prefix}${k}`, v] as [string, string]] : flatten(v as Record<string, unknown>, `${prefix}${k}.`)))
  const values = { list: '{{supporter.name}}, {{target.title}}', count: 50_001, max: 50_000, note: 2_000, line: 3, name: 'supporter.phone', meaning: 'supporter.phone', block: 'each', example: 'supporter.organisation', kind: 'SomeStatement', reason: 'REASON', error: 'ERROR', problem: 'PROBLEM', token: 'CLOSE', near: 'Dear {{x', open: 'if', close: 'with' }
  const english = flatten((JSON.parse(fs.readFileSync('src/i18n/locales/en/admin-templates.json', 'utf8')) as { adminTemplates: Record<string, unknown> }).adminTemplates)
  t.ok(english.length >= 25, 'all the messages')
  for (const lang of LANGUAGES) {
    const file = JSON.parse(fs.readFileSync(`src/i18n/locales/${lang}/admin-templates.json`, 'utf8')) as Record<string, Record<string, unknown>>
    t.same(Object.keys(file), ['adminTemplates'], `${lang}: one top-level key`)
    const messages = new Map(flatten(file.adminTemplates!))
    t.same([...messages.keys()].sort(), english.map(([k]) => k).sort(), `${lang}: the same keys as English`)
    const tr = translator(lang)
    for (const [key, raw] of messages) {
      const out = tr(`adminTemplates.${key}`, values)
      // A message ICU cannot parse comes back raw: quotes and {arguments} would show.
      t.notMatch(out, /'\{|\}'|\{[a-z]+(?:[,}])/i, `${lang} ${key} is formatted: ${out}`)
      // Every quoted '{{…' / '…}}' piece of the message is in the text as written.
      for (const [, literal] of raw.matchAll(/'([{}][^']*)'/g)) t.ok(out.includes(literal!), `${lang} ${key} keeps ${literal}`)
      if (lang !== 'en' && !['atLine'].includes(key)) t.not(out, translator('en')(`adminTemplates.${key}`, values), `${lang} ${key} is translated`)
    }
  }
  t.equal(translator('en')('adminTemplates.helper', { name: 'lookup' }), 'Helper {{lookup}} is not allowed: only the blocks {{#if}}, {{#unless}}, {{#each}} and {{#with}} can be used')
  t.equal(translator('kk')('adminTemplates.eachInEach'), '{{#each}} блогын басқа {{#each}} ішінде қолдануға болмайды: хат бір уақытта тек бір тізімді аралайды')
  t.equal(translator('fr')('adminTemplates.onePlaceholder', { block: 'with', example: 'supporter' }), '{{#with}} demande exactement une variable, par exemple {{#with supporter}}')
  t.equal(translator('es')('adminTemplates.partial'), 'Los partials ({{> …}}) no están permitidos')
})

t.test('validateAppeal speaks each language; English is the default and unchanged', async (t) => {
  for (const kind of KINDS) {
    const field = kind.field ?? 'body'
    for (const lang of ['en', 'ru', 'de'] as const) {
      const issues = lang === 'en' ? validateAppeal(kind.subject ?? 'x', kind.body) : validateAppeal(kind.subject ?? 'x', kind.body, lang)
      t.equal(issues.length, 1, `${kind.name} (${lang}): one issue`)
      t.equal(issues[0]?.path[0], field, `${kind.name} (${lang}): on the ${field}`)
      const message = plain(issues[0]?.message ?? '')
      t.match(message, kind[lang], `${kind.name} in ${lang}`)
      if (hasList(kind)) {
        t.match(message, ALLOWED[lang], `${kind.name} (${lang}): the placeholders allowed`)
        t.ok(message.endsWith(BLOCKS[lang]), `${kind.name} (${lang}): the blocks allowed, braces and all`)
        for (const p of APPEAL_PLACEHOLDERS) t.match(message, `{{${p}}}`)
      }
      if (lang !== 'en') t.notMatch(message, /Unknown|Allowed|not allowed|does not compile|too long|\bline\b/, `${kind.name}: no English left in ${lang}`)
    }
    t.same(validateAppeal(kind.subject ?? 'x', kind.body, 'en'), validateAppeal(kind.subject ?? 'x', kind.body), `${kind.name}: 'en' is the default`)
  }
  for (const lang of LANGUAGES) t.same(validateAppeal('Free {{supporter.name}}', 'Dear {{target.name}},{{#if note}} {{note}}{{/if}}', lang), [], `a good template is fine in ${lang}`)
  // Kazakh, French and Spanish too: each kind in their words, the {{…}} as typed.
  for (const [lang, words] of [['kk', 'алмастырғыш'], ['fr', 'Variable inconnue'], ['es', 'Marcador desconocido']] as const) {
    const message = validateAppeal('x', '{{#with supporter}}{{phone}}{{/with}}', lang)[0]!.message
    t.match(message, `${words}`)
    t.match(message, '{{phone}} (supporter.phone)')
  }
})

t.test('the template screen in Russian: every kind of problem re-renders the form with Russian messages', async (t) => {
  const app = await build(t)
  await addUser(app, 'org@example.org', 'organizer', [1])
  const org = await signIn(app, 'org@example.org')
  const before = app.campaigns.template(1, 'en')!
  for (const kind of KINDS) {
    const field = kind.field ?? 'body'
    const res = await org.post('/admin/campaigns/1/templates/en?lang=ru', { intent: 'save', subject: kind.subject ?? 'Освободите их', body: kind.body })
    t.equal(res.statusCode, 422, `${kind.name}: refused`)
    t.match(res.body, '<html lang="ru"')
    t.match(res.body, 'Шаблон не сохранён')
    const error = plain(fieldError(res.body, field))
    t.match(error, kind.ru, `${kind.name}: in Russian on the screen`)
    if (hasList(kind)) t.match(error, `${ALLOWED.ru}`)
    t.notMatch(error, /Unknown|Allowed|not allowed|does not compile/, `${kind.name}: no English`)
  }
  // The preview button says the same.
  const preview = await org.post('/admin/campaigns/1/templates/en?lang=ru', { intent: 'preview', subject: 'x', body: '{{#if supporter.phone}}yes{{/if}}' })
  t.equal(preview.statusCode, 422)
  t.match(fieldError(preview.body, 'body'), 'Неизвестная подстановка supporter.phone в {{#if}}')
  // And the script's JSON preview.
  const json = await org.post('/admin/campaigns/1/templates/en/preview?lang=ru', { subject: 'x', body: '{{> header}}' })
  t.equal(json.statusCode, 200)
  t.match(json.json(), { ok: false, issues: [{ path: ['body'], message: /^Частичные шаблоны \(\{\{> …\}\}\) не разрешены \(строка 1\)\. Доступные подстановки: \{\{supporter\.name\}\}/ }] })
  // The language rule stays a catalog message, translated as before.
  const otherLanguage = await org.post('/admin/campaigns/1/templates/de?lang=ru', { intent: 'save', subject: 'x', body: 'y' })
  t.equal(otherLanguage.statusCode, 422)
  t.notMatch(decode(otherLanguage.body), 'is not one of this campaign')
  t.match(app.campaigns.template(1, 'en'), { body: before.body, updatedAt: before.updatedAt }, 'nothing was saved')

  // A German organizer gets German on the screen too.
  const de = await org.post('/admin/campaigns/1/templates/en?lang=de', { intent: 'save', subject: 'x', body: '{{#each supporter}}{{#each ../target}}{{this}}{{/each}}{{/each}}' })
  t.equal(de.statusCode, 422)
  t.match(fieldError(de.body, 'body'), '{{#each}} kann nicht innerhalb eines anderen {{#each}} verwendet werden')
})

t.test('the template screen without a language choice is English as before', async (t) => {
  const app = await build(t)
  await addUser(app, 'org@example.org', 'organizer', [1])
  const org = await signIn(app, 'org@example.org')
  for (const kind of KINDS) {
    const res = await org.post('/admin/campaigns/1/templates/en', { intent: 'save', subject: kind.subject ?? 'Free them', body: kind.body })
    t.equal(res.statusCode, 422)
    const error = fieldError(res.body, kind.field ?? 'body')
    t.match(error, kind.en, `${kind.name}: English`)
    t.equal(error, validateAppeal(kind.subject ?? 'Free them', kind.body)[0]?.message, `${kind.name}: exactly validateAppeal's English`)
  }
})

t.test('the API: German with ?lang=de or Accept-Language, English otherwise', async (t) => {
  const app = await build(t)
  const put = await bearer(app, 'org@example.org')
  for (const kind of KINDS) {
    const field = kind.field ?? 'body'
    const payload = { subject: kind.subject ?? 'Befreit sie', body: kind.body }
    const de = await put('/api/admin/campaigns/1/templates/en?lang=de', payload)
    t.equal(de.statusCode, 422, `${kind.name}: refused`)
    const issue = (de.json() as { issues: { path: string[]; message: string }[] }).issues[0]!
    t.same(issue.path, [field])
    t.match(plain(issue.message), kind.de, `${kind.name}: in German`)
    if (hasList(kind)) t.match(issue.message, ALLOWED.de)
    t.notMatch(issue.message, /Unknown|Allowed|not allowed|does not compile/, `${kind.name}: no English`)

    const en = await put('/api/admin/campaigns/1/templates/en', payload)
    t.equal(en.statusCode, 422)
    t.equal((en.json() as { issues: { message: string }[] }).issues[0]!.message, validateAppeal(payload.subject, payload.body)[0]!.message, `${kind.name}: English without a choice`)
  }
  const accepted = await put('/api/admin/campaigns/1/templates/en', { subject: 'x', body: '{{> header}}' }, { 'accept-language': 'de-DE,de;q=0.9' })
  t.match(accepted.json(), { issues: [{ path: ['body'], message: /^Partials \(\{\{> …\}\}\) sind nicht erlaubt \(Zeile 1\)\. Erlaubte Platzhalter:/ }] })
  const russian = await put('/api/admin/campaigns/1/templates/en?lang=ru', { subject: 'x', body: '{{supporter.phone}}' })
  t.match(russian.json(), { issues: [{ path: ['body'], message: /^Неизвестная подстановка \{\{supporter\.phone\}\} \(строка 1\)/ }] })
})
