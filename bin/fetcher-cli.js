#!/usr/bin/env node
import { launch } from "./launch.js";

await launch("fetcher-cli", new URL("../src/cli/fetcher-cli.ts", import.meta.url).href);
