// Issue 14: the widget embedded by a union website on another origin, the badge shown there, and
// every other page refusing to be framed; the widget itself passes axe and fits a narrow frame.
import http from 'node:http'
import path from 'node:path'
import t from 'tap'
import { build } from '../helper.js'
import { hasChromium, launchChromium, listen, screenshots } from './chromium.js'
import { axeFindings } from './axe.js'

t.test('a union website frames the widget and shows the badge; the campaign page refuses the frame', { skip: !hasChromium() && 'no chromium' }, async (t) => {
  const app = await build(t)
  app.db.$client.prepare(`update campaigns set letters_count = 1234`).run()
  const base = await listen(app)
  // The union's site: another origin (another port), a page with the snippets in it.
  const union = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8')
    res.end(`<!doctype html><html lang="en"><head><title>Union</title></head><body>
      <h1>Our union</h1>
      <iframe id="widget" src="${base}/campaigns/zhanaozen/widget?lang=kk" title="Campaign" width="320" height="260" style="border:0"></iframe>
      <a href="${base}/campaigns/zhanaozen"><img id="badge" src="${base}/campaigns/zhanaozen/badge.svg?lang=ru" alt="badge" height="28"></a>
      <iframe id="page" src="${base}/campaigns/zhanaozen" title="Page" width="320" height="200"></iframe>
    </body></html>`)
  })
  await new Promise<void>((resolve) => union.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => union.close(() => resolve())))
  const address = union.address()
  const unionUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`
  t.not(new URL(unionUrl).origin, new URL(base).origin, 'two origins')

  const { context, openPage } = await launchChromium(t)
  const { page, problems } = await openPage()
  await page.goto(unionUrl)
  const widget = page.frames().find((f) => f.url().includes('/widget'))!
  t.ok(widget, 'the widget frame is there')
  await widget.waitForSelector('h1')
  t.equal(await widget.locator('h1').textContent(), 'Жаңаөзен мұнайшыларына бостандық', 'the widget shows in the frame, in Kazakh')
  t.match(await widget.locator('.figures').textContent(), /1\s234 хат/)
  await page.waitForFunction(() => {
    const img = document.getElementById('badge') as HTMLImageElement | null
    return img?.complete
  })
  t.ok(await page.evaluate(() => (document.getElementById('badge') as HTMLImageElement).naturalWidth > 100), 'the badge shows on the other origin')
  // The campaign page is refused: its frame holds no document of ours.
  const refused = await page.evaluate(async () => {
    const frame = document.getElementById('page') as HTMLIFrameElement
    await new Promise((r) => setTimeout(r, 300))
    try {
      return frame.contentDocument?.querySelector('h1')?.textContent ?? null
    } catch {
      return 'cross-origin'
    }
  })
  t.not(refused, 'Free the Zhanaozen oil workers')
  const pageFrame = page.frames().find((f) => f.url().endsWith('/campaigns/zhanaozen'))
  t.equal(pageFrame ? await pageFrame.locator('h1').count().catch(() => 0) : 0, 0, 'the campaign page did not render in the frame')
  t.ok(problems.some((p) => /frame-ancestors|Refused to (display|frame)/i.test(p)), 'the browser says why it refused')
  t.notOk(problems.some((p) => /widget|badge/.test(p)), `nothing about the widget or badge failed (${problems.join('; ')})`)
  await page.screenshot({ path: path.join(screenshots, 'widget-on-union-site.png') })

  // "Write a letter" opens the campaign page (at BASE_URL, http://outcry.test in tests) in a new tab.
  await context.route('http://outcry.test/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Campaign</title>' }))
  const [popup] = await Promise.all([context.waitForEvent('page'), widget.locator('a.write').click()])
  await popup.waitForLoadState()
  t.equal(popup.url(), 'http://outcry.test/campaigns/zhanaozen?lang=kk')
  t.equal(await popup.evaluate(() => window.opener), null, 'rel=noopener')
  await popup.close()
  await page.close()

  // The widget alone: axe, and it fits a 280 px frame.
  const alone = await openPage()
  await alone.page.setViewportSize({ width: 280, height: 400 })
  for (const lang of ['en', 'ru', 'kk']) {
    await alone.page.goto(`${base}/campaigns/zhanaozen/widget?lang=${lang}`)
    t.same(await axeFindings(alone.page), [], `widget (${lang}): no serious or critical axe findings`)
    t.ok((await alone.page.evaluate(() => document.documentElement.scrollWidth)) <= 280, `widget (${lang}) fits 280 px`)
  }
  await alone.page.screenshot({ path: path.join(screenshots, 'widget-kk-280.png') })
  t.same(alone.problems, [], 'no console errors, CSP reports or failed requests')
})
