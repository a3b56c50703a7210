import { createMetaClient } from './meta';
import { createTwilioClient } from './twilio';
import type { WhatsAppProviderClient } from './channel';
import type { MerchantChannel } from '../../db/queries/channels';

export interface WhatsAppEndpoints {
  publicBaseUrl: string;
  graphBaseUrl?: string;
  /** Only tests point Twilio elsewhere. */
  twilioApiBaseUrl?: string;
}

/** The wire client for one connected number, from its decrypted credentials. */
export function whatsAppClientFactory(e: WhatsAppEndpoints): (channel: MerchantChannel) => WhatsAppProviderClient {
  return (channel) =>
    channel.provider === 'twilio'
      ? createTwilioClient(
          {
            accountSid: channel.credentials.accountSid,
            authToken: channel.credentials.authToken,
            messagingServiceSid: channel.credentials.messagingServiceSid,
            from: channel.address,
            statusCallbackUrl: `${e.publicBaseUrl.replace(/\/$/, '')}/webhooks/twilio/status`,
          },
          { apiBaseUrl: e.twilioApiBaseUrl },
        )
      : createMetaClient({ accessToken: channel.credentials.accessToken, phoneNumberId: channel.address }, { graphBaseUrl: e.graphBaseUrl });
}
