import { updateJson } from '@nx/devkit';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Records new workspace packages in package-lock.json as `npm install` would (a package entry at
 * its folder, a link at node_modules/<name>), so `npm ci` on a fresh clone installs them.
 *
 * @param {import('@nx/devkit').Tree} tree
 * @param {{ dir: string, name: string, dependencies: Record<string, string> }[]} packages
 */
export function lockWorkspacePackages(tree, packages) {
  if (!tree.exists('package-lock.json')) return;
  updateJson(tree, 'package-lock.json', (lock) => {
    const entries = Object.entries(lock.packages ?? {});
    const insert = (/** @type {string} */ key, /** @type {unknown} */ value) => {
      const prefix = key.startsWith('node_modules/') ? 'node_modules/@platform/' : key.split('/')[0] + '/';
      let at = entries.findIndex(([other]) => other.startsWith(prefix) && other > key);
      if (at < 0) at = entries.findLastIndex(([other]) => other.startsWith(prefix)) + 1 || entries.length;
      entries.splice(at, 0, [key, value]);
    };
    for (const { dir, name, dependencies } of packages) {
      insert(dir, { name, version: '0.0.0', dependencies });
      insert(`node_modules/${name}`, { resolved: dir, link: true });
    }
    return { ...lock, packages: Object.fromEntries(entries) };
  });
}

/**
 * Links new workspace packages into node_modules as npm does (relative symlinks), so they resolve
 * before the next `npm install`; run after the tree is written (a generator's callback).
 *
 * @param {string} root the workspace root on disk
 * @param {{ dir: string, name: string }[]} packages
 */
export function linkWorkspacePackages(root, packages) {
  for (const { dir, name } of packages) {
    const link = join(root, 'node_modules', name);
    if (existsSync(link)) continue;
    mkdirSync(join(link, '..'), { recursive: true });
    symlinkSync(relative(join(link, '..'), join(root, dir)), link);
  }
}
