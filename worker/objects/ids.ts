/** Ids for the outbox and what hangs off it: events, deliveries, webhook endpoints, push devices. */
import { randomToken } from '../crypto';

/** A random id with a prefix, shaped like the API's other ids (100 random bits), e.g. `evt_3kq…`. */
export const prefixedId = (prefix: 'evt' | 'dlv' | 'whk' | 'psh' | 'sch'): string => `${prefix}_${randomToken(13).slice(0, 20)}`;
