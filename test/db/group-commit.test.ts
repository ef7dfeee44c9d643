import path from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { GroupCommit } from '../../src/db/group-commit.js'
import { tempDir } from '../helper.js'

function open(t: Parameters<typeof tempDir>[0]) {
  const sqlite = new Database(path.join(tempDir(t), 'g.db'))
  t.teardown(() => sqlite.close())
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.exec(`
    create table parent (id integer primary key);
    create table child (id integer primary key, parent_id integer references parent (id) deferrable initially deferred);
    insert into parent (id) values (1);
  `)
  const count = () => sqlite.prepare('select count(*) from child').pluck().get() as number
  return { sqlite, count, insert: (id: number, parent = 1) => sqlite.prepare('insert into child (id, parent_id) values (?, ?)').run(id, parent) }
}

t.test('work of one turn shares a transaction; a piece that throws undoes only its own writes', async (t) => {
  const { sqlite, count, insert } = open(t)
  const group = new GroupCommit(sqlite)
  const order: string[] = []
  const results = await Promise.allSettled([
    group.run(() => (order.push('a'), insert(10), 'a')),
    group.run(() => {
      order.push('b')
      insert(11)
      throw new Error('b refused')
    }),
    group.run(() => (order.push('c'), insert(12), 'c')),
  ])
  t.same(order, ['a', 'b', 'c'], 'in the order they came')
  t.match(results, [{ status: 'fulfilled', value: 'a' }, { status: 'rejected', reason: { message: 'b refused' } }, { status: 'fulfilled', value: 'c' }])
  t.same(sqlite.prepare('select id from child order by id').pluck().all(), [10, 12], "b's row is gone, its neighbours' stay")
  t.equal(count(), 2)
})

t.test('a commit that fails fails every piece of its batch, and nothing of it is written', async (t) => {
  const { sqlite, count, insert } = open(t)
  const group = new GroupCommit(sqlite)
  // A deferred foreign key is checked at COMMIT: the batch's commit fails, not the piece.
  const results = await Promise.allSettled([group.run(() => insert(20)), group.run(() => insert(21, 999)), group.run(() => insert(22))])
  t.ok(results.every((r) => r.status === 'rejected'), 'all three hear the failure')
  t.match((results[0] as PromiseRejectedResult).reason, { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' })
  t.equal(count(), 0, 'the pieces shared one transaction: none of them is written')
  // The next turn's batch is a new transaction.
  t.equal(await group.run(() => insert(23).changes), 1)
  t.equal(count(), 1)
})

t.test('a batch holds at most maxBatch pieces; the rest go in the next', async (t) => {
  const { sqlite, count, insert } = open(t)
  const group = new GroupCommit(sqlite, { maxBatch: 2 })
  const results = await Promise.allSettled([group.run(() => insert(30)), group.run(() => insert(31, 999)), group.run(() => insert(32))])
  t.match(results, [{ status: 'rejected' }, { status: 'rejected' }, { status: 'fulfilled' }], 'the first two shared the failed commit; the third had its own')
  t.same(sqlite.prepare('select id from child').pluck().all(), [32])
  t.equal(count(), 1)
})
