import { test } from 'tap'
import { InputError } from '../../src/validation.js'
import { UpdateConflict } from '../../src/updates/service.js'
import { tableCount } from '../helper.js'
import { actor, setup } from './helper.js'

/** Throws an instance of the class (tap's throws compares objects). */
function throwsA(t: { ok(v: unknown, m: string): unknown }, fn: () => unknown, cls: new (...a: never[]) => Error, message: string) {
  try {
    fn()
    t.ok(false, `${message}: nothing thrown`)
  } catch (err) {
    t.ok(err instanceof cls, message)
  }
}

const issuesOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    if (err instanceof InputError) return err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
    throw err
  }
  throw new Error('no InputError')
}

test('a draft is stored, not public, and moves no one; publishing does', async (t) => {
  const { app, campaign, kanat } = await setup(t)
  const before = app.campaigns.byId(campaign.id)!.updatedAt
  const { update, recipients } = app.updates.create(campaign, { title: 'Kanat released', body: 'He is **free**.', language: 'en', personChanges: [{ personId: kanat.id, status: 'released', date: '2016-08-01' }] }, actor)
  t.equal(update.status, 'draft')
  t.equal(recipients, 0)
  t.equal(app.campaigns.people(campaign.id).find((p) => p.id === kanat.id)!.status, 'jailed', 'a draft does not change the status')
  t.equal(app.updates.publishedOne(campaign, update.id), undefined)
  t.same(app.updates.timelines(campaign, 'en')[kanat.id], undefined, 'nor the timeline')

  app.updates.edit(campaign, update, { publish: true }, actor)
  const after = app.campaigns.people(campaign.id).find((p) => p.id === kanat.id)!
  t.equal(after.status, 'released')
  t.equal(after.statusChangedOn, '2016-08-01')
  t.notOk(after.translations.ru?.status, 'the stale Russian "в заключении" is gone: it falls back to English')
  t.equal(after.translations.ru?.name, 'Канат Жусипбаев', 'the rest of the translation stays')
  t.not(app.campaigns.byId(campaign.id)!.updatedAt.getTime(), before.getTime(), "the campaign's updatedAt moves (the cached page refreshes)")
  t.equal(app.campaigns.byId(campaign.id)!.updatedAt.toISOString(), '2026-12-01T10:00:00.000Z')
  t.ok(tableCount(app, 'audit_log', "action = 'update.create'") === 1 && tableCount(app, 'audit_log', "action = 'update.publish'") === 1 && tableCount(app, 'audit_log', "action = 'person.status'") === 1, 'audited')
  throwsA(t, () => app.updates.edit(campaign, app.updates.get(campaign.id, update.id)!, { publish: false }, actor), InputError, 'no way back to draft')
})

test("the latest change by date wins, not the latest recorded; translations follow it", async (t) => {
  const { app, campaign, shabdal } = await setup(t)
  app.updates.create(campaign, { title: 'Released', body: 'Free.', language: 'en', publish: true, personChanges: [{ personId: shabdal.id, status: 'released', date: '2016-05-10', translations: { ru: { status: 'освобождён' }, kk: { status: 'босатылды' } } }] }, actor)
  // Recorded later, happened earlier.
  app.updates.create(campaign, { title: 'Moved', body: 'Earlier news.', language: 'ru', publish: true, personChanges: [{ personId: shabdal.id, status: 'переведён в колонию-поселение', date: '2014-03-01' }] }, actor)
  const person = app.campaigns.people(campaign.id).find((p) => p.id === shabdal.id)!
  t.equal(person.status, 'released')
  t.equal(person.statusChangedOn, '2016-05-10')
  t.equal(person.translations.ru?.status, 'освобождён')
  t.equal(person.translations.kk?.status, 'босатылды')

  const en = app.updates.timelines(campaign, 'en')[shabdal.id]!
  t.same(en.map((e) => [e.on, e.status, e.lang, e.current]), [
    ['2014-03-01', 'переведён в колонию-поселение', 'ru', undefined],
    ['2016-05-10', 'released', undefined, true],
  ], 'oldest first; a step only in Russian is marked ru on the English page; the latest is current')
  const ru = app.updates.timelines(campaign, 'ru')[shabdal.id]!
  t.same(ru.map((e) => [e.status, e.lang]), [['переведён в колонию-поселение', undefined], ['освобождён', undefined]])
  t.match(en[1]!.updateUrl, /^\/campaigns\/zhanaozen\/updates\/\d+$/)
})

test('a change in another language than the first: the first keeps the best text there is', async (t) => {
  const { app, campaign, kanat } = await setup(t)
  app.updates.create(campaign, { title: 'Освобождён', body: 'Текст.', language: 'ru', publish: true, personChanges: [{ personId: kanat.id, status: 'освобождён', date: '2016-01-01', translations: { en: { status: 'released' } } }] }, actor)
  const person = app.campaigns.people(campaign.id).find((p) => p.id === kanat.id)!
  t.equal(person.status, 'released', 'the English text goes in the row (the first language)')
  t.equal(person.translations.ru?.status, 'освобождён')
  t.notOk(person.translations.kk?.status, 'Kazakh falls back')
})

