import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/common';
import { openConversationIds } from '../db/queries/conversations';
import { settingsChangedSignal } from '../workflows/contract';
import type { ActivityDeps } from './deps';

const PAGE = 100;

/** Changes to a merchant's settings that running conversations must hear about. */
export function settingsActivities(deps: ActivityDeps) {
  return {
    /**
     * Signals every open conversation of the merchant to reload its settings.
     * The last conversation told is the heartbeat, so a retry after a crash
     * resumes there; telling one twice only reloads twice.
     */
    async tellOpenConversations(input: { merchantId: string }): Promise<number> {
      const ctx = Context.current();
      let after = typeof ctx.info.heartbeatDetails === 'string' ? ctx.info.heartbeatDetails : '';
      let told = 0;
      for (let ids = await openConversationIds(deps.db, input.merchantId, after, PAGE); ids.length; ids = await openConversationIds(deps.db, input.merchantId, after, PAGE)) {
        await Promise.all(
          ids.map((id) =>
            ctx.client.workflow
              .getHandle(id)
              .signal(settingsChangedSignal)
              .then(() => told++)
              // Closed since the page was read: nothing left to tell.
              .catch((err: unknown) => {
                if (!(err instanceof WorkflowNotFoundError)) throw err;
              }),
          ),
        );
        after = ids.at(-1)!;
        ctx.heartbeat(after);
      }
      return told;
    },
  };
}
