import type { Credential, Subscription } from '../objects/subscription';

/** What every route can reach: the bindings, and after `authenticate` the caller's credential. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    credential: Credential;
    subscriptionId: string;
    subscription: DurableObjectStub<Subscription>;
  };
}
