// A single-page app: everything renders in the browser against /api (see app/lib/api.ts).
export const ssr = false;
export const prerender = false;
