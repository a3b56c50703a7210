import { createApiClient } from '@client/api/http';

/** The dashboard's one HTTP client: same origin, the refresh token in an HttpOnly cookie. */
export const api = createApiClient();
export const http = api.http;
