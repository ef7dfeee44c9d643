import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { build } from '../helper.js'
import { publicDir } from '../../src/paths.js'

t.test('pages link stylesheets and scripts by their content hash; those addresses are cached for a year', async (t) => {
  const app = await build(t)
  const page = await app.inject('/campaigns/zhanaozen')
  const links = [...page.body.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!)
  t.ok(links.length >= 4, `the page links its assets: ${links.join(' ')}`)
  for (const link of links) t.match(link, /\.[0-9a-f]{10}\.(css|js|svg)$/, `${link} names its content`)

  const css = links.find((l) => l.startsWith('/assets/app.'))!
  const hashed = await app.inject(css)
  t.equal(hashed.statusCode, 200)
  t.equal(hashed.headers['cache-control'], 'public, max-age=31536000, immutable')
  t.match(hashed.headers['content-type'], /^text\/css/)
  t.equal(hashed.body, fs.readFileSync(path.join(publicDir, 'app.css'), 'utf8'), 'the same bytes as the file')

  const pico = links.find((l) => l.startsWith('/assets/pico/'))!
  t.equal((await app.inject(pico)).statusCode, 200)

  // The plain names stay, for pages and mail made before a release, with a short lifetime.
  const plain = await app.inject('/assets/app.css')
  t.equal(plain.statusCode, 200)
  t.match(plain.headers['cache-control'], /max-age=3600\b/)
  t.equal((await app.inject('/assets/app.0000000000.css')).statusCode, 404, 'a hash that is not the content’s is not served')
})
