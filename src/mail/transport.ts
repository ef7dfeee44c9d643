import nodemailer, { type SendMailOptions, type TransportOptions } from 'nodemailer'
import type { OutboxMessage } from '../db/schema/index.js'

/** What signs our mail: DKIM_DOMAIN, DKIM_SELECTOR and the key read from DKIM_PRIVATE_KEY. */
export interface DkimKey {
  domain: string
  selector: string
  /** PEM */
  privateKey: string
}

/** Which mail it is: the outbox row's kind (only the letter to an official is written by a person) and id. */
export interface SendContext {
  kind: string
  /** The outbox row: with BOUNCE_DOMAIN, the return path names it (VERP), so a later bounce finds its mail. */
  outboxId?: number
}

/** What the dispatcher needs from a mail server: send one message, or throw. */
export interface Mailer {
  /** Returns the raw RFC 822 text when the mailer keeps a copy (capture mode). */
  send(message: OutboxMessage, context?: SendContext): Promise<{ raw?: string }>
  close(): void
  readonly captures: boolean
}

export interface MailerOptions {
  /** Sign every message (DKIM_*). */
  dkim?: DkimKey
  /** BOUNCE_DOMAIN: the envelope sender of mail with an outbox id is bounces+<id>@bounceDomain. */
  bounceDomain?: string
}

/** The return path (VERP) of one outbox row's mail: a bounce sent to it names the row. */
export function returnPath(bounceDomain: string, outboxId: number): string {
  return `bounces+${outboxId}@${bounceDomain}`
}

/** The outbox row a return path names, or null for any other address (the domain must be ours). */
export function outboxIdOf(address: string, bounceDomain: string): number | null {
  const m = /^bounces\+([1-9]\d{0,15})@([^@\s]+)$/i.exec(address.trim().replace(/^<(.*)>$/, '$1'))
  if (!m || m[2]!.toLowerCase() !== bounceDomain.toLowerCase()) return null
  const id = Number(m[1])
  return Number.isSafeInteger(id) ? id : null
}

/** Mail written by a person: the letter, sent on the supporter's behalf. Everything else is automatic. */
const PERSONAL_KINDS = new Set(['letter'])

/**
 * The headers a DKIM signature covers: RFC 6376's list, the one-click unsubscribe pair (RFC 8058 only
 * honours List-Unsubscribe-Post when the signature covers it beside List-Unsubscribe) and Auto-Submitted.
 * A header absent from a message is left out of its signature.
 */
export const DKIM_SIGNED_HEADERS = [
  'From', 'Sender', 'Reply-To', 'Subject', 'Date', 'Message-ID', 'To', 'Cc', 'MIME-Version', 'Content-Type',
  'Content-Transfer-Encoding', 'Content-ID', 'Content-Description', 'In-Reply-To', 'References',
  'List-Id', 'List-Help', 'List-Unsubscribe', 'List-Unsubscribe-Post', 'List-Subscribe', 'List-Post', 'List-Owner', 'List-Archive',
  'Auto-Submitted',
]

function dkimOptions(key: DkimKey) {
  return { domainName: key.domain, keySelector: key.selector, privateKey: key.privateKey, headerFieldNames: DKIM_SIGNED_HEADERS.join(':') }
}

/**
 * Every mail says its language (RFC 3282). Builders set Content-Language; a message that does not has
 * the language its HTML part was rendered in (renderEmail's <html lang>), so no mail goes without one.
 */
function contentLanguage(message: OutboxMessage): Record<string, string> {
  if (message.headers && Object.keys(message.headers).some((k) => k.toLowerCase() === 'content-language')) return {}
  const lang = /<html lang="([a-z]{2,3}(?:-[a-z0-9]{2,8})*)"/i.exec(message.html ?? '')?.[1]
  return lang ? { 'Content-Language': lang } : {}
}

/**
 * The nodemailer message for an outbox message: automatic mail says so (RFC 3834), so nobody auto-replies
 * to it. With a bounce domain, the envelope sender names the outbox row (VERP); the From header stays ours.
 */
export function toNodemailer(message: OutboxMessage, context?: SendContext, opts: Pick<MailerOptions, 'bounceDomain'> = {}): SendMailOptions {
  const automatic = context !== undefined && !PERSONAL_KINDS.has(context.kind)
  const headers = { ...contentLanguage(message), ...(automatic ? { ...message.headers, 'Auto-Submitted': 'auto-generated' } : message.headers) }
  const verp = opts.bounceDomain && context?.outboxId !== undefined ? returnPath(opts.bounceDomain, context.outboxId) : undefined
  return {
    ...(verp ? { envelope: { from: verp, to: message.to.address } } : {}),
    from: message.from,
    to: message.to.name ? { name: message.to.name, address: message.to.address } : message.to.address,
    replyTo: message.replyTo ? (message.replyTo.name ? { name: message.replyTo.name, address: message.replyTo.address } : message.replyTo.address) : undefined,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: message.messageId,
    headers,
    attachments: message.attachments,
    // Never let a value from the database become extra headers.
    disableFileAccess: true,
    disableUrlAccess: true,
  }
}

/** Pooled SMTP to a real server. */
export function smtpMailer(url: string, opts: { maxConnections?: number } & MailerOptions = {}): Mailer {
  const transporter = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: opts.maxConnections ?? 5,
    maxMessages: 1000,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    ...(opts.dkim ? { dkim: dkimOptions(opts.dkim) } : {}),
  } as TransportOptions)
  return {
    captures: false,
    async send(message, context) {
      await transporter.sendMail(toNodemailer(message, context, opts))
      return {}
    },
    close: () => transporter.close(),
  }
}

/** No SMTP server configured: build the exact message and hand it back to be kept locally. */
export function captureMailer(opts: MailerOptions = {}): Mailer {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix', ...(opts.dkim ? { dkim: dkimOptions(opts.dkim) } : {}) })
  return {
    captures: true,
    async send(message, context) {
      const info = await transporter.sendMail(toNodemailer(message, context, opts))
      return { raw: (info.message as Buffer).toString('utf8') }
    },
    close: () => transporter.close(),
  }
}
