#!/usr/bin/env node
import { launch } from "./launch.js";

await launch("trace-console", new URL("../src/console/main.ts", import.meta.url).href);
