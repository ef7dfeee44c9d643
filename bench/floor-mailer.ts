// Floor for the reminder benchmark: bare nodemailer, pooled like Outcry's, sending N small
// messages with no database, no templates and no outbox. Prints the elapsed milliseconds.
import nodemailer, { type TransportOptions } from 'nodemailer'

const [url, count] = [process.argv[2]!, Number(process.argv[3])]
const transporter = nodemailer.createTransport({ url, pool: true, maxConnections: 5, maxMessages: 1000 } as TransportOptions)
const started = performance.now()
let next = 0
async function worker() {
  while (next < count) {
    const i = next++
    await transporter.sendMail({ from: 'outcry@example.org', to: `floor${i}@example.org`, subject: 'Reminder', text: 'The picket starts in 2 hours.', messageId: `<floor.${i}@example.org>` })
  }
}
await Promise.all(Array.from({ length: 50 }, worker))
console.log(Math.round(performance.now() - started))
transporter.close()
