/** Imported first by api/main.ts: see observability/telemetry.ts. */
import { startObservability } from './telemetry';

startObservability('api');
