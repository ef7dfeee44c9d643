import fs from 'node:fs'
import path from 'node:path'
import Handlebars from 'handlebars'
import { templatesDir } from '../paths.js'

// Mail templates are ours, not organizers': a private Handlebars instance with a few helpers.
const hbs = Handlebars.create()

hbs.registerHelper('paragraphs', (text: unknown) => {
  const blocks = String(text ?? '')
    .split(/\r?\n\s*\r?\n/)
    .map((block) =>
      block
        .split(/\r?\n/)
        .map((line) => hbs.escapeExpression(line))
        .join('<br>'),
    )
    .filter((b) => b.length > 0)
  return new hbs.SafeString(blocks.map((b) => `<p>${b}</p>`).join('\n'))
})

const emailsDir = path.join(templatesDir, 'emails')
type Compiled = (data: unknown) => string
const cache = new Map<string, Compiled | null>()

function load(file: string, text: boolean): Compiled {
  const compiled = tryLoad(file, text)
  if (!compiled) throw new Error(`no mail template ${file}`)
  return compiled
}

/** A template, or null when there is no such file (a language without its own version). */
function tryLoad(file: string, text: boolean): Compiled | null {
  const key = `${file}:${text}`
  let compiled = cache.get(key)
  if (compiled === undefined) {
    const full = path.join(emailsDir, file)
    if (!fs.existsSync(full)) {
      cache.set(key, null)
      return null
    }
    // Plain-text parts must not be HTML-escaped; the HTML part is.
    compiled = hbs.compile(fs.readFileSync(full, 'utf8'), { noEscape: text, strict: false })
    cache.set(key, compiled)
  }
  return compiled
}

export interface EmailMeta {
  /** The HTML part's <title>: the subject, or what the mail is about. */
  title?: string
  /** The HTML part's language (BCP 47), on <html lang>. */
  lang?: string
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined)
const LANG = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i

/** Mail that carries a supporter's letter: its language is the letter's. */
const LETTER_MAILS = new Set(['letter', 'letter-copy'])

/**
 * The title and language of a mail's HTML part when the caller does not say: the mail's subject when its
 * data carries one (picket mail, a letter), else the campaign's title, else our name; the letter's own
 * language for mail carrying a letter, else English.
 */
function metaFor(name: string, data: Record<string, unknown>, meta: EmailMeta): Required<EmailMeta> {
  const letter = (data.letter ?? {}) as { subject?: unknown; language?: unknown }
  const campaign = (data.campaign ?? {}) as { title?: unknown }
  const title = str(meta.title) ?? str(data.subject) ?? str(letter.subject) ?? str(campaign.title) ?? str(data.appName) ?? 'Outcry'
  const wanted = str(meta.lang) ?? (LETTER_MAILS.has(name) ? str(letter.language) : undefined) ?? 'en'
  return { title, lang: LANG.test(wanted) ? wanted.toLowerCase() : 'en' }
}

/**
 * Renders a paired `<name>.text.hbs` / `<name>.html.hbs`, each inside its layout. Where the mail's language
 * has its own pair (`<name>.ru.text.hbs`), that pair is used, so our words around a letter are in the letter's
 * language (a Russian letter with an English frame reads as mixed scripts to spam filters: MIXED_ES).
 */
export function renderEmail(name: string, data: Record<string, unknown>, meta: EmailMeta = {}): { text: string; html: string } {
  const wanted = metaFor(name, data, meta)
  const localizedText = wanted.lang === 'en' ? null : tryLoad(`${name}.${wanted.lang}.text.hbs`, true)
  const localizedHtml = wanted.lang === 'en' ? null : tryLoad(`${name}.${wanted.lang}.html.hbs`, false)
  const localized = Boolean(localizedText && localizedHtml)
  // The letter itself is in its language whatever our footer's; other mail is in the language of its words.
  const lang = localized || name === 'letter' ? wanted.lang : 'en'
  const text = (localized ? localizedText! : load(`${name}.text.hbs`, true))(data).trim() + '\n'
  const htmlBody = (localized ? localizedHtml! : load(`${name}.html.hbs`, false))(data)
  const html = load('layout.html.hbs', false)({ ...data, body: new hbs.SafeString(htmlBody), meta: { ...wanted, lang } })
  return { text, html }
}
