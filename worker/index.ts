/**
 * The Worker: the API under /api/*, the SCIM service for directories under /scim/*; everything
 * else is the built app, served from static assets (wrangler.toml routes only those two here).
 */
import { app } from './http/app';
import { scim } from './http/scim/app';

export { AddressThrottle } from './objects/address-throttle';
export { BillingIndex } from './objects/billing-index';
export { EmailIndex } from './objects/email-index';
export { Subscription } from './objects/subscription';

export default {
  fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    return pathname === '/scim' || pathname.startsWith('/scim/') ? scim.fetch(request, env, ctx) : app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
