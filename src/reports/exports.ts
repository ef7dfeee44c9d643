import { Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { countryName } from '../countries.js'
import { CSV_SEPARATORS, csvText, csvTime, type CsvSeparator } from '../csv.js'
import { sendError } from '../errors.js'
import { actorOf, campaignScope, picketScope } from '../admin/access.js'
import { audit } from '../admin/audit.js'
import {
  EXPORT_BATCH,
  countryRows,
  dayRows,
  letterStats,
  offlineByCountry,
  offlineByDay,
  freshCampaign,
  letterCount,
  letterExportPages,
  rsvpCount,
  rsvpExportPage,
  targetsTally,
  type LetterCursor,
} from './queries.js'
import type { Db } from '../db/client.js'
import { idParam, responses, judgedByHandler } from '../openapi.js'
import { localized, translateMessage, type FieldIssue } from '../validation.js'

// CSV exports shared by the back office (/admin/…) and the API (/api/admin/…): the same URLs below both prefixes.
// Rows are read in keyset pages of EXPORT_BATCH and streamed page by page through csv-stringify, so memory stays flat whatever the size.

export const TALLY_GROUPINGS = ['official', 'country', 'day'] as const
export type TallyGrouping = (typeof TALLY_GROUPINGS)[number]

// `language` (the letter's) came last, after the others: tools that read the columns by position keep theirs.
export const LETTER_COLUMNS = ['date', 'status', 'official', 'supporter name', 'country', 'city', 'organisation', 'email', 'language']
export const RSVP_COLUMNS = ['name', 'email', 'status', 'created', 'checked in']
export const TALLY_COLUMNS: Record<TallyGrouping, string[]> = {
  official: ['official', 'online', 'offline', 'total'],
  country: ['country', 'country name', 'online', 'offline', 'total'],
  day: ['date', 'online', 'offline', 'total'],
}
/** The official column of the row that carries paper letters: they are not addressed per official in the tally. */
export const OFFLINE_ROW_LABEL = 'Posted on paper (all officials)'

/**
 * Rows per string handed to the socket: a long tally is cut like a page of letters, so no string
 * grows large (one over ~128 KB would go straight to V8's old generation).
 */
const CHUNK_ROWS = EXPORT_BATCH

/** How a CSV is written: a BOM or not, and the cell separator. */
export interface CsvFormat {
  bom: boolean
  separator: CsvSeparator
}

/**
 * A CSV stream of pages of rows, UTF-8 (with a BOM for Excel when asked), CRLF line ends (RFC 4180).
 * Each page goes through csv-stringify as one chunk: the stream pulls the next page only when the
 * client has taken the previous one, so one page is in memory whatever the size of the export.
 * (csv-stringify's own Transform pushes every record as a separate chunk, which is slower at a
 * million rows: see the two floors in bench/export.ts.)
 * csvText (src/csv.ts) puts an apostrophe before cells starting with = + - @ tab or CR (spreadsheet formula injection).
 */
export function csvStream(columns: string[], pages: Iterator<unknown[][]>, opts: { bom: boolean; separator?: CsvSeparator }): Readable {
  let first = true
  return new Readable({
    highWaterMark: 64 * 1024,
    read() {
      try {
        // Until something is pushed: a read() that pushes nothing would stall the stream.
        for (;;) {
          const next = pages.next()
          if (next.done) return void this.push(null)
          const rows = next.value
          if (rows.length === 0 && !first) continue
          // The first chunk carries the header (and the BOM), even when there are no rows.
          for (let i = 0; i < rows.length || first; i += CHUNK_ROWS) {
            this.push(csvText(rows.slice(i, i + CHUNK_ROWS), { header: first, columns, bom: first && opts.bom, separator: opts.separator }))
            first = false
          }
          return
        }
      } catch (err) {
        this.destroy(err as Error)
      }
    },
    destroy(err, callback) {
      // A client that goes away stops the reading.
      pages.return?.()
      callback(err)
    },
  })
}

/**
 * Keyset pages of a campaign's letters as CSV rows; always at least one page, maybe empty.
 * Each row carries its cursor after the CSV cells; csv-stringify writes only the first LETTER_COLUMNS.length.
 */
export function* letterPages(db: Db, campaignId: number, batch = EXPORT_BATCH): Generator<unknown[][]> {
  const pageAfter = letterExportPages(db)
  let cursor: LetterCursor | null = null
  for (;;) {
    const page = pageAfter(campaignId, cursor, batch)
    yield page
    if (page.length < batch) return
    const last = page[page.length - 1]!
    cursor = { createdAt: last[9], id: last[10] }
  }
}

export function* rsvpPages(db: Db, picketId: number, batch = EXPORT_BATCH): Generator<unknown[][]> {
  let after = 0
  for (;;) {
    const page = rsvpExportPage(db, picketId, after, batch)
    yield page.map((r) => [r.name ?? '', r.email ?? '', r.status, csvTime(r.createdAt), csvTime(r.checkedInAt)])
    if (page.length < batch) return
    after = page[page.length - 1]!.id
  }
}

/** The tally grouped one way, online and offline apart, with a total per row (the totals column sums to the campaign's total). */
export async function tallyRows(db: Db, campaignId: number, by: TallyGrouping): Promise<unknown[][]> {
  if (by === 'official') {
    const campaign = freshCampaign(db, campaignId)!
    const rows: unknown[][] = targetsTally(db, campaignId).map((t) => [t.name, t.letters, '', t.letters])
    if (campaign.offlineCount > 0) rows.push([OFFLINE_ROW_LABEL, '', campaign.offlineCount, campaign.offlineCount])
    return rows
  }
  const stats = await letterStats(db, campaignId)
  if (by === 'country') return countryRows(stats, offlineByCountry(db, campaignId)).map((c) => [c.country, countryName(c.country), c.online, c.offline, c.online + c.offline])
  return dayRows(stats, offlineByDay(db, campaignId)).map((d) => [d.date, d.online, d.offline, d.online + d.offline])
}

const today = (now: Date) => now.toISOString().slice(0, 10)
export const exportFileName = (slug: string, what: string, now: Date) => `${slug}-${what}-${today(now)}.csv`.replace(/[^A-Za-z0-9._-]/g, '-')

const via = (req: FastifyRequest) => (req.url.startsWith('/api/') ? 'api' : 'admin')

/** The values `bom` takes: yes or no, as a link or a script would write them. */
export const BOM_VALUES = ['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'] as const
const BOM_YES: readonly string[] = ['1', 'true', 'yes', 'on']

/**
 * The file's form from the query: `bom=1` for Excel, and `sep=semicolon` for Excel in the locales whose
 * list separator is `;` (de, fr, es, ru, kk…). The report screen offers the latter as BOM + `;`.
 *
 * Why not a `sep=;` first line, the other trick that makes Excel split on `;`: Excel reads such a line
 * only when it is the very first bytes of the file, so with it the BOM cannot come first, and without the
 * BOM Excel reads the UTF-8 as the locale's ANSI code page (Cyrillic comes out as mojibake). Nor would
 * any other tool (LibreOffice, pandas, csv-parse) take that line for anything but a first record. A BOM
 * and `;` as the separator opens rightly in Excel in those locales, and stays a plain CSV for the rest.
 * An unknown `sep` (or `bom`, or `by`) is refused (422), not guessed: a wrong separator makes a file that
 * opens as one column.
 */
const formatShape = {
  bom: z
    .enum(BOM_VALUES, { error: localized((t) => t('adminReports.errors.bom')) })
    .optional()
    .describe('`bom=1` (or true, yes, on) starts the file with a UTF-8 byte order mark, for Excel; 0 (false, no, off) or absent: none. Any other value answers 422.'),
  sep: z
    .enum(Object.keys(CSV_SEPARATORS) as [CsvSeparator, ...CsvSeparator[]], { error: localized((t) => t('adminReports.errors.separator')) })
    .default('comma')
    .describe(
      'The cell separator: comma (RFC 4180), or semicolon for Excel in locales whose list separator is `;` (German, French, Spanish, Russian, Kazakh…). For such an Excel ask for both: `bom=1&sep=semicolon`. Any other value answers 422.',
    ),
}
/** The query of the letters' and the RSVPs' exports. */
export const csvQuery = z.object(formatShape)
/** The query of the tally's export. */
export const tallyQuery = z.object({
  by: z
    .enum(TALLY_GROUPINGS, { error: localized((t) => t('adminReports.errors.tallyBy')) })
    .default('official')
    .describe('How the rows are grouped: official (with a row for letters posted on paper), country or day. Any other value answers 422.'),
  ...formatShape,
})

/** The export's query, read with its schema (the screens' and the API's alike), or a 422 naming each wrong parameter. */
function readQuery<T extends z.ZodType>(req: FastifyRequest, reply: FastifyReply, schema: T): { query: z.output<T> } | { refused: Promise<unknown> } {
  // The API's routes validate the query with this schema too; their answer is this one, in the request's words.
  judgedByHandler(req, 'querystring')
  const parsed = schema.safeParse(req.query ?? {})
  if (parsed.success) return { query: parsed.data }
  const issues: FieldIssue[] = parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message }))
  return { refused: sendError(req, reply, 422, translateMessage(issues[0]!.message, req.lang ?? 'en'), { issues }) }
}

