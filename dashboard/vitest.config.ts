import { defineConfig, mergeConfig } from 'vitest/config';
import viteConfig from './vite.config';

// Store specs run in a DOM against a fake `fetch` at the network edge; see src/testing/fake-api.ts.
export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      include: ['src/**/*.spec.ts'],
      environment: 'happy-dom',
      environmentOptions: { happyDOM: { url: 'http://localhost:3000/app/' } },
      restoreMocks: true,
      unstubGlobals: true,
    },
  }),
);
