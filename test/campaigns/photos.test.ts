// Photos of the people a campaign is for (issue 14): uploaded on the person's screen, resized within
// 800 × 800, re-encoded as WebP with every piece of metadata gone (a phone's GPS position above all),
// served with the page and cached for good by version; non-images, damaged and oversized files are a 422
// in the page's language, never a 500.
import t from 'tap'
import sharp from 'sharp'
import type { FastifyInstance } from 'fastify'
import { build } from '../helper.js'
import { addUser, signIn, type Browser } from '../admin/helper.js'

type Part = { name: string; value?: string; filename?: string; type?: string; data?: Buffer }

/** A multipart/form-data body as a browser sends it. */
function multipart(parts: Part[]) {
  const boundary = '----outcry' + Math.random().toString(16).slice(2)
  const chunks: Buffer[] = []
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`
    const head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.filename !== undefined ? `Content-Type: ${p.type ?? 'application/octet-stream'}\r\n` : ''}\r\n`
    chunks.push(Buffer.from(head), p.data ?? Buffer.from(p.value ?? ''), Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` }
}

async function upload(app: FastifyInstance, browser: Browser, url: string, parts: Part[]) {
  const body = multipart([{ name: '_csrf', value: browser.token }, ...parts])
  return app.inject({ method: 'POST', url, headers: { cookie: browser.cookie, 'content-type': body.contentType }, payload: body.payload })
}

/** A 2400 × 1600 JPEG from a phone: its EXIF names the camera's owner and where it was taken. */
async function phonePhoto() {
  return sharp({ create: { width: 2400, height: 1600, channels: 3, background: { r: 180, g: 40, b: 40 } } })
    .jpeg({ quality: 90 })
    .withExif({
      IFD0: { Copyright: 'Owner Secret-Name', ImageDescription: 'taken at the safe house', Make: 'PhoneMaker' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '43/1 20/1 3600/100', GPSLongitudeRef: 'E', GPSLongitude: '52/1 51/1 0/1' },
    })
    .toBuffer()
}

const count = (app: FastifyInstance) => (app.db.$client.prepare('select count(*) n from person_photos').get() as { n: number }).n

async function setup(t: { teardown(fn: () => unknown): void }) {
  const app = await build(t)
  await addUser(app, 'org@example.org', 'organizer', [1])
  const org = await signIn(app, 'org@example.org')
  const personId = (app.db.$client.prepare('select id from campaign_people where campaign_id = 1 order by id limit 1').get() as { id: number }).id
  return { app, org, personId, url: `/admin/campaigns/1/people/${personId}/photo` }
}

t.test('an upload is resized, re-encoded and loses its EXIF (GPS included); the page shows it, lazily, with its size and alt', async (t) => {
  const { app, org, personId, url } = await setup(t)
  const original = await phonePhoto()
  const before = await sharp(original).metadata()
  t.ok(before.exif && before.exif.includes(Buffer.from('Secret-Name')), 'the fixture carries EXIF')

  const res = await upload(app, org, url, [
    { name: 'photo', filename: 'IMG_0042.jpg', type: 'image/jpeg', data: original },
    { name: 'alt', value: 'Roza Tuletaeva, smiling' },
  ])
  t.equal(res.statusCode, 303, res.body.slice(0, 300))
  t.equal(res.headers.location, `/admin/campaigns/1/people/${personId}`)

  const row = app.db.$client.prepare('select * from person_photos where person_id = ?').get(personId) as { bytes: Buffer; width: number; height: number; content_type: string; alt: string; updated_at: number }
  t.equal(row.content_type, 'image/webp')
  t.same([row.width, row.height], [800, 533], 'fitted within 800 × 800, its shape kept')
  const stored = await sharp(row.bytes).metadata()
  t.equal(stored.format, 'webp')
  t.same([stored.width, stored.height], [800, 533])
  t.notOk(stored.exif, 'no EXIF at all: no GPS position, no owner')
  t.notOk(stored.xmp, 'no XMP')
  t.notOk(stored.iptc, 'no IPTC')
  for (const secret of ['Secret-Name', 'safe house', 'PhoneMaker', 'GPS', 'Exif']) t.notOk(row.bytes.includes(Buffer.from(secret)), `"${secret}" is not in the stored bytes`)
  t.ok(row.bytes.length < 200_000, `bounded size (${row.bytes.length} bytes from ${original.length})`)
  t.equal(row.alt, 'Roza Tuletaeva, smiling')
  t.match(app.db.$client.prepare("select action from audit_log where action like 'person.photo%'").all(), [{ action: 'person.photo' }], 'audited')

  // The person's screen shows it with a remove button.
  const screen = await org.get(`/admin/campaigns/1/people/${personId}`)
  t.match(screen.body, /<img src="\/admin\/campaigns\/1\/people\/\d+\/photo\?v(?:=|&#x3D;)\d+" width="800" height="533" alt="Roza Tuletaeva, smiling"/)
  t.match(screen.body, 'Remove the photo')
  const own = await org.get(`/admin/campaigns/1/people/${personId}/photo`)
  t.equal(own.statusCode, 200)
  t.equal(own.headers['content-type'], 'image/webp')

  // The campaign page shows it beside the person: lazy, with width, height and alt; img-src 'self' is enough.
  const page = await app.inject('/campaigns/zhanaozen')
  const img = /<img src="(\/campaigns\/zhanaozen\/people\/\d+\/photo\?v(?:=|&#x3D;)(\d+))" width="800" height="533" alt="Roza Tuletaeva, smiling" loading="lazy"/.exec(page.body)
  t.ok(img, 'the page has the photo')
  t.equal(img?.[2], String(row.updated_at), 'versioned by its time of change')
  t.match(page.headers['content-security-policy'], "img-src 'self'")

  // Handlebars writes the = of the query as &#x3D;, which the browser reads back as =.
  const served = await app.inject(img![1].replace('&#x3D;', '='))
  t.equal(served.statusCode, 200)
  t.equal(served.headers['content-type'], 'image/webp')
  t.equal(served.headers['cache-control'], 'public, max-age=31536000, immutable')
  t.equal(served.headers['x-content-type-options'], 'nosniff')
  t.same(served.rawPayload, row.bytes)
  // An old version's address is not cached for good.
  t.equal((await app.inject(`/campaigns/zhanaozen/people/${personId}/photo?v=1`)).headers['cache-control'], 'public, max-age=60')
  t.equal((await app.inject('/campaigns/zhanaozen/people/999/photo')).statusCode, 404)
  t.equal((await app.inject('/campaigns/zhanaozen/people/abc/photo')).statusCode, 404)
})

t.test('the description alone can change; removing the photo takes it off the page and the address', async (t) => {
  const { app, org, personId, url } = await setup(t)
  t.equal((await upload(app, org, url, [{ name: 'photo', filename: 'a.png', type: 'image/png', data: await sharp({ create: { width: 300, height: 400, channels: 4, background: '#336699' } }).png().toBuffer() }])).statusCode, 303)
  const small = app.db.$client.prepare('select width, height from person_photos where person_id = ?').get(personId)
  t.same(small, { width: 300, height: 400 }, 'a small image is not enlarged')

  t.equal((await upload(app, org, url, [{ name: 'photo', filename: '', type: 'application/octet-stream', data: Buffer.alloc(0) }, { name: 'alt', value: 'Kanat Zhusipbaev' }])).statusCode, 303)
  t.equal((app.db.$client.prepare('select alt from person_photos where person_id = ?').get(personId) as { alt: string }).alt, 'Kanat Zhusipbaev')

  const removed = await org.post(`${url}/delete`)
  t.equal(removed.statusCode, 303)
  t.equal(count(app), 0)
  t.notMatch((await app.inject('/campaigns/zhanaozen?lang=en')).body, 'class="person-photo"')
  t.equal((await app.inject(`/campaigns/zhanaozen/people/${personId}/photo`)).statusCode, 404)
  t.notMatch((await org.get(`/admin/campaigns/1/people/${personId}`)).body, 'Remove the photo')
  // Without a CSRF token nothing is removed or uploaded.
  const forged = await app.inject({ method: 'POST', url: `${url}/delete`, headers: { cookie: org.cookie } })
  t.equal(forged.statusCode, 403)
})

t.test('non-images, damaged, oversized and several files are a 422 on the person\'s screen, in its language', async (t) => {
  const { app, org, url } = await setup(t)
  const jpeg = await sharp({ create: { width: 1200, height: 900, channels: 3, background: '#884422' } }).jpeg().toBuffer()
  const cases: [string, Part[], RegExp][] = [
    ['no file', [{ name: 'alt', value: 'x' }], /Choose an image file\./],
    ['a text file called .jpg', [{ name: 'photo', filename: 'x.jpg', type: 'image/jpeg', data: Buffer.from('#!/bin/sh\necho not a photo\n') }], /This file is not a photo/],
    ['a PDF', [{ name: 'photo', filename: 'x.pdf', type: 'application/pdf', data: Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n') }], /This file is not a photo/],
    ['an SVG (a document, not a photo)', [{ name: 'photo', filename: 'x.svg', type: 'image/svg+xml', data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>') }], /This file is not a photo/],
    ['an SVG sent as a JPEG', [{ name: 'photo', filename: 'x.jpg', type: 'image/jpeg', data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>') }], /This file is not a photo/],
    ['a truncated JPEG', [{ name: 'photo', filename: 'x.jpg', type: 'image/jpeg', data: jpeg.subarray(0, Math.floor(jpeg.length / 2)) }], /This image is damaged/],
    ['over 8 MB', [{ name: 'photo', filename: 'big.jpg', type: 'image/jpeg', data: Buffer.concat([jpeg, Buffer.alloc(8 * 1024 * 1024)]) }], /This image is too large/],
    ['two files', [{ name: 'photo', filename: 'a.jpg', type: 'image/jpeg', data: jpeg }, { name: 'other', filename: 'b.jpg', type: 'image/jpeg', data: jpeg }], /Upload one file at a time\./],
    ['a description too long', [{ name: 'photo', filename: 'a.jpg', type: 'image/jpeg', data: jpeg }, { name: 'alt', value: 'x'.repeat(301) }], /under 300 characters/],
  ]
  for (const [name, parts, message] of cases) {
    const res = await upload(app, org, url, parts)
    t.equal(res.statusCode, 422, name)
    t.match(res.body, message, name)
    t.match(res.body, /aria-invalid="true"/, `${name}: the field is marked`)
  }
  // A decompression bomb: a tiny PNG of 10,000 × 10,000 pixels.
  const bomb = await sharp({ create: { width: 10_000, height: 10_000, channels: 3, background: '#000' } }).png({ compressionLevel: 9 }).toBuffer()
  t.ok(bomb.length < 8 * 1024 * 1024)
  const res = await upload(app, org, url, [{ name: 'photo', filename: 'bomb.png', type: 'image/png', data: bomb }])
  t.equal(res.statusCode, 422, 'a decompression bomb')
  t.match(res.body, /too large/)

  // In Russian on a Russian screen.
  const ru = await upload(app, org, `${url}?lang=ru`, [{ name: 'photo', filename: 'x.jpg', type: 'image/jpeg', data: Buffer.from('not a photo') }])
  t.equal(ru.statusCode, 422)
  t.match(ru.body, 'Это не фотография')
  // A form post with no multipart at all is a 422 too.
  const plain = await org.post(url, { alt: 'x' })
  t.equal(plain.statusCode, 422)
  t.equal(count(app), 0, 'nothing was stored')
})

t.test('another campaign\'s organizer cannot upload, see or remove a photo', async (t) => {
  const { app, url } = await setup(t)
  const otherCampaign = app.db.$client
    .prepare("insert into campaigns (slug, title, summary, story, goal, status, languages, created_at, updated_at) values ('other', 'Other', '', '', 10, 'live', '[\"en\"]', 0, 0) returning id")
    .get() as { id: number }
  await addUser(app, 'stranger@example.org', 'organizer', [otherCampaign.id])
  const stranger = await signIn(app, 'stranger@example.org')
  const res = await upload(app, stranger, url, [{ name: 'photo', filename: 'a.jpg', type: 'image/jpeg', data: await phonePhoto() }])
  t.equal(res.statusCode, 404)
  t.equal((await stranger.get(url)).statusCode, 404)
  t.equal((await stranger.post(`${url}/delete`)).statusCode, 404)
  t.equal(count(app), 0)
})

t.test('a broken multipart body (no parts, a boundary that never comes) is a 422, not a 500 (found by the fuzz suite)', async (t) => {
  const { app, org, url } = await setup(t)
  for (const payload of ['{"name":"x"}', '--x\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n\r\nabc']) {
    const res = await app.inject({ method: 'POST', url, headers: { cookie: org.cookie, 'content-type': 'multipart/form-data; boundary=x' }, payload })
    t.equal(res.statusCode, 422, JSON.stringify(payload.slice(0, 20)))
  }
  t.equal(count(app), 0, 'nothing stored')
})
