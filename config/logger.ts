import { trace } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';

export const redact = {
  // Secrets and personal data never reach logs, whatever a caller passes in.
  paths: [
    '*.apiKey', '*.password', '*.token', '*.authorization', 'req.headers.authorization', '*.secret', '*.text', '*.phone',
    // Keys merchants enter for their own payment accounts (iyzico, PayU), wherever they sit in a logged object.
    'secretKey', 'clientSecret', 'secondKey', 'credentials',
    '*.secretKey', '*.clientSecret', '*.secondKey', '*.credentials', '*.*.secretKey', '*.*.clientSecret', '*.*.secondKey',
  ],
  censor: '[redacted]',
};

/**
 * Errors from HTTP clients carry the request they made (headers with
 * credentials, bodies with customer data), which pino's standard serializer
 * would log in full; only what explains the failure is kept.
 */
export function serializeError(e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  const { code, status, statusCode } = e as Error & { code?: unknown; status?: unknown; statusCode?: unknown };
  return {
    type: e.name,
    message: e.message,
    ...(code !== undefined ? { code } : {}),
    ...(status !== undefined || statusCode !== undefined ? { status: status ?? statusCode } : {}),
    stack: e.stack,
    ...(e.cause !== undefined ? { cause: serializeError(e.cause) } : {}),
  };
}

/**
 * A line written inside a traced request or activity names its trace, so a slow turn found in the tracing
 * backend leads to its log lines and back. Without a tracing SDK there is never an active span: nothing is added.
 */
export function traceFields(): { trace_id?: string; span_id?: string } {
  const context = trace.getActiveSpan()?.spanContext();
  return context && trace.isSpanContextValid(context) ? { trace_id: context.traceId, span_id: context.spanId } : {};
}

export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, redact, base: { service: name }, serializers: { err: serializeError }, mixin: traceFields });
}
export type { Logger };
