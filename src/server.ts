import fs from 'node:fs'
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { loadConfig, ConfigError, dkimAlignmentWarning } from './config.js'
import { DatabaseOpenError } from './db/client.js'
import { firstRunLink } from './admin/setup-routes.js'

/** Says why and exits; written synchronously, as process.exit would drop what a pipe has not taken yet. */
function stopWith(message: string): never {
  fs.writeSync(2, `${message}\n`)
  process.exit(1)
}

let config
try {
  config = loadConfig()
} catch (err) {
  if (err instanceof ConfigError) stopWith(err.message)
  throw err
}

let app
try {
  app = await buildApp(config)
} catch (err) {
  if (err instanceof DatabaseOpenError) stopWith(err.message)
  throw err
}

closeWithGrace({ delay: 10_000 }, async ({ err, signal }) => {
  if (err) app.log.error({ err }, 'closing after an error')
  else app.log.info({ signal }, 'shutting down')
  await app.close()
})

try {
  await app.listen({ port: config.port, host: config.host })
  app.log.info(`Outcry is running: open ${config.baseUrl}/`)
  // No admin yet: a one-time link makes the first one (a new code at each start until then; only here, never in another log line).
  const setup = firstRunLink(app)
  if (setup) app.log.warn(`no admin yet: create the first one at ${setup} (this link works once, until the next restart)`)
  if (!config.smtpUrl && config.env !== 'production') app.log.info(`mail is captured, read it at ${config.baseUrl}/dev/mailbox`)
  const misaligned = dkimAlignmentWarning(config)
  if (misaligned) app.log.warn(misaligned)
  else if (config.dkim) app.log.info(`mail is DKIM-signed as ${config.dkim.selector}._domainkey.${config.dkim.domain}`)
} catch (err) {
  app.log.error(err)
  process.exit(1)
}
