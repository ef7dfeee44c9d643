import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Readable } from 'node:stream'
import { countryName } from '../countries.js'
import { campaignTexts, targetTexts, type Campaign, type Target } from '../db/schema/index.js'
import { localize } from '../i18n/content.js'
import { dateLocale, isLanguage, translator, type Language } from '../i18n/index.js'
import { countsByCountry, type DeliveryLetter } from './digest-files.js'

// The delivery dossier: the letters to one official over a period as a printable PDF, for hand delivery
// (and as the PDF attachment of a digest). A cover page, then each letter from a new page, its body
// exactly as written (the row is a snapshot) flowing onto as many pages as it needs.
//
// The font is Noto Sans (Latin, Cyrillic with the Kazakh letters ә ғ қ ң ө ұ ү һ і, Greek), embedded and
// subset by pdfkit; the TTF files come from the npm package @expo-google-fonts/noto-sans, read from
// node_modules once per process (nothing is downloaded at run time). Characters outside the font
// (Chinese, Arabic, emoji) print as empty boxes.
//
// Our words (headings, labels, dates, numbers, country and language names) are in the official's
// language (`lang`, from src/i18n/locales/<lang>/dossier.json); the letters are their snapshots, as sent.
//
// Stream-friendly: the document is a Readable; letters are laid out in batches, handing the event loop
// back between batches and waiting while the reader has not taken what is already written, so a large
// dossier neither blocks the server nor piles up in memory. Pages are flushed as they fill (no page
// buffering), which is why a page number says "page N" and not "N of M".

export type { DeliveryLetter } from './digest-files.js'

export interface DossierInput {
  /** The language of our words in it (one of LANGUAGES; anything else is English). English by default. */
  lang?: string | null
  /** The campaign's title and the official's name and title already in `lang` (see dossierParties). */
  campaign: { title: string }
  official: { name: string; title?: string | null; organisation?: string | null; country?: string | null }
  /** The letters written from `from` up to `to` (an exclusive end: a period ending at midnight shows the day before). */
  period: { from: Date; to: Date }
  /** Oldest first, as they should be printed. */
  letters: readonly DeliveryLetter[]
  generatedAt: Date
  /** The time zone dates are shown in (IANA); UTC by default. */
  timeZone?: string
}

const require = createRequire(import.meta.url)
let fonts: { regular: Buffer; bold: Buffer } | null = null
function loadFonts() {
  fonts ??= {
    regular: readFileSync(require.resolve('@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf')),
    bold: readFileSync(require.resolve('@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf')),
  }
  return fonts
}

// A4 in points, with margins of about 2.3 cm; the header and footer sit inside the top and bottom margins.
const MARGIN = 64
const GREY = '#555555'
const INK = '#000000'
/** Letters laid out between two turns of the event loop. */
const BATCH = 25
/** The size of the chunks handed to the reader. */
const CHUNK = 64 * 1024
/** At most this much waits unread (plus one letter) before the layout waits for the reader. */
const UNREAD = 4 * CHUNK

type Style = 'body' | 'meta' | 'subject' | 'title' | 'heading' | 'big' | 'label'
const STYLES: Record<Style, { font: 'regular' | 'bold'; size: number; color: string }> = {
  body: { font: 'regular', size: 10.5, color: INK },
  meta: { font: 'regular', size: 9.5, color: GREY },
  label: { font: 'regular', size: 9, color: GREY },
  subject: { font: 'bold', size: 13, color: INK },
  heading: { font: 'bold', size: 12, color: INK },
  title: { font: 'bold', size: 20, color: INK },
  big: { font: 'bold', size: 28, color: INK },
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' })

/** The language a dossier is written in: one Outcry has no catalog for reads as English. */
const dossierLanguage = (lang: string | null | undefined): Language => (isLanguage(lang) ? lang : 'en')

/**
 * What a dossier for an official says about the campaign and them, in their language when Outcry
 * speaks it (else English): the campaign's title and their name and title from the content
 * translations, falling back to the campaign's first language.
 */
export function dossierParties(campaign: Campaign, target: Target): Pick<DossierInput, 'lang' | 'campaign' | 'official'> {
  const lang = dossierLanguage(target.language)
  const base = campaign.languages[0] ?? lang
  const official = localize(target, targetTexts, lang, base)
  return {
    lang,
    campaign: { title: localize(campaign, campaignTexts, lang, base).title },
    official: { name: official.name, title: official.title, organisation: target.organisation, country: target.country },
  }
}

/**
 * Text as the PDF can print it, the words unchanged: CR LF and lone CR become line breaks, a tab four
 * spaces, other control characters (which no font draws) are left out.
 */
export function printable(text: string): string {
  return text
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(/\t/g, '    ')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '')
}

