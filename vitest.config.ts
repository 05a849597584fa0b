import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { collected, serveBundle, stopServer } from './tests/browser/commands.ts';

// Headless Chromium from Debian (.ci/run installs it); Playwright downloads no browser. Without
// it the browser project is left out, except in CI.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium-headless-shell';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['tests/**/*.test.ts'], exclude: ['tests/browser/**', '**/node_modules/**'] },
      },
      ...(existsSync(chromium) || process.env.CI
        ? [
            {
              extends: true as const,
              test: {
                name: 'browser',
                include: ['tests/browser/**/*.test.ts'],
                browser: {
                  enabled: true,
                  headless: true,
                  provider: playwright({ launchOptions: { executablePath: chromium } }),
                  instances: [{ browser: 'chromium' as const }],
                  commands: { serveBundle, collected, stopServer },
                  screenshotFailures: false,
                },
              },
            },
          ]
        : []),
    ],
  },
});
