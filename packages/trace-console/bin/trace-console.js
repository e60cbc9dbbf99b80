#!/usr/bin/env node
import { launch } from "@tfa/service-kit/launch.js";

await launch("trace-console", new URL("../src/main.ts", import.meta.url).href);
