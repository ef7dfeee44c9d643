import { test } from 'tap'
import { renderMarkdown, excerpt } from '../../src/updates/markdown.js'

test('Markdown becomes the HTML Markdown makes, nothing more', async (t) => {
  const html = renderMarkdown('# Big\n\n## News\n\n**bold** _it_ ~~gone~~\n\n> quote\n\n- a\n- b\n\n1. one\n\n`code`\n\n---')
  t.match(html, /<h2>Big<\/h2>/, 'an h1 becomes an h2: the page has its own h1')
  for (const tag of ['<h2>News</h2>', '<strong>bold</strong>', '<em>it</em>', '<s>gone</s>', '<blockquote>', '<ul>', '<ol>', '<li>a</li>', '<code>code</code>', '<hr']) t.ok(html.includes(tag), tag)
})

test('script tags and raw HTML are shown as text', async (t) => {
  const html = renderMarkdown('Hello <script>alert(1)</script>\n\n<div onclick="x()">div</div>\n\n<iframe src="https://evil.example"></iframe>')
  t.notMatch(html, /<script/i)
  t.notMatch(html, /<div|<iframe/i)
  t.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/)
  t.match(html, /&lt;iframe/)
})

test('attributes like onerror never get through', async (t) => {
  for (const text of ['<img src=x onerror=alert(1)>', '![x](https://e.org/a.png" onerror="alert(1))', '[a](https://e.org "title\\" onmouseover=\\"alert(1)")']) {
    const html = renderMarkdown(text)
    t.notMatch(html, /<img/i, text)
    t.notMatch(html, /<[^>]*\son[a-z]+=/i, text)
  }
})

test('javascript:, data: and other links lose their link, obfuscated ones too', async (t) => {
  for (const text of [
    '[x](javascript:alert(1))',
    '[x](JAVASCRIPT:alert(1))',
    '[x](jav&#x09;ascript:alert(1))',
    '[x](jav&#x0A;ascript:alert(1))',
    '[x](&#106;avascript:alert(1))',
    '[x](java%0ascript:alert(1))',
    '[x](data:text/html;base64,PHNjcmlwdD4=)',
    '[x](vbscript:msgbox(1))',
    '[x](//evil.example/)',
    '[x](/relative)',
    '<javascript:alert(1)>',
  ]) {
    const html = renderMarkdown(text)
    t.notMatch(html, /href/i, `${text} → ${html}`)
  }
})

test('web and mail links stay, marked nofollow noopener; linkify finds bare addresses', async (t) => {
  const html = renderMarkdown('[union](https://union.example/a?b=1) and [us](mailto:us@union.example) and http://plain.example')
  t.match(html, /<a href="https:\/\/union\.example\/a\?b=1" rel="nofollow noopener">union<\/a>/)
  t.match(html, /<a href="mailto:us@union\.example" rel="nofollow noopener">us<\/a>/)
  t.match(html, /<a href="http:\/\/plain\.example" rel="nofollow noopener">/)
})

test('an image becomes a link to it, named by its alt text (no remote images: trackers, and CSP img-src self)', async (t) => {
  t.equal(renderMarkdown('![Roza at the gate](https://news.example/roza.jpg)'), '<p><a href="https://news.example/roza.jpg" rel="nofollow noopener">Roza at the gate</a></p>')
  t.notMatch(renderMarkdown('![x](javascript:alert(1))'), /href/)
})

test('excerpt: text only, cut at a word', async (t) => {
  t.equal(excerpt('<p>Short <strong>one</strong> &amp; done</p>'), 'Short one & done')
  const long = excerpt(renderMarkdown('word '.repeat(200)), 50)
  t.ok(long.length <= 51 && long.endsWith('…'), long)
})
