import type { Call } from '../objects/call';
import type { Subscription } from '../objects/subscription';

/** What every route can reach: the bindings, and after `authenticate` the caller's call and object. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** Who asks (and the Idempotency-Key they sent), for every RPC of a signed-in request. */
    call: Call;
    subscriptionId: string;
    subscription: DurableObjectStub<Subscription>;
    /** The subscription's revision the answer reflects, set by `unwrapReply`. */
    revision?: number;
    /** Set by `unwrapReply` when the answer is a replayed one. */
    replayed?: boolean;
  };
}
