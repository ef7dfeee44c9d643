// Issue 13: the report and the offline-letters screens in the page's language (?lang=ru, then the cookie).
import t from 'tap'
import { build, TestClock } from '../helper.js'
import { addUser, signIn } from '../admin/helper.js'

async function setup(t: Parameters<typeof build>[0]) {
  const clock = new TestClock(new Date('2026-12-01T10:00:00Z'))
  const app = await build(t, { clock: clock.now })
  await addUser(app, 'org@example.org', 'organizer', [1])
  return { app, browser: await signIn(app, 'org@example.org') }
}

const errorOf = (body: string, field: string) => new RegExp(`id="${field}-error" class="field-error">([^<]+)<`).exec(body)?.[1]

t.test('the report in Russian: labels, chart, numbers', async (t) => {
  const { app, browser } = await setup(t)
  app.db.$client.prepare(`update campaigns set offline_count = 12000, goal = 11000 where id = 1`).run()
  app.db.$client.prepare(`insert into offline_letters (campaign_id, count, date, group_name, country, note, created_at, updated_at) values (1, 12000, '2026-11-28', 'Unite', 'GB', '', 1, 1)`).run()
  const res = await browser.get('/admin/campaigns/1/report?lang=ru')
  t.equal(res.statusCode, 200)
  const html = res.body
  t.match(html, '<html lang="ru"')
  for (const text of ['Итог и цель', 'Письма по дням', 'По адресатам', 'Доставка адресатам', 'По странам', 'Выгрузки', 'Все письма', 'для Excel']) t.match(html, text)
  t.match(html, /<strong data-total>12\s000<\/strong> из 11\s000 писем/, 'numbers grouped the Russian way')
  const svg = /<svg[\s\S]*?<\/svg>/.exec(html)?.[0] ?? ''
  t.match(svg, 'Письма по дням, с 2026-10-03 по 2026-12-01 (UTC)')
  t.match(svg, /2026-11-28: 12\s000 писем \(онлайн — 0, на бумаге — 12\s000\)/, 'the tooltip with its plural')
  t.match(svg, '>На бумаге</text>')
  t.match(html, 'Великобритания', 'countries in Russian')
  t.notMatch(html, 'Total against the goal')

  // English stays as it was.
  const en = await browser.get('/admin/campaigns/1/report?lang=en')
  t.match(en.body, /<strong data-total>12,000<\/strong> of 11,000 letters/)
  t.match(en.body, '2026-11-28: 12,000 letters (0 online, 12,000 on paper)')
})

t.test('offline letters in Russian: labels, notices with plurals, messages beside the fields', async (t) => {
  const { browser } = await setup(t)
  const page = await browser.get('/admin/campaigns/1/offline-letters?lang=ru')
  t.equal(page.statusCode, 200)
  for (const text of ['Бумажные письма', 'Добавить отчёт', 'Отправлено писем', 'Дата отправки', 'Добавить к общему счёту', 'Ни одна группа пока не сообщила']) t.match(page.body, text)

  const added = await browser.post('/admin/campaigns/1/offline-letters', { count: '1 200', date: '2026-11-28', group: 'Unite North West', country: 'GB', note: '' })
  t.equal(added.statusCode, 303, added.body)
  const after = await browser.get(added.headers.location as string)
  t.match(after.body, /добавлено 1\s200 писем\./)
  t.match(after.body, '28 ноября 2026', 'the day in Russian')

  const bad = await browser.post('/admin/campaigns/1/offline-letters', { count: '', date: '', group: '', country: '', note: '' })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, 'Пожалуйста, проверьте отмеченные ниже поля.')
  for (const field of ['count', 'group', 'country']) t.match(errorOf(bad.body, field), /[а-яё]/i, `${field}: a Russian message`)

  const del = await browser.get('/admin/campaigns/1/offline-letters?lang=ru')
  const link = /href="(\/admin\/campaigns\/1\/offline-letters\/\d+\/delete)"/.exec(del.body)?.[1]
  const confirm = await browser.get(link!)
  t.match(confirm.body, 'Удалить этот отчёт?')
  t.match(confirm.body, /<strong>1\s200<\/strong> писем отправлено 28 ноября 2026/)
})
