/** DI token for PUBLIC_BASE_URL: the address links in notifications point to. */
export const PUBLIC_BASE_URL = Symbol('PUBLIC_BASE_URL');
