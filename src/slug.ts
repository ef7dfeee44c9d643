import slugify from '@sindresorhus/slugify'

// Kazakh letters slugify's transliteration table lacks (it would drop them: "Жаңаөзен" → "zha-a-zen").
const KAZAKH_LETTERS: [string, string][] = [
  ['ә', 'a'],
  ['ғ', 'g'],
  ['қ', 'k'],
  ['ң', 'ng'],
  ['ө', 'o'],
  ['ұ', 'u'],
  ['ү', 'u'],
  ['һ', 'h'],
  ['і', 'i'],
]
const REPLACEMENTS = [...KAZAKH_LETTERS, ...KAZAKH_LETTERS.map(([from, to]): [string, string] => [from.toUpperCase(), to.toUpperCase()])]

/**
 * Text as Latin words joined by hyphens, lower case ("Жаңаөзен мұнайшылары" → "zhangaozen-munayshylary"),
 * for a campaign's address and for comparing place names. decamelize is off: "ЁЛКА" is one word, not "yo-lka".
 */
export const latinSlug = (text: string): string => slugify(text, { customReplacements: REPLACEMENTS, decamelize: false })
