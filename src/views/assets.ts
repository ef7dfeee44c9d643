import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/** One file served under /assets/: its plain address, and the address naming its content's hash. */
export interface Asset {
  path: string
  hashed: string
  type: string
  body: Buffer
}

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
}

/**
 * The stylesheets, scripts and icons pages link to, read once at start: `/assets/app.css` is also
 * `/assets/app.3f9c0a1b2d.css`, named by its content, so browsers may keep it for a year and a new
 * release is fetched at once (its pages link the new name). The plain names stay for anything older.
 */
export function loadAssets(folders: { dir: string; prefix: string; only?: string[] }[]): Map<string, Asset> {
  const assets = new Map<string, Asset>()
  for (const { dir, prefix, only } of folders) {
    for (const file of only ?? fs.readdirSync(dir)) {
      const ext = path.extname(file)
      const type = TYPES[ext]
      if (!type) continue
      const body = fs.readFileSync(path.join(dir, file))
      const hash = crypto.createHash('sha256').update(body).digest('hex').slice(0, 10)
      const plain = `${prefix}${file}`
      assets.set(plain, { path: plain, hashed: `${prefix}${path.basename(file, ext)}.${hash}${ext}`, type, body })
    }
  }
  return assets
}

/** The address to link: the hashed one where the file is known. */
export function assetUrl(assets: Map<string, Asset>, plain: string): string {
  return assets.get(plain)?.hashed ?? plain
}
