import { agentActivities } from './agent';
import { checkoutActivities } from './checkout';
import type { ActivityDeps } from './deps';
import { leadActivities } from './leads';
import { messagingActivities } from './messaging';
import { notifyActivities } from './notify';
import { settingsActivities } from './settings';

export type { ActivityDeps } from './deps';
export type { Quote } from './checkout';

/** Every activity the workflows call, built once per worker from its clients and config. */
export function createActivities(deps: ActivityDeps) {
  return { ...agentActivities(deps), ...messagingActivities(deps), ...leadActivities(deps), ...checkoutActivities(deps), ...notifyActivities(deps), ...settingsActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
