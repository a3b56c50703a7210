import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/** Quick, idempotent database work. */
export const store = proxyActivities<Activities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s' },
});

/**
 * The agent: a model call can be slow, so liveness comes from heartbeats
 * rather than a short start-to-close. A few attempts, then the workflow hands
 * the lead to a human instead of leaving the customer waiting.
 */
export const agent = proxyActivities<Activities>({
  startToCloseTimeout: '2m',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 3 },
});

/**
 * Sends retry for a long time: a provider outage delays a message, it never
 * drops it. A short start-to-close means a send lost with a crashed worker is
 * retried within seconds; the idempotency key makes that retry harmless.
 */
export const outbox = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '5m',
    nonRetryableErrorTypes: ['Undeliverable', 'ChannelUnavailable'],
  },
});

/** Downloads of customer attachments: a few tries, then the message keeps its reference without the file. */
export const media = proxyActivities<Activities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 5 },
});

/**
 * Push and email deliveries of a notification. Each attempt sends only what
 * is still pending and throws while a provider asks to try again, so retries
 * are harmless; after a day a "needs a person" buzz is noise, so it stops.
 */
export const deliveries = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '10m' },
});
