import fs from 'node:fs'
import path from 'node:path'
import Handlebars from 'handlebars'
import { templatesDir } from '../paths.js'

// Mail templates are ours, not organizers': a private Handlebars instance with a few helpers.
const hbs = Handlebars.create()

hbs.registerHelper('paragraphs', (text: unknown) => {
  const blocks = String(text ?? '')
    .split(/\r?\n\s*\r?\n/)
    .map((block) =>
      block
        .split(/\r?\n/)
        .map((line) => hbs.escapeExpression(line))
        .join('<br>'),
    )
    .filter((b) => b.length > 0)
  return new hbs.SafeString(blocks.map((b) => `<p>${b}</p>`).join('\n'))
})

const emailsDir = path.join(templatesDir, 'emails')
type Compiled = (data: unknown) => string
const cache = new Map<string, Compiled>()

function load(file: string, text: boolean): Compiled {
  const key = `${file}:${text}`
  let compiled = cache.get(key)
  if (!compiled) {
    const source = fs.readFileSync(path.join(emailsDir, file), 'utf8')
    // Plain-text parts must not be HTML-escaped; the HTML part is.
    compiled = hbs.compile(source, { noEscape: text, strict: false })
    cache.set(key, compiled)
  }
  return compiled
}

/** Renders a paired `<name>.text.hbs` / `<name>.html.hbs`, each inside its layout. */
export function renderEmail(name: string, data: Record<string, unknown>): { text: string; html: string } {
  const text = load(`${name}.text.hbs`, true)(data).trim() + '\n'
  const htmlBody = load(`${name}.html.hbs`, false)(data)
  const html = load('layout.html.hbs', false)({ ...data, body: new hbs.SafeString(htmlBody) })
  return { text, html }
}
