#!/usr/bin/env node
import { launch } from "./launch.js";

await launch("fetcher", new URL("../src/fetcher/main.ts", import.meta.url).href);
