import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, formSession, postForm, TestClock } from '../helper.js'
import { addUser, signIn } from './helper.js'
import { createInvitation, createUser } from '../../src/admin/users.js'
import { eq } from 'drizzle-orm'
import { outbox } from '../../src/db/schema/index.js'

/** The text of a page without its tags and entities, to match words wherever markup falls. */
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
const fieldError = (html: string, field: string) => new RegExp(`<small id="${field}-error" class="field-error">([^<]*)<`).exec(html)?.[1]

function failedMail(app: FastifyInstance, kind: string, to: string) {
  app.db
    .insert(outbox)
    .values({
      kind,
      recipient: to,
      message: { from: { name: 'Outcry', address: 'outcry@outcry.test' }, to: { address: to }, subject: `Subject for ${to}`, text: 'Hello', html: '<p>Hello</p>', messageId: `<${to}@outcry.test>` },
      status: 'failed',
      attempts: 5,
      lastError: '550 mailbox unavailable',
      nextAttemptAt: app.clock(),
      createdAt: app.clock(),
    })
    .run()
}

t.test('the sign-in page and its errors in the visitor’s language', async (t) => {
  const app = await build(t)
  await addUser(app, 'admin@example.org', 'admin')

  const ru = await app.inject({ url: '/admin/login?lang=ru' })
  t.equal(ru.statusCode, 200)
  t.match(ru.body, '<html lang="ru"')
  t.match(ru.body, '<title>Вход · Outcry</title>')
  t.match(ru.body, '<h1>Вход</h1>')
  t.match(ru.body, 'Сторонникам учётная запись не нужна.')
  t.match(ru.body, /<label>Пароль <input name="password"/)

  const session = await formSession(app, '/admin/login?lang=ru')
  const wrong = await postForm(app, '/admin/login', { email: 'admin@example.org', password: 'not it' }, session)
  t.equal(wrong.statusCode, 401)
  t.match(wrong.body, '<html lang="ru"')
  t.match(wrong.body, '<p role="alert" class="form-errors">Неверный адрес электронной почты или пароль.</p>')

  const kk = await app.inject({ url: '/admin/login', headers: { 'accept-language': 'kk, ru;q=0.5' } })
  t.match(kk.body, '<html lang="kk"')
  t.match(kk.body, '<h1>Кіру</h1>')
  t.match(kk.body, 'Жақтастарға тіркелгі қажет емес.')

  const en = await app.inject({ url: '/admin/login' })
  t.match(en.body, '<html lang="en"')
  t.match(en.body, '<h1>Sign in</h1>')
  t.match(en.body, 'For campaign organizers and admins. Supporters do not need an account.')
})

t.test('the back office in Russian (?lang=ru, then remembered): dashboard, people, tokens, audit log', async (t) => {
  const clock = new TestClock()
  const app = await build(t, { clock: clock.now })
  await addUser(app, 'admin@example.org', 'admin')
  const admin = await signIn(app, 'admin@example.org')

  const home = await admin.get('/admin?lang=ru')
  t.equal(home.statusCode, 200)
  t.match(home.body, '<html lang="ru"')
  t.match(home.body, '<title>Панель управления · Outcry</title>')
  t.match(home.body, 'Вы вошли как admin@example.org (администратор)')
  t.match(home.body, '<td data-status="live">идёт</td>', 'the campaign’s status by name, its code kept')
  t.match(home.body, '>Отчёт</a>')
  for (const link of ['Панель управления', 'Пользователи', 'Почта', 'Журнал действий', 'Смена адресов', 'API-токены']) t.match(home.body, `">${link}</a></li>`, `the header: ${link}`)
  t.match(home.body, '>Выйти</button>')

  // The language is remembered (the lang cookie): the next pages need no ?lang=.
  const people = await admin.get('/admin/users')
  t.match(people.body, '<html lang="ru"')
  t.match(people.body, '<h1>Пользователи</h1>')
  t.match(people.body, '<tr data-role="admin" data-state="active">')
  t.match(text(people.body), 'admin@example.org администратор все активен Изменить')

  const tokens = await admin.get('/admin/tokens')
  t.match(tokens.body, '<h1>API-токены</h1>')
  t.match(tokens.body, '<option value="90" selected>действует 90 дней (обычно)</option>')
  t.match(tokens.body, '<option value="7">действует 7 дней</option>')
  t.match(tokens.body, '<option value="365">действует 365 дней</option>')
  t.match(tokens.body, 'У вас нет токенов.')
  const created = await admin.post('/admin/tokens', { name: 'Таблица отделения', days: '90' })
  t.equal(created.statusCode, 201)
  t.match(created.body, 'Ваш новый токен: Таблица отделения')
  t.match(created.body, 'Он действует до <strong>1 мар. 2027 г., 10:00 UTC</strong>', 'the date in Russian')
  const listed = await admin.get('/admin/tokens')
  t.match(text(listed.body), 'Таблица отделения oc_')
  t.match(listed.body, /<td>никогда<\/td>\s*<td>1 мар\. 2027 г\., 10:00 UTC<\/td>\s*<td>действует<\/td>/)

  const audit = await admin.get('/admin/audit')
  t.match(audit.body, '<h1>Журнал действий</h1>')
  t.match(audit.body, /<td data-action="token\.create">API-токен создан<br><small><code>token\.create<\/code><\/small><\/td>/, 'an action by name, its code beside it')
  t.match(audit.body, /<td data-action="user\.login">Вход<br>/)
  t.match(audit.body, '<td>1 дек. 2026 г., 10:00 UTC</td>')
  t.match(audit.body, '<option value="">Все кампании и пользователи</option>')
})

