/**
 * Rewrites one match of `pattern` in a workspace file through `replace`, and fails naming the
 * file when the pattern is not there: a file the generator extends was changed by hand, and
 * writing half a service would be worse than stopping (Nx writes nothing when a generator throws).
 *
 * @param {import('@nx/devkit').Tree} tree
 * @param {string} path
 * @param {RegExp} pattern
 * @param {(match: string, ...groups: string[]) => string} replace
 */
export function editSource(tree, path, pattern, replace) {
  const text = tree.read(path, 'utf-8');
  if (text === null) throw new Error(`${path} is missing; the generator adds the service to it`);
  if (!pattern.test(text)) {
    throw new Error(
      `${path} no longer has the shape the generator extends (${pattern}); add the service by hand`,
    );
  }
  tree.write(path, text.replace(pattern, replace));
}
