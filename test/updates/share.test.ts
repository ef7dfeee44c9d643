import t from 'tap'
import sharp from 'sharp'
import type { FastifyInstance } from 'fastify'
import { build, TestClock } from '../helper.js'
import { addUser, signIn } from '../admin/helper.js'
import { badgeSvg, cardSvg, drawStats, TITLE_INK, type CardContent } from '../../src/updates/share.js'
import { openGraph } from '../../src/views/open-graph.js'

/** Attribute values as a browser reads them (Handlebars writes = as &#x3D;). */
const decode = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&')
const sql = (app: FastifyInstance, text: string, ...params: unknown[]) => app.db.$client.prepare(text).run(...params)
const demo = (app: FastifyInstance) => app.campaigns.bySlug('zhanaozen')!

const card = (over: Partial<CardContent> = {}): CardContent => ({ title: 'Free the Zhanaozen oil workers', count: '11,000 letters', goal: 'Goal: 20,000', progress: 0.55, organisation: 'The Outcry campaign team', lang: 'en', ...over })

/** The title's glyphs: satori draws each text as one path in its colour. */
const titlePath = (svg: string) => new RegExp(`<path fill="${TITLE_INK}" d="([^"]*)"`).exec(svg)?.[1] ?? ''
/** Every coordinate pair of a path (satori writes absolute M/L/Q/C/Z commands). */
const points = (d: string) => {
  const n = (d.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number)
  const out: [number, number][] = []
  for (let i = 0; i + 1 < n.length; i += 2) out.push([n[i]!, n[i + 1]!])
  return out
}

t.test('card.png: a 1200×630 PNG, cached a minute with an ETag, per language, no cookie', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/campaigns/zhanaozen/card.png' })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'image/png')
  t.equal(res.headers['cache-control'], 'public, max-age=60')
  t.match(res.headers.etag, /^"[\w-]+"$/)
  t.equal(res.headers['cross-origin-resource-policy'], 'cross-origin', 'other sites may show it')
  const meta = await sharp(res.rawPayload).metadata()
  t.equal(meta.format, 'png')
  t.equal(meta.width, 1200)
  t.equal(meta.height, 630)

  const again = await app.inject({ method: 'GET', url: '/campaigns/zhanaozen/card.png', headers: { 'if-none-match': res.headers.etag as string } })
  t.equal(again.statusCode, 304, 'the ETag answers 304')
  t.equal(again.rawPayload.length, 0)

  const ru = await app.inject({ method: 'GET', url: '/campaigns/zhanaozen/card.png?lang=ru' })
  const kk = await app.inject({ method: 'GET', url: '/campaigns/zhanaozen/card.png?lang=kk' })
  t.equal(ru.statusCode, 200)
  t.equal(ru.headers['set-cookie'], undefined, '?lang= sets no cookie on a public image')
  t.notSame(ru.rawPayload, res.rawPayload, 'the Russian title differs from the English one')
  t.notSame(kk.rawPayload, ru.rawPayload, 'and the Kazakh from the Russian')
  t.equal((await sharp(kk.rawPayload).metadata()).width, 1200)
  // The visitor's cookie or Accept-Language do not change it: only ?lang= (or the campaign's first).
  const cookie = await app.inject({ method: 'GET', url: '/campaigns/zhanaozen/card.png', headers: { cookie: 'lang=ru', 'accept-language': 'kk' } })
  t.equal(cookie.headers.etag, res.headers.etag)
})

t.test('card.png: drafts and unknown campaigns are 404', async (t) => {
  const app = await build(t)
  sql(app, `update campaigns set status = 'draft'`)
  t.equal((await app.inject({ method: 'GET', url: '/campaigns/zhanaozen/card.png' })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/campaigns/zhanaozen/badge.svg' })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/campaigns/zhanaozen/widget' })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/campaigns/nope/card.png' })).statusCode, 404)
})

