// A loopback SMTP server that accepts every message and counts it, and the repeated Message-IDs.
// The benchmarks run it as a child: it tells its parent the port, and answers { type: 'count' }.
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { Deliveries } from './deliveries.js'

const deliveries = new Deliveries()

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, _session, callback) {
    deliveries.take(stream, callback)
  },
})

// A client that dies mid-session (the crash scripts SIGKILL Outcry) resets its socket: not our failure.
server.on('error', (err: Error) => console.error(`smtp-sink: ${err.message}`))

server.listen(0, '127.0.0.1', () => {
  const { port } = server.server.address() as AddressInfo
  process.send?.({ type: 'ready', port })
})

process.on('message', (msg: { type?: string }) => {
  if (msg?.type === 'count') process.send?.({ type: 'count', received: deliveries.received, unique: deliveries.unique, duplicates: deliveries.duplicates })
})
process.on('disconnect', () => process.exit(0))
process.on('SIGTERM', () => process.exit(0))
