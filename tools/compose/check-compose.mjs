#!/usr/bin/env node
// The compose check: docker-compose.yml cannot be run where there is no Docker engine (CI,
// the development machines), so this reads it and everything it refers to and reports each
// mismatch:
//
//   1. the file against the Compose Specification JSON schema (compose-spec.json beside this
//      file, vendored from compose-go: see tools/compose/README.md), before and after `${…}`
//      interpolation, with placeholders for the secrets of deploy/env.example;
//   2. every app service against its app's configuration schema (apps/<APP>/src/*.config.ts,
//      the defineConfig schema the process validates at start): every variable set exists in
//      the schema (or is an OpenTelemetry variable the tracing setup reads), every required
//      one is set, the values load (loadConfig), secrets come from .env and never literally;
//   3. the wiring: published ports, health probes, Prometheus targets, addresses of other
//      services, brokers, DATABASE_URL and OTLP endpoint against the configured ports and the
//      services of the file; depends_on (service_healthy) for what an app needs; volumes for
//      data directories and the shared key set; the client secrets in AUTH_SERVICE_CLIENTS;
//   4. the Grafana dashboard: datasources provisioned, metric names the libs really register.
//
// `node tools/compose/check-compose.mjs` reads the apps' built configuration
// (`nx run tools:check-compose` builds them first); tools/compose/check-compose.spec.ts runs the
// same check on the TypeScript sources within `npm test`, and on broken copies.
import { loadConfig } from '@platform/config';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, posix, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';

const workspaceRoot = resolve(import.meta.dirname, '..', '..');

/** The vendored schema: where it came from, and the sha-256 of its JSON.stringify'd content. */
export const composeSpecSource = {
  module: 'github.com/compose-spec/compose-go/v2',
  version: 'v2.16.2',
  file: 'schema/compose-spec.json',
  contentSha256: '349a9ca0dbd2bd1feece7f23a8e14ba5a9dfbc2ad89e7c0bcd6c909fa20d4c5a',
};

/**
 * Variables the apps read besides their configuration schema: the OpenTelemetry SDK's, read by
 * libs/observability (setupTracing) and libs/grpc (span attribute naming).
 */
export const otelVariables = new Set([
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_SEMCONV_STABILITY_OPT_IN',
]);

/** The OTLP port the apps export to: @opentelemetry/exporter-trace-otlp-proto speaks OTLP/HTTP. */
const otlpHttpPort = 4318;
const postgresPort = 5432;
const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1']);
/** Prefixes of the platform's own metrics, as the libs register them. */
const platformMetricPrefixes = ['grpc_', 'events_', 'outbox_'];

/**
 * @typedef {Record<string, any>} Json
 * @typedef {{ shape: Record<string, { safeParse(value: unknown): { success: boolean, data?: unknown } }> }} AppConfigSchema
 * @typedef {(app: string) => Promise<{ file: string, schema: AppConfigSchema }>} AppConfigLoader
 * @typedef {{
 *   root?: string,
 *   files?: Record<string, string>,
 *   loadAppConfig?: AppConfigLoader,
 * }} CheckOptions
 */

/**
 * The app's configuration schema, from `apps/<app>/src/*.config.ts` (the export that is a zod
 * object), or its build in `dist/` (plain Node cannot import TypeScript).
 * @param {string} root
 * @param {'src' | 'dist'} from
 * @returns {AppConfigLoader}
 */
export function appConfigLoader(root, from) {
  return async (app) => {
    const srcDir = join(root, 'apps', app, 'src');
    if (!existsSync(srcDir)) throw new Error(`apps/${app}/src does not exist`);
    const configFiles = readdirSync(srcDir).filter((name) => name.endsWith('.config.ts'));
    if (configFiles.length !== 1) {
      throw new Error(`apps/${app}/src holds ${configFiles.length} *.config.ts files; expected one`);
    }
    const source = join(srcDir, /** @type {string} */ (configFiles[0]));
    const file = from === 'src' ? source : join(root, 'apps', app, 'dist', basename(source, '.ts') + '.js');
    if (!existsSync(file)) throw new Error(`${relative(root, file)} does not exist: build ${app} first`);
    /** @type {Record<string, unknown>} */
    const module = await import(pathToFileURL(file).href);
    const schemas = Object.values(module).filter(
      (value) => typeof value === 'object' && value !== null && 'shape' in value && 'safeParse' in value,
    );
    if (schemas.length !== 1) throw new Error(`${relative(root, file)} exports ${schemas.length} schemas`);
    return { file: relative(root, source), schema: /** @type {AppConfigSchema} */ (schemas[0]) };
  };
}

