/**
 * Every name a service called `name` goes by, derived from one lower-case kebab-case word list,
 * so each is valid where it is used: `loyalty-points` is the Nx projects `loyalty-points-service`
 * and `loyalty-points-domain`, the proto package `platform.loyalty_points.v1` (buf wants
 * lower_snake_case and the directory to match), the TypeScript names `loyaltyPoints` and
 * `LoyaltyPoints`, the variable prefix `LOYALTY_POINTS_`, the database and role
 * `loyalty_points_service`, the topic `loyalty_points.events.v1` (`<package segment>.events.v1`, as the event declarations' spec requires) and the Kubernetes name
 * `loyalty-points-service` (a DNS-1123 label).
 *
 * @param {string} name a name {@link nameProblem} accepts
 */
export function serviceNames(name) {
  const words = name.split('-');
  const pascal = words.map((word) => word[0].toUpperCase() + word.slice(1)).join('');
  const snake = words.join('_');
  return {
    name,
    /** `LoyaltyPoints`: the service's TypeScript and protobuf type names start with it. */
    pascal,
    /** `loyaltyPoints`: its TypeScript values. */
    camel: pascal[0].toLowerCase() + pascal.slice(1),
    snake,
    /** `LOYALTY_POINTS`: its environment variables start with it and an underscore. */
    constant: snake.toUpperCase(),
    app: `${name}-service`,
    domain: `${name}-domain`,
    protoPackage: `platform.${snake}.v1`,
    protoDir: `protos/platform/${snake}/v1`,
    serviceType: `${pascal}Service`,
    /** The sample resource every generated service starts with. */
    resource: `${pascal}Item`,
    database: `${snake}_service`,
    topic: `${snake}.events.v1`,
    errorDomain: `${name}.platform`,
  };
}

/** The longest name: `<name>-service` stays a short DNS label and `<name>_service` a short role name. */
export const maxNameLength = 30;

/**
 * Names a service may not take: the platform's own projects and words, and words that are
 * reserved in TypeScript or protobuf, which the name becomes part of.
 */
export const reservedNames = new Set([
  // the platform's projects, layers and top-level words
  'platform',
  'plugin',
  'core',
  'config',
  'db',
  'grpc',
  'events',
  'nest',
  'observability',
  'proto',
  'protos',
  'service',
  'testing',
  'tools',
  'google',
  'deploy',
  'dist',
  'node-modules',
  // ECMAScript and TypeScript reserved words
  ...[
    'break case catch class const continue debugger default delete do else enum export extends',
    'false finally for function if import in instanceof new null return super switch this throw',
    'true try typeof var void while with implements interface let package private protected',
    'public static yield await any boolean number string symbol object undefined never unknown',
  ]
    .join(' ')
    .split(' '),
  // protobuf words a package segment cannot be
  'syntax',
  'option',
  'message',
  'rpc',
  'returns',
  'stream',
  'oneof',
  'map',
  'reserved',
  'optional',
  'repeated',
]);

/**
 * Why `name` cannot name a new service, or undefined when it can. `taken` says whether a project
 * or a contract of that name exists already.
 *
 * @param {string} name
 * @param {(names: ReturnType<typeof serviceNames>) => string | undefined} taken
 * @returns {string | undefined}
 */
export function nameProblem(name, taken) {
  if (typeof name !== 'string' || name.length === 0) return 'a service needs a name, for example "inventory"';
  if (name.length > maxNameLength)
    return `"${name}" is ${name.length} characters long; at most ${maxNameLength} keep its Kubernetes and database names short`;
  if (/[A-Z]/.test(name))
    return `"${name}" has upper-case letters; use lower-case kebab-case, for example "${name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}"`;
  if (!/^[a-z]/.test(name))
    return `"${name}" must start with a letter (it begins proto packages and identifiers)`;
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name))
    return `"${name}" may hold only lower-case letters, digits and single hyphens between words (no "_", ".", spaces or a trailing "-"), for example "${name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')}"`;
  if (name.split('-').some((word) => /^[0-9]/.test(word)))
    return `"${name}": each word must start with a letter (a protobuf package segment cannot start with a digit)`;
  if (reservedNames.has(name) || reservedNames.has(name.replace(/-service$/, '')))
    return `"${name}" is reserved (a platform project or a TypeScript or protobuf word); choose a name for what the service owns`;
  if (name.endsWith('-service') || name.endsWith('-domain'))
    return `"${name}" ends with "-service" or "-domain", which the generator adds itself; use "${name.replace(/-(service|domain)$/, '')}"`;
  return taken(serviceNames(name));
}
