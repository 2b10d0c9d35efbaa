// The dashboards' grid (gridstack, vendored as one UMD script that sets self.GridStack): importing it
// runs it; this module hands its class to the pages, so that none of them reads the global.
import "gridstack";

const exported = globalThis.GridStack;
export const GridStack = (exported && exported.GridStack) || exported;
