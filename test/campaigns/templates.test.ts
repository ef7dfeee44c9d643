import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, tableCount, TestClock } from '../helper.js'
import { addUser, signIn } from '../admin/helper.js'
import { createApiToken } from '../../src/admin/api.js'
import { auditPage } from '../../src/admin/audit.js'
import { APPEAL_PLACEHOLDERS, validateAppeal } from '../../src/campaigns/appeal.js'

const ALLOWED = [
  'supporter.name', 'supporter.city', 'supporter.country', 'supporter.countryCode', 'supporter.organisation',
  'target.name', 'target.title', 'target.salutation', 'target.organisation', 'target.country', 'target.postalAddress',
  'campaign.title', 'campaign.url', 'date', 'note',
]

const decode = (s: string | undefined) => (s ?? '').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, '&').replace(/&#x3D;/g, '=').replace(/&lt;/g, '<').replace(/&gt;/g, '>')
const fieldError = (html: string, field: string) => decode(new RegExp(`id="${field}-error" class="field-error">([^<]*)<`).exec(html)?.[1])
const previewBody = (html: string) => decode(/data-preview-body>([^<]*)</.exec(html)?.[1])
const previewSubject = (html: string) => decode(/data-preview-subject>([^<]*)</.exec(html)?.[1])

async function bearer(app: FastifyInstance, email: string, campaignIds: number[]) {
  const user = await addUser(app, email, 'organizer', campaignIds)
  const { token } = createApiToken(app.db, user.id, 'test', app.clock())
  return (method: 'GET' | 'PUT', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, payload: payload === undefined ? undefined : JSON.stringify(payload) })
}

async function writeLetter(app: FastifyInstance, email: string) {
  const res = await app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'application/json' }, payload: { name: 'Ann Lee', email, country: 'GB', city: 'Leeds', targetId: 1, language: 'en' } })
  if (res.statusCode !== 201) throw new Error(`letter not written: ${res.statusCode} ${res.body}`)
  const sqlite = (app.db as unknown as { $client: { prepare(sql: string): { get(...a: unknown[]): { subject: string; body: string } } } }).$client
  return sqlite.prepare('select subject, body from letters where email_normalized = ?').get(email)
}

t.test('validateAppeal: unknown placeholders are found everywhere, helpers and partials refused', async (t) => {
  t.same([...APPEAL_PLACEHOLDERS], ALLOWED, 'the allowed placeholders are the leaves of the appeal context')
  t.same(validateAppeal('Free {{supporter.name}}', 'Dear {{target.name}},{{#if note}} {{note}}{{/if}} {{#with supporter}}{{city}}{{/with}} {{#each target}}{{@key}}={{this}}{{/each}} {{@root.date}}'), [])
  const message = (subject: string, body: string) => validateAppeal(subject, body).map((i) => `${i.path[0]}: ${i.message}`).join('\n')
  t.match(message('x', '{{supporter.phone}}'), 'body: Line 1: {{supporter.phone}} is not a placeholder Outcry knows.')
  t.match(message('x', '{{#if supporter.city}}{{else}}{{#unless note}}{{supporter.phone}}{{/unless}}{{/if}}'), '{{supporter.phone}} is not a placeholder Outcry knows', 'inside nested blocks')
  t.match(message('x', '{{#if supporter.phone}}yes{{/if}}'), '{{#if supporter.phone}} asks about supporter.phone, which is not a placeholder Outcry knows', 'the block parameter itself')
  t.match(message('x', '{{#with supporter}}{{phone}}{{/with}}'), '{{phone}} means supporter.phone here, and that is not a placeholder Outcry knows', 'relative to #with')
  t.match(message('x', '{{#each supporter}}{{../note}}{{../phone}}{{/each}}'), '{{../phone}} is not a placeholder Outcry knows')
  t.notMatch(message('x', '{{#each supporter}}{{../note}}{{/each}}'), 'not a placeholder', '../ climbs out of #each')
  t.match(message('x', '{{@index}}'), '{{@index}} is not a placeholder Outcry knows', '@index only inside #each')
  t.match(message('{{target.email}}', 'ok'), /^subject: Line 1: \{\{target.email\}\} is not a placeholder Outcry knows/)
  t.match(message('x', '{{supporter}}'), '{{supporter}} is not a placeholder Outcry knows', 'a group is not a placeholder')
  t.match(message('x', '{{supporter.constructor}} {{target.__proto__}}'), 'Line 1: {{supporter.constructor}} is not a placeholder Outcry knows. Delete it, or use one of the placeholders listed below. Line 1: {{target.__proto__}} is not a placeholder Outcry knows.')
  t.match(message('x', '{{lookup target "name"}}'), '{{lookup …}} is not allowed')
  t.match(message('x', '{{lookup}}'), '{{lookup}} is not a placeholder Outcry knows')
  t.match(message('x', '{{log note}}'), '{{log …}} is not allowed')
  t.match(message('x', '{{#if (lookup target "name")}}x{{/if}}'), '(lookup …) is not allowed')
  t.match(message('x', '{{#custom note}}x{{/custom}}'), '{{#custom}} is not a block Outcry knows')
  t.match(message('x', '{{> header}}'), '{{> …}} (a partial) is not allowed')
  t.match(message('x', '{{#each}}x{{/each}}'), '{{#each}} needs exactly one placeholder after it')
  t.match(message('x', 'Dear {{target.name}\nxx'), 'Outcry cannot read the text: a {{…}} on line 1 is not closed properly')
  t.match(message('x', 'a\n{{#if note}}x{{/with}}'), 'Outcry cannot read the text: {{#if}} is closed by {{/with}} on line 2: close it with {{/if}}')
  t.match(message('x', '{{#if note}}never closed'), 'Outcry cannot read the text')
  for (const issue of validateAppeal('{{a}}', '{{b}}')) {
    for (const p of ALLOWED) t.match(issue.message, `{{${p}}}`, `${issue.path[0]} lists {{${p}}}`)
  }
})

