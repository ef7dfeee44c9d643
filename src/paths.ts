import { fileURLToPath } from 'node:url'

export const templatesDir = fileURLToPath(new URL('../templates', import.meta.url))
export const publicDir = fileURLToPath(new URL('../public', import.meta.url))
