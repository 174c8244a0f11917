// Builds the admin app for /admin/. The output directory comes from the build
// (CMake passes $COPPER_WEB_OUT = build/web/admin); copper serves it from memory.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/admin/',
  // Preact's automatic JSX runtime, without a plugin (no Babel in the build).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: process.env.COPPER_WEB_OUT ?? 'dist/admin',
    emptyOutDir: true,
    target: 'es2022',
    // The CSP is default-src 'self': no data: URIs, no inline scripts.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
