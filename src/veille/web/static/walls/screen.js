// Starts a wall's screen page (screen_app.js). First, because charts draw on a canvas: widgets are
// drawn at their desk size and scaled up (canvas.js), and a CSS scale would blow a canvas up
// blurred. ECharts reads devicePixelRatio once, when it loads, to size its canvases; reporting the
// screen's real density times the scale before it loads keeps charts sharp on 1080p and 4K.
import { pixelScale } from "./canvas.js";

const root = document.getElementById("wall-screen");
const rows = Number(root.dataset.rows) || 1;
const screenHeight = root.dataset.screen === "all" ? window.innerHeight / rows : window.innerHeight;
const real = window.devicePixelRatio || 1;
const scale = pixelScale(screenHeight);
Object.defineProperty(window, "devicePixelRatio", { configurable: true, get: () => real * scale });

await import("./screen_app.js");
