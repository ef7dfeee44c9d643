// Issue 15: every kind of mail's HTML part says what it is and in which language: a non-empty <title>
// (what a reader that shows it, or a screen reader, announces) and <html lang> (how a screen reader pronounces it).
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { simpleParser } from 'mailparser'
import { sendEveryKind, type SentMail } from './every-kind.js'
import { renderEmail } from '../../src/mail/render.js'
import { LANGUAGES } from '../../src/i18n/index.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

const head = (html: string) => ({
  lang: /<html\b[^>]*\blang="([^"]*)"/i.exec(html)?.[1],
  title: /<title>([\s\S]*?)<\/title>/i.exec(html)?.[1]?.trim(),
})

let mails: SentMail[]
t.before(async () => {
  mails = (await sendEveryKind(t)).mails
})

t.test('every mail sent has an HTML part with a <title> and <html lang>, the language the mail says it is in', async (t) => {
  const kinds = new Set<string>()
  for (const mail of mails) {
    const parsed = await simpleParser(mail.raw)
    const label = `${mail.kind} (${mail.label}) to ${mail.to}`
    t.type(parsed.html, 'string', `${label}: has HTML`)
    if (typeof parsed.html !== 'string') continue
    kinds.add(mail.kind)
    const { lang, title } = head(parsed.html)
    t.ok(title, `${label}: a <title> with text`)
    t.match(lang, /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, `${label}: <html lang> is a language tag`)
    const contentLanguage = parsed.headers.get('content-language')
    if (contentLanguage) t.ok(String(contentLanguage).split(/,\s*/).includes(lang!), `${label}: <html lang="${lang}"> among Content-Language ${contentLanguage}`)
  }
  t.ok(kinds.size >= 8, `many kinds checked: ${[...kinds].join(', ')}`)
})

t.test('every mail template, rendered in each language with no data, has them from the layout', async (t) => {
  const names = fs.readdirSync(path.join(root, 'templates/emails')).filter((f) => f.endsWith('.html.hbs') && f !== 'layout.html.hbs').map((f) => f.slice(0, -'.html.hbs'.length))
  t.ok(names.length >= 8, names.join(', '))
  for (const name of names) {
    for (const lang of LANGUAGES) {
      const { html } = renderEmail(name, {}, { lang })
      t.same(head(html), { lang, title: 'Outcry' }, `${name} in ${lang}`)
    }
    t.same(head(renderEmail(name, { subject: 'Свободу нефтяникам' }, { lang: 'ru', htmlLang: 'kk' }).html), { lang: 'kk', title: 'Свободу нефтяникам' }, `${name}: the subject as title, the letter's language`)
  }
})
