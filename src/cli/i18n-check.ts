import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadCatalogs } from '../i18n/index.js'
import { coverage, usedKeys } from '../i18n/coverage.js'

// npm run i18n:check — each language's coverage of the English catalog, and keys used but undefined or
// defined but unused. Exits 1 when anything is missing, so a half-translated release does not pass.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const report = coverage(loadCatalogs(), usedKeys(root))
console.log(`English: ${report.reference} messages`)
for (const c of report.languages) {
  const pct = report.reference ? Math.round(((report.reference - c.missing.length) / report.reference) * 1000) / 10 : 100
  console.log(`${c.lang}  ${String(pct).padStart(5)}%  ${c.missing.length} missing${c.extra.length ? `, ${c.extra.length} not in English` : ''}`)
  for (const key of c.missing.slice(0, 20)) console.log(`      missing: ${key}`)
  for (const key of c.extra.slice(0, 20)) console.log(`      not in English: ${key}`)
}
for (const key of report.unused) console.log(`unused: ${key}`)
for (const key of report.undefinedKeys) console.log(`used but not in English: ${key}`)
const bad = report.languages.some((c) => c.missing.length || c.extra.length) || report.unused.length || report.undefinedKeys.length
process.exitCode = bad ? 1 : 0
