/**
 * `skein/lambda`: the AWS Lambda handler (Node.js runtime) that runs cloud threads.
 *
 * A function is one bundle of the application's entry module with Skein inside it. `skein deploy
 * lambda` bundles a generated entry that re-exports the application and this handler:
 *
 * ```ts
 * export * from './app.ts';                 // registers the app's tasks when Lambda loads it
 * export { handler } from 'skein/lambda';  // the function's handler: `index.handler`
 * ```
 *
 * The `lambda` backend invokes it with `{ skein: 1, envelope: "<base64>" }` and reads
 * `{ outcome: "<base64>" }`. Only tasks (`task()`) run on Lambda: a CloudPool's export-style
 * invocation names a module file of the spawning machine and fails.
 * @module
 */
export { handler, type LambdaInvocationEvent, type LambdaInvocationResult } from './runtime/lambda-handler.ts';
