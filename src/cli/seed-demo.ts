import { loadConfig } from '../config.js'
import { openDatabase } from '../db/client.js'
import { seedDemo } from '../demo/seed.js'

const config = loadConfig()
const database = openDatabase(config.databasePath)
try {
  // DEMO_CONFIRM=off: letters and RSVPs count at once (the benchmarks measure that path).
  const result = seedDemo(database.db, new Date(), { confirm: process.env.DEMO_CONFIRM !== 'off' })
  console.log(result.created ? `Loaded the demo campaign "zhanaozen" into ${config.databasePath}` : `The demo campaign is already in ${config.databasePath}; nothing changed`)
} finally {
  database.close()
}
