import { pino, type Logger, type Level } from 'pino';

/**
 * The node's logger: JSON lines on stderr. The level comes from the argument, else `SKEIN_LOG_LEVEL`,
 * else `fallback`.
 */
export function createLogger(level: Level | 'silent' | undefined, fallback: Level | 'silent'): Logger {
  const chosen = level ?? (process.env.SKEIN_LOG_LEVEL as Level | undefined) ?? fallback;
  return pino({ name: 'skein-dso', level: chosen }, pino.destination({ fd: 2, sync: true }));
}

export type { Logger };
