import { setDefaultTimeout } from "bun:test";

// Integration tests start real server processes and fleets of terminals.
setDefaultTimeout(60_000);
