// Renders an item's BPMN process on its guide page. Files without a diagram are laid out first
// (bpmn-auto-layout drops pools and lanes, so the page also lists every step with its department).
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import { layoutProcess } from "bpmn-auto-layout";

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
    viewer.get("canvas").zoom("fit-viewport", "auto");
  } catch (error) {
    container.dataset.failed = "1";
    console.warn("flowchart not shown:", error);
  }
}

document.querySelectorAll("[data-bpmn-url]").forEach(render);
