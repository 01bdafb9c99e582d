/** `/tokens` (worker/http/routes/tokens.ts): personal API tokens, whose secret is shown only once. */
import type { ApiToken, CreatedApiToken, Page, TokenBody } from '#contract';
import { request, segment } from './request.ts';

export const tokensApi = {
  list: () => request<Page<ApiToken>>('GET', '/tokens'),
  create: (body: TokenBody) => request<CreatedApiToken>('POST', '/tokens', body),
  revoke: (id: string) => request<void>('DELETE', `/tokens/${segment(id)}`),
};
