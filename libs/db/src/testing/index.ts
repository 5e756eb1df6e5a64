// Public API of @platform/db/testing: the databases tests run against (PGlite in memory, and a
// fresh PostgreSQL database per test when TEST_DATABASE_URL is set), for this lib's specs and
// for services' tests. Test code only: nothing here belongs in a service's runtime.
export {
  databaseTargets,
  pgliteTarget,
  postgresTarget,
  preparePglite,
  type DatabaseTarget,
  type OpenedDatabase,
  type TargetOptions,
} from './database-targets.js';
