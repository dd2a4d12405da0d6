import type { Locator, Page } from '@playwright/test';

/** Draws a zig-zag on a signature pad with touch, as a finger does (CDP touch events, which
 *  the browser turns into pointer events of type "touch"). */
export async function signWithFinger(page: Page, pad: Locator, rows = 1) {
  const canvas = pad.locator('canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  const cdp = await page.context().newCDPSession(page);
  const at = (fx: number, fy: number) => [{ x: box.x + box.width * fx, y: box.y + box.height * fy }];
  for (let r = 0; r < rows; r++) {
    const y = 0.3 + 0.4 * r;
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0.1, y) });
    for (let i = 1; i <= 16; i++) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(0.1 + 0.05 * i, y + (i % 2 ? 0.2 : -0.1)) });
    }
    // A finger comes to rest before it lifts; lifting at speed reads as a fling, and Chrome then
    // swallows the next tap (to stop the fling) as a real phone would.
    await page.waitForTimeout(150);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(0.9, y + 0.05) });
    await page.waitForTimeout(150);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  }
  await cdp.detach();
}
