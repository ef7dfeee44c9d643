// Letters per day as a server-rendered SVG bar chart: no script, no stylesheet of its own, no inline style
// attributes (the CSP forbids them) — colours are SVG presentation attributes, with classes for app.css to refine.

export interface ChartDay {
  date: string
  online: number
  offline: number
}

const W = 720
const H = 260
const M = { top: 16, right: 12, bottom: 34, left: 48 }
export const ONLINE_FILL = '#1a73e8'
export const OFFLINE_FILL = '#e8a21a'

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const formats = new Map<string, Intl.NumberFormat>()
const numberFormat = (lang: string) => {
  let f = formats.get(lang)
  if (!f) formats.set(lang, (f = new Intl.NumberFormat(lang)))
  return f
}
const round = (n: number) => Math.round(n * 10) / 10

/** A "nice" upper bound for the axis (1, 2, 2.5 or 5 × a power of ten) and its step for 4–5 gridlines. */
export function niceScale(max: number): { top: number; step: number } {
  if (max <= 0) return { top: 4, step: 1 }
  const rough = max / 4
  const pow = 10 ** Math.floor(Math.log10(rough))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * pow).find((s) => s >= rough)!
  const intStep = Math.max(1, Math.ceil(step))
  return { top: Math.ceil(max / intStep) * intStep, step: intStep }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
/** "16 Dec" (English as before); other languages as Intl writes a short day and month ("16 дек."). */
function dayLabel(date: string, lang: string): string {
  if (lang === 'en') return `${Number(date.slice(8, 10))} ${MONTHS[Number(date.slice(5, 7)) - 1]}`
  return new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`))
}

/** The chart's words in the page's language; English by default. */
export interface ChartLabels {
  online: string
  offline: string
  /** One bar's tooltip: "2026-12-16: 3 letters (2 online, 1 on paper)". */
  tip(day: ChartDay & { total: number }): string
}

const englishLabels = (fmt: Intl.NumberFormat): ChartLabels => ({
  online: 'Online',
  offline: 'On paper (offline)',
  tip: (d) => `${d.date}: ${fmt.format(d.total)} letter${d.total === 1 ? '' : 's'} (${fmt.format(d.online)} online, ${fmt.format(d.offline)} on paper)`,
})

/** Stacked bars (online below, offline above), one per day, with a <title> per bar for a tooltip without script. */
export function lettersPerDaySvg(days: ChartDay[], opts: { title: string; id?: string; lang?: string; labels?: ChartLabels }): string {
  const id = opts.id ?? 'letters-per-day'
  const lang = opts.lang ?? 'en'
  const fmt = numberFormat(lang)
  const labels = opts.labels ?? englishLabels(fmt)
  const plotW = W - M.left - M.right
  const plotH = H - M.top - M.bottom
  const max = Math.max(0, ...days.map((d) => d.online + d.offline))
  const { top, step } = niceScale(max)
  const y = (v: number) => M.top + plotH - (v / top) * plotH
  const slot = days.length > 0 ? plotW / days.length : plotW
  const barW = Math.max(1, slot * 0.75)
  const parts: string[] = []

  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="${esc(id)}" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-labelledby="${esc(id)}-title" font-family="system-ui, sans-serif" font-size="11">`)
  parts.push(`<title id="${esc(id)}-title">${esc(opts.title)}</title>`)
  // Gridlines and their values.
  parts.push('<g class="chart-grid" stroke="#c8ccd4" stroke-width="1">')
  for (let v = 0; v <= top; v += step) parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${round(y(v))}" y2="${round(y(v))}"${v === 0 ? '' : ' stroke-dasharray="2 3"'}/>`)
  parts.push('</g>')
  parts.push('<g class="chart-axis" fill="#6b7280" text-anchor="end">')
  for (let v = 0; v <= top; v += step) parts.push(`<text x="${M.left - 6}" y="${round(y(v) + 4)}">${fmt.format(v)}</text>`)
  parts.push('</g>')
  // Bars.
  parts.push('<g class="chart-bars">')
  days.forEach((d, i) => {
    const x = round(M.left + i * slot + (slot - barW) / 2)
    const total = d.online + d.offline
    const tip = labels.tip({ ...d, total })
    parts.push(`<g class="chart-day"><title>${esc(tip)}</title>`)
    if (d.online > 0) parts.push(`<rect class="chart-online" fill="${ONLINE_FILL}" x="${x}" y="${round(y(d.online))}" width="${round(barW)}" height="${round(y(0) - y(d.online))}"/>`)
    if (d.offline > 0) parts.push(`<rect class="chart-offline" fill="${OFFLINE_FILL}" x="${x}" y="${round(y(total))}" width="${round(barW)}" height="${round(y(d.online) - y(total))}"/>`)
    // An invisible full-height target so the tooltip also works on empty days.
    parts.push(`<rect x="${round(M.left + i * slot)}" y="${M.top}" width="${round(slot)}" height="${plotH}" fill="transparent"/></g>`)
  })
  parts.push('</g>')
  // Date labels: the first day, then every seventh day, and the last.
  parts.push('<g class="chart-axis" fill="#6b7280" text-anchor="middle">')
  days.forEach((d, i) => {
    if (i % 7 === 0 || i === days.length - 1) {
      if (i === days.length - 1 && i % 7 !== 0 && i % 7 < 4) return
      parts.push(`<text x="${round(M.left + i * slot + slot / 2)}" y="${H - M.bottom + 16}">${esc(dayLabel(d.date, lang))}</text>`)
    }
  })
  parts.push('</g>')
  // Legend.
  parts.push(`<g class="chart-legend" fill="#374151"><rect x="${M.left}" y="${H - 12}" width="10" height="10" fill="${ONLINE_FILL}"/><text x="${M.left + 14}" y="${H - 3}">${esc(labels.online)}</text>`)
  parts.push(`<rect x="${M.left + 70}" y="${H - 12}" width="10" height="10" fill="${OFFLINE_FILL}"/><text x="${M.left + 84}" y="${H - 3}">${esc(labels.offline)}</text></g>`)
  parts.push('</svg>')
  return parts.join('')
}
