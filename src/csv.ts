import { stringify } from 'csv-stringify/sync'

// CSV that people open in a spreadsheet: shared by the report exports and the digest attachments.
// Infrastructure: imports no feature.

/** UTC, to the second, in a form spreadsheets read as a date. */
export const csvTime = (d: Date | null | undefined) => (d ? d.toISOString().slice(0, 19).replace('T', ' ') : '')

/**
 * The cell separators we write. A comma is RFC 4180's. A semicolon is for Excel where the locale's
 * list separator is `;` (German, French, Russian, Kazakh, Spanish… every locale whose decimal mark is
 * a comma): Excel there splits a double-clicked file on `;` only, and a comma file opens as one column.
 */
export const CSV_SEPARATORS = { comma: ',', semicolon: ';' } as const
export type CsvSeparator = keyof typeof CSV_SEPARATORS

/**
 * Rows as CSV text after RFC 4180: UTF-8, every line ended by CRLF (the header's and the last one's
 * too), a cell quoted where needed (the separator, a quote, or a line break, CR or LF alone included:
 * csv-stringify by itself quotes only the record delimiter, so a lone LF in a cell is matched here),
 * and every cell that a spreadsheet would run as a formula made inert: csv-stringify's escape_formulas
 * puts an apostrophe before a text cell starting with = + - @ tab or CR (and their full-width forms),
 * the OWASP advice on CSV injection. Numbers stay numbers (-3 is not touched).
 * `header` writes the column names first (it needs `columns`); `bom` starts the text with a UTF-8 byte
 * order mark, which Excel needs to read UTF-8 (Cyrillic) rightly; `separator` picks `,` (the default)
 * or `;` (see CSV_SEPARATORS).
 */
export function csvText(
  rows: readonly (readonly unknown[])[],
  opts: { columns?: string[]; header?: boolean; bom?: boolean; separator?: CsvSeparator } = {},
): string {
  return stringify(rows as unknown[][], {
    header: opts.header ?? false,
    columns: opts.columns,
    bom: opts.bom ?? false,
    delimiter: CSV_SEPARATORS[opts.separator ?? 'comma'],
    record_delimiter: '\r\n',
    quoted_match: /[\r\n]/,
    escape_formulas: true,
  })
}