// ---------------------------------------------------------------------------------------------
// Interpolation, as the Compose Specification defines it.

const interpolationPattern =
  /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/**
 * The `${NAME…}` references of a string.
 * @param {string} text
 * @returns {{ name: string, operator: string | undefined, argument: string | undefined }[]}
 */
export function interpolations(text) {
  return [...text.matchAll(interpolationPattern)]
    .filter((match) => !match[1])
    .map((match) => ({
      name: /** @type {string} */ (match[2] ?? match[5]),
      operator: match[3],
      argument: match[4],
    }));
}

/**
 * Replaces `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?error}`,
 * `${NAME?error}`, `${NAME:+replacement}`, `${NAME+replacement}` and `$$`.
 * @param {string} text
 * @param {Record<string, string | undefined>} env
 * @param {(name: string, message: string) => void} onMissing a required variable is unset
 */
export function interpolate(text, env, onMissing) {
  return text.replace(interpolationPattern, (_match, dollar, braced, operator, argument = '', bare) => {
    if (dollar) return '$';
    const name = braced ?? bare;
    const value = env[name];
    const set = value !== undefined;
    const nonEmpty = set && value !== '';
    switch (operator) {
      case ':-':
        return nonEmpty ? value : interpolate(argument, env, onMissing);
      case '-':
        return set ? value : interpolate(argument, env, onMissing);
      case ':?':
      case '?':
        if (operator === ':?' ? nonEmpty : set) return value;
        onMissing(name, argument);
        return '';
      case ':+':
        return nonEmpty ? interpolate(argument, env, onMissing) : '';
      case '+':
        return set ? interpolate(argument, env, onMissing) : '';
      default:
        return value ?? '';
    }
  });
}

/**
 * @param {unknown} value
 * @param {(text: string) => string} map
 * @returns {any}
 */
function mapStrings(value, map) {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)]));
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Reading the pieces.

/**
 * `NAME=value` lines of an env file (comments and blank lines skipped).
 * @param {string} text
 * @returns {Map<string, string>}
 */
export function parseEnvFile(text) {
  const values = new Map();
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) values.set(/** @type {string} */ (match[1]), (match[2] ?? '').trim());
  }
  return values;
}

/**
 * A service's environment as a map (compose accepts a mapping or a list of `NAME=value`).
 * @param {unknown} environment
 * @returns {Map<string, string | undefined>}
 */
function environmentOf(environment) {
  const values = new Map();
  if (Array.isArray(environment)) {
    for (const entry of environment) {
      const text = String(entry);
      const equals = text.indexOf('=');
      if (equals < 0) values.set(text, undefined);
      else values.set(text.slice(0, equals), text.slice(equals + 1));
    }
  } else if (environment && typeof environment === 'object') {
    for (const [name, value] of Object.entries(environment)) {
      values.set(name, value === null || value === undefined ? undefined : String(value));
    }
  }
  return values;
}

/**
 * `host:port` of an address: `host:port`, `dns:///host:port`, `postgres://user@host:port/db`.
 * @param {string} address
 * @returns {{ host: string, port: number | undefined } | undefined}
 */
