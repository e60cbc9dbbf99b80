// Plain JavaScript on purpose: it must parse on any Node.js, so that an
// older one prints how to run the command instead of a syntax error.
const major = Number(process.versions.node.split('.')[0]);

/** Starts a command's TypeScript main under Node 24+, or explains how to. */
export async function launch(command, main) {
  if (major < 24) {
    process.stderr.write(
      `${command} needs Node.js 24 or newer, but this is ${process.version}: run it with "npx ${command}" ` +
        `from the project folder (npm ci installs Node 24), or put node_modules/.bin first on PATH.\n`,
    );
    process.exit(1);
  }
  // Cache compiled modules between runs: start-up is mostly module loading.
  const { default: module } = await import('node:module');
  module.enableCompileCache?.();
  await import(main);
}
