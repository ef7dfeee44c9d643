import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { loadConfig, ConfigError } from './config.js'

let config
try {
  config = loadConfig()
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message)
    process.exit(1)
  }
  throw err
}

const app = await buildApp(config)

closeWithGrace({ delay: 10_000 }, async ({ err, signal }) => {
  if (err) app.log.error({ err }, 'closing after an error')
  else app.log.info({ signal }, 'shutting down')
  await app.close()
})

try {
  await app.listen({ port: config.port, host: config.host })
  app.log.info(`Outcry is running: open ${config.baseUrl}/`)
  if (!config.smtpUrl && config.env !== 'production') app.log.info(`mail is captured, read it at ${config.baseUrl}/dev/mailbox`)
} catch (err) {
  app.log.error(err)
  process.exit(1)
}
