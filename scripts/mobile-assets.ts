/**
 * Renders every app icon and splash screen from `mobile/assets/icon.svg`, with
 * the Chromium the browser tests use (no image library needed): the web app's
 * icons in mobile/public/icons, and the native projects' launcher icons and
 * splash screens, each redrawn at the size of the file it replaces.
 */
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/support/browser';
import { repoRoot } from '../tools/binaries';

const mobile = path.join(repoRoot, 'mobile');
const BRAND = '#0f766e';

/** full: the icon as drawn; round: clipped to a circle; glyph: the mark alone on transparency at `scale` of the canvas; splash: the mark centred on the brand colour. */
type Style = { kind: 'full' } | { kind: 'round' } | { kind: 'glyph'; scale: number; background?: string; color?: string } | { kind: 'splash' };

function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

async function render(page: Page, svg: string, width: number, height: number, style: Style): Promise<Buffer> {
  const side = Math.min(width, height);
  let body: string;
  if (style.kind === 'full' || style.kind === 'round') {
    body = `<div style="width:${width}px;height:${height}px;${style.kind === 'round' ? 'border-radius:50%;overflow:hidden;' : ''}">${svg.replace('<svg ', `<svg style="width:100%;height:100%;display:block" `)}</div>`;
  } else {
    const scale = style.kind === 'splash' ? 0.28 : style.scale;
    const background = style.kind === 'splash' ? BRAND : (style.background ?? 'transparent');
    const glyphOnly = svg.replace(/<rect id="background"[^>]*\/>/, '');
    const colored = style.kind === 'glyph' && style.color ? glyphOnly.replaceAll('#ffffff', style.color) : glyphOnly;
    const inner = Math.round(side * scale);
    body = `<div style="width:${width}px;height:${height}px;background:${background};display:flex;align-items:center;justify-content:center">${colored.replace('<svg ', `<svg style="width:${inner}px;height:${inner}px;display:block" `)}</div>`;
  }
  await page.setViewportSize({ width, height });
  await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${body}</body></html>`);
  return page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width, height } });
}

async function* pngsUnder(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* pngsUnder(full);
    else if (entry.name.endsWith('.png')) yield full;
  }
}

export async function renderMobileAssets(): Promise<void> {
  const svg = (await readFile(path.join(mobile, 'assets', 'icon.svg'), 'utf8')).replace(/<!--[\s\S]*?-->/g, '');
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const web = path.join(mobile, 'public', 'icons');
    await mkdir(web, { recursive: true });
    await copyFile(path.join(mobile, 'assets', 'icon.svg'), path.join(web, 'icon.svg'));
    const webIcons: [string, number, Style][] = [
      ['icon-192.png', 192, { kind: 'full' }],
      ['icon-512.png', 512, { kind: 'full' }],
      // Maskable icons are cropped to a circle or squircle by the launcher: the mark stays inside the middle 80%.
      ['maskable-512.png', 512, { kind: 'glyph', scale: 0.7, background: BRAND }],
      ['apple-touch-icon.png', 180, { kind: 'glyph', scale: 0.85, background: BRAND }],
      // Android shows the notification badge as a white silhouette.
      ['badge-96.png', 96, { kind: 'glyph', scale: 1 }],
    ];
    for (const [name, size, style] of webIcons) await writeFile(path.join(web, name), await render(page, svg, size, size, style));

    const res = path.join(mobile, 'android', 'app', 'src', 'main', 'res');
    for await (const file of pngsUnder(res)) {
      const { width, height } = pngSize(await readFile(file));
      const name = path.basename(file);
      const style: Style =
        name === 'splash.png'
          ? { kind: 'splash' }
          : name === 'ic_launcher_round.png'
            ? { kind: 'round' }
            : name === 'ic_launcher_foreground.png'
              ? // Adaptive icons: a 108 dp layer of which the launcher shows the middle 72 dp at most.
                { kind: 'glyph', scale: 0.6 }
              : { kind: 'full' };
      await writeFile(file, await render(page, svg, width, height, style));
    }
    await writeFile(
      path.join(res, 'values', 'ic_launcher_background.xml'),
      `<?xml version="1.0" encoding="utf-8"?>\n<resources>\n    <color name="ic_launcher_background">${BRAND.toUpperCase()}</color>\n</resources>\n`,
    );

    const xcassets = path.join(mobile, 'ios', 'App', 'App', 'Assets.xcassets');
    for await (const file of pngsUnder(xcassets)) {
      const { width, height } = pngSize(await readFile(file));
      // The App Store refuses icons with transparency, and iOS rounds the corners itself.
      const style: Style = file.includes('AppIcon') ? { kind: 'glyph', scale: 0.85, background: BRAND } : { kind: 'splash' };
      await writeFile(file, await render(page, svg, width, height, style));
    }
  } finally {
    await browser.close();
  }
}
