import type { Feature } from '../feature.js'
import adminRoutes from './admin-routes.js'
import api from './api.js'

/** Reports: the campaign report, tallies and CSV exports, on screen and through the API. */
export const reportsFeature: Feature = { name: 'reports', admin: adminRoutes, api }
