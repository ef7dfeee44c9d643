import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { directionOf, fromAcceptLanguage, isLanguage, LANGUAGE_NAMES, LANGUAGES, type Language } from './languages.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The page's language: ?lang=, then the `lang` cookie, then Accept-Language, then the campaign's first language (useCampaignLanguage), then English. */
    lang: Language
    /** Whether the visitor chose it (query, cookie or header), or it is only our default. */
    langChosen: boolean
  }
}

const COOKIE = 'lang'
const YEAR = 365 * 24 * 3600

/** The same address with `lang` set: the language switch and hreflang alternates. */
export function withLang(url: string, lang: Language): string {
  const [pathname = '/', query = ''] = url.split('?', 2)
  const params = new URLSearchParams(query)
  params.set('lang', lang)
  return `${pathname}?${params.toString()}`
}

/**
 * What every page needs to speak the visitor's language: <html lang/dir>, the switch and the hreflang
 * alternates (absolute). `url` is the page's own address (a cached page passes its canonical one).
 */
export function languageLocals(req: FastifyRequest, url = req.url) {
  const base = req.server.config.baseUrl
  return {
    lang: req.lang,
    dir: directionOf(req.lang),
    languageLinks: LANGUAGES.map((code) => ({ code, name: LANGUAGE_NAMES[code], href: withLang(url, code), absolute: base + withLang(url, code), current: code === req.lang })),
  }
}

/**
 * On a campaign's pages, a visitor who chose no language (no ?lang=, cookie or Accept-Language we speak)
 * reads the campaign's first language, when Outcry speaks it.
 */
export function useCampaignLanguage(req: FastifyRequest, reply: FastifyReply, campaign: { languages: readonly string[] }): void {
  useLanguage(req, reply, campaign.languages[0])
}

/**
 * The page's language when the visitor chose none, for pages that know better than our default: a
 * confirmation link's page speaks the language the supporter wrote in. Returns whether it was used.
 */
export function useLanguage(req: FastifyRequest, reply: FastifyReply, lang: string | null | undefined): boolean {
  if (req.langChosen || !isLanguage(lang)) return false
  req.lang = lang
  // Decided: a later default (the campaign's first language) does not override it.
  req.langChosen = true
  const locals = (reply.locals ??= {})
  locals.lang = lang
  locals.dir = directionOf(lang)
  return true
}

/** Negotiates each request's language and hands it to the views (after @fastify/cookie). */
export default fp(
  async (app) => {
    app.decorateRequest('lang', 'en')
    app.decorateRequest('langChosen', false)
    app.addHook('onRequest', async (req, reply) => {
      const asked = (req.query as Record<string, unknown> | undefined)?.lang
      if (isLanguage(asked)) {
        req.lang = asked
        req.langChosen = true
        // Remembered, so the next page and the mail links stay in it.
        if (req.cookies[COOKIE] !== asked) reply.setCookie(COOKIE, asked, { path: '/', maxAge: YEAR, sameSite: 'lax', httpOnly: true, secure: app.config.env === 'production' })
      } else if (isLanguage(req.cookies[COOKIE])) {
        req.lang = req.cookies[COOKIE]
        req.langChosen = true
      } else {
        const accepted = fromAcceptLanguage(req.headers['accept-language'])
        req.lang = accepted ?? 'en'
        req.langChosen = accepted !== null
      }
      // The language switch is built only when a page is rendered: JSON, assets and redirects skip it.
      const locals = (reply.locals ??= {})
      locals.lang = req.lang
      locals.dir = directionOf(req.lang)
      Object.defineProperty(locals, 'languageLinks', { enumerable: true, configurable: true, get: () => languageLocals(req).languageLinks })
    })
  },
  { name: 'i18n', dependencies: ['@fastify/cookie'] },
)
