#!/usr/bin/env node
// `node libs/db/dist/migrate-cli.js --dir apps/<service>/migrations`: the migrations
// "by a command" (a deploy step, a Kubernetes Job), the same runner services use at start.
import { runMigrateCommand } from './migrations/migrate-command.js';

process.exitCode = await runMigrateCommand(process.argv.slice(2), process.env, {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
