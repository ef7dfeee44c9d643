import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import multipart, { type MultipartFile } from '@fastify/multipart'
import { and, eq, inArray } from 'drizzle-orm'
import type { TFunction } from 'i18next'
import type { Db } from '../db/client.js'
import { campaignPeople, personPhotos, type Campaign, type PersonPhoto } from '../db/schema/index.js'
import { actorOf, campaignScope, parseId } from '../admin/access.js'
import { audit, type Actor } from '../admin/audit.js'
import { translator } from '../i18n/index.js'

/** What an organizer may upload: 8 MB, one file; what is kept: at most 800 × 800, WebP, no metadata. */
export const PHOTO_MAX_BYTES = 8 * 1024 * 1024
export const PHOTO_MAX_SIDE = 800
/** A decompression bomb (a small PNG of 50,000 × 50,000 pixels) is refused before it is decoded. */
const MAX_INPUT_PIXELS = 40_000_000
const ALT_MAX = 300
/** The formats sharp reads that we take: photos, not SVG (a document) nor raw or TIFF. AVIF reads as heif. */
const IMAGE_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'heif'])
const IMAGE_TYPES = /^image\/(jpeg|pjpeg|png|webp|gif|avif|heic|heif)$/i

export type PhotoProblem = 'noFile' | 'notImage' | 'tooLarge' | 'corrupt' | 'tooManyFiles' | 'altTooLong'

const MESSAGES: Record<PhotoProblem, (t: TFunction) => string> = {
  noFile: (t) => t('page.photo.errors.noFile'),
  notImage: (t) => t('page.photo.errors.notImage'),
  tooLarge: (t) => t('page.photo.errors.tooLarge'),
  corrupt: (t) => t('page.photo.errors.corrupt'),
  tooManyFiles: (t) => t('page.photo.errors.tooManyFiles'),
  altTooLong: (t) => t('page.photo.errors.altTooLong'),
}
export const photoMessage = (problem: PhotoProblem, t: TFunction) => MESSAGES[problem](t)

export type ProcessedPhoto = { bytes: Buffer; width: number; height: number; contentType: string }

/**
 * An uploaded image made safe to publish: decoded (so anything that is not an image fails here),
 * turned upright by its EXIF orientation, fitted within 800 × 800 and re-encoded as WebP. sharp keeps
 * no metadata unless asked: EXIF (GPS position, camera serial), XMP, IPTC and ICC are all dropped.
 */
export async function processPhoto(input: Buffer): Promise<{ ok: true; photo: ProcessedPhoto } | { ok: false; problem: PhotoProblem }> {
  if (input.length === 0) return { ok: false, problem: 'noFile' }
  // Loaded on the first upload, not at start (photos are rare; sharp and libvips are not small).
  const { default: sharp } = await import('sharp')
  let format: string | undefined
  try {
    const meta = await sharp(input, { limitInputPixels: false }).metadata()
    format = meta.format
    if (!format || !IMAGE_FORMATS.has(format)) return { ok: false, problem: 'notImage' }
    if ((meta.width ?? 0) * (meta.height ?? 0) > MAX_INPUT_PIXELS) return { ok: false, problem: 'tooLarge' }
  } catch {
    // Not a format sharp knows at all: a PDF, a text file, a script renamed .jpg.
    return { ok: false, problem: 'notImage' }
  }
  try {
    const { data, info } = await sharp(input, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS, animated: false })
      .autoOrient()
      .resize(PHOTO_MAX_SIDE, PHOTO_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true })
    return { ok: true, photo: { bytes: data, width: info.width, height: info.height, contentType: 'image/webp' } }
  } catch {
    // Its header said image, its pixels do not decode: a truncated or damaged file.
    return { ok: false, problem: 'corrupt' }
  }
}

/** The photos' sizes and versions (not their bytes) for the people on a page. */
export function photoMetas(db: Db, personIds: number[]): Map<number, Pick<PersonPhoto, 'width' | 'height' | 'alt' | 'updatedAt'>> {
  if (!personIds.length) return new Map()
  const rows = db
    .select({ personId: personPhotos.personId, width: personPhotos.width, height: personPhotos.height, alt: personPhotos.alt, updatedAt: personPhotos.updatedAt })
    .from(personPhotos)
    .where(inArray(personPhotos.personId, personIds))
    .all()
  return new Map(rows.map((r) => [r.personId, r]))
}

