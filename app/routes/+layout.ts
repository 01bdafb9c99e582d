// A single-page app: everything renders in the browser against /api.
export const ssr = false;
export const prerender = false;
