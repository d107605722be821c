// The network page: ties between the people you know, drawn with WebGL
// (sigma.js over a graphology graph). Positions come from the server (each
// cluster around its own centre); a short ForceAtlas2 run settles small maps.
// Nodes can be dragged; clicking one opens the person.
import Graph from "graphology";
import forceAtlas2 from "graphology-layout-forceatlas2";
import Sigma from "sigma";

const PALETTE = [
  "#2f6db3", "#d9822b", "#3c9d5d", "#c23c3c", "#8a5cc2",
  "#8c6d46", "#d16ba5", "#6b7280", "#a3a322", "#1fa2b3",
];
//: Above this many nodes the server's layout is drawn as it is.
const SETTLE_BELOW = 3000;

function load(container, data) {
  const graph = new Graph();
  for (const n of data.nodes) {
    graph.addNode(String(n.id), {
      x: n.x,
      y: n.y,
      size: n.me ? 12 : 3 + Math.min(9, Math.sqrt(n.strength || 0) * 2),
      label: n.label,
      color: n.me ? "#111827" : PALETTE[n.cluster % PALETTE.length],
      cluster: n.cluster,
    });
  }
  for (const e of data.edges) {
    const a = String(e.source);
    const b = String(e.target);
    if (graph.hasNode(a) && graph.hasNode(b) && !graph.hasEdge(a, b)) {
      graph.addEdge(a, b, { size: Math.max(0.5, Math.min(4, e.weight)), color: "#cbd5e1" });
    }
  }
  if (graph.order > 1 && graph.order < SETTLE_BELOW) {
    forceAtlas2.assign(graph, {
      iterations: graph.order < 500 ? 100 : 30,
      settings: { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: graph.order > 500 },
    });
  }
  // Big maps: edges and labels are left out while the camera moves.
  const big = graph.order > SETTLE_BELOW;
  const renderer = new Sigma(graph, container, {
    renderEdgeLabels: false,
    labelRenderedSizeThreshold: 8,
    hideEdgesOnMove: big,
    hideLabelsOnMove: big,
  });

  // Dragging a node: it follows the pointer; the camera stays still meanwhile.
  let dragged = null;
  let moved = false;
  renderer.on("downNode", (e) => {
    dragged = e.node;
    moved = false;
    graph.setNodeAttribute(dragged, "highlighted", true);
  });
  renderer.getMouseCaptor().on("mousemovebody", (e) => {
    if (!dragged) return;
    const pos = renderer.viewportToGraph(e);
    graph.setNodeAttribute(dragged, "x", pos.x);
    graph.setNodeAttribute(dragged, "y", pos.y);
    moved = true;
    e.preventSigmaDefault();
    e.original.preventDefault();
    e.original.stopPropagation();
  });
  const release = () => {
    if (dragged) graph.removeNodeAttribute(dragged, "highlighted");
    dragged = null;
  };
  renderer.getMouseCaptor().on("mouseup", release);
  renderer.on("clickNode", (e) => {
    if (!moved && e.node !== "me") window.location.href = `/people/${e.node}`;
  });
  return { graph, renderer };
}

// The form's fields, without the empty ones ("any circle").
function filled(form) {
  const params = new URLSearchParams();
  for (const [key, value] of new FormData(form)) {
    if (value !== "") params.set(key, value);
  }
  return params;
}

async function show() {
  const container = document.getElementById("network-map");
  if (!container) return;
  const form = document.getElementById("network-filters");
  const status = document.getElementById("network-status");
  const params = filled(form);
  status.textContent = "Loading the map…";
  const response = await fetch(`/api/network?${params}`, { headers: { Accept: "application/json" } });
  const data = await response.json();
  if (!response.ok) {
    status.textContent = data.error ? data.error.message : `The server answered ${response.status}.`;
    return;
  }
  if (window.kithNetwork) window.kithNetwork.renderer.kill();
  window.kithNetwork = load(container, data);
  const shown = data.nodes.length - (data.nodes.some((n) => n.me) ? 1 : 0);
  status.textContent =
    `${shown.toLocaleString()} people, ${data.edges.length.toLocaleString()} ties` +
    (data.truncated ? ` (the ${shown.toLocaleString()} strongest of ${data.total.toLocaleString()})` : "");
  container.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("network-filters");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const url = new URL(window.location.href);
    url.search = filled(form).toString();
    window.history.replaceState(null, "", url);
    show();
  });
  show();
});
