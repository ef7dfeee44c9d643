// The campaign screen a volunteer understands (issue 15): the slug made from the title, languages picked by
// name, the status as clear actions (publish, close, reopen, back to draft), and help where it matters.
import path from 'node:path'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, tableCount } from '../helper.js'
import { addUser, PASSWORD, signIn, type Browser } from '../admin/helper.js'
import { CHROMIUM, hasChromium, launchChromium, listen, screenshots } from '../browser/chromium.js'
import { axeFindings } from '../browser/axe.js'
import { auditPage } from '../../src/admin/audit.js'
import { campaignById, slugFromTitle, suggestSlug } from '../../src/campaigns/service.js'
import { translator } from '../../src/i18n/index.js'

const en = translator('en')
const ru = translator('ru')

const decode = (s: string | undefined) => (s ?? '').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, '&').replace(/&#x3D;/g, '=').replace(/&lt;/g, '<').replace(/&gt;/g, '>')
/** The message shown beside one field of a re-rendered form. */
const fieldError = (html: string, field: string) => decode(new RegExp(`id="${field}-error" class="field-error">([^<]*)<`).exec(html)?.[1])
/** The options of the main-language <select>, as value → label. */
const mainOptions = (html: string) => {
  const select = /<select id="mainLanguage"[\s\S]*?<\/select>/.exec(html)?.[0] ?? ''
  return Object.fromEntries([...select.matchAll(/<option value="([^"]*)"( selected)?>([^<]*)<\/option>/g)].map((m) => [m[1], decode(m[3])]))
}
const selectedMain = (html: string) => /<select id="mainLanguage"[\s\S]*?<option value="([^"]*)" selected>/.exec(html)?.[1]
/** The other languages' checkboxes that are ticked. */
const ticked = (html: string) => [...html.matchAll(/<input type="checkbox" name="languages" value="([^"]+)"([^>]*)>/g)].filter((m) => / checked\b/.test(m[2]!)).map((m) => m[1])
const idOf = (location: unknown) => Number(/^\/admin\/campaigns\/(\d+)/.exec(String(location))?.[1])

async function admin(app: FastifyInstance): Promise<Browser> {
  await addUser(app, 'admin@example.org', 'admin')
  return signIn(app, 'admin@example.org')
}

const NEW = { title: 'Free the Mangystau drivers', slug: '', summary: '', story: 'Drivers jailed for a strike.', goal: '500', mainLanguage: 'en', confirmLetters: 'on', confirmRsvps: 'on' }

t.test('slugs from titles: transliterated (Russian and Kazakh), cut at a word, unique', async (t) => {
  t.equal(slugFromTitle('Свободу нефтяникам Жанаозена'), 'svobodu-neftyanikam-zhanaozena')
  t.equal(slugFromTitle('Жаңаөзен мұнайшыларына бостандық'), 'zhangaozen-munayshylaryna-bostandyk', 'Kazakh letters kept, not dropped')
  t.equal(slugFromTitle('ҚАЗАҚСТАН ҮШІН'), 'kazakstan-ushin', 'capitals too')
  t.equal(slugFromTitle('Freiheit für die Ölarbeiter!'), 'freiheit-fuer-die-oelarbeiter')
  t.equal(slugFromTitle('🙂 …'), '', 'nothing to transliterate')
  const long = slugFromTitle('Solidarity with the oil workers of Zhanaozen and with everyone jailed for the strike of twenty eleven in Mangystau')
  t.ok(long.length <= 80, `at most 80 characters (${long.length})`)
  t.equal(long, 'solidarity-with-the-oil-workers-of-zhanaozen-and-with-everyone-jailed-for-the', 'cut after a whole word')
  t.equal(slugFromTitle('a'.repeat(100)), 'a'.repeat(80), 'one long word is cut inside')

  const app = await build(t)
  t.equal(suggestSlug(app.db, 'Zhanaozen'), 'zhanaozen-2', 'the demo has zhanaozen')
  t.equal(suggestSlug(app.db, 'Zhanaozen', 1), 'zhanaozen', 'a campaign keeps its own')
  t.equal(suggestSlug(app.db, '???'), 'campaign', 'a title with no letters')
  const longTaken = suggestSlug(app.db, 'x'.repeat(80))
  t.equal(longTaken, 'x'.repeat(80))
})

