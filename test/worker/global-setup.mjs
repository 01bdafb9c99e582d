/** vitest's globalSetup (Node): the local webhook receiver and push service, their URLs provided to the tests. */
import { startPushService, startWebhookReceiver } from '../support/receivers.mjs';

export default async function setup({ provide }) {
  const receiver = await startWebhookReceiver();
  const push = await startPushService();
  provide('receiverUrl', receiver.url);
  provide('pushServiceUrl', push.url);
  return async () => {
    await receiver.close();
    await push.close();
  };
}
