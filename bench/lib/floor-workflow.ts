/**
 * The least a durable turn can be on Temporal: a customer message arrives as
 * a signal and one local activity that does no work answers it. What this
 * costs the server and the SDK is the floor under the lead workflow's turn.
 */
import { condition, defineSignal, proxyLocalActivities, setHandler } from '@temporalio/workflow';

export interface FloorActivities {
  answer(conversation: string, message: number): Promise<void>;
}

export const floorMessage = defineSignal<[number]>('message');

const { answer } = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '10 seconds' });

export async function floorConversation(conversation: string, messages: number): Promise<void> {
  const inbox: number[] = [];
  setHandler(floorMessage, (k) => void inbox.push(k));
  for (let answered = 0; answered < messages; answered++) {
    await condition(() => inbox.length > 0);
    await answer(conversation, inbox.shift()!);
  }
}
