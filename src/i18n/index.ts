import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import i18next, { type TFunction } from 'i18next'
import ICU from 'i18next-icu'
import { LANGUAGES, type Language } from './languages.js'

export * from './languages.js'

const localesDir = fileURLToPath(new URL('./locales/', import.meta.url))

/**
 * Every catalog, read once: per language a folder of JSON files (one per part of the product, so
 * they can be edited apart), merged into nested objects of ICU messages keyed by place and meaning.
 */
export function loadCatalogs(): Record<Language, Record<string, unknown>> {
  const load = (lang: Language) => {
    const dir = path.join(localesDir, lang)
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    return Object.assign({}, ...files.map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Record<string, unknown>)) as Record<string, unknown>
  }
  return Object.fromEntries(LANGUAGES.map((lang) => [lang, load(lang)])) as Record<Language, Record<string, unknown>>
}

const instance = i18next.createInstance()
// Synchronous with resources given inline: the catalogs are ready before the first request.
void instance.use(ICU).init({
  resources: Object.fromEntries(Object.entries(loadCatalogs()).map(([lang, catalog]) => [lang, { translation: catalog }])),
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: [...LANGUAGES],
  initImmediate: false,
  showSupportNotice: false,
  returnNull: false,
  interpolation: { escapeValue: false },
})

/** The translator for one language (ICU plurals and numbers by its rules; missing keys fall back to English). */
export const translator = (lang: Language): TFunction => instance.getFixedT(lang)
