import { SearchAttributeType } from '@temporalio/common';
import { channelKey, leadScoreKey, leadStageKey, merchantIdKey, needsHumanKey } from '../workflows/contract';

/** Every custom search attribute the app writes, e.g. for `TestWorkflowEnvironment.createLocal`. */
export const searchAttributeKeys = [merchantIdKey, leadStageKey, leadScoreKey, channelKey, needsHumanKey] as const;

/** Type names as the Temporal CLI spells them (`--search-attribute Name=Type`). */
export type CliSearchAttributeType = 'Keyword' | 'Int' | 'Bool';

export interface SearchAttributeDef {
  name: string;
  type: CliSearchAttributeType;
}

const cliTypeName: Record<(typeof searchAttributeKeys)[number]['type'], CliSearchAttributeType> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.BOOL]: 'Bool',
};

export const searchAttributes: readonly SearchAttributeDef[] = searchAttributeKeys.map((key) => ({
  name: key.name,
  type: cliTypeName[key.type],
}));

/** `['--search-attribute', 'MerchantId=Keyword', ...]` for `temporal server start-dev`. */
export function searchAttributeFlags(defs: readonly SearchAttributeDef[] = searchAttributes): string[] {
  return defs.flatMap((d) => ['--search-attribute', `${d.name}=${d.type}`]);
}
