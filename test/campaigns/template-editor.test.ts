// The letter-template editor in plain words (issue 15): the placeholders as named buttons, errors
// that name the placeholder meant, and a "What does this mean?" on each screen a volunteer uses.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build } from '../helper.js'
import { addUser, signIn } from '../admin/helper.js'
import { createApiToken } from '../../src/admin/api.js'
import { APPEAL_PLACEHOLDER_GROUPS, APPEAL_PLACEHOLDERS, closestPlaceholders, placeholderName, validateAppeal } from '../../src/campaigns/appeal.js'
import { LANGUAGES, translator } from '../../src/i18n/index.js'

const decode = (s: string | undefined) => (s ?? '').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, '&').replace(/&#x3D;/g, '=').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x60;/g, '`')
const fieldError = (html: string, field: string) => decode(new RegExp(`id="${field}-error" class="field-error">([^<]*)<`).exec(html)?.[1])
/** The editor's reference list: what each item inserts and its plain name, in page order. */
const pickerItems = (html: string) => [...html.matchAll(/<li data-insert="([^"]*)" data-name="([^"]*)"><span>([^<]*)<\/span> <code>([^<]*)<\/code><\/li>/g)].map((m) => ({ insert: decode(m[1]), name: decode(m[3]), code: decode(m[4]) }))

async function bearer(app: FastifyInstance, email: string) {
  const user = await addUser(app, email, 'organizer', [1])
  const { token } = createApiToken(app.db, user.id, 'test', app.clock())
  return (url: string, payload: unknown) =>
    app.inject({ method: 'PUT', url, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify(payload) })
}

t.test('every placeholder has a plain name in every language, and the groups hold each once', async (t) => {
  t.same(APPEAL_PLACEHOLDER_GROUPS.map((g) => g.group), ['supporter', 'target', 'campaign', 'letter'])
  t.same(APPEAL_PLACEHOLDER_GROUPS.flatMap((g) => g.placeholders), [...APPEAL_PLACEHOLDERS], 'the groups are appeal.ts’s list, in its order')
  t.same(APPEAL_PLACEHOLDER_GROUPS.find((g) => g.group === 'letter')?.placeholders, ['date', 'note'])
  for (const lang of LANGUAGES) {
    const tr = translator(lang)
    const names = APPEAL_PLACEHOLDERS.map((p) => placeholderName(p, tr))
    for (const [i, name] of names.entries()) t.notMatch(name, /adminTemplates|\{|\}/, `${lang}: ${APPEAL_PLACEHOLDERS[i]} has a name`)
    t.equal(new Set(names).size, names.length, `${lang}: no two placeholders share a name`)
    if (lang !== 'en') t.not(names.join(), APPEAL_PLACEHOLDERS.map((p) => placeholderName(p, translator('en'))).join(), `${lang}: translated`)
  }
  t.equal(placeholderName('supporter.city', translator('en')), "Supporter's city")
  t.equal(placeholderName('supporter.city', translator('ru')), 'Город сторонника')
})

t.test('the editor lists every placeholder of appeal.ts with its plain name, grouped, in English and Russian', async (t) => {
  const app = await build(t)
  await addUser(app, 'org@example.org', 'organizer', [1])
  const org = await signIn(app, 'org@example.org')

  for (const lang of ['en', 'ru'] as const) {
    const page = await org.get(`/admin/campaigns/1/templates/en?lang=${lang}`)
    t.equal(page.statusCode, 200)
    const tr = translator(lang)
    const items = pickerItems(page.body)
    t.same(
      items.slice(0, APPEAL_PLACEHOLDERS.length),
      APPEAL_PLACEHOLDERS.map((p) => ({ insert: `{{${p}}}`, name: placeholderName(p, tr), code: `{{${p}}}` })),
      `${lang}: each placeholder once, by its plain name beside its Handlebars`,
    )
    for (const { group } of APPEAL_PLACEHOLDER_GROUPS) {
      t.match(decode(page.body), `<p id="placeholder-group-${group}">${tr(`adminTemplates.group.${group}`)}</p>`, `${lang}: the ${group} group is named`)
    }
    // The block explained in a sentence, and the button that inserts it.
    const block = items[APPEAL_PLACEHOLDERS.length]!
    t.same(block, { insert: '{{#if note}}\n{{note}}\n{{/if}}', name: tr('adminTemplates.editor.insertIfNote'), code: '{{#if note}}…{{/if}}' })
    t.match(decode(page.body), tr('adminTemplates.editor.blocks', { example: '{{#if note}}…{{/if}}' }))
    t.match(page.body, /<script src="\/assets\/template-editor\.[0-9a-f]{10}\.js" defer><\/script>/)
    // The picker sits between the subject and the body ("above the body").
    const at = (s: string) => page.body.indexOf(s)
    t.ok(at('name="subject"') < at('id="placeholder-picker"') && at('id="placeholder-picker"') < at('name="body"'), `${lang}: above the body`)
  }
  const en = decode((await org.get('/admin/campaigns/1/templates/en?lang=en')).body)
  t.match(en, `<span>Supporter's city</span> <code>{{supporter.city}}</code>`)
  t.match(en, `<span>Official's salutation</span> <code>{{target.salutation}}</code>`)
  t.match(en, `<span>Today's date</span> <code>{{date}}</code>`)
  t.match(en, `<span>Campaign title</span> <code>{{campaign.title}}</code>`)
  const ru = decode((await org.get('/admin/campaigns/1/templates/en?lang=ru')).body)
  t.match(ru, '<span>Город сторонника</span> <code>{{supporter.city}}</code>')
  t.match(ru, '<span>Обращение к адресату</span> <code>{{target.salutation}}</code>')
})

t.test('a typo is told in plain words with the placeholder meant', async (t) => {
  t.same(closestPlaceholders('suporter.city'), ['supporter.city'])
  t.same(closestPlaceholders('supporter.cty'), ['supporter.city'])
  t.same(closestPlaceholders('Supporter.Organization'), ['supporter.organisation'], 'case and a US spelling')
  t.same(closestPlaceholders('supporter.country_code'), ['supporter.countryCode'])
  t.same(closestPlaceholders('target.salutaion'), ['target.salutation'])
  t.same(closestPlaceholders('city'), ['supporter.city'], 'a bare name')
  t.same(closestPlaceholders('name'), ['supporter.name', 'target.name'], 'two equally close')
  t.same(closestPlaceholders('supporter.phone'), [], 'nothing Outcry has is close')
  t.same(closestPlaceholders('x'), [])

  const [issue] = validateAppeal('Free them', 'Dear {{target.name}},\nI live in {{suporter.city}}.')
  t.same(issue?.path, ['body'])
  t.match(issue!.message, /^Line 2: \{\{suporter\.city\}\} is not a placeholder Outcry knows\. Did you mean Supporter's city \(\{\{supporter\.city\}\}\)\? Placeholders Outcry knows: Supporter's name \(\{\{supporter\.name\}\}\), Supporter's city/)
  t.match(validateAppeal('x', '{{name}}')[0]!.message, "Did you mean Supporter's name ({{supporter.name}}) or Official's name ({{target.name}})?")
  t.match(validateAppeal('x', '{{supporter.phone}}')[0]!.message, "Line 1: {{supporter.phone}} is not a placeholder Outcry knows. Delete it, or use one of the placeholders listed below. Placeholders Outcry knows: Supporter's name")
  t.match(validateAppeal('x', '{{#with supporter}}{{cty}}{{/with}}')[0]!.message, "{{cty}} means supporter.cty here, and that is not a placeholder Outcry knows. Did you mean Supporter's city ({{supporter.city}})?")
  t.match(validateAppeal('x', '{{#if supporter.organisaton}}x{{/if}}')[0]!.message, "{{#if supporter.organisaton}} asks about supporter.organisaton, which is not a placeholder Outcry knows. Did you mean Supporter's organisation ({{supporter.organisation}})?")
  t.match(validateAppeal('{{campaign.titel}}', 'x')[0], { path: ['subject'], message: /^Line 1: \{\{campaign\.titel\}\} .* Did you mean Campaign title \(\{\{campaign\.title\}\}\)\?/ })
  t.match(validateAppeal('x', '{{suporter.city}}', 'ru')[0]!.message, /^Строка 1: .*\{\{suporter\.city\}\}.* «Город сторонника» \(\{\{supporter\.city\}\}\)\?/)
  t.match(validateAppeal('x', '{{suporter.city}}', 'de')[0]!.message, '„Wohnort des Unterstützers“ ({{supporter.city}})')

  const app = await build(t)
  await addUser(app, 'org@example.org', 'organizer', [1])
  const org = await signIn(app, 'org@example.org')
  const before = app.campaigns.template(1, 'en')!
  // The form comes back with the message on the body, the text as typed.
  const body = 'Dear {{target.name}},\nI live in {{suporter.city}}.'
  const form = await org.post('/admin/campaigns/1/templates/en', { intent: 'save', subject: 'Free them', body })
  t.equal(form.statusCode, 422)
  t.equal(fieldError(form.body, 'body'), validateAppeal('Free them', body)[0]!.message)
  t.match(fieldError(form.body, 'body'), "Line 2: {{suporter.city}} is not a placeholder Outcry knows. Did you mean Supporter's city ({{supporter.city}})?")
  t.match(decode(form.body), `>${body}</textarea>`, 'the text as typed')
  const russian = await org.post('/admin/campaigns/1/templates/en?lang=ru', { intent: 'save', subject: 'Free them', body })
  t.match(fieldError(russian.body, 'body'), '«Город сторонника» ({{supporter.city}})')
  // The script's preview says the same.
  const preview = await org.post('/admin/campaigns/1/templates/en/preview?lang=en', { subject: 'x', body: '{{suporter.city}}' })
  t.equal(preview.statusCode, 200)
  t.match(preview.json(), { ok: false, issues: [{ path: ['body'], message: /Did you mean Supporter's city/ }] })
  // And the API: the same 422, the same path.
  const put = await bearer(app, 'api@example.org')
  const api = await put('/api/admin/campaigns/1/templates/en', { subject: 'Free them', body })
  t.equal(api.statusCode, 422)
  t.match(api.json(), { issues: [{ path: ['body'], message: validateAppeal('Free them', body)[0]!.message }] })
  const apiSubject = await put('/api/admin/campaigns/1/templates/en', { subject: 'Free {{campain.title}}', body: 'x' })
  t.match(apiSubject.json(), { issues: [{ path: ['subject'], message: /Did you mean Campaign title \(\{\{campaign\.title\}\}\)\?/ }] })
  t.match(app.campaigns.template(1, 'en'), { body: before.body, updatedAt: before.updatedAt }, 'nothing was saved')
})

t.test('a "What does this mean?" on every screen a volunteer must understand', async (t) => {
  const app = await build(t)
  await addUser(app, 'admin@example.org', 'admin')
  const admin = await signIn(app, 'admin@example.org')
  const en = translator('en')
  const ru = translator('ru')
  const screens: [string, string, string[]][] = [
    ['the template editor', '/admin/campaigns/1/templates/en', ['adminTemplates.help.language']],
    ['the templates', '/admin/campaigns/1/templates', ['adminTemplates.help.languages']],
    ['the officials', '/admin/campaigns/1/targets', ['adminCampaigns.deliveryHelp.each', 'adminCampaigns.deliveryHelp.digest', 'adminCampaigns.deliveryHelp.hand', 'adminCampaigns.deliveryHelp.hours', 'adminCampaigns.deliveryHelp.bounce']],
    ['a new official', '/admin/campaigns/1/targets/new', ['adminCampaigns.deliveryHelp.hours', 'adminCampaigns.deliveryHelp.bounce']],
    ['an official', '/admin/campaigns/1/targets/1', ['adminCampaigns.deliveryHelp.each', 'adminCampaigns.deliveryHelp.bounce']],
    ['the officials’ import', '/admin/campaigns/1/targets/import', ['adminCampaigns.deliveryHelp.digest', 'adminCampaigns.deliveryHelp.hours']],
    ['offline letters', '/admin/campaigns/1/offline-letters', ['adminLetters.help.offline', 'adminLetters.help.offlineCount']],
    ['hand delivery', '/admin/campaigns/1/targets/1/hand-delivery', ['adminLetters.help.hand', 'adminLetters.help.handMark']],
    ['the outbox', '/admin/mail', ['adminMail.help.queued', 'adminMail.help.sending', 'adminMail.help.sent', 'adminMail.help.failed', 'adminMail.help.expired']],
    ['supporter data', '/admin/supporters', ['adminSupporters.help.export', 'adminSupporters.help.erase']],
    ['a new update', '/admin/campaigns/1/updates/new', ['admin.help.updates.who', 'admin.help.updates.oneADay']],
    ['the report', '/admin/campaigns/1/report', ['adminReports.help.letter', 'adminReports.help.online', 'adminReports.help.offline']],
  ]
  for (const [name, url, keys] of screens) {
    for (const [lang, tr] of [['en', en], ['ru', ru]] as const) {
      const res = await admin.get(`${url}?lang=${lang}`)
      t.equal(res.statusCode, 200, `${name} (${lang})`)
      const html = decode(res.body)
      const help = /<details class="help" id="[a-z-]+">([\s\S]*?)<\/details>/.exec(html)?.[1] ?? ''
      t.match(help, `<summary>${tr('admin.help.whatDoesThisMean')}</summary>`, `${name} (${lang}): the help block`)
      for (const key of keys) {
        // The editor's help has values; the others are plain sentences.
        const text = key === 'adminTemplates.help.language' ? tr(key, { lang: lang === 'en' ? 'English' : 'Английский' }) : tr(key)
        t.match(help, text, `${name} (${lang}): ${key}`)
      }
    }
  }
  // The editor's help says what a supporter may change, with the note by its plain name.
  const editor = decode((await admin.get('/admin/campaigns/1/templates/en?lang=en')).body)
  t.match(editor, "They can only add a note of their own (up to 2,000 characters), which goes where you put “Supporter's note”")
  t.match(editor, 'This is the letter in English.')
  // The offline state names come from the catalog beside their meaning.
  t.match(decode((await admin.get('/admin/mail?lang=en')).body), `<dt>${en('adminMail.status.expired')}</dt><dd>${en('adminMail.help.expired')}</dd>`)
  t.match(decode((await admin.get('/admin/campaigns/1/targets/import?lang=en')).body), `<dt>${en('adminCampaigns.target.hand')} <code>hand</code></dt>`, 'the import names each mode’s CSV value')
})
