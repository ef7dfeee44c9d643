// A loopback SMTP server that accepts and discards every message; the bench runs it as a child.
// It tells its parent the port, and answers { type: 'count' } with how many messages it took.
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

let received = 0

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, _session, callback) {
    stream.on('end', () => {
      received++
      callback()
    })
    stream.resume()
  },
})

server.listen(0, '127.0.0.1', () => {
  const { port } = server.server.address() as AddressInfo
  process.send?.({ type: 'ready', port })
})

process.on('message', (msg: { type?: string }) => {
  if (msg?.type === 'count') process.send?.({ type: 'count', received })
})
process.on('disconnect', () => process.exit(0))
process.on('SIGTERM', () => process.exit(0))