export function hostAndPort(address) {
  const withoutScheme = address.replace(/^dns:\/\/[^/]*\//, '').replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const authority = /** @type {string} */ (withoutScheme.split('/')[0]).replace(/^.*@/, '');
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(authority);
  if (!match) return undefined;
  return {
    host: /** @type {string} */ (match[1]),
    port: match[2] === undefined ? undefined : Number(match[2]),
  };
}

/**
 * Container ports of a service's `ports` (short syntax `[ip:]published:target[/proto]` or long).
 * @param {unknown} ports
 * @returns {number[]}
 */
function containerPorts(ports) {
  if (!Array.isArray(ports)) return [];
  return ports.flatMap((entry) => {
    if (entry && typeof entry === 'object') return [Number(/** @type {Json} */ (entry).target)];
    const text = String(entry).replace(/\/(tcp|udp)$/, '');
    const target = text.includes('[') ? text.slice(text.lastIndexOf(':') + 1) : text.split(':').at(-1);
    return [Number(target)];
  });
}

/**
 * `source:target[:mode]` volumes of a service as `{ source, target, readOnly }`.
 * @param {unknown} volumes
 * @returns {{ source: string, target: string, readOnly: boolean }[]}
 */
function mountsOf(volumes) {
  if (!Array.isArray(volumes)) return [];
  return volumes.map((entry) => {
    if (entry && typeof entry === 'object') {
      const mount = /** @type {Json} */ (entry);
      return {
        source: String(mount.source ?? ''),
        target: String(mount.target),
        readOnly: Boolean(mount.read_only),
      };
    }
    const [source = '', target = '', mode = ''] = String(entry).split(':');
    return { source, target, readOnly: mode.split(',').includes('ro') };
  });
}

/**
 * @param {string} path
 * @param {string} directory
 */
function isWithin(path, directory) {
  const rel = posix.relative(directory, path);
  return rel === '' || (!rel.startsWith('..') && !posix.isAbsolute(rel));
}

/**
 * Metric names the libs register: quoted `grpc_…`, `events_…`, `outbox_…` names in their
 * non-test sources, and the `grpc_${side}_…` families for both sides.
 * @param {string} root
 * @returns {Set<string>}
 */
export function registeredMetricNames(root) {
  const names = new Set();
  /** @param {string} dir */
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!['node_modules', 'dist', 'gen', '__fixtures__', 'testing'].includes(entry.name)) walk(path);
      } else if (entry.name.endsWith('.ts') && !/\.(spec|test|example)\.ts$/.test(entry.name)) {
        const text = readFileSync(path, 'utf8');
        for (const match of text.matchAll(/['"`]((?:grpc|events|outbox)_[a-z0-9_]+)['"`]/g))
          names.add(match[1]);
        for (const match of text.matchAll(/`grpc_\$\{side\}_([a-z0-9_]+)`/g)) {
          names.add(`grpc_server_${match[1]}`);
          names.add(`grpc_client_${match[1]}`);
        }
      }
    }
  };
  for (const lib of readdirSync(join(root, 'libs'))) {
    for (const src of [join(root, 'libs', lib, 'src'), join(root, 'libs', lib, 'domain', 'src')]) {
      if (existsSync(src)) walk(src);
    }
  }
  return names;
}

/**
 * The metric names a PromQL expression reads (label matchers and `by (…)` lists removed).
 * @param {string} expr
 * @returns {string[]}
 */
export function metricNamesIn(expr) {
  const stripped = expr
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/"[^"]*"/g, ' ');
  return [...stripped.matchAll(/\b[a-zA-Z_:][a-zA-Z0-9_:]*\b/g)].map((match) => match[0]);
}

/**
 * The variables a schema declares secret (`secret(...)`): loadConfig redacts them when the
 * configuration is serialized.
 * @param {AppConfigSchema} schema
 * @returns {string[]}
 */
function secretVariables(schema) {
  const candidates = [undefined, 'x'.repeat(32), Buffer.alloc(32, 1).toString('base64'), '1'];
  return Object.keys(schema.shape).filter((variable) => {
    const one = /** @type {any} */ (schema).pick({ [variable]: true });
    for (const candidate of candidates) {
      try {
        const shown = JSON.parse(
          JSON.stringify(loadConfig(one, candidate === undefined ? {} : { [variable]: candidate })),
        );
        return shown[variable] === '<redacted>';
      } catch {
        // Not a value of this kind: try the next one.
      }
    }
    return false;
  });
}

// ---------------------------------------------------------------------------------------------
// The check.

/**
 * Checks docker-compose.yml and what it refers to. Returns the problems found, one sentence
 * each, naming the service and variable; none means the file matches the apps.
 * @param {CheckOptions} [options]
 * @returns {Promise<string[]>}
 */
