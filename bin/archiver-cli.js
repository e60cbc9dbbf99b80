#!/usr/bin/env node
import { launch } from "./launch.js";

await launch("archiver-cli", new URL("../src/cli/archiver-cli.ts", import.meta.url).href);
