#!/usr/bin/env node
/** Entry point of the `aws-bench` and `aws-benchmark-collector` executables. */
import { cli } from "./main.js";

await cli();
