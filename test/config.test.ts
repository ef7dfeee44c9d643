import t from 'tap'
import { loadConfig, ConfigError } from '../src/config.js'

t.test('defaults are the embedded ones', async (t) => {
  const c = loadConfig({})
  t.equal(c.port, 3000)
  t.equal(c.host, '127.0.0.1')
  t.equal(c.databasePath, 'data/outcry.db')
  t.equal(c.baseUrl, 'http://127.0.0.1:3000')
  t.equal(c.smtpUrl, undefined)
  t.equal(c.rateLimits, true)
})

t.test('bad values are all reported with their variable names', async (t) => {
  const err = t.throws(() => loadConfig({ PORT: 'eighty', BASE_URL: 'not a url', SMTP_URL: 'http://x', MAIL_FROM: 'nobody' })) as Error
  t.type(err, ConfigError)
  for (const name of ['PORT', 'BASE_URL', 'SMTP_URL', 'MAIL_FROM']) t.match(err.message, name)
})

t.test('production requires a session secret and a base URL', async (t) => {
  const err = t.throws(() => loadConfig({ NODE_ENV: 'production' })) as Error
  t.match(err.message, /SESSION_SECRET is required/)
  t.match(err.message, /BASE_URL is required/)
  const ok = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), BASE_URL: 'https://outcry.example.org/' })
  t.equal(ok.baseUrl, 'https://outcry.example.org')
})

t.test('RATE_LIMITS=off turns limits off', async (t) => {
  t.equal(loadConfig({ RATE_LIMITS: 'off' }).rateLimits, false)
  t.throws(() => loadConfig({ RATE_LIMITS: 'maybe' }), /RATE_LIMITS/)
})
