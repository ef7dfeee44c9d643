import fs from 'node:fs'
import path from 'node:path'
import { LANGUAGES, type Language } from './languages.js'

/** "a.b.c" for every message of a nested catalog. */
export function flatKeys(catalog: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(catalog).flatMap(([k, v]) => (v && typeof v === 'object' ? flatKeys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]))
}

/** Keys the code and templates use: {{t "key"}} in templates, t('key') in TypeScript. */
export function usedKeys(root: string): Set<string> {
  const used = new Set<string>()
  const walk = (dir: string, exts: string[], re: RegExp) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full, exts, re)
      else if (exts.some((e) => entry.name.endsWith(e))) for (const m of fs.readFileSync(full, 'utf8').matchAll(re)) used.add(m[1]!)
    }
  }
  walk(path.join(root, 'templates'), ['.hbs'], /\(?\bt\s+"([a-zA-Z0-9_]+\.[a-zA-Z0-9_.]+)"/g)
  walk(path.join(root, 'src'), ['.ts'], /\bt\(\s*'([a-zA-Z0-9_]+\.[a-zA-Z0-9_.]+)'/g)
  return used
}

export interface Coverage {
  lang: Language
  keys: number
  missing: string[]
  extra: string[]
}

/** Each catalog against English (the reference) and English against what is used. */
export function coverage(catalogs: Record<Language, Record<string, unknown>>, used: Set<string>) {
  const reference = new Set(flatKeys(catalogs.en))
  const languages: Coverage[] = LANGUAGES.map((lang) => {
    const keys = new Set(flatKeys(catalogs[lang]))
    return { lang, keys: keys.size, missing: [...reference].filter((k) => !keys.has(k)), extra: [...keys].filter((k) => !reference.has(k)) }
  })
  return { reference: reference.size, languages, unused: [...reference].filter((k) => !used.has(k)), undefinedKeys: [...used].filter((k) => !reference.has(k)) }
}