t.test('a new campaign with no slug gets one from its Cyrillic title, made unique', async (t) => {
  const app = await build(t)
  const browser = await admin(app)
  const page = await browser.get('/admin/campaigns/new')
  t.equal(page.statusCode, 200)
  t.match(page.body, /<script src="\/assets\/campaign-form\.[0-9a-f]{10}\.js" defer><\/script>/, 'the script is an external file, deferred (CSP)')
  t.match(page.body, 'data-slug-suggestion-url="/admin/campaigns/slug-suggestion"')
  t.match(page.body, 'Leave it empty and it is made from the title.', 'what the slug is, and that it may stay empty')
  t.match(page.body, /Supporters will find it at <code data-slug-address data-base="http:\/\/outcry.test\/campaigns\/">http:\/\/outcry.test\/campaigns\/…<\/code>/)
  t.notMatch(page.body, /<input id="slug"[^>]* required/, 'the slug is not required on a new campaign')
  t.notMatch(page.body, 'name="status"', 'no raw status on the screen')
  t.match(page.body, en('adminCampaigns.form.newStartsDraft'))

  const title = 'Свободу нефтяникам Жанаозена'
  const first = await browser.post('/admin/campaigns/new', { ...NEW, title, mainLanguage: 'ru' })
  t.equal(first.statusCode, 303)
  t.match(campaignById(app.db, idOf(first.headers.location)), { slug: 'svobodu-neftyanikam-zhanaozena', title, status: 'draft', languages: ['ru'] })
  const second = await browser.post('/admin/campaigns/new', { ...NEW, title, mainLanguage: 'ru' })
  t.equal(campaignById(app.db, idOf(second.headers.location))!.slug, 'svobodu-neftyanikam-zhanaozena-2')
  const third = await browser.post('/admin/campaigns/new', { ...NEW, title, mainLanguage: 'ru', slug: '   ' })
  t.equal(campaignById(app.db, idOf(third.headers.location))!.slug, 'svobodu-neftyanikam-zhanaozena-3', 'blank is empty')
  const kk = await browser.post('/admin/campaigns/new', { ...NEW, title: 'Жаңаөзен мұнайшыларына бостандық', mainLanguage: 'kk' })
  t.equal(campaignById(app.db, idOf(kk.headers.location))!.slug, 'zhangaozen-munayshylaryna-bostandyk')

  // A slug typed by hand is kept as typed, and checked as before.
  const own = await browser.post('/admin/campaigns/new', { ...NEW, slug: 'drivers' })
  t.equal(campaignById(app.db, idOf(own.headers.location))!.slug, 'drivers')
  const bad = await browser.post('/admin/campaigns/new', { ...NEW, slug: 'Not A Slug' })
  t.equal(bad.statusCode, 422)
  t.match(fieldError(bad.body, 'slug'), /a-z, 0-9 and hyphens/)
  // No title: no slug can be made, and the title says why.
  const untitled = await browser.post('/admin/campaigns/new', { ...NEW, title: '' })
  t.equal(untitled.statusCode, 422)
  t.equal(fieldError(untitled.body, 'title'), 'Title is required')
  t.equal(tableCount(app, 'campaigns'), 6, 'the demo and five new ones')
})

