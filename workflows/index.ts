export { leadConversation } from './lead-conversation';
export { checkout } from './checkout';
export { deliverNotification } from './deliver-notification';
export { broadcastSettings } from './settings-broadcast';
