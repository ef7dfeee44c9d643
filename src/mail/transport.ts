import nodemailer, { type SendMailOptions, type TransportOptions } from 'nodemailer'
import type { OutboxMessage } from '../db/schema/index.js'

/** What the dispatcher needs from a mail server: send one message, or throw. */
export interface Mailer {
  /** Returns the raw RFC 822 text when the mailer keeps a copy (capture mode). */
  send(message: OutboxMessage): Promise<{ raw?: string }>
  close(): void
  readonly captures: boolean
}

function toNodemailer(message: OutboxMessage): SendMailOptions {
  return {
    from: message.from,
    to: message.to.name ? { name: message.to.name, address: message.to.address } : message.to.address,
    replyTo: message.replyTo ? (message.replyTo.name ? { name: message.replyTo.name, address: message.replyTo.address } : message.replyTo.address) : undefined,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: message.messageId,
    headers: message.headers,
    attachments: message.attachments,
    // Never let a value from the database become extra headers.
    disableFileAccess: true,
    disableUrlAccess: true,
  }
}

/** Pooled SMTP to a real server. */
export function smtpMailer(url: string, opts: { maxConnections?: number } = {}): Mailer {
  const transporter = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: opts.maxConnections ?? 5,
    maxMessages: 1000,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  } as TransportOptions)
  return {
    captures: false,
    async send(message) {
      await transporter.sendMail(toNodemailer(message))
      return {}
    },
    close: () => transporter.close(),
  }
}

/** No SMTP server configured: build the exact message and hand it back to be kept locally. */
export function captureMailer(): Mailer {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
  return {
    captures: true,
    async send(message) {
      const info = await transporter.sendMail(toNodemailer(message))
      return { raw: (info.message as Buffer).toString('utf8') }
    },
    close: () => transporter.close(),
  }
}
