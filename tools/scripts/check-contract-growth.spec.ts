import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkContractGrowth, probeField, withProbeField } from './check-contract-growth.mjs';

describe('withProbeField', () => {
  it('adds the field to every message, nested ones included, and to nothing else', () => {
    const proto = [
      'message Outer {',
      '  message Inner {',
      '    string a = 1;',
      '  }',
      '  enum Kind {',
      '    KIND_UNSPECIFIED = 0;',
      '  }',
      '  oneof choice {',
      '    string b = 2;',
      '  }',
      '}',
      '',
    ].join('\n');
    const grown = withProbeField(proto);
    const probe = `string ${probeField.name} = ${probeField.number};`;
    expect(grown.split('\n').filter((line) => line.trim() === probe)).toHaveLength(2);
    expect(grown).toContain(`message Outer {\n  // Added by check-contract-growth.\n  ${probe}\n`);
    expect(grown).toContain(`  message Inner {\n    // Added by check-contract-growth.\n    ${probe}\n`);
  });
});

describe('checkContractGrowth', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  // One generate and one typecheck of the whole workspace: the workspace must pass, and a message
  // built by hand beside it must be reported (so a pass is not a check that saw nothing).
  it('passes for the workspace and reports a message built by hand', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'contract-growth-spec-'));
    dirs.push(dir);
    const handBuilt = join(dir, 'hand-built.mts');
    await writeFile(
      handBuilt,
      [
        "import { LineItem } from '@platform/proto';",
        "export const byHand: LineItem = { sku: 'SKU-1', quantity: 1, unitPriceMinor: '100' };",
        "export const throughCreate: LineItem = LineItem.create({ sku: 'SKU-1', quantity: 1 });",
        '',
      ].join('\n'),
    );

    const { errors } = checkContractGrowth({ extraFiles: [handBuilt] });

    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('hand-built.mts(2,');
    expect(errors[0]).toContain("Property 'contractGrowthProbe' is missing");
  }, 600_000);
});
