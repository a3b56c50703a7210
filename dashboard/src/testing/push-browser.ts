import { vi } from 'vitest';

/** A PushSubscription as the browser hands it out: `toJSON` is what goes to the server as the device token. */
export class FakeSubscription {
  unsubscribed = false;
  constructor(
    private readonly manager: FakePushManager,
    readonly endpoint: string,
    readonly options: { applicationServerKey: ArrayBuffer | null; userVisibleOnly: boolean },
  ) {}

  toJSON() {
    return { endpoint: this.endpoint, expirationTime: null, keys: { p256dh: `p256dh-of-${this.endpoint}`, auth: `auth-of-${this.endpoint}` } };
  }

  async unsubscribe(): Promise<boolean> {
    this.unsubscribed = true;
    if (this.manager.current === this) this.manager.current = null;
    return true;
  }
}

/** The push service side of a registration: one subscription at a time, as in browsers. */
export class FakePushManager {
  current: FakeSubscription | null = null;
  subscribed: { userVisibleOnly: boolean; applicationServerKey: Uint8Array }[] = [];
  private count = 0;

  async getSubscription(): Promise<FakeSubscription | null> {
    return this.current;
  }

  async subscribe(options: PushSubscriptionOptionsInit): Promise<FakeSubscription> {
    // The app passes the decoded VAPID key as bytes.
    const key = new Uint8Array(options.applicationServerKey as Uint8Array);
    this.subscribed.push({ userVisibleOnly: !!options.userVisibleOnly, applicationServerKey: key });
    // Browsers refuse a second key while a subscription with another one exists.
    if (this.current) throw new DOMException('subscription with a different key exists', 'InvalidStateError');
    this.current = new FakeSubscription(this, `https://push.example.test/send/${++this.count}`, {
      applicationServerKey: key.slice().buffer,
      userVisibleOnly: !!options.userVisibleOnly,
    });
    return this.current;
  }
}

/**
 * The browser APIs web push needs, replaced for one spec: service worker
 * container, PushManager and Notification with a permission the spec sets
 * and a prompt whose answer it chooses.
 */
export function fakePushBrowser(opts: { permission?: NotificationPermission; answer?: NotificationPermission } = {}) {
  const pushManager = new FakePushManager();
  const registration = { scope: `${location.origin}/app/`, pushManager };
  let installed = false;
  const registered: { url: string; options: RegistrationOptions | undefined }[] = [];

  const container = {
    register: vi.fn(async (url: string, options?: RegistrationOptions) => {
      registered.push({ url, options });
      installed = true;
      return registration;
    }),
    getRegistration: vi.fn(async (scope?: string) => (installed && scope === '/app/' ? registration : undefined)),
    get ready() {
      return installed ? Promise.resolve(registration) : new Promise<never>(() => {});
    },
    addEventListener: vi.fn(),
  };

  const notification = {
    permission: opts.permission ?? 'default',
    requestPermission: vi.fn(async (): Promise<NotificationPermission> => {
      notification.permission = opts.answer ?? 'granted';
      return notification.permission;
    }),
  };

  Object.defineProperty(navigator, 'serviceWorker', { configurable: true, value: container });
  vi.stubGlobal('PushManager', FakePushManager);
  vi.stubGlobal('Notification', notification);
  vi.stubGlobal('isSecureContext', true);

  return {
    pushManager,
    registered,
    notification,
    /** A subscription this browser already holds, as after an earlier visit. */
    subscribeBefore(key: Uint8Array) {
      installed = true;
      pushManager.current = new FakeSubscription(pushManager, 'https://push.example.test/send/earlier', { applicationServerKey: key.slice().buffer, userVisibleOnly: true });
      return pushManager.current;
    },
    restore() {
      delete (navigator as { serviceWorker?: unknown }).serviceWorker;
    },
  };
}
