import type {
  ImportOrdersOptions,
  OrderBook,
  OrderChangeFeed,
  TrackOrdersOptions,
  UserDirectory,
} from '@platform/order-domain';

/** What the controller hands requests to: the domain objects built by `orderService` (order-service.ts). */
export class OrderDomain {
  constructor(
    readonly book: OrderBook,
    readonly feed: OrderChangeFeed,
    readonly users: UserDirectory,
    readonly importOptions: ImportOrdersOptions,
    readonly trackOptions: TrackOrdersOptions,
  ) {}
}
