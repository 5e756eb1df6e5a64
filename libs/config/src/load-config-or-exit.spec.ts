import { describe, expect, it } from 'vitest';
import { defineConfig } from './define-config.js';
import { configErrorExitCode, loadConfigOrExit } from './load-config-or-exit.js';
import { port } from './variables/port.js';
import { secret } from './variables/secret.js';

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function hooks() {
  const written: string[] = [];
  return {
    written,
    writeError: (text: string) => void written.push(text),
    exit: (code: number): never => {
      throw new Exited(code);
    },
  };
}

const schema = defineConfig({ GRPC_PORT: port(), API_TOKEN: secret() });

describe('a valid environment', () => {
  it('returns the config without printing or exiting', () => {
    const recorder = hooks();
    const config = loadConfigOrExit(schema, { GRPC_PORT: '50051', API_TOKEN: 't0ken' }, recorder);
    expect(config).toEqual({ GRPC_PORT: 50_051, API_TOKEN: 't0ken' });
    expect(recorder.written).toEqual([]);
  });
});

describe('a bad environment', () => {
  it('prints every problem to stderr and exits with 78 (EX_CONFIG)', () => {
    const recorder = hooks();
    let exited: unknown;
    try {
      loadConfigOrExit(schema, { GRPC_PORT: 'http' }, recorder);
    } catch (error) {
      exited = error;
    }
    expect(exited).toBeInstanceOf(Exited);
    expect((exited as Exited).code).toBe(78);
    expect(configErrorExitCode).toBe(78);
    expect(recorder.written.join('')).toBe(
      [
        'Invalid configuration (2 problems):',
        '  GRPC_PORT: expected a TCP port (1-65535), got "http"',
        '  API_TOKEN: required, expected a non-empty secret, but it is not set',
        '',
      ].join('\n'),
    );
  });
});
