import t from 'tap'
import { compileAppeal, renderAppeal, sampleContext, AppealCache } from '../../src/campaigns/appeal.js'

const render = (body: string, ctx = sampleContext()) => renderAppeal(compileAppeal('Subject', body), ctx).body

t.test('placeholders are filled in, text is not HTML-escaped', async (t) => {
  const ctx = sampleContext()
  ctx.supporter.name = 'Anne & "Bob" <o\'Neil>'
  t.equal(render('From {{supporter.name}} in {{supporter.city}}', ctx), 'From Anne & "Bob" <o\'Neil> in Manchester')
  t.equal(render('{{#if note}}Note: {{note}}{{/if}}'), 'Note: A personal note.')
})

t.test('supporter text is data, never template', async (t) => {
  const ctx = sampleContext()
  ctx.supporter.name = '{{constructor.constructor "return process"}}'
  ctx.note = '{{#each this}}{{@key}}{{/each}} {{> evil}}'
  const out = render('{{supporter.name}} / {{note}}', ctx)
  t.equal(out, '{{constructor.constructor "return process"}} / {{#each this}}{{@key}}{{/each}} {{> evil}}')
})

t.test('subjects are one line', async (t) => {
  const ctx = sampleContext()
  ctx.supporter.name = 'Eve\r\nBcc: victim@example.com'
  const { subject } = renderAppeal(compileAppeal('Letter from {{supporter.name}}', 'x'), ctx)
  t.notMatch(subject, /[\r\n]/)
})

t.test('no helper outside the allow-list', async (t) => {
  for (const body of ['{{log "hi"}}', '{{lookup supporter "name"}}', '{{helperMissing "x"}}', '{{supporter.name.toUpperCase}}x{{foo bar}}']) {
    t.throws(() => compileAppeal('s', body), { name: 'AppealTemplateError', message: /unknown helper|not defined|could not be found/ }, body)
  }
  t.throws(() => compileAppeal('s', '{{> partial}}'), { name: 'AppealTemplateError' }, 'no partials')
  t.throws(() => compileAppeal('s', '{{#if}}unclosed'), { name: 'AppealTemplateError' }, 'syntax errors are refused')
})

t.test('published prototype-pollution payloads cannot reach prototypes or run code', async (t) => {
  const before = Object.keys(Object.prototype).length
  const payloads = [
    // CVE-2019-19919 / the "lookup" RCE chain
    `{{#with "s" as |string|}}{{#with "e"}}{{#with split as |conslist|}}{{this.pop}}{{this.push (lookup string.sub "constructor")}}{{this.pop}}{{#with string.split as |codelist|}}{{this.pop}}{{this.push "return process.exit(7);"}}{{this.pop}}{{#each conslist}}{{#with (string.sub.apply 0 codelist)}}{{this}}{{/with}}{{/each}}{{/with}}{{/with}}{{/with}}{{/with}}`,
    `{{#with this as |obj|}}{{#with (obj.constructor.constructor "return process.exit(7)") as |f|}}{{f}}{{/with}}{{/with}}`,
    `{{#with __proto__}}{{#with constructor}}{{this}}{{/with}}{{/with}}`,
  ]
  for (const body of payloads) {
    try {
      const out = render(body)
      t.notMatch(out, /function|native code|process/, 'renders nothing dangerous')
    } catch (err) {
      t.equal((err as Error).name, 'AppealTemplateError', 'or is refused')
    }
  }
  t.equal(render('[{{constructor}}][{{__proto__}}][{{supporter.constructor}}][{{supporter.__proto__.constructor}}][{{supporter.hasOwnProperty}}]'), '[][][][][]')
  t.equal(Object.keys(Object.prototype).length, before, 'Object.prototype untouched')
})

t.test('the cache compiles a template version once', async (t) => {
  const cache = new AppealCache()
  const tpl = { id: 1, subject: 'S', body: 'B {{supporter.name}}' }
  const a = cache.get(tpl)
  t.equal(cache.get({ ...tpl }), a)
  t.not(cache.get({ ...tpl, body: 'C' }), a, 'an edit compiles anew')
  t.not(cache.get({ ...tpl, subject: 'T' }), a, 'a new subject too')
})

t.test('a rendered letter is cut at 50,000 characters and its subject at 1,000, whatever the template', async (t) => {
  const ctx = sampleContext()
  ctx.note = 'n'.repeat(2000)
  // compileAppeal does not check lengths (validateAppeal does, at save): an old template may still be long.
  const out = renderAppeal(compileAppeal('{{note}}', '{{note}}'.repeat(40)), ctx)
  t.equal(out.body.length, 50_000)
  t.equal(out.subject.length, 1_000)
  t.match(out.body, /…$/)
})

t.test("the official as the letter's language names them: translated name and title, a salutation only in that language", async (t) => {
  const { targetContext } = await import('../../src/campaigns/appeal.js')
  const official = {
    id: 1, campaignId: 1, name: 'Nursultan Nazarbayev', title: 'President of Kazakhstan', salutation: 'Dear Mr President,', organisation: 'Akorda',
    country: 'KZ', email: 'p@example.org', postalAddress: '', language: 'ru',
    translations: { ru: { name: 'Нурсултан Назарбаев', title: 'Президент Республики Казахстан', salutation: 'Уважаемый Нурсултан Абишевич!' }, kk: { name: 'Нұрсұлтан Назарбаев' } },
  } as unknown as Parameters<typeof targetContext>[0]
  t.match(targetContext(official, 'en', 'en'), { name: 'Nursultan Nazarbayev', salutation: 'Dear Mr President,', country: 'Kazakhstan' })
  t.match(targetContext(official, 'ru', 'en'), { name: 'Нурсултан Назарбаев', title: 'Президент Республики Казахстан', salutation: 'Уважаемый Нурсултан Абишевич!', country: 'Казахстан' })
  // No Kazakh salutation: the Kazakh greeting with the Kazakh name, never the English "Dear Mr President,".
  t.match(targetContext(official, 'kk', 'en'), { name: 'Нұрсұлтан Назарбаев', title: 'President of Kazakhstan', salutation: 'Құрметті Нұрсұлтан Назарбаев!' })
  // No German texts at all: the name as written, with the German greeting.
  t.match(targetContext(official, 'de', 'en'), { name: 'Nursultan Nazarbayev', salutation: 'Sehr geehrte/r Nursultan Nazarbayev,' })
  // A language Outcry has no catalog for greets in English.
  t.match(targetContext({ ...official, salutation: '' }, 'it', 'en'), { salutation: 'Dear Nursultan Nazarbayev,' })
  t.match(targetContext({ ...official, salutation: '' }, 'en', 'en'), { salutation: 'Dear Nursultan Nazarbayev,' })
})
