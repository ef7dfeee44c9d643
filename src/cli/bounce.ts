// npm run bounce < message
// Reads ONE message on stdin, as an MTA's pipe hands over mail sent to bounces+<outbox id>@BOUNCE_DOMAIN
// (the return path of every mail, see src/mail/transport.ts), and reads it as an RFC 3464 delivery status
// notification. A permanent failure (Action: failed, or Status 5.x.x) of sent mail is recorded as the
// dispatcher records a refusal at RCPT: an official's address goes bouncing and the letters wait; a
// supporter's refused address gets no more campaign mail. A delay (4.x.x) changes nothing.
//
// Exit codes, as sysexits.h and MTAs read them: 0 handled or ignored (one line on stdout says which);
// 2 unreadable input (a plain message on stderr, never a stack trace); 75 (EX_TEMPFAIL) the message cannot
// be handled now (configuration or database): the MTA keeps it and tries again later.
import { simpleParser, type ParsedMail } from 'mailparser'
import { ConfigError, loadConfig, type Config } from '../config.js'
import { outboxIdOf } from '../mail/transport.js'
import { outboxRow } from '../mail/outbox.js'
import { normalizeEmail } from '../validation.js'

const USAGE = 'Usage: npm run bounce < message (one delivery status notification, as an MTA pipe delivers it)'
/** A report with the whole returned message (a digest and its PDF) can be large; what matters comes first. */
const MAX_BYTES = 25 * 1024 * 1024
const EX_TEMPFAIL = 75
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/

class Unreadable extends Error {}

/** One recipient's part of a report (RFC 3464 §2.3). */
interface RecipientReport {
  finalRecipient?: string
  originalRecipient?: string
  action?: string
  status?: string
  diagnosticCode?: string
  remoteMta?: string
}

interface DeliveryReport {
  /** Fields about the whole message (Reporting-MTA, Postfix's X-Postfix-Sender …), lower-case names. */
  message: Map<string, string>
  recipients: RecipientReport[]
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  // Read to the end, so the MTA is never cut off mid-write, but keep only the beginning.
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    if (size < MAX_BYTES) chunks.push(chunk)
    size += chunk.length
  }
  return Buffer.concat(chunks).subarray(0, MAX_BYTES)
}

/** The fields of one group of a delivery-status part, parsed as the header block it is (folding, encoded words). */
async function fields(group: string): Promise<Map<string, string>> {
  const parsed = await simpleParser(`${group}\n\n`, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true })
  const out = new Map<string, string>()
  for (const [name, value] of parsed.headers) if (typeof value === 'string') out.set(name, value.trim())
  return out
}

/** `rfc822; someone@example.org` → `someone@example.org` (the address type is RFC 3464's). */
function addressOf(value: string | undefined): string | undefined {
  if (!value) return undefined
  const address = (value.includes(';') ? value.slice(value.indexOf(';') + 1) : value).trim().replace(/^<(.*)>$/, '$1').trim()
  return address || undefined
}

/**
 * The message/delivery-status part of a multipart/report (or its RFC 6533 global form), read with
 * mailparser: it decodes the MIME structure and transfer encodings and keeps that part apart. Null when
 * the message holds none (an auto-reply, say).
 */
async function deliveryReport(mail: ParsedMail): Promise<DeliveryReport | null> {
  const part = mail.attachments.find((a) => /^message\/(global-)?delivery-status$/i.test(a.contentType))
  if (!part) return null
  const groups = part.content
    .toString('utf8')
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((g) => g.replace(/^\n+/, ''))
    .filter((g) => g.trim())
  if (groups.length === 0) return null
  const [perMessage, ...perRecipient] = await Promise.all(groups.map(fields))
  return {
    message: perMessage!,
    recipients: perRecipient.map((f) => ({
      finalRecipient: addressOf(f.get('final-recipient')),
      originalRecipient: addressOf(f.get('original-recipient')),
      action: f.get('action')?.toLowerCase(),
      status: /[245]\.\d{1,3}\.\d{1,3}/.exec(f.get('status') ?? '')?.[0],
      diagnosticCode: f.get('diagnostic-code'),
      remoteMta: f.get('remote-mta'),
    })),
  }
}

/**
 * Where the report was sent: the envelope recipient the MTA gives a pipe (Postfix local's and Exim's
 * RECIPIENT and ORIGINAL_RECIPIENT), the headers MTAs add on delivery (X-Original-To and Delivered-To:
 * Postfix; Envelope-to: Exim), the report's To (Postfix, Exim and Gmail address it to the return path),
 * then the original envelope sender a Postfix report names (X-Postfix-Sender).
 */
