import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { LocalTestWorkflowEnvironmentOptions } from '@temporalio/testing';
import { ensureTemporalCli, ensureTemporalTestServer, type Log } from './cli';
import { searchAttributeKeys } from './search-attributes';

const quiet: Log = () => {};

/**
 * Time-skipping test environment on the Java test server from the project cache (never the SDK's own download,
 * which needs internet access).
 */
export async function createTimeSkippingTestEnv(opts: { log?: Log } = {}): Promise<TestWorkflowEnvironment> {
  const path = await ensureTemporalTestServer(opts.log ?? quiet);
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
}

export interface LocalTestEnvOptions {
  namespace?: string;
  log?: Log;
  /** Passed through to the dev server, e.g. `['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=50']`. */
  extraArgs?: string[];
}

/**
 * Real dev server (in memory, no UI, random port) started by the SDK from the project's Temporal CLI, with the
 * app's search attributes registered.
 */
export async function createLocalTestEnv(opts: LocalTestEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  const path = await ensureTemporalCli(opts.log ?? quiet);
  const server: NonNullable<LocalTestWorkflowEnvironmentOptions['server']> = {
    executable: { type: 'existing-path', path },
    searchAttributes: [...searchAttributeKeys],
    ui: false,
  };
  if (opts.namespace) server.namespace = opts.namespace;
  if (opts.extraArgs) server.extraArgs = opts.extraArgs;
  return TestWorkflowEnvironment.createLocal({ server });
}
