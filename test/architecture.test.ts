import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { tempDir } from './helper.js'

// `npm run check:deps` (run by `npm test`) checks the real src/; this proves its rules can fail.
const run = promisify(execFile)
const root = path.resolve(import.meta.dirname, '..')
const depcruise = path.join(root, 'node_modules', '.bin', 'depcruise')
const config = path.join(root, '.dependency-cruiser.cjs')

async function check(files: Record<string, string>): Promise<{ code: number; output: string }> {
  const dir = tempDir(t)
  fs.copyFileSync(path.join(root, 'tsconfig.json'), path.join(dir, 'tsconfig.json'))
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    fs.writeFileSync(path.join(dir, name), text)
  }
  try {
    const { stdout } = await run(depcruise, ['src', '--config', config], { cwd: dir })
    return { code: 0, output: stdout }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, output: e.stdout + e.stderr }
  }
}

t.test('a circle between two files fails the check', async (t) => {
  const { code, output } = await check({
    'src/letters/service.ts': "import { form } from './form.js'\nexport const service = () => form\n",
    'src/letters/form.ts': "import type { service } from './service.js'\nexport const form: typeof service | null = null\n",
  })
  t.not(code, 0)
  t.match(output, /no-circular: src\/letters\/(service|form)\.ts/)
})

t.test('infrastructure importing a feature or the admin shell fails the check', async (t) => {
  const { code, output } = await check({
    'src/db/client.ts': "import { x } from '../letters/service.js'\nexport const db = x\n",
    'src/mail/outbox.ts': "import { y } from '../admin/access.js'\nexport const outbox = y\n",
    'src/letters/service.ts': 'export const x = 1\n',
    'src/admin/access.ts': 'export const y = 1\n',
  })
  t.not(code, 0)
  t.match(output, /infrastructure-imports-no-feature: src\/db\/client\.ts → src\/letters\/service\.ts/)
  t.match(output, /infrastructure-imports-no-feature: src\/mail\/outbox\.ts → src\/admin\/access\.ts/)
})

t.test('the admin shell importing a feature, or campaigns importing letters, fails the check', async (t) => {
  const { code, output } = await check({
    'src/admin/plugin.ts': "import { p } from '../pickets/admin-routes.js'\nexport const a = p\n",
    'src/campaigns/page.ts': "import { f } from '../letters/form.js'\nexport const c = f\n",
    'src/pickets/admin-routes.ts': 'export const p = 1\n',
    'src/letters/form.ts': 'export const f = 1\n',
  })
  t.not(code, 0)
  t.match(output, /admin-shell-imports-no-feature: src\/admin\/plugin\.ts → src\/pickets\/admin-routes\.ts/)
  t.match(output, /campaigns-import-no-other-feature: src\/campaigns\/page\.ts → src\/letters\/form\.ts/)
})

t.test('features build on campaigns and the shell, and meet each other only through services', async (t) => {
  const allowed = await check({
    'src/letters/service.ts': "import { c } from '../campaigns/service.js'\nimport { g } from '../admin/access.js'\nimport { o } from '../mail/outbox.js'\nimport { i } from './input.js'\nexport const l = c + g + o + i\n",
    'src/letters/input.ts': 'export const i = 1\n',
    'src/campaigns/service.ts': 'export const c = 1\n',
    'src/admin/access.ts': 'export const g = 1\n',
    'src/mail/outbox.ts': 'export const o = 1\n',
  })
  t.equal(allowed.code, 0, allowed.output)
  const refused = await check({
    'src/pickets/service.ts': "import { x } from '../letters/input.js'\nexport const p = x\n",
    'src/letters/input.ts': 'export const x = 1\n',
  })
  t.not(refused.code, 0)
  t.match(refused.output, /features-meet-through-services: src\/pickets\/service\.ts → src\/letters\/input\.ts/)
})
