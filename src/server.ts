/**
 * `skein/server`: run a DSO node inside your own process.
 *
 * ```ts
 * import { startNode } from 'skein/server';
 * const node = await startNode({ port: 7070, token: process.env.SKEIN_TOKEN });
 * console.log(node.url);          // skein://127.0.0.1:7070
 * await node.close();
 * ```
 * @module
 */
export { startNode, type NodeOptions, type DsoNode } from './server/node.ts';
export { registerReducer, type Reducer } from './objects/reducers.ts';
