import { pino, type Logger } from 'pino';

const redact = {
  // Secrets and personal data never reach logs, whatever a caller passes in.
  paths: ['*.apiKey', '*.password', '*.token', '*.authorization', 'req.headers.authorization', '*.secret', '*.text', '*.phone'],
  censor: '[redacted]',
};

export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, redact, base: { service: name } });
}
export type { Logger };
