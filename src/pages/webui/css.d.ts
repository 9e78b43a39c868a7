// esbuild bundles a page's CSS imports into NAME.css beside NAME.js.
declare module '*.css'
