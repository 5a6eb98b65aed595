// Renders an item's BPMN process on its guide page. Files without a diagram are laid out first
// (bpmn-auto-layout drops pools and lanes, so the page also lists every step with its department).
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import { layoutProcess } from "bpmn-auto-layout";

const MIN_READABLE_SCALE = 0.6;

async function render(container) {
  try {
    const response = await fetch(container.dataset.bpmnUrl, { credentials: "same-origin" });
    if (!response.ok) throw new Error(String(response.status));
    let xml = await response.text();
    if (container.dataset.hasDiagram !== "1") {
      xml = await layoutProcess(xml);
    }
    const viewer = new NavigatedViewer({ container });
    await viewer.importXML(xml);
    const canvas = viewer.get("canvas");
    canvas.zoom("fit-viewport", "auto");
    // On a phone a whole process fitted to the screen is unreadable: keep the text legible and
    // let people drag the diagram (the steps are also listed below it).
    if (canvas.zoom() < MIN_READABLE_SCALE) {
      const inner = canvas.viewbox().inner;
      canvas.viewbox({
        x: inner.x - 10,
        y: inner.y - 10,
        width: container.clientWidth / MIN_READABLE_SCALE,
        height: container.clientHeight / MIN_READABLE_SCALE,
      });
    }
  } catch (error) {
    container.dataset.failed = "1";
    console.warn("flowchart not shown:", error);
  }
}

document.querySelectorAll("[data-bpmn-url]").forEach(render);
