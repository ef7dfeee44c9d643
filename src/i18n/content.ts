import type { ContentTranslations } from '../db/schema/columns.js'

/**
 * Organizers' texts in the reader's language. A row's own columns hold the campaign's first language;
 * `translations` the others. A text missing in the wanted language falls back to the row's own, and
 * says so: `langs.title` is the language it is really in when that differs from the wanted one, so the
 * page can mark it (`<h1 lang="en">`) for screen readers and translation tools.
 */
export type Localized<F extends string> = Record<F, string> & { langs: Partial<Record<F, string>> }

export function localize<F extends string>(
  row: Record<F, string> & { translations: ContentTranslations<F> },
  fields: readonly F[],
  wanted: string,
  baseLanguage: string,
): Localized<F> {
  const translated = wanted === baseLanguage ? undefined : row.translations?.[wanted]
  const texts = {} as Record<F, string>
  const langs: Partial<Record<F, string>> = {}
  for (const field of fields) {
    const text = translated?.[field]
    const own: string = row[field]
    if (text !== undefined && text.trim() !== '') {
      texts[field] = text
    } else {
      texts[field] = own
      // An empty text is in no language: nothing to mark.
      if (wanted !== baseLanguage && own !== '') langs[field] = baseLanguage
    }
  }
  return Object.assign(texts, { langs })
}

/** The row with its texts in the wanted language (the rest of the row as it is), for views and mail. */
export function localizeRow<F extends string, R extends Record<F, string> & { translations: ContentTranslations<F> }>(
  row: R,
  fields: readonly F[],
  wanted: string,
  baseLanguage: string,
): R & Localized<F> {
  return { ...row, ...localize(row, fields, wanted, baseLanguage) }
}

/**
 * Which of a row's texts have no translation in each of the campaign's other languages (the base
 * columns are the first language). Empty base texts need no translation.
 */
export function missingTranslations<F extends string>(
  row: Record<F, string> & { translations: ContentTranslations<F> },
  fields: readonly F[],
  languages: readonly string[],
): Record<string, F[]> {
  const missing: Record<string, F[]> = {}
  for (const lang of languages.slice(1)) {
    const gaps = fields.filter((f) => row[f].trim() !== '' && !(row.translations?.[lang]?.[f] ?? '').trim())
    if (gaps.length) missing[lang] = gaps
  }
  return missing
}
