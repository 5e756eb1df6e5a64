import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

// Conventions of protos/ that buf lint has no rule for, checked on the descriptor set that
// `buf build` produces from the module.

interface FieldDescriptor {
  name: string;
  type: string;
  typeName?: string;
}
interface MessageDescriptor {
  name: string;
  field?: FieldDescriptor[];
}
interface MethodDescriptor {
  name: string;
  inputType: string;
  outputType: string;
  options?: { idempotencyLevel?: string };
}
interface FileDescriptor {
  name: string;
  package: string;
  messageType?: MessageDescriptor[];
  service?: { name: string; method: MethodDescriptor[] }[];
}

const workspaceRoot = join(import.meta.dirname, '..', '..', '..');
let files: FileDescriptor[] = [];

function message(fullName: string): MessageDescriptor {
  for (const file of files) {
    for (const candidate of file.messageType ?? []) {
      if (`.${file.package}.${candidate.name}` === fullName) return candidate;
    }
  }
  throw new Error(`no message ${fullName}`);
}

const methods = () =>
  files.flatMap((file) =>
    (file.service ?? []).flatMap((service) =>
      service.method.map((method) => ({ ...method, path: `${file.package}.${service.name}/${method.name}` })),
    ),
  );

beforeAll(() => {
  const image = execFileSync(
    join(workspaceRoot, 'node_modules', '.bin', 'buf'),
    ['build', 'protos', '--exclude-imports', '-o', '-#format=json'],
    { cwd: workspaceRoot, encoding: 'utf8' },
  );
  files = (JSON.parse(image) as { file: FileDescriptor[] }).file;
});

describe('the contracts', () => {
  it('contain both services', () => {
    expect(methods().map((method) => method.path)).toEqual(
      expect.arrayContaining([
        'platform.user.v1.UserService/GetUser',
        'platform.order.v1.OrderService/TrackOrders',
      ]),
    );
  });

  it('declare idempotency_level explicitly on every RPC, so clients can derive retries from it', () => {
    const undeclared = methods()
      .filter((method) => method.options?.idempotencyLevel === undefined)
      .map((method) => method.path);
    expect(undeclared).toEqual([]);
  });

  it('page every List RPC with page_size, page_token and next_page_token', () => {
    for (const method of methods().filter((candidate) => candidate.name.startsWith('List'))) {
      const request = message(method.inputType).field ?? [];
      const response = message(method.outputType).field ?? [];
      expect(request).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'page_size', type: 'TYPE_INT32' }),
          expect.objectContaining({ name: 'page_token', type: 'TYPE_STRING' }),
        ]),
      );
      expect(response).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'next_page_token', type: 'TYPE_STRING' })]),
      );
    }
  });

  it('type every *_time field as google.protobuf.Timestamp and every amount as int64 minor units', () => {
    const fields = files.flatMap((file) =>
      (file.messageType ?? []).flatMap((candidate) =>
        (candidate.field ?? []).map((field) => ({ ...field, owner: `${file.package}.${candidate.name}` })),
      ),
    );
    const times = fields.filter((field) => field.name.endsWith('_time'));
    const amounts = fields.filter((field) => field.name.endsWith('_minor'));
    expect(times.length).toBeGreaterThan(0);
    expect(amounts.length).toBeGreaterThan(0);
    for (const field of times)
      expect(field, field.owner).toMatchObject({ typeName: '.google.protobuf.Timestamp' });
    for (const field of amounts) expect(field, field.owner).toMatchObject({ type: 'TYPE_INT64' });
  });
});
