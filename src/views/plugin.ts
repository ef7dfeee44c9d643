import fs from 'node:fs'
import path from 'node:path'
import fp from 'fastify-plugin'
import view from '@fastify/view'
import Handlebars from 'handlebars'
import { templatesDir } from '../paths.js'
import { isLanguage, translator } from '../i18n/index.js'
import { assetUrl, type Asset } from './assets.js'

declare module 'fastify' {
  interface FastifyReply {
    /** Per-request values every view sees (@fastify/view merges them in). */
    locals?: Record<string, unknown>
  }
}

// Pages use their own Handlebars instance so organizer appeals can never reach these helpers.
const hbs = Handlebars.create()

type HelperOptions = { hash?: Record<string, unknown>; data?: { root?: { lang?: unknown } } }
/** The page's language (views get `lang` from the i18n plugin; a partial rendered alone, from its data). */
const pageLang = (options: HelperOptions | undefined) => (isLanguage(options?.data?.root?.lang) ? options.data.root.lang : 'en')

const numberFormats = new Map<string, Intl.NumberFormat>()
// {{number n}}: grouped by the page's language's rules (11,000 · 11 000 · 11.000).
hbs.registerHelper('number', (n: unknown, options: HelperOptions) => {
  const lang = pageLang(options)
  let format = numberFormats.get(lang)
  if (!format) numberFormats.set(lang, (format = new Intl.NumberFormat(lang)))
  return format.format(Number(n) || 0)
})
// {{day "2011-12-16"}}: a calendar day as the page's language writes it (16 декабря 2011 г.); anything else as given.
hbs.registerHelper('day', (d: unknown, options: HelperOptions) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(d ?? ''))
  if (!m) return String(d ?? '')
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return Number.isNaN(date.getTime()) ? String(d) : new Intl.DateTimeFormat(pageLang(options), { dateStyle: 'long', timeZone: 'UTC' }).format(date)
})
hbs.registerHelper('percent', (part: unknown, whole: unknown) => {
  const w = Number(whole) || 0
  return w > 0 ? Math.min(100, Math.round(((Number(part) || 0) / w) * 100)) : 0
})
hbs.registerHelper('eq', (a: unknown, b: unknown) => String(a) === String(b))
hbs.registerHelper('add', (a: unknown, b: unknown) => (Number(a) || 0) + (Number(b) || 0))
hbs.registerHelper('gt', (a: unknown, b: unknown) => Number(a) > Number(b))
hbs.registerHelper('storyParagraphs', (text: unknown) =>
  String(text ?? '')
    .split(/\r?\n\s*\r?\n/)
    .map((p) => p.trim())
    .filter(Boolean),
)
hbs.registerHelper('min', (a: unknown, b: unknown) => Math.min(Number(a) || 0, Number(b) || 0))
hbs.registerHelper('isoDate', (d: unknown) => (d instanceof Date ? d.toISOString() : ''))
hbs.registerHelper('dateTime', (d: unknown) =>
  d instanceof Date ? d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '',
)
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>()
// {{when d}}: a moment in UTC as the page's language writes it (1 дек. 2026 г., 10:00 UTC) — the back
// office's dates; English keeps dateTime's 2026-12-01 10:00 UTC.
hbs.registerHelper('when', (d: unknown, options: HelperOptions) => {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) return ''
  const lang = pageLang(options)
  if (lang === 'en') return d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC'
  let format = dateTimeFormats.get(lang)
  if (!format) dateTimeFormats.set(lang, (format = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })))
  return `${format.format(d)} UTC`
})
// {{t "place.meaning" count=n}}: the catalog's text in the page's language (escaped like any value).
// With html=true the message's own markup (<strong>, ours) stays and only the values are escaped.
hbs.registerHelper('t', function (key: unknown, options: HelperOptions) {
  const { html, ...values } = options.hash ?? {}
  const t = translator(pageLang(options))
  if (!html) return t(String(key), values)
  const escaped = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === 'string' ? hbs.escapeExpression(v) : v]))
  return new hbs.SafeString(t(String(key), escaped))
})
// {{langAttr campaign.langs.title}}: ` lang="en"` on an element whose text fell back to another language than the page's.
hbs.registerHelper('langAttr', (lang: unknown) =>
  typeof lang === 'string' && /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(lang) ? new hbs.SafeString(` lang="${lang}"`) : '',
)
hbs.registerHelper('encodeURI', (s: unknown) => encodeURIComponent(String(s ?? '')))
let assets = new Map<string, Asset>()
// {{asset "/assets/app.css"}}: the address naming the file's content (cached for a year, see assets.ts).
hbs.registerHelper('asset', (plain: unknown) => assetUrl(assets, String(plain)))

const compiledPartials = new Map<string, HandlebarsTemplateDelegate>()

/** Renders one partial on its own (for pieces put into cached pages); `data.lang` is its language. */
export function renderPartial(name: string, data: unknown): string {
  let template = compiledPartials.get(name)
  if (!template) {
    template = hbs.compile(fs.readFileSync(path.join(templatesDir, 'partials', `${name}.hbs`), 'utf8'))
    compiledPartials.set(name, template)
  }
  return template(data)
}

function partials(): Record<string, string> {
  const dir = path.join(templatesDir, 'partials')
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.hbs'))
      .map((f) => [path.basename(f, '.hbs'), path.join('partials', f)]),
  )
}

export default fp(
  async (app, opts: { production: boolean; defaultContext: Record<string, unknown>; assets: Map<string, Asset> }) => {
    assets = opts.assets
    // The hashed names never change content: a year, and no revalidation.
    for (const asset of opts.assets.values()) {
      app.get(asset.hashed, { schema: { hide: true } }, async (_req, reply) =>
        reply.header('cache-control', 'public, max-age=31536000, immutable').type(asset.type).send(asset.body),
      )
    }
    await app.register(view, {
      engine: { handlebars: hbs },
      root: templatesDir,
      layout: 'layouts/main.hbs',
      viewExt: 'hbs',
      production: opts.production,
      defaultContext: opts.defaultContext,
      options: { partials: partials() },
    })
  },
  { name: 'views' },
)
