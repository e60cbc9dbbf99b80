#!/usr/bin/env node
import { launch } from "@tfa/service-kit/launch.js";

await launch("fetcher-cli", new URL("../src/fetcher-cli.ts", import.meta.url).href);
