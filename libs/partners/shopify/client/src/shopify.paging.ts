import { ShopifyQueryTooCostlyError, ShopifyRequestError } from './shopify.errors';
import type { Page } from './shopify.operations';

/** Runs one GraphQL operation (ShopifyTransport.graphql). */
export type GraphqlCall = <T>(op: string, query: string, variables: Record<string, unknown>) => Promise<T>;

/**
 * Cursor pages of the connection `field` of an operation. `shrink`, when given, turns variables refused with
 * MAX_COST_EXCEEDED into smaller ones (or throws); the same cursor is then asked again and the smaller size kept
 * for the rest of the read. `onPage` is told the variables of each page before it is asked.
 */
export async function* paginate<N>(
  graphql: GraphqlCall,
  op: string,
  query: string,
  field: string,
  variables: Record<string, unknown>,
  shrink?: (vars: Record<string, unknown>, err: ShopifyQueryTooCostlyError) => Record<string, unknown>,
  onPage?: (vars: Record<string, unknown>) => void,
): AsyncGenerator<N> {
  let after: string | null = null;
  let vars = variables;
  for (;;) {
    let data: Record<string, Page<N> | undefined>;
    try {
      onPage?.(vars);
      data = await graphql(op, query, { ...vars, after });
    } catch (err) {
      if (!shrink || !(err instanceof ShopifyQueryTooCostlyError)) throw err;
      vars = shrink(vars, err);
      continue;
    }
    const pageData: Page<N> | undefined = data[field];
    if (!pageData || !Array.isArray(pageData.nodes)) throw new ShopifyRequestError(`${op}: answer has no ${field}.nodes`);
    for (const node of pageData.nodes) yield node;
    if (!pageData.pageInfo.hasNextPage || !pageData.pageInfo.endCursor) return;
    after = pageData.pageInfo.endCursor;
  }
}