const formatOf = (q: z.output<typeof csvQuery>): CsvFormat => ({ bom: BOM_YES.includes(q.bom ?? '0'), separator: q.sep })

function sendCsv(req: FastifyRequest, reply: FastifyReply, filename: string, stream: Readable) {
  stream.on('error', (err) => req.log.warn({ err }, 'export stopped'))
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('cache-control', 'no-store')
    .send(stream)
}

export async function sendLettersCsv(req: FastifyRequest, reply: FastifyReply) {
  const app = req.server
  const campaign = req.campaign!
  const read = readQuery(req, reply, csvQuery)
  if ('refused' in read) return read.refused
  const format = formatOf(read.query)
  const now = app.clock()
  const rows = letterCount(app.db, campaign.id)
  audit(app.db, actorOf(req), 'export.letters', { campaignId: campaign.id, subject: `campaign:${campaign.id}`, detail: { rows, ...format, via: via(req) } }, now)
  return sendCsv(req, reply, exportFileName(campaign.slug, 'letters', now), csvStream(LETTER_COLUMNS, letterPages(app.db, campaign.id), format))
}

export async function sendTallyCsv(req: FastifyRequest, reply: FastifyReply) {
  const app = req.server
  const campaign = req.campaign!
  const read = readQuery(req, reply, tallyQuery)
  if ('refused' in read) return read.refused
  const { by } = read.query
  const format = formatOf(read.query)
  const now = app.clock()
  const rows = await tallyRows(app.db, campaign.id, by)
  audit(app.db, actorOf(req), 'export.tally', { campaignId: campaign.id, subject: `campaign:${campaign.id}`, detail: { by, rows: rows.length, ...format, via: via(req) } }, now)
  return sendCsv(req, reply, exportFileName(campaign.slug, `tally-by-${by}`, now), csvStream(TALLY_COLUMNS[by], [rows].values(), format))
}