t.test('card.png: a surge draws it once; it is redrawn at most once a minute, and only if it changed', async (t) => {
  const clock = new TestClock()
  const app = await build(t, { clock: clock.now })
  const before = drawStats.cards
  const surge = await Promise.all(Array.from({ length: 40 }, () => app.inject({ method: 'GET', url: '/campaigns/zhanaozen/card.png' })))
  t.ok(surge.every((r) => r.statusCode === 200))
  t.equal(new Set(surge.map((r) => r.headers.etag)).size, 1)
  t.equal(drawStats.cards - before, 1, '40 requests at once, one drawing')
  const first = surge[0]!.headers.etag

  // The tally moves: the card keeps its figures for the rest of the minute.
  sql(app, `update campaigns set letters_count = 5000 where slug = 'zhanaozen'`)
  clock.advance(59_000)
  t.equal((await app.inject({ method: 'GET', url: '/campaigns/zhanaozen/card.png' })).headers.etag, first, 'not redrawn within the minute')
  t.equal(drawStats.cards - before, 1)
  clock.advance(1_000)
  const later = await app.inject({ method: 'GET', url: '/campaigns/zhanaozen/card.png' })
  t.not(later.headers.etag, first, 'after a minute, the new tally')
  t.equal(drawStats.cards - before, 2)
  // A minute without a change: nothing to redraw.
  clock.advance(61_000)
  t.equal((await app.inject({ method: 'GET', url: '/campaigns/zhanaozen/card.png' })).headers.etag, later.headers.etag)
  t.equal(drawStats.cards - before, 2, 'unchanged figures are not redrawn')
})

t.test('the card draws Kazakh and Cyrillic letters from its fonts, not the missing-glyph box', async (t) => {
  // A character the fonts lack is drawn as the same empty box (tofu), whichever it is: the control.
  const tofu = titlePath(await cardSvg(card({ title: '漢' })))
  t.ok(tofu.length > 0)
  t.equal(titlePath(await cardSvg(card({ title: '字' }))), tofu, 'the control: two missing characters draw the same box')
  // Each letter alone, at the same place: its own outline, never the box.
  for (const letter of [...'әғқңөұүһіӘҒҚҢӨҰҮҺІЖжЁё']) {
    const d = titlePath(await cardSvg(card({ title: letter })))
    t.ok(points(d).length >= 4 && d !== tofu, `${letter} has its own outline`)
  }
  // Two Kazakh titles differing in one letter give different outlines.
  const a = titlePath(await cardSvg(card({ title: 'Жаңаөзен мұнайшыларына бостандық' })))
  const b = titlePath(await cardSvg(card({ title: 'Жаңаөзен мұнайшыларына бостандық'.replace('ң', 'қ') })))
  t.ok(a.length > 1000)
  t.not(a, b)
  t.notMatch(a, tofu.slice(0, 40), 'no box in the title')
})

t.test('a long title shrinks, wraps and is cut with an ellipsis: nothing leaves the card or covers the bar', async (t) => {
  const bar = (svg: string) => Number(/<path x="72" y="(\d+)"[^>]*fill="#dfe5ec"/.exec(svg)?.[1])
  for (const title of ['Free the Zhanaozen oil workers '.repeat(14), 'Ж'.repeat(400), 'Свободу нефтяникам Жанаозена — '.repeat(8)]) {
    const svg = await cardSvg(card({ title }))
    const top = bar(svg)
    t.ok(top > 300, 'the bar is drawn')
    const pts = points(titlePath(svg))
    t.ok(pts.length > 100, 'the title is drawn')
    const xs = pts.map((p) => p[0])
    const ys = pts.map((p) => p[1])
    t.ok(Math.min(...xs) >= 72 && Math.max(...xs) <= 1128, `x within the margins (${Math.min(...xs)}…${Math.max(...xs)})`)
    t.ok(Math.min(...ys) >= 100 && Math.max(...ys) < top, `y above the bar (${Math.max(...ys)} < ${top})`)
    t.match(svg, /clip-path/, 'the title box clips')
  }
  // A short title is drawn bigger than a long one.
  const height = (title: string) => {
    const ys = points(titlePath(title)).map((p) => p[1])
    return Math.max(...ys) - Math.min(...ys)
  }
  const short = await cardSvg(card({ title: 'Free them' }))
  const long = await cardSvg(card({ title: 'Free them '.repeat(20) }))
  t.ok(height(short) > 0 && height(long) > height(short), 'a long title takes more lines')
  const glyph = (svg: string) => {
    const ys = points(titlePath(svg)).map((p) => p[1])
    return Math.max(...ys) - Math.min(...ys)
  }
  t.ok(glyph(await cardSvg(card({ title: 'H' }))) > glyph(await cardSvg(card({ title: 'H'.repeat(150) }))) / 4, 'sizes are sane')
})