export async function checkCompose(options = {}) {
  const root = options.root ?? workspaceRoot;
  const loadAppConfig = options.loadAppConfig ?? appConfigLoader(root, 'dist');
  /** @type {string[]} */
  const problems = [];
  const report = (/** @type {string} */ message) => problems.push(message);
  /** @param {string} path relative to the root, POSIX separators */
  const read = (path) => options.files?.[path] ?? readFileSync(join(root, path), 'utf8');
  /** @param {string} path */
  const exists = (path) => options.files?.[path] !== undefined || existsSync(join(root, path));

  // The Compose Specification schema, as vendored.
  const schema = JSON.parse(readFileSync(join(import.meta.dirname, 'compose-spec.json'), 'utf8'));
  const schemaSha = createHash('sha256').update(JSON.stringify(schema)).digest('hex');
  if (schemaSha !== composeSpecSource.contentSha256) {
    report(
      `tools/compose/compose-spec.json is not the vendored ${composeSpecSource.module}@${composeSpecSource.version} ` +
        `${composeSpecSource.file} (content sha-256 ${schemaSha}); update composeSpecSource with it`,
    );
  }
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  const schemaErrorsSeen = new Set();
  /** @param {unknown} document @param {string} what */
  const validateAgainstSpec = (document, what) => {
    if (validate(document)) return;
    for (const error of validate.errors ?? []) {
      const params = /** @type {Record<string, unknown>} */ (error.params ?? {});
      const property = params['additionalProperty'] ?? params['unevaluatedProperty'];
      const problem = `${error.instancePath || '/'} ${error.message}${property ? ` (${property})` : ''}`;
      if (schemaErrorsSeen.has(problem)) continue;
      schemaErrorsSeen.add(problem);
      report(`docker-compose.yml ${what}: ${problem}`);
    }
  };

  /** @type {Json} */
  let raw;
  try {
    raw = parseYaml(read('docker-compose.yml'), { merge: true }) ?? {};
  } catch (error) {
    report(`docker-compose.yml is not valid YAML: ${error instanceof Error ? error.message : error}`);
    return problems;
  }
  validateAgainstSpec(raw, 'does not match the Compose Specification');

  // Secrets and other values from .env: every `${NAME:?…}` (and `${NAME}` without default) is
  // listed in deploy/env.example, and everything listed there is used.
  const envExample = exists('deploy/env.example') ? parseEnvFile(read('deploy/env.example')) : new Map();
  if (!exists('deploy/env.example')) report('deploy/env.example is missing');
  const referenced = new Set();
  mapStrings(raw, (text) => {
    for (const { name, operator } of interpolations(text)) {
      referenced.add(name);
      if ((operator === undefined || operator.includes('?')) && !envExample.has(name)) {
        report(`docker-compose.yml reads \${${name}} from .env, but deploy/env.example does not list it`);
      }
    }
    return text;
  });
  for (const name of envExample.keys()) {
    if (!referenced.has(name))
      report(`deploy/env.example lists ${name}, which docker-compose.yml does not use`);
  }
  /** @type {Record<string, string>} */
  const placeholders = {};
  for (const [name, value] of envExample) placeholders[name] = value || randomBytes(24).toString('hex');
  /** @type {Json} */
  const doc = mapStrings(raw, (text) =>
    interpolate(text, placeholders, (name) =>
      report(`docker-compose.yml requires ${name}, which has no value`),
    ),
  );
  validateAgainstSpec(
    doc,
    'with the variables of deploy/env.example filled in does not match the Compose Specification',
  );

  /** @type {Record<string, Json>} */
  const services = doc.services && typeof doc.services === 'object' ? doc.services : {};
  /** @type {Record<string, Json>} */
  const rawServices = raw.services && typeof raw.services === 'object' ? raw.services : {};
  const serviceNames = new Set(Object.keys(services));

  // Images: pinned versions.
  for (const [name, service] of Object.entries(services)) {
    if (service.build) continue;
    const image = String(service.image ?? '');
    const tag = /:([^/:@]+)$/.exec(image)?.[1];
    if (!image.includes('@sha256:') && (!tag || tag === 'latest' || !/\d/.test(tag))) {
      report(`${name}: image ${image || '(none)'} is not pinned to a version`);
    }
  }

  // The app services: built from the root Dockerfile with APP=<an app of apps/>.
  /** @type {Map<string, { app: string, config: Record<string, unknown>, env: Map<string, string | undefined>, schemaFile: string }>} */
  const apps = new Map();
  for (const [name, service] of Object.entries(services)) {
    if (!service.build) continue;
    const build = typeof service.build === 'string' ? { context: service.build } : service.build;
    const context = posix.normalize(String(build.context ?? '.'));
    const dockerfile = posix.join(context, String(build.dockerfile ?? 'Dockerfile'));
    if (context !== '.') report(`${name}: builds from ${context}; the apps build from the repository root`);
    if (!exists(dockerfile)) report(`${name}: ${dockerfile} does not exist`);
    const app = build.args && !Array.isArray(build.args) ? build.args.APP : undefined;
    if (typeof app !== 'string' || !app) {
      report(`${name}: build.args.APP is not set; it names the app the image runs`);
      continue;
    }
    let loaded;
    try {
      loaded = await loadAppConfig(app);
    } catch (error) {
      report(
        `${name}: APP=${app} is not an app with a configuration schema (${error instanceof Error ? error.message : error})`,
      );
      continue;
    }
    if (service.env_file) report(`${name}: env_file is not checked; list the variables under environment`);
    const env = environmentOf(service.environment);
    const rawEnv = environmentOf(rawServices[name]?.environment);
    const variables = Object.keys(loaded.schema.shape);
    for (const [variable, value] of env) {
      if (!loaded.schema.shape[variable] && !otelVariables.has(variable)) {
        report(`${name}: ${variable} is not a variable of ${app} (${loaded.file})`);
      }
      if (value === undefined) report(`${name}: ${variable} has no value (it would come from the host)`);
    }
    for (const variable of variables) {
      const required = !loaded.schema.shape[variable]?.safeParse(undefined).success;
      if (required && !env.get(variable)?.trim()) {
        report(`${name}: ${variable} is required by ${app} (${loaded.file}) but not set`);
      }
    }
    /** @type {Record<string, string | undefined>} */
    const processEnv = Object.fromEntries(env);
    /** @type {Record<string, unknown>} */
    let config;
    try {
      config = loadConfig(/** @type {any} */ (loaded.schema), processEnv);
    } catch (error) {
      const details = /** @type {{ problems?: { variable: string, message: string }[] }} */ (error).problems;
      const message = details
        ? details.map((problem) => `${problem.variable}: ${problem.message}`).join('; ')
        : String(error);
      report(`${name}: ${app} rejects its configuration: ${message}`);
      // Go on with the variables that are valid, so the wiring below is still checked.
      config = {};
      for (const variable of variables) {
        const parsed = /** @type {{ success: boolean, data?: unknown }} */ (
          loaded.schema.shape[variable]?.safeParse(
            processEnv[variable]?.trim() ? processEnv[variable] : undefined,
          )
        );
        if (parsed.success) config[variable] = parsed.data;
      }
    }
    // Secrets: from .env, never literally in the file.
    for (const variable of secretVariables(loaded.schema)) {
      const value = rawEnv.get(variable);
      if (value !== undefined && value !== '' && interpolations(value).length === 0) {
        report(`${name}: ${variable} is a secret, written literally; take it from .env (\${NAME:?…})`);
      }
    }
    apps.set(name, { app, config, env, schemaFile: loaded.file });
  }
  if (apps.size === 0) report('docker-compose.yml builds no app');

  /**
   * An app's ports: `{ grpc, metrics }` from its *_GRPC_PORT and *_METRICS_PORT variables.
   * @param {Record<string, unknown>} config
   */
  const portsOf = (config) => {
    const find = (/** @type {RegExp} */ pattern) => {
      const entry = Object.entries(config).find(([variable]) => pattern.test(variable));
      return entry ? { variable: entry[0], port: Number(entry[1]) } : undefined;
    };
    return { grpc: find(/_GRPC_PORT$/), metrics: find(/_METRICS_PORT$/), host: find(/_GRPC_HOST$/) };
  };

  /** The service a variable points at: reported unless it is a service of the file. */
  const target = (
    /** @type {string} */ name,
    /** @type {string} */ variable,
    /** @type {string} */ value,
  ) => {
    const address = hostAndPort(value);
    if (!address) {
      report(`${name}: ${variable}=${value} is not host:port`);
      return undefined;
    }
    if (!serviceNames.has(address.host)) {
      report(`${name}: ${variable} points at ${address.host}, which is not a service of docker-compose.yml`);
      return undefined;
    }
    return address;
  };
  /** @type {Map<string, Set<string>>} the services each app needs healthy */
  const needs = new Map();
  const need = (/** @type {string} */ name, /** @type {string} */ dependency) =>
    needs.set(name, (needs.get(name) ?? new Set()).add(dependency));

  const initScripts = Object.values(services)
    .filter((service) => String(service.image ?? '').startsWith('postgres:'))
    .flatMap((service) => mountsOf(service.volumes))
    .filter((mount) => mount.target.startsWith('/docker-entrypoint-initdb.d') && mount.source.startsWith('.'))
    .map((mount) => posix.normalize(mount.source))
    .filter((path) => exists(path))
    .map((path) => read(path))
    .join('\n');

  for (const [name, { app, config, env }] of apps) {
    const service = services[name];
    const { grpc, metrics, host } = portsOf(config);
    const appPorts = [grpc?.port, metrics?.port].filter((port) => port !== undefined);

    // Listening where other containers reach it.
    if (grpc && host && loopbackHosts.has(String(config[host.variable]))) {
      report(
        `${name}: ${host.variable}=${config[host.variable]} listens on loopback only; use 0.0.0.0 in a container`,
      );
    }
    for (const [variable, value] of Object.entries(config)) {
      if (/_METRICS_HOST$/.test(variable) && loopbackHosts.has(String(value))) {
        report(`${name}: ${variable}=${value} listens on loopback only; Prometheus cannot scrape it`);
      }
    }
    // Published ports are the configured ones; the gRPC port is published.
    const published = containerPorts(service.ports);
    for (const port of published) {
      if (!appPorts.includes(port)) {
        report(
          `${name}: publishes container port ${port}, but ${app} listens on ${appPorts.join(' and ')} ` +
            `(${[grpc, metrics]
              .filter(Boolean)
              .map((entry) => `${entry?.variable}=${entry?.port}`)
              .join(', ')})`,
        );
      }
    }
    if (grpc && !published.includes(grpc.port)) {
      report(`${name}: the gRPC port ${grpc.variable}=${grpc.port} is not published`);
    }

    // The health probe asks the configured port.
    const test = service.healthcheck?.test;
    const words = Array.isArray(test) ? test.map(String) : typeof test === 'string' ? test.split(/\s+/) : [];
    if (words.length === 0) report(`${name}: has no healthcheck`);
    else if (!words.some((word) => word.endsWith('healthcheck.mjs'))) {
      report(`${name}: the healthcheck does not run /app/deploy/healthcheck.mjs`);
    } else {
      const kind = words[words.findIndex((word) => word.endsWith('healthcheck.mjs')) + 1];
      const probed = words[words.findIndex((word) => word.endsWith('healthcheck.mjs')) + 2] ?? '';
      const address = hostAndPort(probed);
      if (grpc) {
        if (kind !== 'grpc')
          report(`${name}: the healthcheck should ask grpc.health.v1 (healthcheck.mjs grpc)`);
        else if (address?.port !== grpc.port) {
          report(`${name}: the healthcheck probes ${probed}, but ${grpc.variable}=${grpc.port}`);
        }
      } else if (metrics) {
        if (kind !== 'http' || address?.port !== metrics.port || !probed.endsWith('/metrics')) {
          report(
            `${name}: the healthcheck probes ${probed}, but ${metrics.variable}=${metrics.port} serves /metrics`,
          );
        }
      }
    }

    // Addresses of the other services, the brokers, the database, the OTLP endpoint.
    for (const [variable, value] of env) {
      if (value === undefined) continue;
      if (/_SERVICE_ADDRESS$/.test(variable)) {
        const address = target(name, variable, value);
        const upstream = address && apps.get(address.host);
        if (!address) continue;
        need(name, address.host);
        if (!upstream)
          report(`${name}: ${variable} points at ${address.host}, which is not an app of this file`);
        else {
          const upstreamGrpc = portsOf(upstream.config).grpc;
          if (address.port !== upstreamGrpc?.port) {
            report(
              `${name}: ${variable}=${value}, but ${address.host} listens on ${upstreamGrpc?.variable}=${upstreamGrpc?.port}`,
            );
          }
        }
      } else if (variable === 'KAFKA_BROKERS') {
        for (const broker of value.split(',').map((entry) => entry.trim())) {
          const address = target(name, variable, broker);
          if (!address) continue;
          need(name, address.host);
          const advertised = String(
            environmentOf(services[address.host]?.environment).get('KAFKA_ADVERTISED_LISTENERS') ?? '',
          );
          if (
            !advertised
              .split(',')
              .some((listener) => listener.replace(/^[^:]+:\/\//, '') === `${address.host}:${address.port}`)
          ) {
            report(
              `${name}: KAFKA_BROKERS has ${broker}, which ${address.host} does not advertise (${advertised || 'no KAFKA_ADVERTISED_LISTENERS'})`,
            );
          }
        }
      } else if (variable === 'DATABASE_URL') {
        const address = target(name, variable, value);
        if (!address) continue;
        need(name, address.host);
        if ((address.port ?? postgresPort) !== postgresPort) {
          report(`${name}: DATABASE_URL uses port ${address.port}; PostgreSQL listens on ${postgresPort}`);
        }
        const url = new URL(value);
        const database = url.pathname.replace(/^\//, '');
        for (const [what, wanted] of [
          ['database', database],
          ['role', decodeURIComponent(url.username)],
        ]) {
          if (!new RegExp(`\\bcreate_database\\s+${wanted}\\b`).test(initScripts)) {
            report(
              `${name}: DATABASE_URL names the ${what} ${wanted}, which the PostgreSQL init script does not create`,
            );
          }
        }
      } else if (variable === 'OTEL_EXPORTER_OTLP_ENDPOINT') {
        const address = target(name, variable, value);
        if (address && address.port !== otlpHttpPort) {
          report(
            `${name}: OTEL_EXPORTER_OTLP_ENDPOINT=${value}: the apps export OTLP/HTTP, port ${otlpHttpPort}`,
          );
        }
        if (address && !/^https?:\/\//.test(value))
          report(`${name}: OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// URL`);
      }
    }

    // Start order: what the app needs is healthy first.
    const dependsOn = service.depends_on ?? {};
    for (const dependency of needs.get(name) ?? []) {
      const condition = Array.isArray(dependsOn) ? undefined : dependsOn[dependency]?.condition;
      if (condition !== 'service_healthy') {
        report(`${name}: depends on ${dependency} but not with condition: service_healthy`);
      }
      if (!services[dependency]?.healthcheck)
        report(`${name}: needs ${dependency} healthy, which has no healthcheck`);
    }

    // Data on volumes: the data directory, and the key set the services share.
    const mounts = mountsOf(service.volumes);
    for (const [variable, value] of Object.entries(config)) {
      if (!/_DATA_DIR$/.test(variable) && variable !== 'AUTH_JWKS_FILE') continue;
      if (!env.has(variable)) continue;
      const path = variable === 'AUTH_JWKS_FILE' ? posix.dirname(String(value)) : String(value);
      if (!posix.isAbsolute(path))
        report(`${name}: ${variable}=${value} is relative; use a path under a volume`);
      else if (!mounts.some((mount) => isWithin(path, mount.target) && !mount.source.startsWith('.'))) {
        report(`${name}: ${variable}=${value} is not on a named volume`);
      }
    }
  }

  // The public key set: one file, on one volume, written by the user service, read by the others.
  const jwks = [...apps].filter(([, { env }]) => env.has('AUTH_JWKS_FILE'));
  const jwksVolumes = new Set(
    jwks.map(([name, { config }]) => {
      const dir = posix.dirname(String(config['AUTH_JWKS_FILE']));
      return mountsOf(services[name].volumes).find((mount) => isWithin(dir, mount.target))?.source;
    }),
  );
  if (new Set(jwks.map(([, { config }]) => config['AUTH_JWKS_FILE'])).size > 1 || jwksVolumes.size > 1) {
    report(
      `AUTH_JWKS_FILE differs between ${jwks.map(([name]) => name).join(', ')}: they must share one file on one volume`,
    );
  }

  // Client credentials: every AUTH_CLIENT_ID/AUTH_CLIENT_SECRET is in AUTH_SERVICE_CLIENTS.
  const clientLists = [...apps.values()].filter(
    ({ config }) => typeof config['AUTH_SERVICE_CLIENTS'] === 'string',
  );
  const clients = new Map(
    clientLists.flatMap(({ env }) =>
      String(env.get('AUTH_SERVICE_CLIENTS') ?? '')
        .split(',')
        .map(
          (entry) =>
            /** @type {[string, string]} */ ([
              entry.slice(0, entry.indexOf(':')).trim(),
              entry.slice(entry.indexOf(':') + 1).trim(),
            ]),
        ),
    ),
  );
  for (const [name, { env, config }] of apps) {
    if (!env.has('AUTH_CLIENT_SECRET')) continue;
    const id = String(config['AUTH_CLIENT_ID']);
    if (!clients.has(id)) report(`${name}: its client id ${id} is not in AUTH_SERVICE_CLIENTS`);
    else if (clients.get(id) !== env.get('AUTH_CLIENT_SECRET')) {
      report(`${name}: AUTH_CLIENT_SECRET is not the secret AUTH_SERVICE_CLIENTS gives ${id}`);
    }
  }

  // Prometheus scrapes every app's metrics port, and only ports that exist.
  const prometheus = Object.entries(services).find(([, service]) =>
    String(service.image ?? '').startsWith('prom/prometheus'),
  );
  if (!prometheus) report('docker-compose.yml has no Prometheus (prom/prometheus) service');
  else {
    const configMount = mountsOf(prometheus[1].volumes).find(
      (mount) => mount.target === '/etc/prometheus/prometheus.yml',
    );
    const configPath = configMount && posix.normalize(configMount.source);
    if (!configPath || !exists(configPath))
      report(`${prometheus[0]}: no prometheus.yml mounted at /etc/prometheus/prometheus.yml`);
    else {
      /** @type {Json} */
      const prometheusConfig = parseYaml(read(configPath)) ?? {};
      const targets = (prometheusConfig.scrape_configs ?? []).flatMap((/** @type {Json} */ job) =>
        (job.static_configs ?? []).flatMap((/** @type {Json} */ group) => group.targets ?? []).map(String),
      );
      for (const scrape of targets) {
        const address = hostAndPort(scrape);
        if (!address || loopbackHosts.has(address.host)) continue;
        const app = apps.get(address.host);
        if (!app) report(`${configPath}: target ${scrape} is not an app of docker-compose.yml`);
        else if (portsOf(app.config).metrics?.port !== address.port) {
          const metrics = portsOf(app.config).metrics;
          report(
            `${configPath}: target ${scrape}, but ${address.host} serves metrics on ${metrics?.variable}=${metrics?.port}`,
          );
        }
      }
      for (const [name, { config }] of apps) {
        const metrics = portsOf(config).metrics;
        if (metrics && !targets.includes(`${name}:${metrics.port}`)) {
          report(`${configPath}: does not scrape ${name}:${metrics.port} (${metrics.variable})`);
        }
      }
    }
  }

  // Grafana: provisioned datasources, and a dashboard on real metric names.
  const grafana = Object.entries(services).find(([, service]) =>
    String(service.image ?? '').startsWith('grafana/grafana'),
  );
  if (!grafana) report('docker-compose.yml has no Grafana (grafana/grafana) service');
  else {
    const mounts = mountsOf(grafana[1].volumes).filter((mount) => mount.source.startsWith('.'));
    const hostPath = (/** @type {string} */ containerPath) => {
      const mount = mounts.find((candidate) => isWithin(containerPath, candidate.target));
      return mount && posix.normalize(posix.join(mount.source, posix.relative(mount.target, containerPath)));
    };
    const provisioning = hostPath('/etc/grafana/provisioning');
    const datasourceUids = new Set();
    if (!provisioning) report(`${grafana[0]}: no provisioning mounted at /etc/grafana/provisioning`);
    else {
      const dir = posix.join(provisioning, 'datasources');
      for (const file of existsSync(join(root, dir)) ? readdirSync(join(root, dir)) : []) {
        for (const source of parseYaml(read(posix.join(dir, file)))?.datasources ?? [])
          datasourceUids.add(source.uid);
      }
      for (const type of ['prometheus', 'jaeger']) {
        if (!datasourceUids.has(type)) report(`${dir}: no datasource with uid ${type}`);
      }
    }
    const dashboardsDir = hostPath('/etc/grafana/dashboards');
    if (!dashboardsDir || !existsSync(join(root, dashboardsDir)))
      report(`${grafana[0]}: no dashboards mounted at /etc/grafana/dashboards`);
    else {
      const known = registeredMetricNames(root);
      for (const file of readdirSync(join(root, dashboardsDir)).filter((entry) => entry.endsWith('.json'))) {
        const path = posix.join(dashboardsDir, file);
        /** @type {Json} */
        const dashboard = JSON.parse(read(path));
        const panels = (dashboard.panels ?? []).flatMap((/** @type {Json} */ panel) => [
          panel,
          ...(panel.panels ?? []),
        ]);
        for (const panel of panels) {
          for (const query of panel.targets ?? []) {
            const uid = query.datasource?.uid ?? panel.datasource?.uid;
            if (uid && !uid.startsWith('$') && !datasourceUids.has(uid)) {
              report(`${path}: panel "${panel.title}" uses datasource ${uid}, which is not provisioned`);
            }
            for (const metric of metricNamesIn(String(query.expr ?? ''))) {
              if (!platformMetricPrefixes.some((prefix) => metric.startsWith(prefix))) continue;
              const family = metric.replace(/_(bucket|sum|count)$/, '');
              if (!known.has(metric) && !known.has(family)) {
                report(`${path}: panel "${panel.title}" reads ${metric}, which no lib registers`);
              }
            }
          }
        }
      }
    }
  }

  return problems;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const problems = await checkCompose();
  for (const problem of problems) console.error(`- ${problem}`);
  console.log(
    problems.length === 0
      ? `docker-compose.yml matches the Compose Specification (${composeSpecSource.module}@${composeSpecSource.version}) and the apps' configuration`
      : `docker-compose.yml: ${problems.length} problem(s)`,
  );
  process.exit(problems.length === 0 ? 0 : 1);
}
