/** The languages Outcry speaks: each has a complete catalog in ./locales (test/i18n checks it). */
export const LANGUAGES = ['en', 'ru', 'kk', 'de', 'fr', 'es'] as const
export type Language = (typeof LANGUAGES)[number]

/** Each language by its own name, for the language switch. */
export const LANGUAGE_NAMES: Record<Language, string> = {
  en: 'English',
  ru: 'Русский',
  kk: 'Қазақша',
  de: 'Deutsch',
  fr: 'Français',
  es: 'Español',
}

// Right-to-left scripts get dir="rtl" once a catalog for one is added (ar, fa, he, ur).
const RTL = new Set(['ar', 'fa', 'he', 'ur'])
export const directionOf = (lang: string) => (RTL.has(lang) ? 'rtl' : 'ltr')

export const isLanguage = (value: unknown): value is Language => typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value)

/**
 * The best of our languages for an Accept-Language header (RFC 9110 q-values; "ru-RU" matches "ru"),
 * or null when none is acceptable.
 */
export function fromAcceptLanguage(header: string | undefined): Language | null {
  if (!header) return null
  const wanted = header
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';')
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean)
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), i }
    })
    .filter((w) => w.tag && w.q > 0 && !Number.isNaN(w.q))
    .sort((a, b) => b.q - a.q || a.i - b.i)
  for (const w of wanted) {
    const base = w.tag.split('-')[0]
    if (isLanguage(base)) return base
  }
  return null
}

/** The Intl locale a language's dates are written in: British order for English ("16 December"), else the language's own. */
export const dateLocale = (lang: string) => (lang === 'en' ? 'en-GB' : lang)

const languageNames = new Map<string, Intl.DisplayNames>()

/**
 * A language's name in the page's language ("Русский", "Kazakh"), capitalised as a label or heading (Russian
 * and Kazakh write them in lower case); the code itself when Intl knows no name for it.
 */
export function languageName(code: string, lang: string = 'en'): string {
  try {
    let names = languageNames.get(lang)
    if (!names) languageNames.set(lang, (names = new Intl.DisplayNames([lang, 'en'], { type: 'language' })))
    const name = names.of(code)
    return name && name !== code ? name.charAt(0).toLocaleUpperCase(lang) + name.slice(1) : code
  } catch {
    return code
  }
}
