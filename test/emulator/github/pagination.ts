// GitHub's page-number pagination: `per_page` (default 30, at most 100) and `page`, with a `Link`
// header naming the first/prev/next/last pages. Like GitHub, the links address the repository by
// id (`/repositories/{id}/…`), so clients must follow them as given, not rebuild them.
// https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api

export interface Page<T> {
  readonly items: T[];
  /** The Link header's value, or undefined when everything fits on one page. */
  readonly link: string | undefined;
}

export function paginate<T>(
  items: readonly T[],
  query: URLSearchParams,
  linkBase: string,
): Page<T> {
  const perPage = Math.min(100, Math.max(1, positive(query.get('per_page')) ?? 30));
  const page = positive(query.get('page')) ?? 1;
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const url = (n: number) => {
    const params = new URLSearchParams(query);
    params.set('per_page', String(perPage));
    params.set('page', String(n));
    return `<${linkBase}?${params.toString()}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${url(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) links.push(`${url(page + 1)}; rel="next"`, `${url(last)}; rel="last"`);
  if (page > 1) links.push(`${url(1)}; rel="first"`);
  return { items: slice, link: links.length === 0 ? undefined : links.join(', ') };
}

function positive(value: string | null): number | undefined {
  if (value === null || !/^[0-9]+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 ? n : undefined;
}
