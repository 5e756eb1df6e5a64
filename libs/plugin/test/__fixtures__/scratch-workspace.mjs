import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The workspace these tests run in (libs/plugin/test/__fixtures__ -> the root). */
export const workspaceRoot = join(import.meta.dirname, '..', '..', '..', '..');

/**
 * A copy of the workspace's files (those git tracks or would track) in a temporary directory, with
 * a node_modules of its own that links every installed package of the workspace's, except the
 * workspace packages (`@platform/*`), which link into the copy as npm links them: a generator
 * run there changes nothing here, and what it generates resolves as in a fresh clone.
 */
export function scratchWorkspace() {
  const root = mkdtempSync(join(tmpdir(), 'platform-plugin-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: workspaceRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const target = join(root, file);
    mkdirSync(dirname(target), { recursive: true });
    try {
      cpSync(join(workspaceRoot, file), target, { verbatimSymlinks: true });
    } catch (error) {
      // A file git lists that another change deleted meanwhile is not part of the copy.
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'ENOENT') throw error;
    }
  }
  const modules = join(workspaceRoot, 'node_modules');
  mkdirSync(join(root, 'node_modules', '@platform'), { recursive: true });
  for (const entry of readdirSync(modules)) {
    if (entry === '@platform') continue;
    symlinkSync(join(modules, entry), join(root, 'node_modules', entry));
  }
  for (const entry of readdirSync(join(modules, '@platform'))) {
    const link = readlinkSync(join(modules, '@platform', entry));
    symlinkSync(link, join(root, 'node_modules', '@platform', entry));
  }
  return root;
}
