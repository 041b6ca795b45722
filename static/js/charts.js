// Draws a bar chart for every <canvas data-chart> from the table it names. The tables are
// the real content: without JavaScript they are all there is, and nothing is lost.
document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
  var table = document.getElementById(canvas.dataset.chart);
  if (!table || typeof Chart === "undefined") return;
  var labels = [], values = [];
  table.querySelectorAll("tbody tr").forEach(function (row) {
    labels.push(row.cells[0].textContent.trim());
    values.push(parseInt(row.dataset.satang, 10) / 100);
  });
  new Chart(canvas, {
    type: "bar",
    data: { labels: labels, datasets: [{ label: canvas.dataset.label, data: values, backgroundColor: "#4d7a3a" }] },
    options: { indexAxis: labels.length > 6 ? "y" : "x", plugins: { legend: { display: false } }, animation: false }
  });
});
