// A small client of the Kubernetes API for the launcher and the chart's tests: TLS with the
// launcher's client certificate, discovery (kind -> resource), and server-side apply. Applying
// with `dryRun=All` and `fieldValidation=Strict` asks the API server to run the whole write path
// (defaulting, schema validation, admission) and store nothing: what
// `kubectl apply --server-side --dry-run=server --validate=strict` sends.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { parseAllDocuments } from 'yaml';

/** A client for the API server a launcher state describes (its URL and certificate files). */
export function kubeClient(state) {
  const tls = {
    ca: readFileSync(state.caFile),
    cert: readFileSync(state.clientCertFile),
    key: readFileSync(state.clientKeyFile),
  };
  const send = (method, path, { body, contentType = 'application/json' } = {}) =>
    new Promise((resolve, reject) => {
      const url = new URL(path, state.server);
      const req = request(
        url,
        {
          method,
          ...tls,
          headers: { accept: 'application/json', ...(body ? { 'content-type': contentType } : {}) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => {
            let json;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, json, text });
          });
        },
      );
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: no answer in 60 s`)));
      req.once('error', reject);
      req.end(body);
    });

  const discovery = new Map();
  /** The resource (plural name, namespaced or not) of an apiVersion and kind, from discovery. */
  async function resourceFor(apiVersion, kind) {
    // A CRD just established can take a moment to appear in discovery: asked again, bounded.
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (!discovery.has(apiVersion)) {
        const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
        const { status, json } = await send('GET', path);
        if (status === 200) discovery.set(apiVersion, json.resources);
      }
      const resource = discovery
        .get(apiVersion)
        ?.find((candidate) => candidate.kind === kind && !candidate.name.includes('/'));
      if (resource) return resource;
      if (Date.now() > deadline) {
        throw new Error(`the API server serves no ${kind} in ${apiVersion} (is its CRD installed?)`);
      }
      discovery.delete(apiVersion);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** Server-side apply of one object; `dryRun` stores nothing. Resolves the API's answer. */
  async function apply(object, { dryRun, namespace = 'default', fieldManager = 'platform-kube' }) {
    const { apiVersion, kind, metadata } = object;
    const resource = await resourceFor(apiVersion, kind);
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns = metadata.namespace ?? namespace;
    const path =
      `${base}${resource.namespaced ? `/namespaces/${encodeURIComponent(ns)}` : ''}/${resource.name}/` +
      `${encodeURIComponent(metadata.name)}?fieldManager=${fieldManager}&fieldValidation=Strict&force=true` +
      (dryRun ? '&dryRun=All' : '');
    const answer = await send('PATCH', path, {
      body: JSON.stringify(object),
      contentType: 'application/apply-patch+yaml',
    });
    return {
      ...answer,
      resource: resource.name,
      group: apiVersion.includes('/') ? apiVersion.split('/')[0] : '',
    };
  }

  return { send, apply, resourceFor };
}

/** The objects of a multi-document YAML stream (empty documents dropped); throws on bad YAML. */
export function parseManifests(text) {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length) throw new Error(`bad YAML: ${document.errors[0].message}`);
      return document.toJS();
    })
    .filter((object) => object && typeof object === 'object');
}

/** `kind.group/name`, as kubectl names an object in its output. */
export function objectName(object) {
  const group = object.apiVersion.includes('/') ? `.${object.apiVersion.split('/')[0]}` : '';
  return `${object.kind.toLowerCase()}${group}/${object.metadata.name}`;
}

/**
 * Applies every object in order, each with its own answer: `{ object, ok, message }`. With
 * `dryRun`, namespaces and CRDs are still created for real first (a dry-run object in a missing
 * namespace or of an unknown kind is refused before validation), as a cluster would have them.
 */
export async function applyAll(client, objects, { dryRun, namespace }) {
  const results = [];
  const setupKinds = new Set(['Namespace', 'CustomResourceDefinition']);
  const ordered = [
    ...objects.filter((o) => setupKinds.has(o.kind)),
    ...objects.filter((o) => !setupKinds.has(o.kind)),
  ];
  if (namespace)
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }, {});
  for (const object of ordered) {
    const setup = setupKinds.has(object.kind);
    let answer;
    try {
      answer = await client.apply(object, { dryRun: dryRun && !setup, namespace });
    } catch (error) {
      results.push({ object, ok: false, message: error.message });
      continue;
    }
    const ok = answer.status >= 200 && answer.status < 300;
    const message = ok
      ? `${objectName(object)} serverside-applied${dryRun && !setup ? ' (server dry run)' : ''}`
      : `${objectName(object)}: ${answer.json?.message ?? answer.text}`;
    results.push({ object, ok, message });
    if (ok && object.kind === 'CustomResourceDefinition') await waitEstablished(client, object.metadata.name);
  }
  return results;
}

/** Waits (bounded) until the API server serves a CRD just created. */
async function waitEstablished(client, name) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { json } = await client.send(
      'GET',
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
    );
    if (json?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`CRD ${name} was not established within 60 s`);
}
