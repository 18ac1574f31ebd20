import type { ChainQuery } from '../facts/builtin/chain-query.js';
import type { Deployment } from './deployment.js';
import { networkProject } from './deployment-project.js';

/** `inferenced query ARGS` in a network node's api container, against the node it runs beside (the `chain_query` fact). */
export const apiChainQuery = (d: Deployment, query: string[]): ChainQuery => ({
  inferenced: { ...networkProject(d), service: 'api' },
  node: d.env.DAPI_CHAIN_NODE__URL,
  query,
});
