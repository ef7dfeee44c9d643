import fs from 'node:fs'
import path from 'node:path'
import Handlebars from 'handlebars'
import { templatesDir } from '../paths.js'
import { isLanguage, translator, type Language } from '../i18n/index.js'

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

/** What a render passes its helpers beside the data: the mail's language and whether the part is plain text. */
interface RenderData {
  mailLang: Language
  plain: boolean
}

/**
 * `{{t "mail.key" name=value}}`: the message in the mail's language. In the HTML part the result is
 * escaped; with `html=true` the message keeps its own markup (<strong>, <em>) and only the values are
 * escaped. In the plain-text part nothing is escaped, and with `html=true` the message's markup is
 * dropped (the values, which may hold anything a supporter typed, are put back untouched).
 */
hbs.registerHelper('t', function (key: unknown, options: Handlebars.HelperOptions) {
  const { mailLang, plain } = options.data as RenderData
  const t = translator(mailLang)
  const hash = { ...(options.hash as Record<string, unknown>) }
  const html = hash.html === true
  delete hash.html
  if (!html) return t(String(key), hash)
  if (!plain) {
    const escaped = Object.fromEntries(Object.entries(hash).map(([k, v]) => [k, typeof v === 'string' ? hbs.escapeExpression(v) : v]))
    return new hbs.SafeString(t(String(key), escaped))
  }
  // Values stand in as tokens while the markup goes, so a value's own "<" survives.
  const values: string[] = []
  const tokens = Object.fromEntries(
    Object.entries(hash).map(([k, v]) => {
      if (typeof v !== 'string') return [k, v]
      values.push(v)
      return [k, `\u0000${values.length - 1}\u0000`]
    }),
  )
  return t(String(key), tokens)
    .replace(/<[^>]*>/g, '')
    .replace(/\u0000(\d+)\u0000/g, (_, i: string) => values[Number(i)]!)
})

const emailsDir = path.join(templatesDir, 'emails')
type Compiled = (data: unknown, options?: { data?: Record<string, unknown> }) => string
const cache = new Map<string, Compiled>()

function load(file: string, text: boolean): Compiled {
  const key = `${file}:${text}`
  let compiled = cache.get(key)
  if (!compiled) {
    const full = path.join(emailsDir, file)
    if (!fs.existsSync(full)) throw new Error(`no mail template ${file}`)
    // Plain-text parts must not be HTML-escaped; the HTML part is.
    compiled = hbs.compile(fs.readFileSync(full, 'utf8'), { noEscape: text, strict: false }) as Compiled
    cache.set(key, compiled)
  }
  return compiled
}

/** The language a mail is written in: a stored language Outcry has no catalog for reads as English. */
export const mailLanguage = (lang: string | null | undefined): Language => (isLanguage(lang) ? lang : 'en')

export interface EmailMeta {
  /** The language of our words in the mail (one of LANGUAGES; anything else is English). */
  lang: string | null | undefined
  /** The HTML part's <title>: the subject, or what the mail is about. */
  title?: string
  /**
   * The HTML part's language (BCP 47) on <html lang> when it differs from our words' (a letter in a
   * language we have no catalog for: the letter is the mail).
   */
  htmlLang?: string
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined)
const LANG = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i

/**
 * Renders a paired `<name>.text.hbs` / `<name>.html.hbs`, the HTML inside its layout, with our words
 * from the catalogs in the mail's language (`{{t}}`). A Russian letter with an English frame reads as
 * mixed scripts to spam filters (MIXED_ES), and to its reader as careless: every word is in one language.
 * The HTML part's <title> is the mail's subject when its data carries one, else the campaign's title.
 */
export function renderEmail(name: string, data: Record<string, unknown>, meta: EmailMeta = { lang: 'en' }): { text: string; html: string } {
  const mailLang = mailLanguage(meta.lang)
  const letter = (data.letter ?? {}) as { subject?: unknown }
  const campaign = (data.campaign ?? {}) as { title?: unknown }
  const title = str(meta.title) ?? str(data.subject) ?? str(letter.subject) ?? str(campaign.title) ?? str(data.appName) ?? 'Outcry'
  const htmlLang = meta.htmlLang && LANG.test(meta.htmlLang) ? meta.htmlLang.toLowerCase() : mailLang
  const view = { ...data, lang: mailLang }
  const text = load(`${name}.text.hbs`, true)(view, { data: { mailLang, plain: true } }).trim() + '\n'
  const htmlBody = load(`${name}.html.hbs`, false)(view, { data: { mailLang, plain: false } })
  const html = load('layout.html.hbs', false)({ ...view, body: new hbs.SafeString(htmlBody), meta: { title, lang: htmlLang } }, { data: { mailLang, plain: false } })
  return { text, html }
}

/** The headers every mail carries for its language (RFC 3282). */
export const languageHeaders = (lang: string | null | undefined): Record<string, string> => ({ 'Content-Language': mailLanguage(lang) })