t.test('the slug suggestion endpoint: behind the back-office session, the server’s rules', async (t) => {
  const app = await build(t)
  const anonymous = await app.inject({ method: 'GET', url: '/admin/campaigns/slug-suggestion?title=Zhanaozen' })
  t.equal(anonymous.statusCode, 303, 'no session: to the sign-in page')
  t.match(anonymous.headers.location, /^\/admin\/login\?next=/)
  await addUser(app, 'org@example.org', 'organizer', [1])
  const organizer = await signIn(app, 'org@example.org')
  const asOrganizer = await organizer.get('/admin/campaigns/slug-suggestion?title=x')
  t.same([asOrganizer.statusCode, asOrganizer.json()], [200, { slug: 'x' }], 'any signed-in user may ask')

  const browser = await admin(app)
  const ask = async (query: string) => {
    const res = await browser.get(`/admin/campaigns/slug-suggestion?${query}`)
    t.equal(res.statusCode, 200, query)
    t.match(res.headers['content-type'], /application\/json/)
    t.equal(res.headers['cache-control'], 'no-store')
    return res.json().slug as string
  }
  t.equal(await ask(`title=${encodeURIComponent('Свободу нефтяникам Жанаозена')}`), 'svobodu-neftyanikam-zhanaozena')
  t.equal(await ask('title=Zhanaozen'), 'zhanaozen-2', 'a taken slug gets a number')
  t.equal(await ask('title=%20%20'), '', 'an empty title: nothing yet')
  t.equal(await ask(''), '')
  const twice = await browser.get('/admin/campaigns/slug-suggestion?title=a&title=b')
  t.equal(twice.statusCode, 422)
  t.match(twice.json(), { issues: [{ path: ['title'], message: 'Title must be text' }] })
})

t.test('languages by name: a select for the main one, boxes for the others, in the page’s language', async (t) => {
  const app = await build(t)
  const browser = await admin(app)
  const form = await browser.get('/admin/campaigns/new?lang=en')
  t.match(mainOptions(form.body), { en: 'English', ru: 'Русский — Russian', kk: 'Қазақша — Kazakh', de: 'Deutsch — German' })
  t.equal(selectedMain(form.body), 'en', 'the back office’s language first')
  t.match(form.body, en('adminCampaigns.form.mainLanguageHelp'), 'what the main language means')
  t.match(form.body, /<input type="checkbox" name="languages" value="kk" data-language="kk"> Қазақша — Kazakh<\/label>/)
  const inRussian = await browser.get('/admin/campaigns/new?lang=ru')
  t.match(mainOptions(inRussian.body), { en: 'English — Английский', ru: 'Русский', kk: 'Қазақша — Казахский' })
  t.equal(selectedMain(inRussian.body), 'ru')

  const created = await browser.post('/admin/campaigns/new', { ...NEW, mainLanguage: 'ru', languages: ['en', 'ru', 'kk'] })
  t.equal(created.statusCode, 303)
  const id = idOf(created.headers.location)
  t.same(campaignById(app.db, id)!.languages, ['ru', 'en', 'kk'], 'the main one first, ticked twice counts once')
  const edit = await browser.get(`/admin/campaigns/${id}?lang=en`)
  t.equal(selectedMain(edit.body), 'ru')
  t.same(ticked(edit.body).sort(), ['en', 'kk'])
  t.match(edit.body, 'name="translations.en.title"', 'the other languages’ texts appear beside')

  // Saved back as shown: nothing changes.
  const values = { title: NEW.title, slug: 'free-the-mangystau-drivers', summary: '', story: NEW.story, goal: '500', confirmLetters: 'on', confirmRsvps: 'on' }
  t.equal((await browser.post(`/admin/campaigns/${id}`, { ...values, mainLanguage: 'ru', languages: ['en', 'kk'] })).statusCode, 303)
  t.same(campaignById(app.db, id)!.languages, ['ru', 'en', 'kk'])
  // One box unticked, one ticked; a language Outcry has no screens in (from the API) stays on offer by name.
  t.equal((await browser.post(`/admin/campaigns/${id}`, { ...values, mainLanguage: 'ru', languages: 'de' })).statusCode, 303)
  t.same(campaignById(app.db, id)!.languages, ['ru', 'de'])
  app.db.$client.prepare(`update campaigns set languages = '["ru","pl"]' where id = ?`).run(id)
  const withPolish = await browser.get(`/admin/campaigns/${id}?lang=en`)
  t.match(mainOptions(withPolish.body), { pl: 'Polski — Polish' })
  t.same(ticked(withPolish.body), ['pl'])
  // The older form's field, "en, ru", is still understood.
  t.equal((await browser.post(`/admin/campaigns/${id}`, { ...values, languages: 'ru, en' })).statusCode, 303)
  t.same(campaignById(app.db, id)!.languages, ['ru', 'en'])
})

