import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';

/** How to read one field of a message that can hold strings. */
export type FieldPlan =
  | { readonly kind: 'string'; readonly name: string; readonly repeated: boolean }
  | {
      readonly kind: 'message';
      readonly name: string;
      readonly repeated: boolean;
      readonly plan: MessagePlan;
    }
  | {
      readonly kind: 'map';
      readonly name: string;
      readonly key: ScalarType;
      /** A string value, a message value that can hold strings, or `undefined` (neither). */
      readonly value: 'string' | MessagePlan | undefined;
    };

/** The fields of a message type to look into, by field number; every other field is skipped. */
export interface MessagePlan {
  readonly fields: ReadonlyMap<number, FieldPlan>;
}

/**
 * The plan of a request type: only `string` fields, and the message, repeated and map fields
 * that can reach one (transitively, recursive types included), so bytes and numbers are skipped
 * unread. `undefined` when the type can hold no string at all.
 */
export function stringFieldPlan(root: DescMessage): MessagePlan | undefined {
  const reachable = reachableMessages(root);
  const holders = stringHolders(reachable);
  if (!holders.has(root)) return undefined;
  const plans = new Map<DescMessage, { fields: Map<number, FieldPlan> }>();
  for (const message of holders) plans.set(message, { fields: new Map() });
  for (const [message, plan] of plans) {
    for (const field of message.fields) {
      const fieldPlan = planOf(field, (type) => plans.get(type));
      if (fieldPlan) plan.fields.set(field.number, fieldPlan);
    }
  }
  return plans.get(root);
}

function planOf(
  field: DescField,
  planFor: (type: DescMessage) => MessagePlan | undefined,
): FieldPlan | undefined {
  const { name } = field;
  switch (field.fieldKind) {
    case 'scalar':
      return field.scalar === ScalarType.STRING ? { kind: 'string', name, repeated: false } : undefined;
    case 'message': {
      const plan = planFor(field.message);
      return plan && { kind: 'message', name, repeated: false, plan };
    }
    case 'list':
      if (field.listKind === 'scalar') {
        return field.scalar === ScalarType.STRING ? { kind: 'string', name, repeated: true } : undefined;
      }
      if (field.listKind === 'message') {
        const plan = planFor(field.message);
        return plan && { kind: 'message', name, repeated: true, plan };
      }
      return undefined;
    case 'map': {
      const value =
        field.mapKind === 'scalar' && field.scalar === ScalarType.STRING
          ? 'string'
          : field.mapKind === 'message'
            ? planFor(field.message)
            : undefined;
      if (field.mapKey !== ScalarType.STRING && !value) return undefined;
      return { kind: 'map', name, key: field.mapKey, value };
    }
    default:
      return undefined;
  }
}

function messagesOf(field: DescField): DescMessage | undefined {
  if (field.fieldKind === 'message') return field.message;
  if (field.fieldKind === 'list' && field.listKind === 'message') return field.message;
  if (field.fieldKind === 'map' && field.mapKind === 'message') return field.message;
  return undefined;
}

function reachableMessages(root: DescMessage): Set<DescMessage> {
  const seen = new Set<DescMessage>();
  const pending = [root];
  for (let message = pending.pop(); message; message = pending.pop()) {
    if (seen.has(message)) continue;
    seen.add(message);
    for (const field of message.fields) {
      const type = messagesOf(field);
      if (type) pending.push(type);
    }
  }
  return seen;
}

function holdsStringItself(field: DescField): boolean {
  if (field.fieldKind === 'scalar' || (field.fieldKind === 'list' && field.listKind === 'scalar')) {
    return field.scalar === ScalarType.STRING;
  }
  if (field.fieldKind === 'map') {
    return (
      field.mapKey === ScalarType.STRING || (field.mapKind === 'scalar' && field.scalar === ScalarType.STRING)
    );
  }
  return false;
}

/** The messages that can hold a string: a fixpoint, so cycles are decided by all their members. */
function stringHolders(messages: Set<DescMessage>): Set<DescMessage> {
  const holders = new Set<DescMessage>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const message of messages) {
      if (holders.has(message)) continue;
      const holds = message.fields.some((field) => {
        if (holdsStringItself(field)) return true;
        const type = messagesOf(field);
        return type !== undefined && holders.has(type);
      });
      if (holds) {
        holders.add(message);
        grew = true;
      }
    }
  }
  return holders;
}
