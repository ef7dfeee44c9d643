import { test } from 'tap'
import { tableCount } from '../helper.js'
import { organizer, setup } from './helper.js'

const csrf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? ''

test('back office in English: list, write with status changes, preview, save, publish and mail once', async (t) => {
  const { app, campaign, kanat } = await setup(t)
  const { browser } = await organizer(app, 'org@union.example', [campaign.id])
  const base = `/admin/campaigns/${campaign.id}/updates`

  const list = await browser.get(base)
  t.equal(list.statusCode, 200)
  t.match(list.body, /href="\/admin\/campaigns\/\d+\/updates">Updates<\/a>/, 'in the campaign nav')
  t.match(list.body, /Roza Tuletaeva moved to a colony-settlement/)
  t.match(list.body, /Published/)

  const form = await browser.get(`${base}/new`)
  t.equal(form.statusCode, 200)
  t.match(form.body, /name="title_en"/)
  t.match(form.body, /name="body_ru"/)
  t.match(form.body, /name="change_0_person"/)
  t.match(form.body, /name="change_1_status_kk"/)
  t.match(form.body, /How to format the text \(Markdown\)/)
  browser.token = csrf(form.body)

  const fields = { language: 'en', title_en: 'Kanat released', body_en: 'He is **free**.', title_ru: 'Канат освобождён', body_ru: '', title_kk: '', body_kk: '', change_0_person: String(kanat.id), change_0_date: '2016-01-01', change_0_status_en: 'released', change_0_status_ru: 'освобождён', change_0_status_kk: '', change_1_person: '', change_1_date: '', change_1_status_en: '', change_1_status_ru: '', change_1_status_kk: '' }
  const preview = await browser.post(`${base}/new`, { ...fields, action: 'preview' })
  t.equal(preview.statusCode, 200)
  t.match(preview.body, /<strong>free<\/strong>/, 'the preview renders the Markdown')
  t.equal(tableCount(app, 'updates'), 1, 'a preview saves nothing')
  t.equal(preview.body.match(/name="change_\d+_person"/g)?.length, 3, 'the typed change and two blank rows: blank rows do not pile up')
  const gap = await browser.post(`${base}/new`, { ...fields, change_0_person: '', change_0_date: '', change_0_status_en: '', change_0_status_ru: '', change_1_person: String(kanat.id), change_1_date: '2030-01-01', change_1_status_en: 'released', action: 'save' })
  t.equal(gap.statusCode, 422)
  t.match(gap.body, /id="change_0_date-error"[^>]*>Cannot be in the future</, 'a change typed in the second row comes back first, with its message')
  t.match(gap.body, /<select name="change_0_person"[^>]*>[\s\S]*?<option value="\d+" selected>Kanat Zhusipbaev/)

  const bad = await browser.post(`${base}/new`, { ...fields, title_en: '', change_0_date: '2030-01-01', action: 'save' })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, /id="title_en-error"[^>]*>Please enter a title</)
  t.match(bad.body, /id="change_0_date-error"[^>]*>Cannot be in the future</)
  t.match(bad.body, /value="Канат освобождён"/, 'what was typed stays')

  const saved = await browser.post(`${base}/new`, { ...fields, action: 'save' })
  t.equal(saved.statusCode, 303)
  const editUrl = saved.headers.location!.split('?')[0]!
  const edit = await browser.get(saved.headers.location!)
  t.match(edit.body, /The draft is saved/)
  t.match(edit.body, /No supporter would receive it by email now\.|supporters? would receive it/)
  t.match(edit.body, /Send a test to me \(org@union\.example\)/)
  t.match(edit.body, /value="released"/)
  t.equal(app.campaigns.people(campaign.id).find((p) => p.id === kanat.id)!.status, 'jailed', 'not before publishing')

  const test1 = await browser.post(`${editUrl}/test`)
  t.equal(test1.statusCode, 303)
  t.equal(tableCount(app, 'audit_log', "action = 'update.test'"), 1)

  const published = await browser.post(`${editUrl}/publish`, { notify: '1' })
  t.equal(published.statusCode, 303)
  t.equal(app.campaigns.people(campaign.id).find((p) => p.id === kanat.id)!.status, 'released')
  const after = await browser.get(editUrl)
  t.notMatch(after.body, /\/mail"/, 'no second mailing button')
  const twice = await browser.post(`${editUrl}/mail`)
  t.equal(twice.statusCode, 409)

  const other = await organizer(app, 'stranger@union.example', [])
  t.equal((await other.browser.get(base)).statusCode, 404, "another's campaign")
  t.equal((await browser.get(`${base}/9999`)).statusCode, 404)
  const noCsrf = await app.inject({ method: 'POST', url: `${editUrl}/mail`, headers: { cookie: browser.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })
  t.equal(noCsrf.statusCode, 403)
})

test('back office in Russian', async (t) => {
  const { app, campaign } = await setup(t)
  const { browser } = await organizer(app, 'org@union.example', [campaign.id])
  const base = `/admin/campaigns/${campaign.id}/updates`
  const list = await browser.get(`${base}?lang=ru`)
  t.match(list.body, />Новости<\/a>/)
  t.match(list.body, /Написать новость/)
  t.match(list.body, /Опубликована/)
  const form = await browser.get(`${base}/new`)
  t.match(form.body, /Изменения в судьбе людей/)
  t.match(form.body, /<option value="ru" selected>/, 'written in the page language by default')
  browser.token = csrf(form.body)
  const bad = await browser.post(`${base}/new`, { language: 'ru', title_ru: '', body_ru: 'Текст', change_0_person: '', change_0_date: '2016-01-01', change_0_status_ru: 'освобождён', action: 'save' })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, /Введите заголовок/)
  t.match(bad.body, /Выберите человека, которого защищает эта кампания/)
  t.notMatch(bad.body, /Please enter/)
})