t.test('no language, or a wrong one: plain words beside the field, in the page’s language', async (t) => {
  const app = await build(t)
  const browser = await admin(app)
  const none = await browser.post('/admin/campaigns/new', { ...NEW, mainLanguage: '' })
  t.equal(none.statusCode, 422)
  t.equal(fieldError(none.body, 'mainLanguage'), 'Choose the main language: the one the title and story are written in.')
  t.match(none.body, /<select id="mainLanguage" name="mainLanguage" aria-describedby="mainLanguage-help mainLanguage-error" aria-invalid="true">/)
  t.match(none.body, '<option value="" selected>—</option>', 'nothing chosen shows as nothing chosen')
  t.match(none.body, 'value="Free the Mangystau drivers"', 'what was typed is kept')

  const inRussian = await browser.post('/admin/campaigns/new?lang=ru', { ...NEW, mainLanguage: '', title: '' })
  t.equal(inRussian.statusCode, 422)
  t.equal(fieldError(inRussian.body, 'mainLanguage'), ru('adminCampaigns.rules.mainLanguageRequired'))
  t.ok(fieldError(inRussian.body, 'title'), 'with the other fields’ messages at once')

  // The page's language stays as chosen (?lang=ru above) until another is.
  const nothing = await browser.post('/admin/campaigns/new?lang=en', { title: 'x', goal: '5' })
  t.equal(fieldError(nothing.body, 'mainLanguage'), en('adminCampaigns.rules.mainLanguageRequired'), 'no language field at all')
  const forged = await browser.post('/admin/campaigns/new', { ...NEW, languages: ['ru', 'english!'] })
  t.equal(forged.statusCode, 422)
  t.match(fieldError(forged.body, 'languages'), 'english!')
  t.equal(tableCount(app, 'campaigns'), 1, 'nothing created')
})

t.test('changing the main language says what happens and asks before it does', async (t) => {
  const app = await build(t)
  const browser = await admin(app)
  const before = campaignById(app.db, 1)!
  t.same(before.languages, ['en', 'ru', 'kk'])
  const values = { title: before.title, slug: before.slug, summary: before.summary, story: before.story, goal: String(before.goal), confirmRsvps: 'on' }

  const asked = await browser.post('/admin/campaigns/1', { ...values, mainLanguage: 'ru', languages: ['en', 'kk'] })
  t.equal(asked.statusCode, 422)
  t.match(fieldError(asked.body, 'mainLanguage'), /^You are changing the main language from English to Russian\. The texts already written .* are not translated/)
  t.match(asked.body, 'name="confirmMainLanguage"', 'a box to say yes')
  t.equal(selectedMain(asked.body), 'ru', 'the choice is kept')
  t.same(campaignById(app.db, 1)!.languages, ['en', 'ru', 'kk'], 'nothing saved')

  const confirmed = await browser.post('/admin/campaigns/1', { ...values, mainLanguage: 'ru', languages: ['en', 'kk'], confirmMainLanguage: 'yes' })
  t.equal(confirmed.statusCode, 303)
  t.same(campaignById(app.db, 1)!.languages, ['ru', 'en', 'kk'])
  t.match(auditPage(app.db, { campaignId: 1 }).find((a) => a.action === 'campaign.update'), { detail: { changed: ['languages'] } }, 'audited')
  // The same main language needs no confirmation.
  t.equal((await browser.post('/admin/campaigns/1', { ...values, mainLanguage: 'ru', languages: ['kk'] })).statusCode, 303)
})

