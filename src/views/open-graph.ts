/*
 * Open Graph and Twitter card tags: what a link preview shows (the `og` view variable, printed by the
 * {{#if og}} block of templates/layouts/main.hbs). Views infrastructure: it imports no feature; the
 * features' routes build the value here and hand it to their view.
 */

/** og:locale per language (Open Graph wants language_TERRITORY). */
const LOCALES: Record<string, string> = { en: 'en_GB', ru: 'ru_RU', kk: 'kk_KZ', de: 'de_DE', fr: 'fr_FR', es: 'es_ES' }
const localeOf = (lang: string) => LOCALES[lang] ?? (/^[a-z]{2,3}$/.test(lang) ? lang : 'en_GB')

/** The share card's size (GET /campaigns/:slug/card.png). */
export const CARD_SIZE = { width: 1200, height: 630 } as const

export interface OpenGraphInput {
  /** config.baseUrl: every address in the tags is absolute. */
  baseUrl: string
  /** The page's own path, e.g. `/campaigns/zhanaozen` or `/pickets/12`. */
  path: string
  /** The page's language. */
  lang: string
  /** The campaign's first language: the page's address carries ?lang= only for the others. */
  baseLanguage?: string
  title: string
  description?: string
  /** The campaign whose share card is the image (its slug). */
  campaignSlug: string
  /** The image's text alternative (default: the title). */
  imageAlt?: string
  /** 'website' for a campaign, 'article' for an update or a picket. */
  type?: 'website' | 'article'
  siteName?: string
  /** Other languages the page is read in (og:locale:alternate). */
  languages?: readonly string[]
}

export interface OpenGraph {
  title: string
  description: string
  url: string
  image: string
  imageWidth: number
  imageHeight: number
  imageAlt: string
  type: string
  locale: string
  localeAlternates: string[]
  siteName: string
}

/** One line of text at most `max` characters long (cut at a word, with an ellipsis). */
function line(text: string, max: number): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim()
  const chars = [...flat]
  if (chars.length <= max) return flat
  const cut = chars.slice(0, max - 1).join('')
  const space = cut.lastIndexOf(' ')
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`
}

/**
 * The tags for a page: `og: openGraph({ baseUrl: app.config.baseUrl, path: `/campaigns/${slug}`,
 * lang: req.lang, baseLanguage: campaign.languages[0], title, description, campaignSlug: slug })`.
 * og:image is the campaign's card in the page's language.
 */
export function openGraph(input: OpenGraphInput): OpenGraph {
  const base = input.baseUrl.replace(/\/+$/, '')
  const slug = encodeURIComponent(input.campaignSlug)
  const lang = encodeURIComponent(input.lang)
  const path = input.path.startsWith('/') ? input.path : `/${input.path}`
  const withLang = input.baseLanguage && input.baseLanguage !== input.lang ? `${path}${path.includes('?') ? '&' : '?'}lang=${lang}` : path
  const title = line(input.title, 150)
  return {
    title,
    description: line(input.description ?? '', 300),
    url: base + withLang,
    image: `${base}/campaigns/${slug}/card.png?lang=${lang}`,
    imageWidth: CARD_SIZE.width,
    imageHeight: CARD_SIZE.height,
    imageAlt: line(input.imageAlt ?? input.title, 300),
    type: input.type ?? 'website',
    locale: localeOf(input.lang),
    localeAlternates: (input.languages ?? []).filter((l) => l !== input.lang).map(localeOf),
    siteName: input.siteName ?? 'Outcry',
  }
}
