import type { CapacitorConfig } from '@capacitor/cli';

/**
 * The native shells around the app's `native` build (`npm run mobile:sync`
 * builds it into dist/native and copies it into android/ and ios/).
 */
const config: CapacitorConfig = {
  appId: 'io.autocloser.merchant',
  appName: 'AutoCloser',
  webDir: 'dist/native',
  android: { allowMixedContent: false },
  ios: { contentInset: 'never' },
  plugins: {
    SplashScreen: {
      // Hidden by the app once its first screen is ready (main.ts), not after a fixed time.
      launchAutoHide: false,
      launchShowDuration: 0,
      backgroundColor: '#0f766e',
      androidScaleType: 'CENTER_CROP',
      showSpinner: false,
      splashFullScreen: false,
      splashImmersive: false,
    },
    PushNotifications: {
      // Shown by the system while the app is in the foreground too, as in the background.
      presentationOptions: ['badge', 'sound', 'alert'],
    },
  },
};

// Live reload on a device: CAP_SERVER_URL=http://<this machine's LAN address>:5174/ (see README.md).
if (process.env.CAP_SERVER_URL) config.server = { url: process.env.CAP_SERVER_URL, cleartext: true };

export default config;
