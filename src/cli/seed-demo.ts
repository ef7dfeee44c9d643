import { loadConfig } from '../config.js'
import { openDatabase } from '../db/client.js'
import { seedDemo } from '../demo/seed.js'

const config = loadConfig()
const database = openDatabase(config.databasePath)
try {
  // DEMO_CONFIRM=off: letters and RSVPs count at once; DEMO_PACE=off: officials take mail as fast as it
  // goes. Both for the benchmarks and fault scripts, which measure those paths.
  const result = seedDemo(database.db, new Date(), { confirm: process.env.DEMO_CONFIRM !== 'off', paced: process.env.DEMO_PACE !== 'off' })
  console.log(result.created ? `Loaded the demo campaign "zhanaozen" into ${config.databasePath}` : `The demo campaign is already in ${config.databasePath}; nothing changed`)
} finally {
  database.close()
}
