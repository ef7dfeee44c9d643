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
  { name: 'unknown placeholder', body: 'Dear {{target.name}},\n{{supporter.phone}}', en: "Line 2: {{supporter.phone}} is not a placeholder Outcry knows. Delete it, or use one of the placeholders listed below.", ru: "Строка 2: {{supporter.phone}} — такой подстановки Outcry не знает. Удалите её или возьмите одну из подстановок из списка ниже.", de: "Zeile 2: {{supporter.phone}} ist kein Platzhalter, den Outcry kennt. Löschen Sie ihn oder nehmen Sie einen der unten aufgeführten Platzhalter." },
  { name: 'relative to #with', body: '{{#with supporter}}{{phone}}{{/with}}', en: "Line 1: {{phone}} means supporter.phone here, and that is not a placeholder Outcry knows.", ru: "Строка 1: {{phone}} здесь означает supporter.phone, а такой подстановки Outcry не знает.", de: "Zeile 1: {{phone}} bedeutet hier supporter.phone, und das ist kein Platzhalter, den Outcry kennt." },
  { name: 'a block’s parameter', body: '{{#if supporter.phone}}yes{{/if}}', en: "Line 1: {{#if supporter.phone}} asks about supporter.phone, which is not a placeholder Outcry knows.", ru: "Строка 1: {{#if supporter.phone}} проверяет supporter.phone, а такой подстановки Outcry не знает.", de: "Zeile 1: {{#if supporter.phone}} fragt nach supporter.phone, und das ist kein Platzhalter, den Outcry kennt." },
  { name: 'a block’s parameter inside #with', body: '{{#with supporter}}{{#unless phone}}x{{/unless}}{{/with}}', en: "Line 1: {{#unless phone}} asks about supporter.phone, which is not a placeholder Outcry knows.", ru: "Строка 1: {{#unless phone}} проверяет supporter.phone, а такой подстановки Outcry не знает.", de: "Zeile 1: {{#unless phone}} fragt nach supporter.phone, und das ist kein Platzhalter, den Outcry kennt." },
  { name: 'a helper', body: '{{lookup target "name"}}', en: "Line 1: {{lookup …}} is not allowed: a letter can use only placeholders and the blocks {{#if}}, {{#unless}}, {{#each}} and {{#with}}. Delete it.", ru: "Строка 1: {{lookup …}} использовать нельзя: в письме бывают только подстановки и блоки {{#if}}, {{#unless}}, {{#each}} и {{#with}}. Удалите это.", de: "Zeile 1: {{lookup …}} ist nicht erlaubt: ein Brief kann nur Platzhalter und die Blöcke {{#if}}, {{#unless}}, {{#each}} und {{#with}} verwenden. Löschen Sie es." },
  { name: 'a helper call', body: '{{#if (lookup target "name")}}x{{/if}}', en: "Line 1: (lookup …) is not allowed: a block asks about one placeholder, as in {{#if supporter.organisation}}, with nothing in brackets.", ru: "Строка 1: (lookup …) использовать нельзя: блок проверяет одну подстановку, например {{#if supporter.organisation}}, без скобок.", de: "Zeile 1: (lookup …) ist nicht erlaubt: ein Block fragt nach genau einem Platzhalter, etwa {{#if supporter.organisation}}, ohne Klammern." },
  { name: 'a block helper', body: '{{#custom note}}x{{/custom}}', en: "Line 1: {{#custom}} is not a block Outcry knows: use {{#if}}, {{#unless}}, {{#each}} or {{#with}}.", ru: "Строка 1: {{#custom}} — такого блока Outcry не знает: используйте {{#if}}, {{#unless}}, {{#each}} или {{#with}}.", de: "Zeile 1: {{#custom}} ist kein Block, den Outcry kennt: verwenden Sie {{#if}}, {{#unless}}, {{#each}} oder {{#with}}." },
  { name: 'a block without its placeholder', body: '{{#each}}x{{/each}}', en: "Line 1: {{#each}} needs exactly one placeholder after it, as in {{#each supporter}}.", ru: "Строка 1: После {{#each}} нужна ровно одна подстановка, например {{#each supporter}}.", de: "Zeile 1: {{#each}} braucht genau einen Platzhalter dahinter, etwa {{#each supporter}}." },
  { name: 'a block with options', body: '{{#if note a=1}}x{{/if}}', en: "Line 1: {{#if}} takes no options (key=value): leave only the placeholder after it.", ru: "Строка 1: Блок {{#if}} не принимает параметров (ключ=значение): оставьте после него только подстановку.", de: "Zeile 1: {{#if}} nimmt keine Optionen (Schlüssel=Wert): lassen Sie nur den Platzhalter dahinter stehen." },
  { name: '#each in #each', body: '{{#each supporter}}{{#each ../target}}{{this}}{{/each}}{{/each}}', en: "Line 1: {{#each}} cannot go inside another {{#each}}: a letter goes over one list at a time. Close the first one with {{/each}} before you open the next.", ru: "Строка 1: {{#each}} нельзя ставить внутрь другого {{#each}}: письмо перебирает только один список за раз.", de: "Zeile 1: {{#each}} kann nicht in einem anderen {{#each}} stehen: ein Brief geht jeweils nur eine Liste durch." },
  { name: '#each over the whole letter', body: '{{#each @root}}{{@key}}{{/each}}', en: "Line 1: {{#each}} cannot go over the whole letter (@root or this): go over one group, as in {{#each supporter}}.", ru: "Строка 1: {{#each}} не может перебирать всё письмо (@root или this): перебирайте одну группу, например {{#each supporter}}.", de: "Zeile 1: {{#each}} kann nicht den ganzen Brief durchgehen (@root oder this): gehen Sie eine Gruppe durch, etwa {{#each supporter}}." },
  { name: 'a partial', body: '{{> header}}', en: "Line 1: {{> …}} (a partial) is not allowed in a letter: write the text itself instead.", ru: "Строка 1: {{> …}} (частичный шаблон) в письме использовать нельзя: напишите сам текст.", de: "Zeile 1: {{> …}} (ein Partial) ist in einem Brief nicht erlaubt: schreiben Sie stattdessen den Text selbst." },
  { name: 'a decorator', body: '{{* decor}}', en: "Line 1: {{* …}} (a decorator) is not allowed in a letter: delete it.", ru: "Строка 1: {{* …}} (декоратор) в письме использовать нельзя: удалите его.", de: "Zeile 1: {{* …}} (ein Dekorator) ist in einem Brief nicht erlaubt: löschen Sie ihn." },
  { name: 'a tag not closed', body: 'Dear {{target.name}\nxx', en: "Outcry cannot read the text: a {{…}} on line 1 is not closed properly: it needs }} at its end, near \"Dear {{target.name}xx\".", ru: "Outcry не может прочитать текст: {{…}} в строке 1 закрыт неправильно: в конце нужно }}, рядом с «Dear {{target.name}xx».", de: "Outcry kann den Text nicht lesen: ein {{…}} in Zeile 1 ist nicht richtig geschlossen: ans Ende gehört }}, bei „Dear {{target.name}xx“." },
  { name: 'a block never closed', body: '{{#if note}}never closed', en: "Outcry cannot read the text: it ends inside a {{…}} or a block that is never closed (is a }} or a {{/if}} missing?), line 1", ru: "Outcry не может прочитать текст: текст обрывается внутри {{…}} или блока, который так и не закрыт (не хватает }} или {{/if}}?), строка 1", de: "Outcry kann den Text nicht lesen: er endet in einem {{…}} oder Block, der nie geschlossen wird (fehlt ein }} oder {{/if}}?), Zeile 1" },
  { name: 'a block closed by another', body: 'a\n{{#if note}}x{{/with}}', en: "Outcry cannot read the text: {{#if}} is closed by {{/with}} on line 2: close it with {{/if}}.", ru: "Outcry не может прочитать текст: {{#if}} закрыт тегом {{/with}} в строке 2: закройте его тегом {{/if}}.", de: "Outcry kann den Text nicht lesen: {{#if}} wird in Zeile 2 durch {{/with}} geschlossen: schließen Sie es mit {{/if}}." },
  { name: 'an unexpected token', body: '{{foo bar=}}', en: "Outcry cannot read the text: there is a \"}}\" on line 1 where it does not belong, near \"{{foo bar=}}\".", ru: "Outcry не может прочитать текст: в строке 1 стоит «}}» там, где его быть не должно, рядом с «{{foo bar=}}».", de: "Outcry kann den Text nicht lesen: in Zeile 1 steht ein „}}“, wo es nicht hingehört, bei „{{foo bar=}}“." },
  { name: 'a subject that does not compile', subject: 'Free {{#if x}}them', body: 'Dear {{target.name}}', field: 'subject', en: "Outcry cannot read the subject: it ends inside a {{…}} or a block that is never closed", ru: "Outcry не может прочитать тему: текст обрывается внутри {{…}} или блока, который так и не закрыт", de: "Outcry kann den Betreff nicht lesen: er endet in einem {{…}} oder Block, der nie geschlossen wird" },
  { name: 'many problems', body: '{{a}}\n{{b}}\n{{c}}\n{{d}}\n{{e}}\n{{f}}\n{{g}}', en: "Line 4: {{d}} is not a placeholder Outcry knows. Line 5: {{e}} is not a placeholder Outcry knows. And 2 more problems like these.", ru: "Строка 4: {{d}} — такой подстановки Outcry не знает. Строка 5: {{e}} — такой подстановки Outcry не знает. И ещё 2 такие же ошибки.", de: "Zeile 4: {{d}} ist kein Platzhalter, den Outcry kennt. Zeile 5: {{e}} ist kein Platzhalter, den Outcry kennt. Und 2 weitere Probleme dieser Art." },
  { name: 'too long with the sample', subject: 'x', body: '{{#each target}}{{../campaign.url}}{{/each}}'.repeat(300), en: "The letter is too long: with the sample data it comes to 64,801 characters, and a letter can have at most 50,000. Use the placeholders fewer times.", ru: "Письмо слишком длинное: с данными примера в нём 64 801 символ, а в письме может быть не больше 50 000. Используйте подстановки реже.", de: "Der Brief ist zu lang: mit den Beispieldaten kommt er auf 64.801 Zeichen, und ein Brief darf höchstens 50.000 Zeichen haben. Verwenden Sie die Platzhalter seltener." },
  { name: 'can grow too long', subject: 'x', body: '{{note}}'.repeat(30), en: "The letter can grow too long: with the longest answers a supporter may give (a note of 2,000 characters) it comes to 60,001 characters, and a letter can have at most 50,000. Use the placeholders fewer times.", ru: "Письмо может оказаться слишком длинным: с самыми длинными ответами, которые может дать сторонник (приписка в 2 000 символов), в нём 60 001 символ, а в письме может быть не больше 50 000. Используйте подстановки реже.", de: "Der Brief kann zu lang werden: mit den längsten Angaben, die ein Unterstützer machen kann (eine Notiz von 2.000 Zeichen), kommt er auf 60.001 Zeichen, und ein Brief darf höchstens 50.000 Zeichen haben. Verwenden Sie die Platzhalter seltener." },
]

