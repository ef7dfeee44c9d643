import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Clock } from '../clock.js'

/*
 * Spreading a campaign: the share card (a 1200×630 PNG that link previews show) and the badge for
 * union websites. Both are drawn here from our own fonts — nothing is fetched at run time.
 */

export const CARD_WIDTH = 1200
export const CARD_HEIGHT = 630

const require = createRequire(import.meta.url)
// Noto Sans covers Latin, Cyrillic with the Kazakh letters (ә ғ қ ң ө ұ ү һ і) and Greek; read once per process.
let fonts: { regular: Buffer; bold: Buffer } | null = null
function cardFonts() {
  fonts ??= {
    regular: readFileSync(require.resolve('@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf')),
    bold: readFileSync(require.resolve('@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf')),
  }
  return fonts
}

/** What a card shows, already in its language. */
export interface CardContent {
  title: string
  /** '11 000 letters', by the language's rules. */
  count: string
  /** 'Goal: 20 000'. */
  goal: string
  /** Letters over the goal, 0…1 (more is drawn as full). */
  progress: number
  organisation: string
  lang: string
}

// The colours of the pages (Pico's azure on white), with the title's own so tests can find its glyphs.
const INK = '#1b2330'
export const TITLE_INK = '#10192b'
const MUTED = '#5d6b80'
const ACCENT = '#0172ad'
const TRACK = '#dfe5ec'

type Node = { type: string; props: { style?: Record<string, unknown>; children?: unknown; lang?: string } }
const el = (type: string, style: Record<string, unknown>, children?: unknown): Node => ({ type, props: { style, children } })

/** One line of text: control characters (which no font draws) become spaces, runs of spaces one; no-break spaces (11 000) stay. */
const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/[ \t]+/g, ' ').trim()

