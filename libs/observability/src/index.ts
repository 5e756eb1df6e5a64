// Public API of @platform/observability.
export {};
