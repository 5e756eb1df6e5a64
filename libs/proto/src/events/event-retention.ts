/**
 * How long Kafka keeps the platform's events: consumers replaying or rebuilding a projection
 * must do it within this. Seven days.
 */
export const eventRetentionMs = 7 * 24 * 60 * 60 * 1000;
