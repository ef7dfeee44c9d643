import { SMTPServer } from 'smtp-server'
import { simpleParser, type ParsedMail } from 'mailparser'
import type { AddressInfo } from 'node:net'

export interface ReceivedMail {
  envelopeFrom: string
  envelopeTo: string[]
  raw: string
  parsed: ParsedMail
}

/**
 * A real SMTP server on loopback that keeps what it receives. Set `refuse` to make it refuse
 * messages (451, say), or `down` to make it turn every connection away with 421, as a server
 * out of service does.
 */
export class TestSmtp {
  received: ReceivedMail[] = []
  refuse: false | { code: number; message: string } = false
  down = false
  attempts = 0
  connections = 0
  private server: SMTPServer
  port = 0

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onConnect: (_session, callback) => {
        this.connections++
        if (!this.down) return callback()
        callback(Object.assign(new Error('Service not available, closing transmission channel'), { responseCode: 421 }))
      },
      onData: (stream, session, callback) => {
        this.attempts++
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', async () => {
          if (this.refuse) {
            const err = Object.assign(new Error(this.refuse.message), { responseCode: this.refuse.code })
            return callback(err)
          }
          const raw = Buffer.concat(chunks).toString('utf8')
          this.received.push({
            envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            raw,
            parsed: await simpleParser(raw),
          })
          callback()
        })
      },
    })
  }

  async start(): Promise<string> {
    // A client killed mid-session (the crash test) resets its socket: not the server's failure.
    this.server.on('error', () => {})
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()))
    this.port = (this.server.server.address() as AddressInfo).port
    return this.url
  }

  get url() {
    return `smtp://127.0.0.1:${this.port}`
  }

  to(address: string): ReceivedMail[] {
    return this.received.filter((m) => m.envelopeTo.some((to) => to.toLowerCase() === address.trim().toLowerCase()))
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
