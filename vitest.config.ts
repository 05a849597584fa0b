import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { collected, serveBundle, stopServer } from './tests/browser/commands.ts';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['tests/**/*.test.ts'], exclude: ['tests/browser/**', '**/node_modules/**'] },
      },
      {
        // Headless Chromium from Debian (.ci/run installs it); Playwright downloads no browser.
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium-headless-shell' } }),
            instances: [{ browser: 'chromium' }],
            commands: { serveBundle, collected, stopServer },
            screenshotFailures: false,
          },
        },
      },
    ],
  },
});
