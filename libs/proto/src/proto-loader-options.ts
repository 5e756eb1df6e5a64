import type { Options } from '@grpc/proto-loader';
import { protoIncludeDirs } from './proto-paths.js';

/**
 * @grpc/proto-loader options under which runtime objects have exactly the shape of the
 * ts-proto types in `./gen` (see buf.gen.yaml for the ts-proto side):
 *
 * | proto            | loader option       | ts-proto option               | runtime value        |
 * |------------------|---------------------|-------------------------------|----------------------|
 * | field names      | keepCase: false     | (default camelCase)           | `createTime`         |
 * | int64 / uint64   | longs: String       | forceLong=string              | `'9007199254740993'` |
 * | enums            | enums: String       | stringEnums=true              | `'ORDER_STATUS_PENDING'` |
 * | unset scalars    | defaults: true      | useOptionals=none             | `''`, `0`, `'0'`, `false` |
 * | unset messages   | defaults: true      | useNullAsOptional=true        | `null`               |
 * | repeated / map   | arrays/objects      | (default)                     | `[]` / `{}`          |
 * | oneof, optional  | oneofs: false       | oneof=properties              | unset members absent |
 * | Timestamp        | (no wrapper)        | useDate=false                 | `{ seconds: '…', nanos }` |
 * | bytes            | (default Buffer)    | env=node                      | `Buffer`             |
 *
 * `oneofs: true` would add a virtual property naming the set member, which the types do not
 * have; it stays off. Pass these to NestJS `options.loader` and to `loadSync`.
 */
export const protoLoaderOptions = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: false,
  includeDirs: [...protoIncludeDirs],
} satisfies Options;
