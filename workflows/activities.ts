import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
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

/** Walks every open conversation of a merchant; resumes from its heartbeat after a crash. */
export const fanOut = proxyActivities<Activities>({
  startToCloseTimeout: '30m',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/**
 * Steps of a few milliseconds that need no routing: the offline agent's
 * decision, a web-chat reply with its projection, the projection alone. Run
 * inside the workflow task, each costs one marker event instead of a
 * scheduling round trip through the server and six events. Idempotent, so the
 * re-run after a worker crash (the whole task is retried) is harmless.
 */
export const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '15s',
  // Past this the retry waits on a server timer, so a long outage does not hold the workflow task.
  localRetryThreshold: '10s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '30s' },
});

/** The offline agent as a local activity: a few attempts, then the same hand-off as a failed model call. */
export const localAgent = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 3 },
});
