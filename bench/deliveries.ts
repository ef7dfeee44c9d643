// Counts the messages an SMTP server (smtp-server) takes, and repeated Message-IDs among them:
// Outcry's Message-IDs are stable per outbox row, so a repeat is a duplicate delivery.
import type { Readable } from 'node:stream'

export class Deliveries {
  received = 0
  duplicates = 0
  private seen = new Set<string>()

  get unique(): number {
    return this.seen.size
  }

  /** smtp-server's onData: reads the message's head for its Message-ID, then accepts it. */
  take(stream: Readable, callback: (err?: Error | null) => void): void {
    let head = ''
    stream.on('data', (chunk: Buffer) => {
      if (head.length < 4096) head += chunk.toString('latin1')
    })
    stream.on('end', () => {
      this.received++
      const id = /^Message-ID:\s*(\S+)/im.exec(head)?.[1]
      if (id) {
        if (this.seen.has(id)) this.duplicates++
        else this.seen.add(id)
      }
      callback()
    })
  }
}
