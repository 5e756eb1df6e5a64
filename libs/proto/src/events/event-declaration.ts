/**
 * An event type as libs/proto declares it: the fields of @platform/events's `EventType` (its
 * `ce_type`, its topic, its generated codec), which the runtime takes as data. libs/proto
 * imports no runtime lib, so the shape is matched, not imported.
 */
export interface EventDeclaration<Topic, Codec> {
  /** The protobuf full name of the payload: `ce_type`. */
  readonly type: string;
  readonly topic: Topic;
  readonly codec: Codec;
}
