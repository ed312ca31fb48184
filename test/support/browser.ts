/** Tests drive the same headless Chromium as the dashboard screenshot tool. */
export * from '../../tools/browser/chromium.js';
