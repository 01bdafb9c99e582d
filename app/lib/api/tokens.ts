/**
 * `/tokens` (worker/http/routes/tokens.ts): personal API tokens, whose secret is shown only once;
 * administrators also see and revoke everyone's.
 */
import type { ApiToken, CreatedApiToken, OwnedApiToken, Page, TokenBody } from '#contract';
import { request, segment } from './request.ts';

export const tokensApi = {
  list: () => request<Page<ApiToken>>('GET', '/tokens'),
  /** Every token of the subscription with its owner (administrators only). */
  listAll: () => request<Page<OwnedApiToken>>('GET', '/tokens/all'),
  create: (body: TokenBody) => request<CreatedApiToken>('POST', '/tokens', body),
  revoke: (id: string) => request<void>('DELETE', `/tokens/${segment(id)}`),
};
