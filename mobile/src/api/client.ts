import { createApiClient } from '@client/api/http';
import { serverOrigin } from '../platform';

/**
 * The app's one HTTP client. Paths are same-origin in the browser build; the
 * native shell sends them to the server the member signed in to.
 */
export const api = createApiClient({
  fetch: (request) => {
    const origin = serverOrigin();
    if (!origin) return globalThis.fetch(request);
    const url = new URL(request.url);
    return globalThis.fetch(new Request(`${origin}${url.pathname}${url.search}`, request));
  },
});
export const http = api.http;