t.test('publishing: refused with each reason and where to fix it, then allowed once the campaign is ready', async (t) => {
  const app = await build(t)
  const browser = await admin(app)
  const created = await browser.post('/admin/campaigns/new', { ...NEW, slug: 'drivers' })
  const id = idOf(created.headers.location)
  const page = await browser.get(`/admin/campaigns/${id}`)
  t.match(page.body, '<strong>Draft — not visible to the public</strong>')
  t.match(page.body, `<form method="post" action="/admin/campaigns/${id}/publish">`)
  t.match(page.body, /<button type="submit" data-action="publish"[^>]*>Publish<\/button>/)
  t.notMatch(page.body, /data-action="(close|reopen|draft)"/, 'a draft is only published')
  t.notMatch(page.body, 'slug-warning', 'a draft’s slug may change freely')

  t.equal((await browser.post(`/admin/campaigns/${id}/publish`, { _csrf: 'forged' })).statusCode, 403, 'CSRF checked')
  const refused = await browser.post(`/admin/campaigns/${id}/publish?lang=ru`)
  t.equal(refused.statusCode, 422)
  const alert = /<div role="alert" class="form-errors" id="status-refusal">[\s\S]*?<\/div>/.exec(refused.body)?.[0] ?? ''
  t.match(alert, ru('adminCampaigns.status.refused', { action: 'publish' }))
  t.match(decode(alert), `${ru('readiness.reason.official')} <a href="/admin/campaigns/${id}/targets">${ru('adminCampaigns.status.fix')}</a>`)
  t.match(decode(alert), `${ru('readiness.reason.templates', { list: 'Английский', count: 1 })} <a href="/admin/campaigns/${id}/templates/en">`)
  t.equal(campaignById(app.db, id)!.status, 'draft')

  // An official and a letter: the campaign is ready.
  t.equal((await browser.post(`/admin/campaigns/${id}/targets`, { name: 'Minister of Labour', country: 'KZ', email: 'minister@example.kz', language: '' })).statusCode, 303)
  const body = 'Dear {{target.name}},\n\nI write from {{supporter.city}}: free the drivers.\n\n{{supporter.name}}'
  t.equal((await browser.post(`/admin/campaigns/${id}/templates/en`, { subject: 'Free the drivers', body })).statusCode, 303)
  const published = await browser.post(`/admin/campaigns/${id}/publish`)
  t.equal(published.statusCode, 303)
  t.equal(published.headers.location, `/admin/campaigns/${id}?published=1`)
  t.equal(campaignById(app.db, id)!.status, 'live')
  t.match(auditPage(app.db, { campaignId: id }).find((a) => a.action === 'campaign.update'), { userEmail: 'admin@example.org', detail: { status: { from: 'draft', to: 'live' } } })
  const live = await browser.get(`${published.headers.location}&lang=en`)
  t.match(live.body, en('adminCampaigns.notices.published'))
  t.match(live.body, '<strong>Live — supporters can write</strong>')
  t.match(live.body, 'id="slug-warning"', 'a live campaign’s slug warns that links break')
  t.match(live.body, 'links already shared (posts, leaflets, mails) stop working')
  t.match(live.body, 'http://outcry.test/campaigns/drivers</code>', 'the address under the field')

  const again = await browser.post(`/admin/campaigns/${id}/publish?lang=en`)
  t.equal(again.statusCode, 422, 'a stale button')
  t.match(fieldError(again.body, 'status'), 'Nothing was changed: the campaign is live now.')
})

