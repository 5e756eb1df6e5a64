// The Secrets the README's install steps make and those the rendered chart references, to hold
// the README to what the templates read.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { root } from './chart-tools.mjs';

/** Adds `key` to the set of `name` in `map`. */
function add(map, name, key) {
  if (!map.has(name)) map.set(name, new Set());
  map.get(name).add(key);
}

/**
 * The `kubectl create secret generic` commands of deploy/kubernetes/README.md: Secret name ->
 * keys (`--from-literal=KEY=...`, `--from-file=[KEY=]PATH`). Commands for a generated service
 * (named `$APP...`, keys with `${PREFIX}`) come back apart, as templates.
 */
export function readmeSecrets() {
  const text = readFileSync(join(root, 'deploy', 'kubernetes', 'README.md'), 'utf8').replace(/\\\n\s*/g, ' ');
  const explicit = new Map();
  const generic = new Map();
  for (const [, name, args] of text.matchAll(/kubectl (?:-n \S+ )?create secret generic (\S+)([^\n]*)/g)) {
    const target = name.includes('$APP') ? generic : explicit;
    if (!target.has(name)) target.set(name, new Set());
    for (const [, key] of args.matchAll(/--from-literal=([^=\s]+)=/g)) add(target, name, key);
    for (const [, spec] of args.matchAll(/--from-file=(\S+)/g)) {
      const [key, path] = spec.includes('=') ? spec.split('=') : [basename(spec), spec];
      add(target, name, path ? key : basename(spec));
    }
  }
  return { explicit, generic };
}

/**
 * The Secrets rendered objects reference: name -> keys, from every container's `secretKeyRef`s
 * and each secret volume (its key: the file under the mount path a ConfigMap variable names).
 */
export function referencedSecrets(objects) {
  const referenced = new Map();
  const config = Object.assign(
    {},
    ...objects.filter((object) => object.kind === 'ConfigMap').map((object) => object.data ?? {}),
  );
  for (const object of objects) {
    const pod = object.spec?.template?.spec;
    if (!pod) continue;
    for (const container of pod.containers) {
      for (const variable of container.env ?? []) {
        const ref = variable.valueFrom?.secretKeyRef;
        if (ref) add(referenced, ref.name, ref.key);
      }
      for (const volume of (pod.volumes ?? []).filter((v) => v.secret)) {
        const mount = container.volumeMounts?.find((m) => m.name === volume.name);
        if (!mount) continue;
        const files = Object.values(config).filter((value) =>
          String(value).startsWith(`${mount.mountPath}/`),
        );
        if (files.length === 0) add(referenced, volume.secret.secretName, '(no variable names a file of it)');
        for (const file of files)
          add(referenced, volume.secret.secretName, file.slice(mount.mountPath.length + 1));
      }
    }
  }
  return referenced;
}

/** A map of sets as a plain object of sorted arrays, to compare with toEqual. */
export const sorted = (map) =>
  Object.fromEntries(
    [...map.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, [...v].sort()]),
  );
