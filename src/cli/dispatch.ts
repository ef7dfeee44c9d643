// Runs the mail dispatcher alone (without the web server), on the same database.
// `--once` sends whatever is due and exits; otherwise it runs until stopped.
import closeWithGrace from 'close-with-grace'
import { buildApp } from '../app.js'
import { loadConfig } from '../config.js'

const once = process.argv.includes('--once')
const app = await buildApp(loadConfig(), { startDispatcher: !once })
await app.ready()
if (once) {
  const sent = await app.dispatcher.drain()
  app.log.info({ handled: sent }, 'outbox drained')
  await app.close()
} else {
  app.log.info('dispatcher running; Ctrl-C to stop')
  closeWithGrace({ delay: 10_000 }, async () => app.close())
}
