import type { FastifyInstance } from 'fastify'
import type { TFunction } from 'i18next'
import { translator } from '../i18n/index.js'
import { getCaptured, listCaptured } from './outbox.js'

/** The headers the mailbox shows, by their names in the page's language. */
const HEADERS: [string, (t: TFunction) => string][] = [
  ['from', (t) => t('adminMail.mailbox.headers.from')],
  ['to', (t) => t('adminMail.mailbox.headers.to')],
  ['reply-to', (t) => t('adminMail.mailbox.headers.replyTo')],
  ['subject', (t) => t('adminMail.mailbox.headers.subject')],
  ['date', (t) => t('adminMail.mailbox.headers.date')],
  ['message-id', (t) => t('adminMail.mailbox.headers.messageId')],
  ['list-unsubscribe', (t) => t('adminMail.mailbox.headers.listUnsubscribe')],
]

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || address === '::1'
}

/**
 * The development mailbox: what officials and supporters would have received. Never in production,
 * and only to a browser on this machine: the socket's own address decides (X-Forwarded-For is anyone's
 * to write), and a request that came through a proxy (one that adds Forwarded or X-Forwarded-For) is
 * refused even from the loopback, since the proxy may be serving the world. Others get a plain 404.
 */
// The development mailbox only: loaded when a message is opened, not at every start.
const simpleParser = async (raw: string | Buffer) => (await import('mailparser')).simpleParser(raw)

export default async function mailboxRoutes(app: FastifyInstance) {
  app.addHook('onRequest', async (req, reply) => {
    const proxied = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined
    if (proxied || !isLoopback(req.socket.remoteAddress)) return reply.callNotFound()
  })

  app.get('/dev/mailbox', async (req, reply) => {
    const t = translator(req.lang)
    return reply.view('mail/mailbox', { title: t('adminMail.mailbox.title'), messages: listCaptured(app.db) })
  })

  app.get<{ Params: { id: string } }>('/dev/mailbox/:id', async (req, reply) => {
    const mail = getCaptured(app.db, Number(req.params.id) || 0)
    if (!mail) return reply.callNotFound()
    const parsed = await simpleParser(mail.raw)
    const t = translator(req.lang)
    // Decoded (a Russian subject arrives as =?UTF-8?B?…?=); headers mailparser does not decode, as they came.
    const decoded = (name: string) => {
      const value = parsed.headers.get(name)
      if (typeof value === 'string') return value
      if (value && typeof value === 'object' && 'text' in value && typeof value.text === 'string') return value.text
      return parsed.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, '')
    }
    const headers = HEADERS.map(([name, label]) => ({ name, label: label(t), value: decoded(name) }))
      .filter((h) => h.value)
    return reply.view('mail/mailbox-message', {
      title: mail.subject,
      mail,
      headers,
      text: parsed.text ?? '',
      hasHtml: Boolean(parsed.html),
      attachments: parsed.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size })),
    })
  })

  app.get<{ Params: { id: string } }>('/dev/mailbox/:id/html', async (req, reply) => {
    const mail = getCaptured(app.db, Number(req.params.id) || 0)
    if (!mail) return reply.callNotFound()
    const parsed = await simpleParser(mail.raw)
    // Shown in a sandboxed frame: the HTML part cannot run scripts or reach our origin.
    reply.header('content-security-policy', "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'")
    return reply.type('text/html; charset=utf-8').send(parsed.html || '')
  })

  app.get<{ Params: { id: string } }>('/dev/mailbox/:id/raw', async (req, reply) => {
    const mail = getCaptured(app.db, Number(req.params.id) || 0)
    if (!mail) return reply.callNotFound()
    return reply.type('text/plain; charset=utf-8').send(mail.raw)
  })
}
