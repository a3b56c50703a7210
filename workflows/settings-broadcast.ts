import { fanOut } from './activities';

/**
 * Tells a merchant's open conversations that the playbook changed. A workflow
 * rather than a loop in the API request: once started, it finishes even if
 * the API or a worker dies halfway through thousands of conversations.
 */
export async function broadcastSettings(input: { merchantId: string }): Promise<number> {
  return fanOut.tellOpenConversations(input);
}