t.test('badge.svg: the count and title as text, escaped, image/svg+xml, cached a minute', async (t) => {
  const app = await build(t)
  sql(app, `update campaigns set letters_count = 1234, title = ? where slug = 'zhanaozen'`, 'Free <script>alert(1)</script> & "them"')
  const res = await app.inject({ method: 'GET', url: '/campaigns/zhanaozen/badge.svg' })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'image/svg+xml; charset=utf-8')
  t.equal(res.headers['cache-control'], 'public, max-age=60')
  t.ok(res.headers.etag)
  t.equal(res.headers['cross-origin-resource-policy'], 'cross-origin')
  t.notMatch(res.body, /<script/i, 'no element from the title')
  t.match(res.body, '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;them&quot;')
  t.match(res.body, '1,234 letters')
  t.match(res.body, /<title>1,234 letters: Free &lt;script&gt;/)
  // Well-formed: an SVG renderer reads it.
  const meta = await sharp(res.rawPayload).metadata()
  t.equal(meta.format, 'svg')
  t.equal(meta.height, 28)

  const ru = await app.inject({ method: 'GET', url: '/campaigns/zhanaozen/badge.svg?lang=ru' })
  t.match(ru.body, '1\u00a0234 письма', 'by the Russian rules')
  t.match(ru.body, 'Свободу нефтяникам Жанаозена')
  t.match(ru.body, 'lang="ru"')
  const kk = await app.inject({ method: 'GET', url: '/campaigns/zhanaozen/badge.svg?lang=kk' })
  t.match(kk.body, '1\u00a0234 хат')
  t.match(kk.body, 'Жаңаөзен мұнайшыларына бостандық')

  // Whatever the text, the SVG stays well-formed.
  const odd = badgeSvg({ count: '1 letter', title: 'a\u0001b\ud800c]]><!--', lang: '"><x', label: '<&>' })
  t.equal((await sharp(Buffer.from(odd)).metadata()).format, 'svg')
  t.match(odd, 'lang="en"')
})