t.test('closing asks first (without JavaScript), reopening is checked like publishing', async (t) => {
  const app = await build(t)
  const browser = await admin(app)
  const page = await browser.get('/admin/campaigns/1')
  t.match(page.body, /<form method="get" action="\/admin\/campaigns\/1\/close">\s*<button type="submit" data-action="close"/, 'Close opens its confirmation')

  const confirm = await browser.get('/admin/campaigns/1/close')
  t.equal(confirm.statusCode, 200)
  t.match(confirm.body, '<h2 id="close-heading">Close this campaign?</h2>')
  t.match(confirm.body, en('adminCampaigns.status.closeExplain'))
  t.match(confirm.body, /<form method="post" action="\/admin\/campaigns\/1\/close" class="status-actions">\s*<input type="hidden" name="_csrf"/)
  t.match(confirm.body, '<a href="/admin/campaigns/1" role="button" class="secondary">Cancel: keep it live</a>')
  t.notMatch(confirm.body, 'id="campaign-form"', 'only the question')
  t.equal(campaignById(app.db, 1)!.status, 'live', 'asking changes nothing')

  const closed = await browser.post('/admin/campaigns/1/close')
  t.equal(closed.statusCode, 303)
  t.equal(closed.headers.location, '/admin/campaigns/1?closed=1')
  t.equal(campaignById(app.db, 1)!.status, 'closed')
  const after = await browser.get('/admin/campaigns/1')
  t.match(after.body, '<strong>Closed — page visible, no new letters</strong>')
  t.match(after.body, /data-action="reopen"/)
  t.notMatch(after.body, /data-action="close"/)
  t.equal((await browser.get('/admin/campaigns/1/close')).statusCode, 303, 'no confirmation for a campaign that is not live')
  t.equal((await app.inject('/campaigns/zhanaozen')).statusCode, 200, 'the page stays public')

  // Reopening goes through readiness: a template removed meanwhile stops it.
  app.db.$client.prepare(`delete from letter_templates where campaign_id = 1 and language = 'kk'`).run()
  const refused = await browser.post('/admin/campaigns/1/reopen')
  t.equal(refused.statusCode, 422)
  t.match(refused.body, en('adminCampaigns.status.refused', { action: 'reopen' }))
  t.match(decode(refused.body), '<a href="/admin/campaigns/1/templates/kk">Fix it</a>')
  t.equal(campaignById(app.db, 1)!.status, 'closed')
  app.db.$client.prepare(`insert into letter_templates (campaign_id, language, subject, body, created_at, updated_at) select campaign_id, 'kk', subject, body, created_at, updated_at from letter_templates where campaign_id = 1 and language = 'en'`).run()
  const reopened = await browser.post('/admin/campaigns/1/reopen')
  t.equal(reopened.statusCode, 303)
  t.equal(campaignById(app.db, 1)!.status, 'live')
  t.same(
    auditPage(app.db, { campaignId: 1 }).filter((a) => a.action === 'campaign.update').map((a) => (a.detail as { status: unknown }).status),
    [{ from: 'closed', to: 'live' }, { from: 'live', to: 'closed' }],
    'each change audited',
  )
})