/** At most `max` characters, cut at a word where there is one, with an ellipsis. */
export function shorten(text: string, max: number): string {
  const chars = [...oneLine(text)]
  if (chars.length <= max) return chars.join('')
  const cut = chars.slice(0, max - 1).join('')
  const space = cut.lastIndexOf(' ')
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`
}

/**
 * The title's size by its length, so a short title is big and a long one still fits in four lines;
 * beyond that it is shortened, and the box clips whatever a font's oddity would push out.
 */
function titleStyle(title: string) {
  const n = [...title].length
  const size = n <= 32 ? 76 : n <= 64 ? 64 : n <= 110 ? 52 : n <= 170 ? 42 : 36
  return { size, lines: 4, text: shorten(title, 230) }
}

/** The card as an SVG (text drawn as paths, so the PNG needs no fonts). */
export async function cardSvg(card: CardContent): Promise<string> {
  const { regular, bold } = cardFonts()
  const title = titleStyle(card.title)
  const progress = Math.max(0, Math.min(1, Number.isFinite(card.progress) ? card.progress : 0))
  // A few letters of 11 000 still show as a sliver: progress is never drawn as nothing once there is some.
  const filled = progress > 0 ? Math.max(progress, 0.012) : 0
  const barWidth = CARD_WIDTH - 2 * 72
  const root = el(
    'div',
    { width: '100%', height: '100%', boxSizing: 'border-box', display: 'flex', flexDirection: 'column', justifyContent: 'space-between', padding: '56px 72px 60px', backgroundColor: '#ffffff', borderTop: `14px solid ${ACCENT}`, fontFamily: 'Noto Sans', color: INK },
    [
      el('div', { display: 'flex', fontSize: 30, color: MUTED, maxHeight: 44, overflow: 'hidden' }, shorten(card.organisation, 70)),
      el(
        'div',
        { display: 'block', fontSize: title.size, fontWeight: 700, lineHeight: 1.15, color: TITLE_INK, lineClamp: title.lines, overflow: 'hidden', maxHeight: Math.ceil(title.size * 1.15 * title.lines) + 4, wordBreak: 'break-word' },
        title.text,
      ),
      el('div', { display: 'flex', flexDirection: 'column' }, [
        el('div', { display: 'flex', width: barWidth, height: 30, borderRadius: 15, backgroundColor: TRACK, overflow: 'hidden' }, [
          el('div', { display: 'flex', width: Math.round(barWidth * filled), height: 30, borderRadius: 15, backgroundColor: ACCENT }),
        ]),
        el('div', { display: 'flex', alignItems: 'baseline', justifyContent: 'space-between', marginTop: 18 }, [
          el('div', { display: 'flex', fontSize: 44, fontWeight: 700, color: INK }, shorten(card.count, 40)),
          el('div', { display: 'flex', fontSize: 30, color: MUTED }, shorten(card.goal, 40)),
        ]),
      ]),
    ],
  )
  // Loaded on the first card, not at start: satori is the heaviest module the server has (~20 MB).
  const { default: satori } = await import('satori')
  return satori(root as unknown as Parameters<typeof satori>[0], {
    width: CARD_WIDTH,
    height: CARD_HEIGHT,
    fonts: [
      { name: 'Noto Sans', data: regular, weight: 400, style: 'normal' },
      { name: 'Noto Sans', data: bold, weight: 700, style: 'normal' },
    ],
  })
}

/** How many cards this process has drawn (tests: a surge draws one). */
export const drawStats = { cards: 0 }

/** The card as a PNG, 1200×630. */
export async function renderCard(card: CardContent): Promise<Buffer> {
  drawStats.cards++
  const svg = await cardSvg(card)
  const { Resvg } = await import('@resvg/resvg-js')
  return new Resvg(svg, { fitTo: { mode: 'original' }, font: { loadSystemFonts: false } }).render().asPng()
}

// ------------------------------------------------------------------ badge

const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)
// Drawn text must be characters XML allows (no C0 controls but tab/newline, no lone surrogates).
const xmlText = (s: string) => oneLine(s).replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\ufffe\uffff]/g, '')

/** A width in em of one character of Noto Sans/Verdana-like fonts: close enough to size the badge. */
function charWidth(c: string): number {
  if (/[iljI.,:;'|!·\s]/.test(c)) return 0.3
  if (/[frtі]/.test(c)) return 0.42
  if (/[mwMWЖШЩЮжшщюМм@%]/.test(c)) return 0.9
  if (/[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ0-9]/.test(c)) return 0.66
  return 0.56
}
const textWidth = (s: string, size: number) => Math.ceil([...s].reduce((w, c) => w + charWidth(c), 0) * size)

/**
 * The badge: '1 234 letters · Free the Zhanaozen oil workers' on two colours. The title stays text
 * (escaped: a title with <script> or & is shown, never run), each part is squeezed by textLength
 * into the width reckoned for it, so no font on the reader's side can make it spill.
 */
export function badgeSvg(badge: { count: string; title: string; lang: string; label: string }): string {
  const size = 13
  const count = xmlText(shorten(badge.count, 40))
  const title = xmlText(shorten(badge.title, 70))
  const pad = 10
  const left = textWidth(count, size) + 2 * pad
  const right = textWidth(title, size) + 2 * pad
  const width = left + right
  const height = 28
  const label = escapeXml(xmlText(badge.label))
  const lang = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(badge.lang) ? badge.lang : 'en'
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${label}" lang="${lang}">
<title>${label}</title>
<rect width="${width}" height="${height}" rx="4" fill="${INK}"/>
<rect width="${left}" height="${height}" rx="4" fill="${ACCENT}"/>
<rect x="${left - 4}" width="4" height="${height}" fill="${ACCENT}"/>
<g fill="#ffffff" font-family="'Noto Sans', 'DejaVu Sans', Verdana, Geneva, sans-serif" font-size="${size}">
<text x="${pad}" y="18.5" font-weight="bold" textLength="${left - 2 * pad}" lengthAdjust="spacingAndGlyphs">${escapeXml(count)}</text>
<text x="${left + pad}" y="18.5" textLength="${right - 2 * pad}" lengthAdjust="spacingAndGlyphs">${escapeXml(title)}</text>
</g>
</svg>
`
}

// ------------------------------------------------------------------ cache

export interface Drawn {
  body: Buffer
  etag: string
}

/**
 * What was drawn per campaign and language, kept a minute by the app's clock: a surge of requests
 * (a link shared in a big chat) draws it once; concurrent requests wait for the same drawing. After
 * the minute, what it shows is compared first and redrawn only if it changed.
 */
export class DrawnCache {
  private entries = new Map<string, { at: number; inputs: string; drawn: Promise<Drawn> }>()
  constructor(
    private clock: Clock,
    private ttlMs = 60_000,
    private max = 2000,
  ) {}

  get(key: string, inputs: () => string, draw: () => Promise<Buffer> | Buffer): Promise<Drawn> {
    const now = this.clock().getTime()
    const entry = this.entries.get(key)
    if (entry && now - entry.at < this.ttlMs && now >= entry.at) return entry.drawn
    const current = inputs()
    if (entry && entry.inputs === current) {
      entry.at = now
      return entry.drawn
    }
    const drawn = Promise.resolve()
      .then(draw)
      .then((body) => ({ body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }))
    // A failed drawing is not kept: the next request tries again.
    drawn.catch(() => this.entries.get(key)?.drawn === drawn && this.entries.delete(key))
    if (this.entries.size >= this.max) this.entries.clear()
    this.entries.set(key, { at: now, inputs: current, drawn })
    return drawn
  }
}
