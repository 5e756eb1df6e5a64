import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { findInvalidUtf8 } from './find-invalid-utf8.js';
import { InvalidUtf8Request } from './invalid-utf8-request.js';
import { requestMessageOf } from './request-message.js';
import { stringFieldPlan } from './string-field-plan.js';

const checkedMark = Symbol.for('@platform/grpc.utf8Checked');

type Deserializer = MethodDefinition<unknown, unknown>['requestDeserialize'];

/** True for a request deserializer made by {@link utf8Checked}. */
export function isUtf8Checked(deserialize: unknown): boolean {
  return typeof deserialize === 'function' && checkedMark in deserialize;
}

function checkedMethod<Method extends MethodDefinition<unknown, unknown>>(method: Method): Method {
  if (isUtf8Checked(method.requestDeserialize)) return method;
  const plan = stringFieldPlan(requestMessageOf(method.path));
  // A request type that cannot hold a string keeps its decoder and costs nothing per call.
  if (!plan) return method;
  const decode = method.requestDeserialize;
  const requestDeserialize: Deserializer = (bytes) => {
    let violation;
    try {
      violation = findInvalidUtf8(bytes, plan);
    } catch {
      // Malformed wire data: the message's own decoder refuses it as before.
      return decode(bytes);
    }
    return violation ? new InvalidUtf8Request(violation) : decode(bytes);
  };
  Object.defineProperty(requestDeserialize, checkedMark, { value: true });
  return { ...method, requestDeserialize };
}

/**
 * The service definition with request deserializers that refuse a message holding invalid UTF-8
 * in any `string` field (proto3 requires valid UTF-8; protobufjs and ts-proto would decode it
 * with U+FFFD replacements, so different bytes would compare equal). The bytes of each string
 * are checked on the wire, guided by the request type's descriptor, before the usual decoder
 * runs; the server chain's utf8 step answers INVALID_ARGUMENT naming the field. Works on
 * ts-proto (`OrderServiceService`) and proto-loader definitions (health, reflection, what
 * NestJS loads); idempotent. The types come from `platformFileDescriptors` by method path.
 *
 * @throws Error when a method is in no descriptor of the platform (add its .proto to protos/).
 */
export function utf8Checked<Definition extends ServiceDefinition>(definition: Definition): Definition {
  return Object.fromEntries(
    Object.entries(definition).map(([name, method]) => [name, checkedMethod(method)]),
  ) as Definition;
}

/** Messages and enums of a package definition carry a `format`; services are method maps. */
function isService(value: PackageDefinition[string]): value is PackageDefinition[string] & ServiceDefinition {
  return !('format' in value && typeof value.format === 'string');
}

/** {@link utf8Checked} for every service of a proto-loader package definition (what NestJS loads). */
export function utf8CheckedPackage(definition: PackageDefinition): PackageDefinition {
  return Object.fromEntries(
    Object.entries(definition).map(([name, value]) => [name, isService(value) ? utf8Checked(value) : value]),
  );
}