t.test('the template screens: list, edit with a preview from sample data, refusals that name the problem', async (t) => {
  const app = await build(t)
  await addUser(app, 'org@example.org', 'organizer', [1])
  const org = await signIn(app, 'org@example.org')

  const list = await org.get('/admin/campaigns/1/templates')
  t.equal(list.statusCode, 200)
  t.match(list.body, 'English (en)')
  t.match(list.body, 'Russian (ru)')
  t.match(list.body, 'Free the Zhanaozen oil workers')

  const page = await org.get('/admin/campaigns/1/templates/en')
  t.equal(page.statusCode, 200)
  t.match(page.body, 'name="subject" value="Free the Zhanaozen oil workers"')
  t.match(previewBody(page.body), /^Dear Mr President,\n\nI am writing from Manchester, United Kingdom, as a member of Unite,/, 'rendered with sample supporter data (the official\'s own salutation)')
  t.match(previewBody(page.body), 'A personal note.')
  const russian = await org.get('/admin/campaigns/1/templates/ru')
  t.match(previewBody(russian.body), /^Уважаемый Нурсултан Абишевич!\n\nЯ пишу Вам из города Manchester/, 'the Russian letter greets the official with their Russian salutation')
  t.match(page.body, /<script src="\/assets\/template-preview\.[0-9a-f]{10}\.js" defer><\/script>/)
  t.notMatch(page.body, /<script>|style="/, 'no inline script or style')
  for (const p of ALLOWED) t.match(decode(page.body), `<code>{{${p}}}</code>`, `the page lists {{${p}}}`)
  t.equal((await app.inject('/assets/template-preview.js')).statusCode, 200)

  // Preview without JavaScript: the button re-renders the page; nothing is saved.
  const before = app.campaigns.template(1, 'en')!
  const preview = await org.post('/admin/campaigns/1/templates/en', { intent: 'preview', subject: 'Release {{target.name}}', body: 'To {{target.title}}: free them. {{supporter.name}}, {{supporter.city}}', target: '2' })
  t.equal(preview.statusCode, 200)
  t.equal(previewSubject(preview.body), 'Release Askhat Daulbayev')
  t.equal(previewBody(preview.body), 'To Prosecutor General of the Republic of Kazakhstan: free them. Sample Supporter, Manchester')
  t.match(preview.body, 'nothing is saved')
  t.match(app.campaigns.template(1, 'en'), { body: before.body, updatedAt: before.updatedAt })

  const unknown = await org.post('/admin/campaigns/1/templates/en', { intent: 'save', subject: 'Free them', body: 'Dear {{target.name}},\n{{#if supporter.city}}Call me on {{supporter.phone}}{{/if}}' })
  t.equal(unknown.statusCode, 422)
  const error = fieldError(unknown.body, 'body')
  t.match(error, 'Line 2: {{supporter.phone}} is not a placeholder Outcry knows')
  for (const p of ALLOWED) t.match(error, `{{${p}}}`, `the message lists {{${p}}}`)
  t.match(unknown.body, 'Call me on {{supporter.phone}}', 'the text is kept')
  t.match(unknown.body, 'This template was not saved')

  const previewBad = await org.post('/admin/campaigns/1/templates/en', { intent: 'preview', subject: 'Free them', body: '{{target.email}}' })
  t.equal(previewBad.statusCode, 422)
  t.match(fieldError(previewBad.body, 'body'), '{{target.email}} is not a placeholder Outcry knows')

  const syntax = await org.post('/admin/campaigns/1/templates/en', { intent: 'save', subject: 'Free them', body: 'Dear {{target.name},' })
  t.equal(syntax.statusCode, 422)
  t.match(fieldError(syntax.body, 'body'), 'Outcry cannot read the text')
  t.match(fieldError(syntax.body, 'body'), "Placeholders Outcry knows: Supporter's name ({{supporter.name}})")

  const helper = await org.post('/admin/campaigns/1/templates/en', { intent: 'save', subject: '{{lookup campaign "title"}}', body: 'Dear {{target.name}}' })
  t.equal(helper.statusCode, 422)
  t.match(fieldError(helper.body, 'subject'), '{{lookup …}} is not allowed')

  const empty = await org.post('/admin/campaigns/1/templates/en', { intent: 'save', subject: '', body: '  ' })
  t.equal(empty.statusCode, 422)
  t.equal(fieldError(empty.body, 'subject'), 'Subject is required')
  t.equal(fieldError(empty.body, 'body'), 'Body is required')

  const otherLanguage = await org.post('/admin/campaigns/1/templates/de', { intent: 'save', subject: 'Free them', body: 'Dear {{target.name}}' })
  t.equal(otherLanguage.statusCode, 422)
  t.match(decode(otherLanguage.body), `"de" is not one of this campaign's languages (en, ru, kk)`)
  t.equal(tableCount(app, 'letter_templates', "language = 'de'"), 0, 'the language is not added')
  t.equal((await org.get('/admin/campaigns/1/templates/de')).statusCode, 404)

  t.match(app.campaigns.template(1, 'en'), { body: before.body, updatedAt: before.updatedAt }, 'nothing refused was saved')
  t.equal(auditPage(app.db, { campaignId: 1 }).filter((a) => a.action === 'template.save').length, 0)

  // The script's JSON preview.
  const json = await org.post('/admin/campaigns/1/templates/en/preview', { subject: 'Hi {{target.name}}', body: 'From {{supporter.city}}' })
  t.equal(json.statusCode, 200)
  t.same(json.json(), { ok: true, subject: 'Hi Nursultan Nazarbayev', body: 'From Manchester' })
  // A half-typed template is an answer the script shows, not an HTTP error the browser would log.
  const jsonBad = await org.post('/admin/campaigns/1/templates/en/preview', { subject: 'Hi', body: '{{nope}}' })
  t.equal(jsonBad.statusCode, 200)
  t.match(jsonBad.json(), { ok: false, issues: [{ path: ['body'], message: /\{\{nope\}\} is not a placeholder Outcry knows/ }] })
})

t.test('a saved template is what the public letter flow sends, at once', async (t) => {
  // A clock that does not move: the cache must still see each save.
  const clock = new TestClock(new Date())
  const app = await build(t, { clock: clock.now })
  await addUser(app, 'org@example.org', 'organizer', [1])
  const org = await signIn(app, 'org@example.org')

  const first = await writeLetter(app, 'first@example.org')
  t.match(first.body, 'I am writing from Leeds, United Kingdom')

  const saved = await org.post('/admin/campaigns/1/templates/en', { intent: 'save', subject: 'Release the workers, {{target.title}}', body: 'Dear {{target.name}},\n\nNew text from {{supporter.city}}.{{#if supporter.organisation}} ({{supporter.organisation}}){{/if}}\n\n{{supporter.name}}' })
  t.equal(saved.statusCode, 303)
  t.equal(saved.headers.location, '/admin/campaigns/1/templates/en?saved=1')
  t.match((await org.get(String(saved.headers.location))).body, 'Saved. Letters written from now on use this text.')
  const second = await writeLetter(app, 'second@example.org')
  t.equal(second.subject, 'Release the workers, President of the Republic of Kazakhstan')
  t.equal(second.body, 'Dear Nursultan Nazarbayev,\n\nNew text from Leeds.\n\nAnn Lee')

  const again = await org.post('/admin/campaigns/1/templates/en', { intent: 'save', subject: 'Third', body: 'Third text, {{supporter.name}}' })
  t.equal(again.statusCode, 303)
  const third = await writeLetter(app, 'third@example.org')
  t.equal(third.body, 'Third text, Ann Lee', 'a second save in the same millisecond is seen too')

  const audits = auditPage(app.db, { campaignId: 1 }).filter((a) => a.action === 'template.save')
  t.equal(audits.length, 2)
  t.match(audits[0], { userEmail: 'org@example.org', subject: 'en', detail: { created: false } })
})

t.test('API: PUT a template; 422 names the bad placeholder; other campaigns are 404', async (t) => {
  const app = await build(t)
  const org = await bearer(app, 'org@example.org', [1])
  const stranger = await bearer(app, 'stranger@example.org', [])

  const ok = await org('PUT', '/api/admin/campaigns/1/templates/ru', { subject: 'Освободите {{target.name}}', body: 'Уважаемый {{target.name}}! {{supporter.name}}' })
  t.equal(ok.statusCode, 200)
  t.match(ok.json(), { template: { language: 'ru', subject: 'Освободите {{target.name}}', body: 'Уважаемый {{target.name}}! {{supporter.name}}', updatedAt: String } })
  t.same(Object.keys(ok.json().template).sort(), ['body', 'language', 'subject', 'updatedAt'])

  const got = await org('GET', '/api/admin/campaigns/1/templates/ru')
  t.equal(got.json().template.subject, 'Освободите {{target.name}}')
  const all = await org('GET', '/api/admin/campaigns/1/templates')
  t.match(all.json(), { languages: ['en', 'ru'], missing: [] })

  const bodyBad = await org('PUT', '/api/admin/campaigns/1/templates/en', { subject: 'Free them', body: 'Dear {{target.name}}, call {{supporter.phone}}' })
  t.equal(bodyBad.statusCode, 422)
  t.match(bodyBad.json(), { error: String, issues: [{ path: ['body'], message: /\{\{supporter\.phone\}\} is not a placeholder Outcry knows.*Placeholders Outcry knows: Supporter's name \(\{\{supporter\.name\}\}\)/ }] })
  const subjectBad = await org('PUT', '/api/admin/campaigns/1/templates/en', { subject: 'Free {{#if x}}them', body: 'Dear {{target.name}}' })
  t.equal(subjectBad.statusCode, 422)
  t.match(subjectBad.json().issues, [{ path: ['subject'], message: /Outcry cannot read the subject/ }])
  const missing = await org('PUT', '/api/admin/campaigns/1/templates/en', { subject: 'x' })
  t.match(missing.json().issues, [{ path: ['body'] }])
  const language = await org('PUT', '/api/admin/campaigns/1/templates/de', { subject: 'x', body: 'y' })
  t.equal(language.statusCode, 422)
  t.match(language.json().issues, [{ path: ['language'], message: /\(en, ru, kk\)/ }])

  t.equal((await stranger('PUT', '/api/admin/campaigns/1/templates/en', { subject: 'Hacked', body: 'Hacked' })).statusCode, 404)
  t.equal((await stranger('GET', '/api/admin/campaigns/1/templates')).statusCode, 404)
  t.notMatch(app.campaigns.template(1, 'en')!.subject, 'Hacked')
  t.equal(auditPage(app.db, { campaignId: 1 }).filter((a) => a.action === 'template.save').length, 1)
})

t.test('templates are bounded: no #each in #each, no #each over the whole letter, a letter of at most 50,000 characters', async (t) => {
  const message = (subject: string, body: string) => validateAppeal(subject, body).map((i) => `${i.path[0]}: ${i.message}`).join('\n')
  t.match(message('x', '{{#each supporter}}{{#each ../target}}{{this}}{{/each}}{{/each}}'), 'body: Line 1: {{#each}} cannot go inside another {{#each}}')
  t.match(message('x', '{{#each supporter}}{{#with ../target}}{{#each this}}{{this}}{{/each}}{{/with}}{{/each}}'), '{{#each}} cannot go inside another {{#each}}', 'through a #with too')
  t.match(message('x', '{{#each @root}}{{@key}}{{/each}}'), 'body: Line 1: {{#each}} cannot go over the whole letter')
  t.match(message('x', '{{#each this}}{{@key}}{{/each}}'), '{{#each}} cannot go over the whole letter', 'this at the top is the root')
  t.match(message('x', '{{#with supporter}}{{#each ..}}{{@key}}{{/each}}{{/with}}'), '{{#each}} cannot go over the whole letter', '../ back to the root')
  t.match(message('{{#each @root}}x{{/each}}', 'ok'), /^subject: Line 1: \{\{#each\}\} cannot go over the whole letter/)
  t.same(validateAppeal('x', '{{#each supporter}}{{@key}}: {{this}}\n{{/each}}{{#each target}}{{this}}{{/each}}'), [], 'one list after another is fine')

  // Static text alone cannot pass 50,000 (the body is at most 20,000), placeholders can.
  t.match(message('x', '{{#each target}}{{../campaign.url}}{{/each}}'.repeat(300)), /body: The letter is too long: with the sample data it comes to [\d,]+ characters, and a letter can have at most 50,000/)
  t.match(message('x', '{{note}}'.repeat(30)), /body: The letter can grow too long: with the longest answers a supporter may give .* comes to 60,0\d\d characters/, 'a short sample note does not hide a long real one')
  t.same(validateAppeal('x', '{{note}}'.repeat(20)), [], '20 notes of 2,000 characters fit')
})

t.test('a template that could pass 50,000 characters is refused at save, on the screen and the API', async (t) => {
  const app = await build(t)
  await addUser(app, 'org@example.org', 'organizer', [1])
  const org = await signIn(app, 'org@example.org')
  const api = await bearer(app, 'org2@example.org', [1])
  const before = app.campaigns.template(1, 'en')!
  const screen = await org.post('/admin/campaigns/1/templates/en', { intent: 'save', subject: 'Free them', body: 'Dear {{target.name}}, {{note}}'.repeat(40) })
  t.equal(screen.statusCode, 422)
  t.match(fieldError(screen.body, 'body'), 'The letter can grow too long')
  const nested = await org.post('/admin/campaigns/1/templates/en', { intent: 'save', subject: 'Free them', body: '{{#each supporter}}{{#each ../target}}{{this}}{{/each}}{{/each}}' })
  t.equal(nested.statusCode, 422)
  t.match(fieldError(nested.body, 'body'), '{{#each}} cannot go inside another {{#each}}')
  const json = await api('PUT', '/api/admin/campaigns/1/templates/en', { subject: 'Free them', body: '{{#each @root}}{{@key}}{{/each}}' })
  t.equal(json.statusCode, 422)
  t.match(json.json().issues, [{ path: ['body'], message: /cannot go over the whole letter/ }])
  t.match(app.campaigns.template(1, 'en'), { body: before.body, updatedAt: before.updatedAt }, 'nothing was saved')
})

t.test('the template previews are rate limited like the letter form; saving is not', async (t) => {
  const app = await build(t, { env: { RATE_LIMITS: 'on', LETTER_RATE_LIMIT: '3' } })
  await addUser(app, 'org@example.org', 'organizer', [1])
  const org = await signIn(app, 'org@example.org')
  const fields = { subject: 'Hi {{target.name}}', body: 'From {{supporter.city}}' }
  for (let i = 0; i < 3; i++) t.equal((await org.post('/admin/campaigns/1/templates/en/preview', fields)).statusCode, 200)
  t.equal((await org.post('/admin/campaigns/1/templates/en/preview', fields)).statusCode, 429, 'the script preview')
  t.equal((await org.post('/admin/campaigns/1/templates/en', { ...fields, intent: 'preview' })).statusCode, 429, 'the preview button shares the budget')
  t.equal((await org.post('/admin/campaigns/1/templates/en', { ...fields, intent: 'save' })).statusCode, 303, 'saving is not a preview')
})