export async function sendRsvpsCsv(req: FastifyRequest, reply: FastifyReply) {
  const app = req.server
  const picket = req.picket!
  const campaign = req.campaign!
  const read = readQuery(req, reply, csvQuery)
  if ('refused' in read) return read.refused
  const format = formatOf(read.query)
  const now = app.clock()
  const rows = rsvpCount(app.db, picket.id)
  audit(app.db, actorOf(req), 'export.rsvps', { campaignId: campaign.id, subject: `picket:${picket.id}`, detail: { rows, ...format, via: via(req) } }, now)
  const place = picket.city.normalize('NFKD').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase()
  return sendCsv(req, reply, exportFileName(campaign.slug, `picket-${picket.id}${place ? `-${place}` : ''}-rsvps`, now), csvStream(RSVP_COLUMNS, rsvpPages(app.db, picket.id), format))
}

const FILE_FORM =
  'UTF-8, CRLF line ends and quoting as RFC 4180; a cell that a spreadsheet would run as a formula (starting with = + - @, a tab or CR) starts with an apostrophe. For Excel: `bom=1` puts a UTF-8 byte order mark first (so Excel reads UTF-8), and `sep=semicolon` separates the cells with `;` instead of `,` (Excel in German, French, Spanish, Russian, Kazakh and other locales splits on `;`).'

/** A CSV file's 200, as the document states it (a file, not JSON). */
const csvFile = (description: string) => ({ description, content: { 'text/csv': { schema: { type: 'string', description: 'The CSV file (Content-Disposition: attachment, with its name)' } } } })

const campaignParams = z.object({ id: idParam })
const picketParams = z.object({ id: idParam.describe('The picket’s id') })

/**
 * The three export routes, relative to the prefix they are registered under (/admin or /api/admin).
 * `docs`: the API's routes state their parameters and answers (validated with the same schemas the
 * handlers read the query with; the handlers answer a wrong one).
 */
export async function exportRoutes(app: FastifyInstance, opts: { docs?: boolean }) {
  const schema = (summary: string, description: string, params: z.ZodType, querystring: z.ZodType) =>
    opts.docs
      ? {
          attachValidation: true,
          schema: { tags: ['exports'], summary, description, params, querystring, response: { 200: csvFile(summary), ...responses({}, [401, 404, 422]) } },
        }
      : {}

  await app.register(async (scoped) => {
    scoped.addHook('preValidation', campaignScope)
    scoped.get(
      '/campaigns/:id/exports/letters.csv',
      schema(
        "The campaign's letters as CSV",
        `Streamed CSV, oldest first, columns: ${LETTER_COLUMNS.join(', ')}. The email is filled only for supporters who consented to be contacted. Letters awaiting confirmation are included with their status; language is the letter's (an ISO 639-1 code). Times are UTC. Each export is recorded in the audit log. ${FILE_FORM}`,
        campaignParams,
        csvQuery,
      ),
      sendLettersCsv,
    )
    scoped.get(
      '/campaigns/:id/exports/tally.csv',
      schema(
        'The tally as CSV',
        `Grouped by official, country or day, with online and offline letters apart and a total per row. An unknown \`by\` answers 422. Each export is recorded in the audit log. ${FILE_FORM}`,
        campaignParams,
        tallyQuery,
      ),
      sendTallyCsv,
    )
  })
  await app.register(async (scoped) => {
    scoped.addHook('preValidation', picketScope)
    scoped.get(
      '/pickets/:id/exports/rsvps.csv',
      schema(
        "A picket's RSVPs as CSV",
        `Columns: ${RSVP_COLUMNS.join(', ')}. The email is filled only for people who consented to be contacted. RSVPs not confirmed from the mailbox yet have the status pending_confirmation (they take no place). Each export is recorded in the audit log. Times are UTC. ${FILE_FORM}`,
        picketParams,
        csvQuery,
      ),
      sendRsvpsCsv,
    )
  })
}
