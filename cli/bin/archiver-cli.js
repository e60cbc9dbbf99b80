#!/usr/bin/env node
import { launch } from "@tfa/service-kit/launch.js";

await launch("archiver-cli", new URL("../src/archiver-cli.ts", import.meta.url).href);
