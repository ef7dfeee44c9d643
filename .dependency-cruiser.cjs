/**
 * The shape of src/ (see ARCHITECTURE.md), checked by `npm run check:deps` inside `npm test`.
 * Type-only imports count too: a circle of types is still a circle to read.
 */
const FEATURES = '^src/(campaigns|letters|pickets|reports|supporters|updates)/'
// The mail folder is infrastructure (transport, outbox, dispatcher) and a feature (the screens people see).
const MAIL_FEATURE = '^src/mail/(feature|admin-routes|mailbox-routes)\\.ts$'
const INFRASTRUCTURE = [
  '^src/(db|views|i18n)/',
  '^src/(config|errors|validation|clock|paths|countries|honeypot|feature|delayed|csv|openapi|slug)\\.ts$',
  '^src/mail/(?!(feature|admin-routes|mailbox-routes)\\.ts$)',
]

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import circles between files in src/.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'infrastructure-imports-no-feature',
      severity: 'error',
      comment: 'db/, mail transport and outbox, views/, config, errors and validation know nothing of features or the admin shell.',
      from: { path: INFRASTRUCTURE },
      to: { path: [FEATURES, MAIL_FEATURE, '^src/(admin|demo|cli)/', '^src/(app|server)\\.ts$'] },
    },
    {
      name: 'admin-shell-imports-no-feature',
      severity: 'error',
      comment: 'The back-office shell provides guards and scopes; features are handed to it by src/app.ts.',
      from: { path: '^src/admin/' },
      to: { path: [FEATURES, MAIL_FEATURE] },
    },
    {
      name: 'campaigns-import-no-other-feature',
      severity: 'error',
      comment: 'Letters and pickets build on campaigns, never the other way: the campaign page reaches them through app.letters and app.pickets.',
      from: { path: '^src/campaigns/' },
      to: { path: ['^src/(letters|pickets|reports|supporters|updates)/', MAIL_FEATURE] },
    },
    {
      name: 'features-meet-through-services',
      severity: 'error',
      comment: 'Besides campaigns (which they build on), a feature reaches another through its service on the instance, not its files.',
      from: { path: '^src/(letters|pickets|reports|supporters|updates)/' },
      to: { path: ['^src/(letters|pickets|reports|supporters|updates)/', MAIL_FEATURE], pathNot: ['^src/$1/'] },
    },
    {
      name: 'only-entry-points-import-the-app',
      severity: 'error',
      comment: 'src/app.ts is the composition root: only the server and the CLI build it.',
      from: { path: '^src/', pathNot: ['^src/(server|app)\\.ts$', '^src/cli/'] },
      to: { path: ['^src/(app|server)\\.ts$', '^src/cli/'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    includeOnly: '^src/',
  },
}
