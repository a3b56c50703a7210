export { leadConversation } from './lead-conversation';
export { checkout } from './checkout';