function returnPaths(mail: ParsedMail, report: DeliveryReport): string[] {
  const found: string[] = []
  const add = (text: string | undefined) => {
    for (const m of (text ?? '').matchAll(/bounces\+\d+@[^\s<>,;"'()[\]]+/gi)) found.push(m[0])
  }
  add(process.env.ORIGINAL_RECIPIENT)
  add(process.env.RECIPIENT)
  for (const name of ['x-original-to', 'delivered-to', 'envelope-to', 'to']) {
    for (const line of mail.headerLines.filter((h) => h.key === name)) add(line.line.slice(line.line.indexOf(':') + 1))
  }
  add(report.message.get('x-postfix-sender'))
  return found
}

const sameAddress = (a: string | undefined, b: string) => a !== undefined && (a.toLowerCase() === b.toLowerCase() || normalizeEmail(a) === normalizeEmail(b))

async function main(): Promise<number> {
  if (process.stdin.isTTY) {
    console.error(USAGE)
    return 2
  }
  let config: Config
  try {
    config = loadConfig()
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : String(err))
    return EX_TEMPFAIL
  }
  if (!config.bounceDomain) {
    console.error('BOUNCE_DOMAIN is not set: mail goes out with MAIL_FROM as its return path, and no report can name its mail. Set it to the domain whose bounces+* addresses are piped here.')
    return EX_TEMPFAIL
  }

  const raw = await readStdin()
  if (raw.toString('latin1').trim() === '') throw new Unreadable('Nothing on stdin: expected one mail message.')
  let mail: ParsedMail
  try {
    mail = await simpleParser(raw, { keepDeliveryStatus: true, skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true })
  } catch {
    throw new Unreadable('The input is not a mail message that can be read.')
  }
  // mailparser reads anything; a mail message starts with header fields, and only those (RFC 5322 field names).
  if (!mail.headerLines.length || !mail.headerLines.every((h) => FIELD_NAME.test(h.key))) throw new Unreadable('The input is not a mail message: it does not start with header fields.')

  const report = await deliveryReport(mail)
  if (!report) {
    console.log('bounce: ignored, not a delivery status notification (no message/delivery-status part)')
    return 0
  }
  if (report.recipients.length === 0) throw new Unreadable('The delivery status notification names no recipient.')
  const id = returnPaths(mail, report).map((address) => outboxIdOf(address, config.bounceDomain!)).find((n) => n !== null)
  if (id === undefined || id === null) {
    console.log(`bounce: ignored, sent to no bounces+<id>@${config.bounceDomain} address`)
    return 0
  }

  // The app (its dispatcher, with every kind of mail registered) only for a report that names our mail.
  const { buildApp } = await import('../app.js')
  const app = await buildApp(config, { startDispatcher: false, logger: false })
  try {
    await app.ready()
    const row = outboxRow(app.db, id)
    if (!row) {
      console.log(`bounce: ignored, outbox ${id} does not exist`)
      return 0
    }
    // The report must be about the mail's own recipient: a report about another address is not this mail's.
    const about = report.recipients.find((r) => sameAddress(r.finalRecipient, row.recipient) || sameAddress(r.originalRecipient, row.recipient))
    if (!about) {
      console.log(`bounce: ignored, the report for outbox ${id} is about another recipient than the mail's`)
      return 0
    }
    const permanent = about.action ? about.action === 'failed' : about.status?.startsWith('5') === true
    const what = `${about.action ?? 'no action'}, status ${about.status ?? 'none'}`
    if (!permanent) {
      console.log(`bounce: ignored, outbox ${id} (${row.kind}): ${what}, not a permanent failure`)
      return 0
    }
    const reason = `${about.status ?? ''} ${about.diagnosticCode ?? ''}`.replace(/\s+/g, ' ').trim() || 'Action: failed'
    const result = app.dispatcher.bounced(id, `Bounced after sending: ${reason}${about.remoteMta ? ` (${about.remoteMta})` : ''}`)
    if (!result) {
      console.log(`bounce: ignored, outbox ${id} (${row.kind}) is ${row.status}, not sent mail`)
      return 0
    }
    const recorded = {
      kind: row.kind === 'letter' || row.kind === 'digest' ? "the official's address is bouncing; its letters are held" : `recorded by the ${row.kind} mail`,
      address: "the supporter's address gets no more campaign mail",
      none: 'failed on the outbox; the address is not recorded (the failure is not about the address, or the mail is not to a supporter)',
    }[result.recorded]
    console.log(`bounce: outbox ${id} (${row.kind}) failed permanently (${what}): ${recorded}`)
    return 0
  } finally {
    await app.close()
  }
}

let code: number
try {
  code = await main()
} catch (err) {
  if (err instanceof Unreadable) {
    console.error(`${err.message}\n${USAGE}`)
    code = 2
  } else {
    // Not the mail's fault (the database is locked or unreadable, say): the MTA keeps it for later.
    console.error(`bounce: cannot record this report now: ${err instanceof Error ? err.message : String(err)}`)
    code = EX_TEMPFAIL
  }
}
process.exit(code)
