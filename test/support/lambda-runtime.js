// The Lambda emulator's Node.js runtime: one container. Loads the handler module from the task
// root (the init phase), then runs one event at a time from the emulator, answering over IPC.
// Plain JavaScript on plain node, as on Lambda: no tsx here.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Lambda's error object: what the Node.js runtime reports for a thrown value. */
function errorObject(err, errorType) {
  const e = err instanceof Error ? err : new Error(String(err));
  return { errorType: errorType ?? e.name, errorMessage: e.message, trace: (e.stack ?? '').split('\n') };
}

async function loadHandler() {
  const spec = process.env._HANDLER ?? '';
  const dot = spec.lastIndexOf('.');
  if (dot <= 0) throw Object.assign(new Error(`Bad handler ${spec}: expected FILE.EXPORT`), { errorType: 'Runtime.MalformedHandlerName' });
  const base = join(process.env.LAMBDA_TASK_ROOT, spec.slice(0, dot));
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => existsSync(f));
  if (!file) throw Object.assign(new Error(`Cannot find module '${spec.slice(0, dot)}'`), { errorType: 'Runtime.ImportModuleError' });
  const mod = await import(pathToFileURL(file).href);
  const fn = mod[spec.slice(dot + 1)];
  if (typeof fn !== 'function') {
    throw Object.assign(new Error(`${spec} is undefined or not exported`), { errorType: 'Runtime.HandlerNotFound' });
  }
  return fn;
}

let handler;
try {
  handler = await loadHandler();
} catch (err) {
  process.send({ initError: errorObject(err, err?.errorType) });
  process.disconnect();
}

if (handler) {
  process.on('message', async ({ event, requestId, deadline }) => {
    const context = {
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      awsRequestId: requestId,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    try {
      const result = await handler(JSON.parse(event), context);
      process.send({ result: JSON.stringify(result === undefined ? null : result) });
    } catch (err) {
      process.send({ error: errorObject(err) });
    }
  });
  process.send({ ready: true });
  // The emulator is gone: no one can invoke this container again.
  process.on('disconnect', () => process.exit(0));
}