t.test('422s re-rendered in Russian: inviting with a bad email, a token that lives too long, demoting oneself, a short password', async (t) => {
  const app = await build(t)
  const me = await addUser(app, 'admin@example.org', 'admin')
  const admin = await signIn(app, 'admin@example.org')
  await admin.get('/admin/users/invite?lang=ru')

  const bad = await admin.post('/admin/users/invite', { email: 'not-an-email', role: 'boss', campaigns: 'x' })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, '<html lang="ru"')
  t.match(bad.body, 'Исправьте отмеченные ниже поля. Приглашение пока не отправлено.')
  t.equal(fieldError(bad.body, 'email'), 'Введите корректный адрес электронной почты')
  t.equal(fieldError(bad.body, 'role'), 'Выберите: организатор или администратор')
  t.equal(fieldError(bad.body, 'campaigns'), 'Выберите кампании из списка')
  t.match(bad.body, 'value="not-an-email"', 'what was typed stays')

  const invited = await admin.post('/admin/users/invite', { email: 'nina@example.org', name: 'Нина', role: 'organizer', campaigns: '1' })
  t.equal(invited.statusCode, 303)
  const notice = await admin.get(invited.headers.location as string)
  t.match(notice.body, 'Приглашение для nina@example.org поставлено в очередь. Ссылка действует 7 дней.')
  t.match(notice.body, 'Приглашён, пароль ещё не задан')
  const invitation = app.db.select().from(outbox).where(eq(outbox.kind, 'invitation')).get()!
  t.match(invitation.message!.subject, /^Приглашение в панель управления /, 'the invitation goes out in the language it was sent from')
  t.match(invitation.message!.headers, { 'Content-Language': 'ru' })

  const taken = await admin.post('/admin/users/invite', { email: 'admin@example.org', role: 'organizer' })
  t.equal(fieldError(taken.body, 'email'), 'У человека с этим адресом уже есть учётная запись: найдите его в списке')

  const tooLong = await admin.post('/admin/tokens', { name: '', days: '999' })
  t.equal(tooLong.statusCode, 422)
  t.equal(fieldError(tooLong.body, 'name'), 'Дайте токену название, например по инструменту, который будет им пользоваться')
  t.equal(fieldError(tooLong.body, 'days'), 'Токен может действовать не более 365 дней')

  const demote = await admin.post(`/admin/users/${me.id}`, { name: 'Me', role: 'organizer' })
  t.equal(demote.statusCode, 422)
  t.match(demote.body, 'Исправьте отмеченные ниже поля. Ничего не изменено.')
  t.equal(fieldError(demote.body, 'role'), 'Нельзя снять с себя роль администратора. Попросите об этом другого администратора.')

  const token = app.db.transaction((tx) => createInvitation(tx, createUser(tx, { email: 'new@example.org', role: 'organizer' }, app.clock()).id, app.clock()))
  const page = await app.inject({ url: `/admin/invitations/${token}?lang=ru` })
  t.match(page.body, '<h1>Задайте пароль</h1>')
  t.match(page.body, 'Придумайте пароль не короче 12 символов')
  const session = await formSession(app, `/admin/invitations/${token}?lang=ru`)
  const short = await postForm(app, `/admin/invitations/${token}`, { password: 'short', confirm: 'other' }, session)
  t.equal(short.statusCode, 422)
  t.equal(fieldError(short.body, 'password'), 'Пароль должен быть не короче 12 символов')
  t.equal(fieldError(short.body, 'confirm'), 'Пароли не совпадают')

  const gone = await app.inject({ url: '/admin/invitations/nonsense?lang=ru' })
  t.equal(gone.statusCode, 404)
  t.match(gone.body, 'Эта ссылка-приглашение недействительна или устарела.')
})