t.test('back to draft: only while nobody has written', async (t) => {
  const app = await build(t)
  const browser = await admin(app)
  t.equal(tableCount(app, 'letters', 'campaign_id = 1'), 0, 'the demo has no letter yet')
  t.match((await browser.get('/admin/campaigns/1')).body, /data-action="draft"/, 'a live campaign nobody wrote to may go back')
  const target = app.campaigns.targets(1)[0]!
  const letter = app.letters.write('zhanaozen', { name: 'Sam', email: 'sam@example.org', country: 'GB', city: 'Leeds', targetIds: [target.id], copy: false, replyDirect: false, consent: false })
  t.equal(letter.kind, 'accepted')
  const page = await browser.get('/admin/campaigns/1')
  t.notMatch(page.body, /data-action="draft"/, 'once someone wrote, no button…')
  t.match(page.body, en('adminCampaigns.status.noDraft'), '…and it says why')

  const refused = await browser.post('/admin/campaigns/1/draft')
  t.equal(refused.statusCode, 422)
  t.equal(fieldError(refused.body, 'status'), 'The campaign has 1 letter: it cannot go back to draft, which would hide it from the people who wrote. Close it instead.')
  t.equal(campaignById(app.db, 1)!.status, 'live')
  // The older form's status field follows the same rule.
  const c = campaignById(app.db, 1)!
  const old = await browser.post('/admin/campaigns/1', { title: c.title, slug: c.slug, summary: c.summary, story: c.story, goal: String(c.goal), languages: c.languages.join(', '), status: 'draft' })
  t.equal(old.statusCode, 422)
  t.match(fieldError(old.body, 'status'), 'cannot go back to draft')
  t.equal(campaignById(app.db, 1)!.status, 'live')
  const ruRefused = await browser.post('/admin/campaigns/1/draft?lang=ru')
  t.equal(fieldError(ruRefused.body, 'status'), ru('adminCampaigns.rules.draftWithLetters', { count: 1 }))

  // A campaign published by mistake, before anyone wrote, goes back.
  app.db.$client.prepare(`delete from letters where campaign_id = 1`).run()
  const page2 = await browser.get('/admin/campaigns/1')
  t.match(page2.body, /<button type="submit" data-action="draft" class="secondary"/)
  const drafted = await browser.post('/admin/campaigns/1/draft')
  t.equal(drafted.statusCode, 303)
  t.equal(campaignById(app.db, 1)!.status, 'draft')
  t.equal((await app.inject('/campaigns/zhanaozen')).statusCode, 404, 'hidden again')
  // Paper letters reported by a group count as letters too.
  app.db.$client.prepare(`update campaigns set status = 'closed', offline_count = 3 where id = 1`).run()
  t.equal((await browser.post('/admin/campaigns/1/draft')).statusCode, 422)
})

t.test('help on the screen: confirmation by email, the slug, the main language', async (t) => {
  const app = await build(t)
  const browser = await admin(app)
  for (const lang of ['en', 'ru', 'kk', 'de', 'fr', 'es'] as const) {
    const tr = translator(lang)
    const page = await browser.get(`/admin/campaigns/1?lang=${lang}`)
    t.equal(page.statusCode, 200)
    const body = decode(page.body)
    t.match(body, tr('adminCampaigns.form.confirmationHelp'), `${lang}: what confirmation does`)
    t.match(body, tr('adminCampaigns.form.confirmationWhen'), `${lang}: when to turn it off`)
    t.match(body, tr('adminCampaigns.form.slugExplain', { isNew: 'no' }), `${lang}: what the slug is`)
    t.match(body, tr('adminCampaigns.form.mainLanguageHelp'), `${lang}: what the main language means`)
    t.match(body, tr('adminCampaigns.status.state', { status: 'live' }), `${lang}: the state in words`)
  }
})

