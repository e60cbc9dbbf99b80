/** Stylesheets are bundled by esbuild; the import only has a side effect. */
declare module '*.css';
