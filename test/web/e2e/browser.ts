/*
 * Headless Debian Chromium for the console's end-to-end tests, through playwright-core
 * (never a downloaded browser). Screenshots go to test-artifacts/web/ (gitignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/web/', import.meta.url));

export function haveChromium(): boolean {
  return existsSync(CHROMIUM);
}

export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Every form control on the page that has no accessible name (label, aria-label or text). */
export function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const controls = Array.from(document.querySelectorAll<HTMLElement>('input, select, textarea, button, [role="button"]'));
    const named = (el: HTMLElement): boolean => {
      if (el.getAttribute('aria-label')?.trim() || el.getAttribute('aria-labelledby')) return true;
      if ((el as HTMLInputElement).labels && (el as HTMLInputElement).labels!.length > 0) return true;
      if (el.tagName === 'BUTTON' && (el.textContent?.trim() || el.getAttribute('title'))) return true;
      return false;
    };
    return controls.filter((el) => !named(el)).map((el) => el.outerHTML.slice(0, 160));
  });
}
