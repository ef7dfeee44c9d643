import { countryName } from '../countries.js'
import { csvText, csvTime } from '../csv.js'

// The parts of a digest mail to an official that come from the period's letters: the CSV attachment,
// the counts by country and a selection of supporters' personal notes. Pure functions over letter
// rows (the PDF attachment is the delivery dossier, dossier.ts).

/** A letter as the digest and the dossier read it: the row's snapshot, nothing rendered again. */
export interface DeliveryLetter {
  subject: string
  /** The letter as sent, a snapshot: shown exactly as written. */
  body: string
  supporterName: string | null
  city: string | null
  /** ISO 3166 alpha-2, as stored. */
  country: string
  organisation: string | null
  createdAt: Date
  language: string
  /** The supporter's own words added to the appeal (letters.note); also inside the body already. */
  note?: string | null
}

/**
 * The CSV's header: fixed English keys in every language, so that a tool (or a formula) reading the
 * columns by name reads every official's file alike. What a person reads in the cells follows the
 * official's language: the country's name; the letters are their snapshots, as sent.
 */
export const DIGEST_CSV_COLUMNS = ['date', 'supporter name', 'city', 'country', 'country name', 'organisation', 'subject', 'body'] as const

/**
 * The period's letters as CSV, oldest first (as given), UTC dates to the second, one row per letter with
 * the body whole (line breaks kept inside a quoted cell), CRLF after every line (RFC 4180, src/csv.ts). Every cell a spreadsheet would run as a formula
 * is made inert (src/csv.ts). With a UTF-8 byte order mark by default: it goes to officials who open it
 * in Excel, which reads Cyrillic wrongly without one. `language`: that of the country names (English
 * by default); the date stays ISO-like (YYYY-MM-DD HH:MM:SS, UTC) so that it sorts and parses anywhere.
 */
export function digestCsv(letters: Iterable<DeliveryLetter>, opts: { bom?: boolean; language?: string } = {}): string {
  const language = opts.language ?? 'en'
  const rows: unknown[][] = []
  for (const l of letters) {
    rows.push([csvTime(l.createdAt), l.supporterName ?? '', l.city ?? '', l.country, countryName(l.country, language), l.organisation ?? '', l.subject, l.body])
  }
  return csvText(rows, { header: true, columns: [...DIGEST_CSV_COLUMNS], bom: opts.bom ?? true })
}

export interface CountryCount {
  country: string
  /** The country's name in the language asked for (English by default). */
  name: string
  count: number
}

/** Letters by the supporter's country, most letters first, then by name; the counts sum to the letters given. */
export function countsByCountry(letters: Iterable<DeliveryLetter>, language = 'en'): CountryCount[] {
  const counts = new Map<string, number>()
  for (const l of letters) counts.set(l.country, (counts.get(l.country) ?? 0) + 1)
  return [...counts]
    .map(([country, count]) => ({ country, name: countryName(country, language), count }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name, language) || (a.country < b.country ? -1 : 1))
}

export interface DigestNote {
  /** The note, whitespace runs closed up, cut at a word to `maxChars` when longer (then ending in …). */
  text: string
  truncated: boolean
  supporterName: string | null
  city: string | null
  country: string
  countryName: string
  language: string
  createdAt: Date
}

/**
 * "A selection of supporters' personal notes" for the body of a digest mail.
 *
 * The choice: spread over countries first, then the fullest notes. The countries take turns, the one
 * with the most letters first; each turn gives that country its longest note not yet taken. So ten notes
 * from a period with letters from eight countries show eight countries' voices, not the ten longest
 * notes of the one country that wrote most: an official should see that the protest is international,
 * which is the campaign's point, and within a country the longest note is most likely a real message
 * rather than "Free them!". Empty notes and repeats (the same words once whitespace and case are set
 * aside: a note copied from a union's circular) are left out. Each note is cut at a word to `maxChars`
 * so that one long note cannot fill the mail: every letter travels whole in the attachments anyway.
 * Ties go to the earlier letter, so the same letters always give the same selection. The notes come out
 * in the order they were picked (countries by size, round by round).
 */
export function digestNotes(letters: Iterable<DeliveryLetter>, opts: { max?: number; maxChars?: number; language?: string } = {}): DigestNote[] {
  const max = opts.max ?? 10
  const maxChars = opts.maxChars ?? 600
  const language = opts.language ?? 'en'
  if (max <= 0) return []

  type Candidate = { letter: DeliveryLetter; text: string; order: number }
  const byCountry = new Map<string, Candidate[]>()
  const letterCounts = new Map<string, number>()
  const seen = new Set<string>()
  let order = 0
  for (const letter of letters) {
    order++
    letterCounts.set(letter.country, (letterCounts.get(letter.country) ?? 0) + 1)
    const text = (letter.note ?? '').replace(/\s+/g, ' ').trim()
    if (!text) continue
    const key = text.toLowerCase()
    if (seen.has(key)) continue
    seen.add(key)
    const list = byCountry.get(letter.country) ?? []
    list.push({ letter, text, order })
    byCountry.set(letter.country, list)
  }

  const byDate = (a: Candidate, b: Candidate) => a.letter.createdAt.getTime() - b.letter.createdAt.getTime() || a.order - b.order
  const queues = [...byCountry]
    .map(([country, list]) => ({ country, letters: letterCounts.get(country)!, notes: list.sort((a, b) => [...b.text].length - [...a.text].length || byDate(a, b)) }))
    .sort((a, b) => b.letters - a.letters || a.country.localeCompare(b.country))

  const picked: DigestNote[] = []
  for (let round = 0; picked.length < max; round++) {
    let any = false
    for (const q of queues) {
      const c = q.notes[round]
      if (!c) continue
      any = true
      const { text, truncated } = cut(c.text, maxChars)
      picked.push({ text, truncated, supporterName: c.letter.supporterName, city: c.letter.city, country: c.letter.country, countryName: countryName(c.letter.country, language), language: c.letter.language, createdAt: c.letter.createdAt })
      if (picked.length === max) break
    }
    if (!any) break
  }
  return picked
}

/** At most `maxChars` characters (code points), cut after the last whole word that fits, then "…". */
function cut(text: string, maxChars: number): { text: string; truncated: boolean } {
  const chars = [...text]
  if (chars.length <= maxChars) return { text, truncated: false }
  const n = Math.max(1, maxChars - 1)
  const head = chars.slice(0, n).join('')
  // A word cut in two is dropped, unless the head ends where a word does.
  const atWord = /\s/.test(chars[n] ?? ' ') ? head : head.replace(/\s+\S*$/, '')
  return { text: `${(atWord.length >= head.length / 2 ? atWord : head).trimEnd()}…`, truncated: true }
}
