/**
 * The Worker: the API under /api/*; everything else is the built app, served from static assets
 * (wrangler.toml routes only /api/* to this code).
 */
import { app } from './http/app';

export { AddressThrottle } from './objects/address-throttle';
export { BillingIndex } from './objects/billing-index';
export { EmailIndex } from './objects/email-index';
export { Subscription } from './objects/subscription';

export default app satisfies ExportedHandler<Env>;
