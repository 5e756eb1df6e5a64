/** Where @platform/proto declares the platform's topics and event types. */
const eventsDir = 'libs/proto/src/events';

/**
 * The platform topic named `topic` as libs/proto declares it (`export const xEventsTopic = {
 * name: '<topic>', ... }` and its `EventDeclaration`s), or why there is none: the names of the
 * topics there are.
 *
 * @param {import('@nx/devkit').Tree} tree
 * @param {string} topic
 * @returns {{ topic: string, constant: string, events: { declaration: string, type: string }[] } | string}
 */
export function platformTopic(tree, topic) {
  /** @type {string[]} */
  const known = [];
  for (const file of tree
    .children(eventsDir)
    .filter((name) => /\.ts$/.test(name) && !name.endsWith('.spec.ts'))) {
    const source = tree.read(`${eventsDir}/${file}`, 'utf-8') ?? '';
    for (const [, constant, name] of source.matchAll(/export const (\w+) = \{\s*name: ["']([^"']+)["']/g)) {
      if (!constant || !name) continue;
      known.push(name);
      if (name !== topic) continue;
      const declared = new RegExp(
        `export const (\\w+): EventDeclaration<\\s*typeof ${constant},[^>]*>\\s*=\\s*\\{\\s*type: ["']([^"']+)["']`,
        'g',
      );
      const events = [...source.matchAll(declared)].map(([, declaration = '', type = '']) => ({
        declaration,
        type,
      }));
      if (events.length === 0) return `the topic ${topic} declares no event types in ${eventsDir}/${file}`;
      return { topic, constant, events };
    }
  }
  if (!topic) return `a consumer needs a topic, one of ${known.sort().join(', ')}`;
  return `"${topic}" is not a platform topic; the topics declared in ${eventsDir} are ${known.sort().join(', ')}`;
}
