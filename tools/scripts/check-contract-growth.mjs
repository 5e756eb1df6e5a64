#!/usr/bin/env node
// Proves that adding a field to a message needs no change outside the code that uses it: in a
// scratch directory, every message of protos/ gets one more field, `buf generate` writes the
// TypeScript for it with the workspace's own buf.gen.yaml, and one `tsc` run typechecks every
// project's TypeScript (apps, libs, tools; specs, fixtures and benchmarks included) against it.
// Any error is a place that builds a whole generated message by hand instead of through
// `<Message>.create({...})` / `fromPartial`, which would break the build the day a field is added.
//
//   node tools/scripts/check-contract-growth.mjs    # exit 0, or the errors and exit 1
//
// The working tree is not touched: protos/ and libs/proto/src are copied, and `@platform/proto`
// is mapped to the copy for that one program.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

/** The field every message gets: a name and number no contract uses (the highest there is). */
export const probeField = { name: 'contract_growth_probe', number: 536_870_911 };

/**
 * `text` (a .proto file) with the probe field added at the top of every message, nested ones included.
 * @param {string} text
 * @returns {string}
 */
export function withProbeField(text) {
  return text.replace(
    /^(\s*)message \w+ \{\n/gm,
    (line, indent) =>
      `${line}${indent}  // Added by check-contract-growth.\n${indent}  string ${probeField.name} = ${probeField.number};\n`,
  );
}

function protoFiles(dir) {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.proto'));
}

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { code: result.status ?? 1, output: `${result.stdout}${result.stderr}`.trim() };
}

/**
 * Generates the grown contracts and typechecks the workspace against them. `extraFiles` (paths)
 * are typechecked too (the spec uses it to show that a hand-built message is reported).
 * Returns tsc's exit code and its error lines, with paths relative to the workspace root.
 * @param {{ extraFiles?: string[] }} [options]
 * @returns {{ code: number, errors: string[] }}
 */
export function checkContractGrowth({ extraFiles = [] } = {}) {
  const scratch = mkdtempSync(join(tmpdir(), 'contract-growth-'));
  try {
    cpSync(join(root, 'protos'), join(scratch, 'protos'), { recursive: true });
    for (const file of protoFiles(join(scratch, 'protos'))) {
      const path = join(scratch, 'protos', file);
      writeFileSync(path, withProbeField(readFileSync(path, 'utf8')));
    }
    for (const file of ['buf.yaml', 'buf.gen.yaml']) cpSync(join(root, file), join(scratch, file));
    symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'), 'dir');
    // The proto lib's sources beside the grown gen/, with its package.json (ES modules).
    cpSync(join(root, 'libs', 'proto', 'package.json'), join(scratch, 'libs', 'proto', 'package.json'));
    cpSync(join(root, 'libs', 'proto', 'src'), join(scratch, 'libs', 'proto', 'src'), {
      recursive: true,
      filter: (source) => !source.startsWith(join(root, 'libs', 'proto', 'src', 'gen')),
    });
    const generated = run(bin('buf'), ['generate'], scratch);
    if (generated.code !== 0)
      throw new Error(`buf generate failed on the grown contracts:\n${generated.output}`);

    const tsconfig = {
      extends: join(root, 'tsconfig.base.json'),
      compilerOptions: {
        noEmit: true,
        allowJs: true,
        checkJs: false,
        allowImportingTsExtensions: true,
        paths: { '@platform/proto': ['./libs/proto/src/index.ts'] },
      },
      include: [
        ...['apps', 'libs', 'tools'].flatMap((dir) => [`${root}/${dir}/**/*.ts`, `${root}/${dir}/**/*.mts`]),
        './libs/proto/src/**/*.ts',
        ...extraFiles.map((file) => resolve(file)),
      ],
      exclude: [`${root}/**/node_modules`, `${root}/**/dist`, `${root}/libs/proto`],
    };
    writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    const checked = run(bin('tsc'), ['-p', join(scratch, 'tsconfig.json'), '--pretty', 'false'], root);
    // Errors in the copied proto lib are named by their place in the workspace.
    const copied = relative(root, join(scratch, 'libs'));
    const errors = checked.output
      .split('\n')
      .filter((line) => /error TS\d+/.test(line))
      .map((line) => line.replaceAll(`${copied}/`, 'libs/'));
    return { code: checked.code, errors };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.filename === resolve(process.argv[1] ?? '')) {
  const { code, errors } = checkContractGrowth();
  if (code === 0) {
    console.log('check-contract-growth: every project typechecks with a field added to every message');
  } else {
    console.error(
      'check-contract-growth: these places build a whole message by hand; build it with ' +
        '<Message>.create({...}) (or fromPartial) so a new field takes its default:',
    );
    for (const line of errors) console.error(`  ${line}`);
    process.exitCode = 1;
  }
}
