import { stringify } from 'csv-stringify/sync'

// CSV that people open in a spreadsheet: shared by the report exports and the digest attachments.
// Infrastructure: imports no feature.

/** UTC, to the second, in a form spreadsheets read as a date. */
export const csvTime = (d: Date | null | undefined) => (d ? d.toISOString().slice(0, 19).replace('T', ' ') : '')

/**
 * Rows as CSV text, UTF-8, quoted where needed (commas, quotes, line breaks), with every cell that a
 * spreadsheet would run as a formula made inert: csv-stringify's escape_formulas puts an apostrophe
 * before a text cell starting with = + - @ tab or CR (and their full-width forms), the OWASP advice on
 * CSV injection. Numbers stay numbers (-3 is not touched).
 * `header` writes the column names first (it needs `columns`); `bom` starts the text with a UTF-8 byte
 * order mark, which Excel needs to read UTF-8 (Cyrillic) rightly.
 */
export function csvText(rows: readonly (readonly unknown[])[], opts: { columns?: string[]; header?: boolean; bom?: boolean } = {}): string {
  return stringify(rows as unknown[][], { header: opts.header ?? false, columns: opts.columns, bom: opts.bom ?? false, escape_formulas: true })
}