test('pageData: the latest three published, the total, timelines; updates fall back to their own language, marked', async (t) => {
  const { app, campaign, clock } = await setup(t)
  // The demo has one already (Roza, 2013).
  for (let i = 1; i <= 4; i++) {
    clock.advance(60_000)
    app.updates.create(campaign, { title: `News ${i}`, body: `Body ${i}`, language: 'en', translations: i === 4 ? { ru: { title: 'Новость 4' } } : undefined, publish: true }, actor)
  }
  app.updates.create(campaign, { title: 'Draft', body: 'Not yet', language: 'en' }, actor)
  const data = app.updates.pageData(campaign.id, 'ru', 'en')
  t.equal(data.total, 5)
  t.same(data.latest.map((u) => u.title), ['Новость 4', 'News 3', 'News 2'])
  t.same(data.latest[0]!.langs, { body: 'en' }, 'the untranslated body is marked English')
  t.same(data.latest[1]!.langs, { title: 'en', body: 'en' })
  const roza = app.campaigns.people(campaign.id).find((p) => p.name === 'Roza Tuletaeva')!
  t.same(data.timelines[roza.id]!.map((e) => [e.on, e.status, e.current]), [['2013-06-01', 'переведена в колонию-поселение', true]], "the demo's timeline")
})

test('rules: 422 with paths for every issue at once', async (t) => {
  const { app, campaign, kanat } = await setup(t)
  const other = app.db.$client.prepare(`insert into campaigns (slug, title, summary, story, goal, status, languages, created_at, updated_at) values ('other', 'Other', '', '', 10, 'live', '["en"]', 0, 0) returning id`).get() as { id: number }
  const stranger = app.db.$client.prepare(`insert into campaign_people (campaign_id, name, status) values (?, 'Someone', 'jailed') returning id`).get(other.id) as { id: number }
  const issues = issuesOf(() =>
    app.updates.create(
      campaign,
      {
        title: 'x'.repeat(201),
        body: 'y'.repeat(20_001),
        language: 'de',
        translations: { fr: { title: 'Non' } },
        personChanges: [
          { personId: stranger.id, status: 'free', date: '2016-01-01' },
          { personId: kanat.id, status: '', date: '2026-12-05' },
          { personId: kanat.id, status: 'ok', date: '2016-02-30' },
        ],
        notify: true,
      },
      actor,
    ),
  )
  const paths = issues.map((i) => i.path).sort()
  t.same(paths, ['body', 'language', 'notify', 'personChanges.0.personId', 'personChanges.1.date', 'personChanges.1.status', 'personChanges.2.date', 'title', 'translations.fr'].sort())
  t.match(issues.find((i) => i.path === 'language')!.message, /en, ru, kk/)
  t.match(issues.find((i) => i.path === 'personChanges.1.date')!.message, /future/)
  t.equal(tableCount(app, 'updates'), 1, 'nothing written (the demo has one)')
  t.same(
    issuesOf(() => app.updates.create(campaign, { language: 'en' }, actor)).map((i) => i.path),
    ['title', 'body'],
  )
  // Today somewhere on Earth is not the future.
  t.doesNotThrow(() => app.updates.create(campaign, { title: 'Today', body: 'Now', language: 'en', personChanges: [{ personId: kanat.id, status: 'on trial', date: '2026-12-01' }] }, actor))
})

test('editing: texts, translations merged, language switched, status changes replaced', async (t) => {
  const { app, campaign, kanat, shabdal } = await setup(t)
  const { update } = app.updates.create(campaign, { title: 'Title', body: 'Body', language: 'en', translations: { ru: { title: 'Заголовок', body: 'Текст' } }, publish: true, personChanges: [{ personId: kanat.id, status: 'released', date: '2016-01-01' }] }, actor)
  let edited = app.updates.edit(campaign, update, { translations: { ru: { title: '' }, kk: { title: 'Тақырып' } } }, actor).update
  t.same(edited.translations, { ru: { body: 'Текст' }, kk: { title: 'Тақырып' } })
  edited = app.updates.edit(campaign, edited, { language: 'ru', title: 'Заголовок' }, actor).update
  t.equal(edited.language, 'ru')
  t.equal(edited.title, 'Заголовок')
  t.equal(edited.body, 'Текст')
  t.same(edited.translations.en, { title: 'Title', body: 'Body' }, 'the old texts became the English translation')
  app.updates.edit(campaign, edited, { personChanges: [{ personId: shabdal.id, status: 'освобождён', date: '2016-02-01' }] }, actor)
  t.equal(app.updates.changesOf(update.id).length, 1)
  t.equal(app.updates.changesOf(update.id)[0]!.personId, shabdal.id)
  t.equal(app.campaigns.people(campaign.id).find((p) => p.id === shabdal.id)!.translations.ru?.status, 'освобождён')
})

test('mailing: once, published only, through the fan-out contract', async (t) => {
  const { app, campaign } = await setup(t)
  const { update } = app.updates.create(campaign, { title: 'T', body: 'B', language: 'en' }, actor)
  throwsA(t, () => app.updates.mail(campaign, update, actor), InputError, 'a draft cannot be mailed')
  const published = app.updates.edit(campaign, update, { publish: true, notify: true }, actor).update
  t.not(published.mailState, 'none', 'mailing began in the publishing transaction')
  throwsA(t, () => app.updates.mail(campaign, published, actor), UpdateConflict, 'never twice')
  throwsA(t, () => app.updates.edit(campaign, published, { notify: true }, actor), UpdateConflict, 'UpdateConflict')
  t.equal(tableCount(app, 'audit_log', "action = 'update.mail'"), 1)
})
