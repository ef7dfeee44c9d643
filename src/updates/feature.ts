import type { Feature } from '../feature.js'
import routes from './routes.js'
import adminRoutes from './admin-routes.js'
import api from './api.js'
import shareAdmin from './share-admin.js'

/** Updates: campaign news, the people's timeline, feeds, mailing them to supporters who consented, unsubscribing. */
export const updatesFeature: Feature = {
  name: 'updates',
  routes,
  // The updates' screens, and the Share and embed screen (snippets for union websites).
  admin: async (app) => {
    await app.register(adminRoutes)
    await app.register(shareAdmin)
  },
  api,
}