function dateFormats(locale: string, timeZone: string) {
  const day = new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'long', year: 'numeric' })
  const time = new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
  const zone = timeZone === 'UTC' || timeZone === 'Etc/UTC' ? 'UTC' : timeZone
  return { day: (d: Date) => day.format(d), time: (d: Date) => `${time.format(d)} ${zone}` }
}

const shorten = (s: string, max: number) => ([...s].length > max ? `${[...s].slice(0, max - 1).join('')}…` : s)

/** A file name for the dossier: ASCII letters, digits and dashes, with the period's dates. */
export function dossierFileName(officialName: string, period: { from: Date; to: Date }): string {
  const slug = officialName.normalize('NFKD').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase().slice(0, 60)
  const day = (d: Date) => d.toISOString().slice(0, 10)
  return `dossier-${slug || 'official'}-${day(period.from)}-${day(new Date(period.to.getTime() - 1))}.pdf`
}

/**
 * The dossier as a stream of PDF bytes (pipe it to a reply or a file). Layout goes on in the
 * background; an error destroys the stream with it.
 */
export function dossierStream(input: DossierInput): Readable {
  const { regular, bold } = loadFonts()
  const timeZone = input.timeZone ?? 'UTC'
  const lang = dossierLanguage(input.lang)
  const t = translator(lang)
  const locale = dateLocale(lang)
  const dates = dateFormats(locale, timeZone)
  const numberFormat = new Intl.NumberFormat(locale)
  const n = (x: number) => numberFormat.format(x)
  const total = input.letters.length
  const from = dates.day(input.period.from)
  const to = dates.day(lastInstant(input.period.to))
  // pdfkit (10 MB of memory) loads with the first dossier, not with every server start.
  let doc!: PDFKit.PDFDocument
  const open = (PDFDocument: typeof import('pdfkit')) => {
    doc = new PDFDocument({
      size: 'A4',
      margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
      autoFirstPage: false,
      bufferPages: false,
      displayTitle: true,
      info: {
        Title: t('dossier.docTitle', { name: input.official.name, title: input.campaign.title }),
        Subject: t('dossier.docSubject', { count: total, from, to }),
        Creator: 'Outcry',
        Producer: 'Outcry (PDFKit)',
        CreationDate: input.generatedAt,
      },
    })
    doc.registerFont('regular', regular)
    doc.registerFont('bold', bold)
  }

  let style: Style = 'body'
  const use = (s: Style) => {
    style = s
    const { font, size, color } = STYLES[s]
    return doc.font(font).fontSize(size).fillColor(color)
  }

  // pdfkit breaks a word wider than the line itself, but in time that grows with the square of its
  // length (minutes for a 50,000-character run without a space). Such a run (a long link, say) is cut
  // here instead, in one pass: it starts a line and goes on in pieces that each fill one, so no piece
  // needs breaking again. The widths are those of the style in use: call after use().
  const fit = (text: string) => {
    const width = contentWidth() * 0.97
    return printable(text).replace(/\S{24,}/g, (run: string, at: number, all: string) => {
      const pieces: string[] = []
      let piece = ''
      let w = 0
      for (const { segment } of graphemes.segment(run)) {
        const sw = doc.widthOfString(segment)
        if (w + sw > width && piece) {
          pieces.push(piece)
          piece = ''
          w = 0
        }
        piece += segment
        w += sw
      }
      pieces.push(piece)
      if (pieces.length === 1) return run
      return (at > 0 && all[at - 1] !== '\n' ? '\n' : '') + pieces.join('\n')
    })
  }

  // What the running header says on a page the previous one spilled onto.
  let page = 0
  let current: { label: string } | null = null
  let fresh = false
  const contentWidth = () => doc.page.width - MARGIN * 2

  // Header and footer, written when a page opens (also when text flows onto a new page): the position,
  // font and colour are put back so that the text being laid out goes on as it was.
  const onPageAdded = () => {
    page++
    const x = doc.x
    const y = doc.y
    const was = style
    use('label')
    if (current && !fresh) doc.text(t('dossier.continued', { label: current.label }), MARGIN, MARGIN / 2, { lineBreak: false })
    const number = t('dossier.page', { page })
    const room = contentWidth() - doc.widthOfString(number) - 24
    let footer = ''
    for (let max = 60; max >= 8; max -= 8) {
      footer = `${shorten(printable(input.campaign.title), max)} · ${shorten(printable(input.official.name), max)}`.replace(/\n/g, ' ')
      if (doc.widthOfString(footer) <= room) break
    }
    doc.text(footer, MARGIN, doc.page.height - MARGIN / 2 - 6, { lineBreak: false })
    doc.text(number, doc.page.width - MARGIN - doc.widthOfString(number), doc.page.height - MARGIN / 2 - 6, { lineBreak: false })
    fresh = false
    use(was)
    doc.x = x
    doc.y = y
  }

  const newPage = (label: string) => {
    current = { label }
    fresh = true
    doc.addPage()
  }

  const cover = () => {
    const o = input.official
    newPage(t('dossier.cover'))
    use('label').text(t('dossier.kind'))
    doc.moveDown(0.4)
    use('title').text(fit(input.campaign.title))
    doc.moveDown(1.2)

    use('label').text(t('dossier.lettersTo'))
    use('heading').text(fit(o.name))
    use('body')
    for (const line of [o.title, o.organisation, o.country ? countryName(o.country, lang) : null]) if (line) doc.text(fit(line))
    doc.moveDown(1.2)

    use('big').text(t('dossier.count', { count: total }))
    use('body').text(t('dossier.period', { from, to }))
    const languages = countLanguages(input.letters, locale, n)
    if (languages) doc.text(t('dossier.languages', { list: languages }))
    doc.moveDown(1.2)

    const countries = countsByCountry(input.letters, lang)
    use('heading').text(t('dossier.byCountry', { count: countries.length }))
    doc.moveDown(0.3)
    const width = contentWidth()
    for (const c of countries) {
      use('body')
      const rowHeight = doc.currentLineHeight(true) + 2
      if (doc.y + rowHeight > doc.page.height - MARGIN) {
        doc.addPage()
        use('body')
      }
      const y = doc.y
      const count = n(c.count)
      doc.text(printable(c.name === c.country ? c.country : `${c.name} (${c.country})`), MARGIN, y, { lineBreak: false })
      doc.text(count, MARGIN + width - doc.widthOfString(count), y, { lineBreak: false })
      doc.x = MARGIN
      doc.y = y + rowHeight
    }
    doc.moveDown(1.2)
    use('meta').text(t('dossier.generated', { time: dates.time(input.generatedAt) }), MARGIN)
  }

  const letter = (l: DeliveryLetter, i: number) => {
    const label = t('dossier.letter', { n: i + 1, total })
    newPage(label)
    use('meta')
    const y = doc.y
    doc.text(label, MARGIN, y, { lineBreak: false })
    const when = dates.day(l.createdAt)
    doc.text(when, doc.page.width - MARGIN - doc.widthOfString(when), y, { lineBreak: false })
    doc.x = MARGIN
    doc.y = y + doc.currentLineHeight(true) * 1.8
    use('subject').text(fit(l.subject), { width: contentWidth() })
    doc.moveDown(0.8)
    use('body').text(fit(l.body), { width: contentWidth(), lineGap: 1.5 })
    doc.moveDown(1.2)
    use('heading').text(fit(l.supporterName?.trim() || t('dossier.anonymous')), { width: contentWidth() })
    use('body')
    if (l.organisation?.trim()) doc.text(fit(l.organisation), { width: contentWidth() })
    const place = [l.city?.trim(), countryName(l.country, lang)].filter(Boolean).join(', ')
    doc.text(fit(place), { width: contentWidth() })
    use('meta').text(t('dossier.writtenOn', { time: dates.time(l.createdAt) }), { width: contentWidth() })
  }

  // pdfkit pushes every line of PDF syntax as a chunk of its own and never waits for its reader. So its
  // output is gathered into chunks of CHUNK bytes on a stream of our own, and the letters are laid out
  // in turns: after each letter, while more than UNREAD bytes wait unread, the layout waits for the
  // reader to ask for more; otherwise every BATCH letters it hands the event loop back.
  let wake: (() => void) | null = null
  let closed = false
  const wakeUp = () => {
    const w = wake
    wake = null
    w?.()
  }
  const out = new Readable({
    highWaterMark: CHUNK,
    read: wakeUp,
    destroy(err, callback) {
      closed = true
      wakeUp()
      doc?.destroy()
      callback(err)
    },
  })
  let pending: Buffer[] = []
  let pendingBytes = 0
  const flush = () => {
    if (pendingBytes === 0) return
    out.push(pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes))
    pending = []
    pendingBytes = 0
  }
  const listen = () => {
    doc.on('pageAdded', onPageAdded)
    doc.on('data', (chunk: Buffer) => {
      pending.push(chunk)
      pendingBytes += chunk.length
      if (pendingBytes >= CHUNK) flush()
    })
    doc.on('end', () => {
      flush()
      out.push(null)
    })
    doc.on('error', (err: Error) => out.destroy(err))
  }

  const readerWants = () => new Promise<void>((resolve) => (wake = resolve))
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

  void (async () => {
    try {
      open((await import('pdfkit')).default)
      if (closed) return doc.destroy()
      listen()
      cover()
      for (let i = 0; i < total && !closed; i++) {
        letter(input.letters[i]!, i)
        if (out.readableLength >= UNREAD) await readerWants()
        else if (i % BATCH === BATCH - 1) await nextTurn()
      }
      if (!closed) doc.end()
    } catch (err) {
      out.destroy(err as Error)
    }
  })()
  return out
}

/** The whole dossier in memory (for a mail attachment or a test); prefer dossierStream for a download. */
export function buildDossier(input: DossierInput): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const stream = dossierStream(input)
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.on('end', () => resolve(Buffer.concat(chunks)))
    stream.on('error', reject)
  })
}

/** The last moment inside a period whose end is exclusive. */
const lastInstant = (to: Date) => new Date(to.getTime() - 1)

/** "Russian (600), Kazakh (300), English (100)", named in `locale`, by number of letters; empty for no letters. */
function countLanguages(letters: readonly DeliveryLetter[], locale: string, n: (x: number) => string): string {
  const counts = new Map<string, number>()
  for (const l of letters) counts.set(l.language, (counts.get(l.language) ?? 0) + 1)
  let names: Intl.DisplayNames | null = null
  try {
    names = new Intl.DisplayNames([locale], { type: 'language' })
  } catch {
    names = null
  }
  const name = (code: string) => {
    try {
      return names?.of(code) ?? code
    } catch {
      return code
    }
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code, count]) => `${name(code)} (${n(count)})`)
    .join(', ')
}
