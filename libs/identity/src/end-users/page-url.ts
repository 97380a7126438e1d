/** The parts of an Express or Fastify request a page URL is built from. */
export interface PageRequestLike {
  protocol?: string;
  headers: Record<string, string | string[] | undefined>;
  originalUrl?: string;
  url?: string;
}

/**
 * The full URL of another page of the list this request read: the same path and filters, with the given
 * `pageLimit` and `pageKey` (Dixa's `meta.next` / `meta.previous`). Scheme and host are the request's
 * (behind a proxy, set Express's `trust proxy` so `protocol` is the client's).
 */
export function pageUrl(request: PageRequestLike, pageLimit: number, pageKey: string): string {
  const host = request.headers.host;
  const url = new URL(
    request.originalUrl ?? request.url ?? '/',
    `${request.protocol ?? 'http'}://${host ?? 'localhost'}`,
  );
  url.searchParams.set('pageLimit', String(pageLimit));
  url.searchParams.set('pageKey', pageKey);
  return url.toString();
}

/** `meta` of a paged answer: full URLs of the pages before and after, when there are any. */
export function pageLinks(
  request: PageRequestLike,
  page: { pageLimit: number; nextPageKey?: string; previousPageKey?: string },
): { previous?: string; next?: string } {
  return {
    ...(page.previousPageKey ? { previous: pageUrl(request, page.pageLimit, page.previousPageKey) } : {}),
    ...(page.nextPageKey ? { next: pageUrl(request, page.pageLimit, page.nextPageKey) } : {}),
  };
}
