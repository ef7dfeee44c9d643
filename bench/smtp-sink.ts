// A loopback SMTP server that accepts every message and counts it, and counts repeated
// Message-IDs (Outcry's are stable per outbox row, so a repeat is a duplicate delivery).
// The benchmarks run it as a child: it tells its parent the port, and answers { type: 'count' }.
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

let received = 0
let duplicates = 0
const seen = new Set<string>()

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, _session, callback) {
    let head = ''
    stream.on('data', (chunk: Buffer) => {
      if (head.length < 4096) head += chunk.toString('latin1')
    })
    stream.on('end', () => {
      received++
      const id = /^Message-ID:\s*(\S+)/im.exec(head)?.[1]
      if (id) {
        if (seen.has(id)) duplicates++
        else seen.add(id)
      }
      callback()
    })
  },
})

// A client that dies mid-session (the crash scripts SIGKILL Outcry) resets its socket: not our failure.
server.on('error', (err: Error) => console.error(`smtp-sink: ${err.message}`))

server.listen(0, '127.0.0.1', () => {
  const { port } = server.server.address() as AddressInfo
  process.send?.({ type: 'ready', port })
})

process.on('message', (msg: { type?: string }) => {
  if (msg?.type === 'count') process.send?.({ type: 'count', received, unique: seen.size, duplicates })
})
process.on('disconnect', () => process.exit(0))
process.on('SIGTERM', () => process.exit(0))