t.test('the widget is the one route other sites may frame', async (t) => {
  const app = await build(t)
  const widget = await app.inject({ method: 'GET', url: '/campaigns/zhanaozen/widget?lang=ru' })
  t.equal(widget.statusCode, 200)
  t.match(widget.headers['content-type'], 'text/html')
  t.match(widget.headers['content-security-policy'], /frame-ancestors \*/)
  t.notMatch(widget.headers['content-security-policy'], /frame-ancestors 'self'/)
  t.equal(widget.headers['x-frame-options'], undefined, 'no X-Frame-Options')
  t.match(widget.headers['content-security-policy'], /script-src 'self'/, 'the rest of the policy stays')
  t.match(widget.headers['content-security-policy'], /style-src 'self'/)
  t.equal(widget.headers['cache-control'], 'public, max-age=60')
  t.equal(widget.headers['set-cookie'], undefined)
  t.match(widget.body, '<html lang="ru"')
  t.match(widget.body, 'Свободу нефтяникам Жанаозена')
  t.match(widget.body, /<progress value="\d+" max="11000"/)
  t.match(decode(widget.body), /<a class="write" href="http:\/\/outcry\.test\/campaigns\/zhanaozen\?lang=ru" target="_blank" rel="noopener">Написать письмо/)
  t.match(widget.body, /\/assets\/widget\.[0-9a-f]{10}\.css/)
  t.notMatch(widget.body, /<header|<footer|<script|class="skip"/, 'no site header, footer or script')
  t.notMatch(widget.body, /style="/, 'no inline style')

  // Every other route keeps refusing framing.
  for (const url of ['/campaigns/zhanaozen', '/', '/campaigns/zhanaozen/thanks', '/campaigns/zhanaozen/card.png', '/campaigns/zhanaozen/badge.svg', '/admin/login', '/campaigns/nope/widget']) {
    const res = await app.inject({ method: 'GET', url })
    t.match(res.headers['content-security-policy'], /frame-ancestors 'self'/, `${url}: CSP`)
    t.equal(res.headers['x-frame-options'], 'SAMEORIGIN', `${url}: X-Frame-Options`)
  }
  // The campaign's first language when none is asked; the visitor's cookie does not change a shared widget.
  const plain = await app.inject({ method: 'GET', url: '/campaigns/zhanaozen/widget', headers: { cookie: 'lang=kk' } })
  t.match(plain.body, '<html lang="en"')
  t.match(plain.body, 'Free the Zhanaozen oil workers')
  t.match(decode(plain.body), /\?lang=en" target="_blank"/)
  // A closed campaign still shows its tally and leads to its page.
  sql(app, `update campaigns set status = 'closed'`)
  const closed = await app.inject({ method: 'GET', url: '/campaigns/zhanaozen/widget' })
  t.match(closed.body, 'See the campaign')
})

t.test('Open Graph and Twitter tags on the campaign and picket pages; share links on thanks and pickets', async (t) => {
  const app = await build(t)
  const page = await app.inject({ method: 'GET', url: '/campaigns/zhanaozen?lang=ru' })
  t.equal(page.statusCode, 200)
  const meta = (html: string, key: string) => {
    const v = new RegExp(`<meta (?:property|name)="${key.replace(/[:.]/g, '\\$&')}" content="([^"]*)">`).exec(html)?.[1]
    return v === undefined ? v : decode(v)
  }
  t.equal(meta(page.body, 'og:title'), 'Свободу нефтяникам Жанаозена')
  t.match(meta(page.body, 'og:description'), 'Нефтяников Казахстана')
  t.equal(meta(page.body, 'og:url'), 'http://outcry.test/campaigns/zhanaozen?lang=ru')
  t.equal(meta(page.body, 'og:image'), 'http://outcry.test/campaigns/zhanaozen/card.png?lang=ru')
  t.equal(meta(page.body, 'og:image:width'), '1200')
  t.equal(meta(page.body, 'og:image:height'), '630')
  t.equal(meta(page.body, 'og:type'), 'website')
  t.equal(meta(page.body, 'og:locale'), 'ru_RU')
  t.match(page.body, '<meta property="og:locale:alternate" content="en_GB">')
  t.equal(meta(page.body, 'twitter:card'), 'summary_large_image')
  t.equal(meta(page.body, 'twitter:image'), 'http://outcry.test/campaigns/zhanaozen/card.png?lang=ru')
  const en = await app.inject({ method: 'GET', url: '/campaigns/zhanaozen' })
  t.equal(meta(en.body, 'og:url'), 'http://outcry.test/campaigns/zhanaozen', 'the first language needs no ?lang=')
  t.equal(meta(en.body, 'og:locale'), 'en_GB')
  // The image the tag names is there.
  t.equal((await app.inject({ method: 'GET', url: meta(page.body, 'og:image')!.replace('http://outcry.test', '') })).statusCode, 200)

  const picket = app.pickets.upcoming(demo(app).id)[0]!
  const pp = await app.inject({ method: 'GET', url: `/pickets/${picket.id}?lang=ru` })
  t.equal(pp.statusCode, 200)
  t.match(meta(pp.body, 'og:title'), 'Пикет у посольства Казахстана')
  t.equal(meta(pp.body, 'og:type'), 'article')
  t.equal(meta(pp.body, 'og:locale'), 'ru_RU')
  t.equal(meta(pp.body, 'og:url'), `http://outcry.test/pickets/${picket.id}?lang=ru`)
  t.equal(meta(pp.body, 'og:image'), 'http://outcry.test/campaigns/zhanaozen/card.png?lang=ru')
  t.match(meta(pp.body, 'og:description'), 'Свободу нефтяникам Жанаозена')
  t.match(pp.body, `https://t.me/share/url?url=${encodeURIComponent(`http://outcry.test/pickets/${picket.id}`)}`)
  t.match(pp.body, 'По электронной почте')
  t.match(pp.body, encodeURIComponent('Приходите на пикет:'))

  // Pages without a card have no tags.
  const home = await app.inject({ method: 'GET', url: '/' })
  t.notMatch(home.body, 'og:image')

  const thanks = await app.inject({ method: 'GET', url: '/campaigns/zhanaozen/thanks' })
  t.match(thanks.body, '<ul class="share" aria-label="Share">')
  t.match(thanks.body, 'By email')
  t.match(thanks.body, `https://wa.me/?text=`)
  t.match(thanks.body, `https://bsky.app/intent/compose?text=`)
  t.match(thanks.body, `https://www.facebook.com/sharer/sharer.php?u=${encodeURIComponent('http://outcry.test/campaigns/zhanaozen')}`)
  t.match(thanks.body, `mailto:?subject=${encodeURIComponent('Free the Zhanaozen oil workers')}&amp;body=`)
  t.notMatch(thanks.body, /<script[^>]+src="https?:/, 'no third-party script')
})

t.test('openGraph: every address absolute, texts one line and bounded', async (t) => {
  const og = openGraph({ baseUrl: 'https://outcry.example/', path: '/campaigns/a b', lang: 'de', baseLanguage: 'en', title: 'A\n\ntitle', description: 'x '.repeat(400), campaignSlug: 'a b', type: 'article' })
  t.equal(og.url, 'https://outcry.example/campaigns/a b?lang=de')
  t.equal(og.image, 'https://outcry.example/campaigns/a%20b/card.png?lang=de')
  t.equal(og.title, 'A title')
  t.ok([...og.description].length <= 300)
  t.match(og.description, /…$/)
  t.equal(og.locale, 'de_DE')
  t.equal(og.type, 'article')
})

t.test('back office: Share and embed shows the snippets in the page language', async (t) => {
  const app = await build(t)
  const campaign = demo(app)
  await addUser(app, 'org@example.org', 'organizer', [campaign.id])
  const org = await signIn(app, 'org@example.org')
  const res = await org.get(`/admin/campaigns/${campaign.id}/share?lang=ru`)
  t.equal(res.statusCode, 200)
  // What the textareas hold, as a browser shows (and copies) it.
  const text = decode(res.body).replace(/&lt;/g, '<').replace(/&gt;/g, '>')
  t.match(res.body, 'Поделиться и встроить')
  t.match(res.body, 'HTML-код виджета')
  t.match(text, '<iframe src="http://outcry.test/campaigns/zhanaozen/widget?lang=ru" title="Свободу нефтяникам Жанаозена" width="100%" height="260" style="border:0;max-width:40rem" loading="lazy"></iframe>')
  t.match(text, '<a href="http://outcry.test/campaigns/zhanaozen?lang=ru"><img src="http://outcry.test/campaigns/zhanaozen/badge.svg?lang=ru" alt="')
  t.match(text, /badge\.svg\?lang=ru" alt="\d+ (письмо|письма|писем): Свободу нефтяникам Жанаозена" height="28"><\/a>/)
  t.match(text, 'value="http://outcry.test/campaigns/zhanaozen/card.png?lang=ru"')
  t.match(text, '<iframe src="/campaigns/zhanaozen/widget?lang=ru"', 'a preview of the widget')
  // Another of the campaign's languages on request; one it does not speak falls back to the page's (when the campaign speaks it).
  const kk = await org.get(`/admin/campaigns/${campaign.id}/share?snippets=kk`)
  t.match(kk.body, 'Поделиться и встроить', 'the page stays in its language (remembered)')
  t.match(decode(kk.body), 'widget?lang=kk')
  t.match(kk.body, 'Жаңаөзен мұнайшыларына бостандық')
  t.match(decode((await org.get(`/admin/campaigns/${campaign.id}/share?snippets=de`)).body), 'widget?lang=ru')
  // Someone else's campaign is not found; signed out goes to the sign-in page.
  await addUser(app, 'other@example.org', 'organizer', [])
  t.equal((await (await signIn(app, 'other@example.org')).get(`/admin/campaigns/${campaign.id}/share`)).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: `/admin/campaigns/${campaign.id}/share` })).statusCode, 303)
})