/** A person's photo, if they belong to the campaign and have one. */
export function photoOf(db: Db, campaignId: number, personId: number): PersonPhoto | undefined {
  return db
    .select({ photo: personPhotos })
    .from(personPhotos)
    .innerJoin(campaignPeople, eq(campaignPeople.id, personPhotos.personId))
    .where(and(eq(personPhotos.personId, personId), eq(campaignPeople.campaignId, campaignId)))
    .get()?.photo
}

function personIn(db: Db, campaignId: number, personId: number) {
  return db.select().from(campaignPeople).where(and(eq(campaignPeople.id, personId), eq(campaignPeople.campaignId, campaignId))).get()
}

/** Stores (or replaces) a person's photo, audited. False when the person is not the campaign's. */
export function savePhoto(db: Db, campaignId: number, personId: number, photo: ProcessedPhoto, alt: string, actor: Actor, now: Date): boolean {
  return db.transaction((tx) => {
    const person = personIn(tx as unknown as Db, campaignId, personId)
    if (!person) return false
    const row = { contentType: photo.contentType, bytes: photo.bytes, width: photo.width, height: photo.height, alt, updatedAt: now }
    tx.insert(personPhotos).values({ personId, ...row }).onConflictDoUpdate({ target: personPhotos.personId, set: row }).run()
    audit(tx, actor, 'person.photo', { campaignId, subject: person.name, detail: { id: personId, width: photo.width, height: photo.height, bytes: photo.bytes.length } }, now)
    return true
  })
}

/** Changes only the description of the photo there is. */
export function describePhoto(db: Db, campaignId: number, personId: number, alt: string, actor: Actor, now: Date): boolean {
  return db.transaction((tx) => {
    const person = personIn(tx as unknown as Db, campaignId, personId)
    if (!person) return false
    const changed = tx.update(personPhotos).set({ alt, updatedAt: now }).where(eq(personPhotos.personId, personId)).run().changes
    if (changed) audit(tx, actor, 'person.photo', { campaignId, subject: person.name, detail: { id: personId, alt: true } }, now)
    return changed > 0
  })
}

export function deletePhoto(db: Db, campaignId: number, personId: number, actor: Actor, now: Date): boolean {
  return db.transaction((tx) => {
    const person = personIn(tx as unknown as Db, campaignId, personId)
    if (!person) return false
    const gone = tx.delete(personPhotos).where(eq(personPhotos.personId, personId)).run().changes
    if (gone) audit(tx, actor, 'person.photo.delete', { campaignId, subject: person.name, detail: { id: personId } }, now)
    return true
  })
}

/** The photo as the person's screen shows it. */
export function photoForScreen(db: Db, campaign: Campaign, personId: number) {
  const photo = photoMetas(db, [personId]).get(personId)
  if (!photo) return undefined
  return { ...photo, src: `/admin/campaigns/${campaign.id}/people/${personId}/photo?v=${photo.updatedAt.getTime()}` }
}

/** An uploaded file as onFile keeps it: its bytes, or that it passed 8 MB. */
type Upload = { upload: true; bytes: Buffer; mimetype: string; truncated: boolean }
const isUpload = (v: unknown): v is Upload => typeof v === 'object' && v !== null && (v as Upload).upload === true

async function onFile(this: FastifyRequest, part: MultipartFile) {
  const bytes = await part.toBuffer()
  ;(part as unknown as { value: Upload }).value = { upload: true, bytes, mimetype: part.mimetype, truncated: part.file.truncated }
}

const PARSER_PROBLEMS: Record<string, PhotoProblem> = {
  FST_FILES_LIMIT: 'tooManyFiles',
  FST_PARTS_LIMIT: 'tooManyFiles',
  FST_FIELDS_LIMIT: 'tooManyFiles',
  FST_REQ_FILE_TOO_LARGE: 'tooLarge',
  FST_PROTO_VIOLATION: 'notImage',
  FST_INVALID_JSON_FIELD_ERROR: 'notImage',
  FST_MP_PREMATURE_CLOSE: 'corrupt',
}

const BROKEN_BODY = /multipart|boundary|part header|end of form/i

type PhotoParams = { Params: { id: string; personId: string } }
export type PersonScreen = (reply: FastifyReply, campaign: Campaign, personId: number, errors: Record<string, string>, status: number) => unknown

/**
 * /admin/campaigns/:id/people/:personId/photo: upload (multipart, registered for this scope only),
 * describe, remove, and the back office's own view of it. Inside the campaign scope (its guard runs
 * first); every refusal is the person's screen again with a 422 in the page's language.
 */