t.test('supporter data and the outbox in Russian: statuses and kinds by name, codes kept', async (t) => {
  const clock = new TestClock()
  const app = await build(t, { clock: clock.now })
  await addUser(app, 'admin@example.org', 'admin')
  const admin = await signIn(app, 'admin@example.org')
  const letter = await app.inject({ method: 'POST', url: '/api/campaigns/zhanaozen/letters', headers: { 'content-type': 'application/json' }, payload: { name: 'Ann Lee', email: 'ann@example.org', country: 'GB', city: 'Leeds', targetId: 1, consent: true } })
  t.equal(letter.statusCode, 201, letter.body)

  const search = await admin.get('/admin/supporters?lang=ru')
  t.match(search.body, '<h1>Данные сторонников</h1>')
  t.match(search.body, 'aria-label="Адрес сторонника"')
  const bad = await admin.post('/admin/supporters', { email: 'nope' })
  t.equal(bad.statusCode, 422)
  t.equal(fieldError(bad.body, 'email'), 'Введите корректный адрес электронной почты')
  const found = await admin.post('/admin/supporters', { email: 'ann@example.org' })
  t.match(found.body, '<h2>Письма (1)</h2>')
  t.match(found.body, '<h2>Записи на пикеты (0)</h2>')
  t.match(found.body, /<tr data-status="(queued|outgoing)"><td>[^<]+<\/td><td>[^<]+<\/td><td>1 дек\. 2026 г\., 10:00 UTC<\/td><td>(в очереди|отправляется)<\/td><td>да<\/td><\/tr>/)
  t.match(found.body, 'Скачать всё о нём (JSON)')
  const unticked = await admin.post('/admin/supporters/erase', { email: 'ann@example.org' })
  t.equal(unticked.statusCode, 422)
  t.equal(fieldError(unticked.body, 'confirm'), 'Поставьте галочку для подтверждения: стирание нельзя отменить')
  const erased = await admin.post('/admin/supporters/erase', { email: 'ann@example.org', confirm: 'on' })
  t.match(erased.body, '<h1>Стёрто</h1>')
  t.match(erased.body, 'Личные данные сторонника удалены из 1 письма и 0 записей на пикеты.')

  failedMail(app, 'letter', 'president@akorda.example.org')
  failedMail(app, 'picket_reminder', 'sam@example.org')
  const mail = await admin.get('/admin/mail')
  t.match(mail.body, '<h1>Почта</h1>')
  t.match(mail.body, '<th data-status="queued">в очереди</th>')
  t.match(mail.body, '<th data-status="failed">не отправлено</th>')
  t.match(mail.body, '<td id="count-failed">2</td>')
  t.match(mail.body, '<h2>Не отправлено (2)</h2>')
  t.match(mail.body, '<td data-kind="letter">письмо</td>')
  t.match(mail.body, '<td data-kind="picket_reminder">напоминание о пикете</td>')
  t.match(mail.body, '<span data-kind="letter">письмо: 1</span>')
  t.match(mail.body, '>Повторить все (2)</button>')
})

t.test('Accept-Language: kk without a cookie gives the Kazakh back office; English stays as it was', async (t) => {
  const app = await build(t)
  await addUser(app, 'admin@example.org', 'admin')
  const admin = await signIn(app, 'admin@example.org')
  const kk = { 'accept-language': 'kk' }

  const home = await admin.get('/admin', kk)
  t.match(home.body, '<html lang="kk"')
  t.match(home.body, 'Сіз admin@example.org ретінде кірдіңіз (әкімші)')
  t.match(home.body, '<td data-status="live">жүріп жатыр</td>')
  t.match(home.body, '>Шығу</button>')
  const people = await admin.get('/admin/users', kk)
  t.match(people.body, '<h1>Пайдаланушылар</h1>')
  t.match(text(people.body), 'admin@example.org әкімші барлығы белсенді Өзгерту')
  const tokens = await admin.get('/admin/tokens', kk)
  t.match(tokens.body, '<option value="90" selected>90 күн жарамды (әдетте)</option>')
  const audit = await admin.get('/admin/audit', kk)
  t.match(audit.body, '<h1>Әрекеттер журналы</h1>')
  t.match(audit.body, /<td data-action="user\.login">Кіру<br>/)
  t.match((await admin.get('/admin/supporters', kk)).body, '<h1>Жақтастардың деректері</h1>')
  const mail = await admin.get('/admin/mail', kk)
  t.match(mail.body, '<th data-status="sent">жіберілді</th>')
  t.match(mail.body, 'Жіберілмеген хат жоқ.')

  const en = await admin.get('/admin')
  t.match(en.body, '<html lang="en"')
  t.match(en.body, '<title>Back office · Outcry</title>')
  t.match(en.body, 'Signed in as admin@example.org (admin)')
  t.match(en.body, '<td data-status="live">live</td>')
  t.match(en.body, '<a href="/admin/users">People</a>')
  t.match(en.body, '>Sign out</button>')
})

t.test('the admin API answers in English unless the request asks for a language', async (t) => {
  const app = await build(t)
  const plain = await app.inject({ url: '/api/admin/me' })
  t.equal(plain.statusCode, 401)
  t.equal(plain.json().error, 'Send a valid API token: Authorization: Bearer oc_…')
  const ru = await app.inject({ url: '/api/admin/me?lang=ru' })
  t.equal(ru.json().error, 'Передайте действующий API-токен: Authorization: Bearer oc_…')
})
