// npm run build: compiles src/ to dist/ (tsc with tsconfig.build.json) and copies what the code reads
// beside itself (the language catalogs). Templates, public files and migrations are read from the
// project's own folders, as in development. A fresh dist/ each time, so nothing stale is served.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const dist = path.join(root, 'dist')
fs.rmSync(dist, { recursive: true, force: true })
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' })
fs.cpSync(path.join(root, 'src/i18n/locales'), path.join(dist, 'i18n/locales'), { recursive: true })
console.log(`built ${path.relative(process.cwd(), dist) || dist}`)
