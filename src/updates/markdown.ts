import { createRequire } from 'node:module'
import type MarkdownIt from 'markdown-it'
import type sanitizeHtml from 'sanitize-html'

// Loaded with the first update rendered, not at start (markdown-it, sanitize-html and its postcss and
// htmlparser2: tens of ms of start-up and some MB the server needs only once a campaign has news).
const require = createRequire(import.meta.url)

/**
 * Organizers write updates in Markdown. markdown-it renders it with raw HTML off (a `<script>` typed in
 * the text shows as text) and sanitize-html keeps only what Markdown itself produces. The HTML goes on
 * public pages, into the Atom feed and into mail, so links must be absolute and harmless:
 *
 * - links: http, https and mailto only (no javascript:, data:, relative or protocol-relative links),
 *   with rel="nofollow noopener";
 * - no images: an image would be fetched from someone else's server by every reader of the page and the
 *   mail (a tracker), and the pages' CSP (img-src 'self') would block it anyway. `![alt](https://…)`
 *   becomes a link to the image, named by its alt text;
 * - headings start at h2 (the page's own title is the h1); no tables, no classes, styles or handlers;
 * - the typographer is off: its quotes are English ones, and updates are written in six languages.
 */
let renderer: { md: InstanceType<typeof MarkdownIt>; sanitize: typeof sanitizeHtml } | undefined
function libraries() {
  if (renderer) return renderer
  const MarkdownItClass = require('markdown-it') as typeof MarkdownIt
  const md = new MarkdownItClass({ html: false, linkify: true, typographer: false, breaks: false })
  md.disable(['table'])
  // An image becomes a plain link to it (sanitised below like any link).
  md.renderer.rules.image = (tokens, idx, _options, env, self) => {
    const token = tokens[idx]!
    const src = token.attrGet('src') ?? ''
    const alt = String(self.renderInlineAsText(token.children ?? [], md.options, env) || src)
    return `<a href="${md.utils.escapeHtml(String(src))}">${md.utils.escapeHtml(alt)}</a>`
  }
  return (renderer = { md, sanitize: require('sanitize-html') as typeof sanitizeHtml })
}

const SAFE_HREF = /^(?:https?:\/\/|mailto:)/i

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'em', 'strong', 's', 'a', 'ul', 'ol', 'li', 'blockquote', 'h2', 'h3', 'h4', 'code', 'pre', 'hr'],
  allowedAttributes: { a: ['href', 'rel'], ol: ['start'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    h1: 'h2',
    h5: 'h4',
    h6: 'h4',
    a: (tagName, attribs): sanitizeHtml.Tag => {
      const href = (attribs.href ?? '').trim()
      // A link that is not absolute http(s) or mailto loses its tag and keeps its text.
      if (!SAFE_HREF.test(href)) return { tagName: 'span', attribs: {} as sanitizeHtml.Attributes }
      return { tagName, attribs: { href, rel: 'nofollow noopener' } }
    },
  },
}

/** An update's Markdown as safe HTML. */
export function renderMarkdown(text: string): string {
  const { md, sanitize } = libraries()
  return sanitize(md.render(text), OPTIONS).trim()
}

/** The text of some HTML, whitespace folded, cut at a word near `max` characters with an ellipsis. */
export function excerpt(html: string, max = 280): string {
  const text = libraries().sanitize(html.replace(/<\/(p|li|h[2-4]|blockquote|pre)>/g, ' '), { allowedTags: [], allowedAttributes: {} })
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
  if (text.length <= max) return text
  const cut = text.slice(0, max)
  const space = cut.lastIndexOf(' ')
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,.;:!?-]+$/, '')}…`
}

/** Rendering is cheap but pages render the same few updates again and again: keep the last ones. */
export class MarkdownCache {
  private entries = new Map<string, string>()
  constructor(private max = 500) {}
  render(key: string, text: string): string {
    let html = this.entries.get(key)
    if (html === undefined) {
      html = renderMarkdown(text)
      if (this.entries.size >= this.max) this.entries.clear()
      this.entries.set(key, html)
    }
    return html
  }
}
