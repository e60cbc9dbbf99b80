#!/usr/bin/env node
import { launch } from "./launch.js";

await launch("archiver", new URL("../src/archiver/main.ts", import.meta.url).href);
