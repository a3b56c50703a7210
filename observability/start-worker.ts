/** Imported first by worker/main.ts: see observability/telemetry.ts. */
import { startObservability } from './telemetry';

startObservability('worker');