// Each placeholder by its plain name in the reader's language, then its Handlebars.
const ALLOWED: Record<'en' | 'ru' | 'de', string> = {
  en: "Placeholders Outcry knows: Supporter's name ({{supporter.name}}), Supporter's city ({{supporter.city}})",
  ru: 'Подстановки, которые знает Outcry: «Имя сторонника» ({{supporter.name}}), «Город сторонника» ({{supporter.city}})',
  de: 'Platzhalter, die Outcry kennt: „Name des Unterstützers“ ({{supporter.name}}), „Wohnort des Unterstützers“ ({{supporter.city}})',
}
const BLOCKS: Record<'en' | 'ru' | 'de', string> = {
  en: 'Blocks: {{#if …}}, {{#unless …}}, {{#each …}}, {{#with …}}.',
  ru: 'Блоки: {{#if …}}, {{#unless …}}, {{#each …}}, {{#with …}}.',
  de: 'Blöcke: {{#if …}}, {{#unless …}}, {{#each …}}, {{#with …}}.',
}
/** English words that must not be left in another language's message. */
const ENGLISH = /not a placeholder|Placeholders Outcry knows|not allowed|cannot read|too long|\bline\b|\bLine\b|Did you mean|Delete it/
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
  const values = { list: '{{supporter.name}}, {{target.title}}', count: 50_001, max: 50_000, note: 2_000, line: 3, name: 'supporter.phone', meaning: 'supporter.phone', block: 'each', example: 'supporter.organisation', kind: 'SomeStatement', reason: 'REASON', error: 'ERROR', problem: 'PROBLEM', token: 'CLOSE', near: 'Dear {{x', open: 'if', close: 'with', lang: 'LANGUAGE', suggestion: 'SUGGESTION', code: 'supporter.city' }
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
  t.equal(translator('en')('adminTemplates.helper', { name: 'lookup' }), '{{lookup …}} is not allowed: a letter can use only placeholders and the blocks {{#if}}, {{#unless}}, {{#each}} and {{#with}}. Delete it.')
  t.equal(translator('kk')('adminTemplates.eachInEach'), '{{#each}} блогын басқа {{#each}} ішіне қоюға болмайды: хат бір уақытта тек бір тізімді аралайды. Келесісін ашпас бұрын біріншісін {{/each}} тегімен жабыңыз.')
  t.equal(translator('fr')('adminTemplates.onePlaceholder', { block: 'with', example: 'supporter' }), '{{#with}} demande exactement une variable après lui, par exemple {{#with supporter}}.')
  t.equal(translator('es')('adminTemplates.partial'), '{{> …}} (un partial) no está permitido en una carta: escriba el texto mismo.')
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
      if (lang !== 'en') t.notMatch(message, ENGLISH, `${kind.name}: no English left in ${lang}`)
    }
    t.same(validateAppeal(kind.subject ?? 'x', kind.body, 'en'), validateAppeal(kind.subject ?? 'x', kind.body), `${kind.name}: 'en' is the default`)
  }
  for (const lang of LANGUAGES) t.same(validateAppeal('Free {{supporter.name}}', 'Dear {{target.name}},{{#if note}} {{note}}{{/if}}', lang), [], `a good template is fine in ${lang}`)
  // Kazakh, French and Spanish too: each kind in their words, the {{…}} as typed.
  for (const [lang, words] of [['kk', 'Мұнда {{phone}} supporter.phone дегенді білдіреді, ал Outcry мұндай алмастырғышты білмейді.'], ['fr', 'Ligne 1 : {{phone}} signifie ici supporter.phone, et ce n’est pas une variable que connaît Outcry.'], ['es', 'Línea 1: {{phone}} significa aquí supporter.phone, y ese no es un marcador que Outcry conozca.']] as const) {
    const message = validateAppeal('x', '{{#with supporter}}{{phone}}{{/with}}', lang)[0]!.message
    t.match(message, words)
    t.notMatch(message, ENGLISH, `no English left in ${lang}`)
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
    t.notMatch(error, ENGLISH, `${kind.name}: no English`)
  }
  // The preview button says the same.
  const preview = await org.post('/admin/campaigns/1/templates/en?lang=ru', { intent: 'preview', subject: 'x', body: '{{#if supporter.phone}}yes{{/if}}' })
  t.equal(preview.statusCode, 422)
  t.match(fieldError(preview.body, 'body'), '{{#if supporter.phone}} проверяет supporter.phone, а такой подстановки Outcry не знает')
  // And the script's JSON preview.
  const json = await org.post('/admin/campaigns/1/templates/en/preview?lang=ru', { subject: 'x', body: '{{> header}}' })
  t.equal(json.statusCode, 200)
  t.match(json.json(), { ok: false, issues: [{ path: ['body'], message: /^Строка 1: \{\{> …\}\} \(частичный шаблон\) в письме использовать нельзя: напишите сам текст\. Подстановки, которые знает Outcry: «Имя сторонника» \(\{\{supporter\.name\}\}\)/ }] })
  // The language rule stays a catalog message, translated as before.
  const otherLanguage = await org.post('/admin/campaigns/1/templates/de?lang=ru', { intent: 'save', subject: 'x', body: 'y' })
  t.equal(otherLanguage.statusCode, 422)
  t.notMatch(decode(otherLanguage.body), 'is not one of this campaign')
  t.match(app.campaigns.template(1, 'en'), { body: before.body, updatedAt: before.updatedAt }, 'nothing was saved')

  // A German organizer gets German on the screen too.
  const de = await org.post('/admin/campaigns/1/templates/en?lang=de', { intent: 'save', subject: 'x', body: '{{#each supporter}}{{#each ../target}}{{this}}{{/each}}{{/each}}' })
  t.equal(de.statusCode, 422)
  t.match(fieldError(de.body, 'body'), '{{#each}} kann nicht in einem anderen {{#each}} stehen')
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
    t.notMatch(issue.message, ENGLISH, `${kind.name}: no English`)

    const en = await put('/api/admin/campaigns/1/templates/en', payload)
    t.equal(en.statusCode, 422)
    t.equal((en.json() as { issues: { message: string }[] }).issues[0]!.message, validateAppeal(payload.subject, payload.body)[0]!.message, `${kind.name}: English without a choice`)
  }
  const accepted = await put('/api/admin/campaigns/1/templates/en', { subject: 'x', body: '{{> header}}' }, { 'accept-language': 'de-DE,de;q=0.9' })
  t.match(accepted.json(), { issues: [{ path: ['body'], message: /^Zeile 1: \{\{> …\}\} \(ein Partial\) ist in einem Brief nicht erlaubt: schreiben Sie stattdessen den Text selbst\. Platzhalter, die Outcry kennt:/ }] })
  const russian = await put('/api/admin/campaigns/1/templates/en?lang=ru', { subject: 'x', body: '{{supporter.phone}}' })
  t.match(russian.json(), { issues: [{ path: ['body'], message: /^Строка 1: \{\{supporter\.phone\}\} — такой подстановки Outcry не знает\./ }] })
})