// In Chromium: the script fills the slug as the title is typed, shows the address, and leaves a slug typed
// by hand alone; the page fits a phone and has no serious axe finding.
t.test('in a browser: the slug follows the title until the organizer types one', async (t) => {
  if (!hasChromium()) return t.fail(`no chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`)
  const app = await build(t)
  await addUser(app, 'admin@example.org', 'admin')
  const base = await listen(app)
  const { openPage } = await launchChromium(t)
  const { page, problems } = await openPage()
  t.teardown(() => page.close())

  await page.goto(`${base}/admin/login?lang=en`)
  await page.locator('input[name=email]').fill('admin@example.org')
  await page.locator('input[name=password]').fill(PASSWORD)
  await Promise.all([page.waitForURL((u) => u.pathname === '/admin', { waitUntil: 'load' }), page.getByRole('button', { name: 'Sign in', exact: true }).click()])
  await page.goto(`${base}/admin/campaigns/new`)
  await page.setViewportSize({ width: 390, height: 900 })

  const slug = page.locator('input[name=slug]')
  const address = page.locator('[data-slug-address]')
  await page.locator('input[name=title]').pressSequentially('Свободу нефтяникам Жанаозена', { delay: 10 })
  await t.resolves(page.waitForFunction(() => (document.querySelector('input[name=slug]') as HTMLInputElement).value === 'svobodu-neftyanikam-zhanaozena'), 'the slug is suggested from the title')
  t.equal(await address.innerText(), 'http://outcry.test/campaigns/svobodu-neftyanikam-zhanaozena', 'and the address shows it')

  await slug.fill('zhanaozen-2026')
  t.equal(await address.innerText(), 'http://outcry.test/campaigns/zhanaozen-2026', 'the address follows a slug typed by hand')
  await page.locator('input[name=title]').focus()
  await page.keyboard.press('End')
  await page.keyboard.type(' и Мангистау', { delay: 10 })
  await page.waitForTimeout(600)
  t.equal(await slug.inputValue(), 'zhanaozen-2026', 'a slug typed by hand is left alone')

  // The main language's box among the others is ticked and locked; another main frees it.
  const main = page.locator('select[name=mainLanguage]')
  await main.selectOption('ru')
  t.equal(await page.locator('input[name=languages][value=ru]').isDisabled(), true)
  t.equal(await page.locator('input[name=languages][value=ru]').isChecked(), true)
  await page.getByLabel('Қазақша — Kazakh').check()
  await main.selectOption('en')
  t.equal(await page.locator('input[name=languages][value=ru]').isDisabled(), false)
  t.equal(await page.locator('input[name=languages][value=ru]').isChecked(), false, 'ru was not ticked before it was the main one')
  await main.selectOption('ru')

  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth)
  t.ok(scrollWidth <= 390, `the new-campaign form fits 390 px (scrollWidth ${scrollWidth})`)
  t.same(await axeFindings(page), [], 'no serious or critical axe finding')
  await page.screenshot({ path: path.join(screenshots, 'campaign-form-new-390.png'), fullPage: true })

  await Promise.all([page.waitForURL((u) => /^\/admin\/campaigns\/\d+$/.test(u.pathname), { waitUntil: 'load' }), page.getByRole('button', { name: 'Create campaign' }).click()])
  const id = idOf(new URL(page.url()).pathname)
  t.match(campaignById(app.db, id), { slug: 'zhanaozen-2026', languages: ['ru', 'kk'], status: 'draft' })
  t.equal(await page.locator('[data-status]').innerText(), 'Draft — not visible to the public')
  t.equal(await page.locator('input[name=languages][value=ru]').isDisabled(), true, 'the edit form locks the main one too')
  const editWidth = await page.evaluate(() => document.documentElement.scrollWidth)
  t.ok(editWidth <= 390, `the campaign screen fits 390 px (scrollWidth ${editWidth})`)
  t.same(await axeFindings(page), [], 'no serious or critical axe finding on the campaign screen')
  await page.screenshot({ path: path.join(screenshots, 'campaign-form-edit-390.png'), fullPage: true })

  // Publishing before it is ready: the reasons, each with its link.
  await Promise.all([page.waitForURL((u) => u.pathname === `/admin/campaigns/${id}/publish`, { waitUntil: 'load' }), page.getByRole('button', { name: 'Publish' }).click()])
  t.equal(await page.locator('#status-refusal li').count(), 2, 'an official and the templates are missing')
  await page.setViewportSize({ width: 1280, height: 900 })
  await page.screenshot({ path: path.join(screenshots, 'campaign-form-refused-1280.png'), fullPage: true })
  t.same(problems.filter((p) => !p.includes(`/admin/campaigns/${id}/publish`)), [], 'no console error, CSP violation or failed response besides the refused publish')
})
