import type { Feature } from '../feature.js'
import routes from './routes.js'
import adminRoutes from './admin-routes.js'
import api from './api.js'

/** Campaigns, the people they are for, their officials and letter templates: public pages, back office, API. */
export const campaignsFeature: Feature = { name: 'campaigns', routes, admin: adminRoutes, api }