export function personPhotoRoutes(personScreen: PersonScreen) {
  return async function photoRoutes(scope: FastifyInstance) {
    // The campaign is checked before an upload is read, not after 8 MB were buffered for someone else's.
    scope.addHook('onRequest', campaignScope)
    await scope.register(multipart, {
      attachFieldsToBody: 'keyValues',
      onFile,
      throwFileSizeLimit: false,
      limits: { fileSize: PHOTO_MAX_BYTES, files: 1, fields: 4, fieldSize: 4096, parts: 6, headerPairs: 100 },
    })
    // The parser's own refusals (a second file, too many fields, a broken body): the screen with a message, not a 413.
    scope.setErrorHandler((err: Error & { code?: string }, req, reply) => {
      // busboy's own refusals of a broken body carry no code, only a message ("Unexpected end of multipart data").
      const problem = PARSER_PROBLEMS[err.code ?? ''] ?? (!err.code && BROKEN_BODY.test(err.message) ? 'corrupt' : undefined)
      const personId = parseId((req.params as { personId?: string }).personId)
      if (!problem || !req.campaign || !personId) throw err
      return personScreen(reply, req.campaign, personId, { photo: photoMessage(problem, translator(req.lang)) }, 422)
    })

    scope.post<PhotoParams & { Body: Record<string, unknown> }>('/campaigns/:id/people/:personId/photo', { preHandler: scope.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const personId = parseId(req.params.personId)
      if (!personIn(scope.db, campaign.id, personId)) return reply.callNotFound()
      const t = translator(req.lang)
      const refuse = (problem: PhotoProblem, field = 'photo') => personScreen(reply, campaign, personId, { [field]: photoMessage(problem, t) }, 422)
      const body = req.body && typeof req.body === 'object' ? req.body : {}
      const alt = typeof body.alt === 'string' ? body.alt.trim() : ''
      if (alt.length > ALT_MAX) return refuse('altTooLong', 'alt')
      const file = body.photo
      if (!isUpload(file) || file.bytes.length === 0) {
        // No new file: a description alone changes the one there is.
        if (photoOf(scope.db, campaign.id, personId) && typeof body.alt === 'string') {
          describePhoto(scope.db, campaign.id, personId, alt, actorOf(req), scope.clock())
          return reply.redirect(`/admin/campaigns/${campaign.id}/people/${personId}`, 303)
        }
        return refuse('noFile')
      }
      if (file.truncated) return refuse('tooLarge')
      if (!IMAGE_TYPES.test(file.mimetype) && file.mimetype !== 'application/octet-stream') return refuse('notImage')
      const processed = await processPhoto(file.bytes)
      if (!processed.ok) return refuse(processed.problem)
      if (!savePhoto(scope.db, campaign.id, personId, processed.photo, alt, actorOf(req), scope.clock())) return reply.callNotFound()
      return reply.redirect(`/admin/campaigns/${campaign.id}/people/${personId}`, 303)
    })

    scope.post<PhotoParams>('/campaigns/:id/people/:personId/photo/delete', { preHandler: scope.csrfProtection }, async (req, reply) => {
      const campaign = req.campaign!
      const personId = parseId(req.params.personId)
      if (!deletePhoto(scope.db, campaign.id, personId, actorOf(req), scope.clock())) return reply.callNotFound()
      return reply.redirect(`/admin/campaigns/${campaign.id}/people/${personId}`, 303)
    })

    // The back office shows the photo of a draft campaign too (the public route answers only for live ones).
    scope.get<PhotoParams>('/campaigns/:id/people/:personId/photo', async (req, reply) => {
      const photo = photoOf(scope.db, req.campaign!.id, parseId(req.params.personId))
      if (!photo) return reply.callNotFound()
      return reply.header('cache-control', 'private, no-cache').type(photo.contentType).send(photo.bytes)
    })
  }
}

/** GET /campaigns/:slug/people/:personId/photo: with the version the page links (?v=), cached for good. */
export async function sendPhoto(db: Db, campaign: Campaign, personIdParam: string, version: unknown, reply: FastifyReply) {
  const personId = parseId(personIdParam)
  const photo = personId ? photoOf(db, campaign.id, personId) : undefined
  if (!photo) return undefined
  const current = String(photo.updatedAt.getTime())
  reply.header('cache-control', version === current ? 'public, max-age=31536000, immutable' : 'public, max-age=60')
  reply.header('content-disposition', 'inline')
  return reply.type(photo.contentType).send(photo.bytes)
}
